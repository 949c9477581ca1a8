/// `SSH_MSG_KEXINIT` (RFC 4253 §7.1): each side's algorithm preferences.
public struct SSHMsgKexInit: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.kexInit

    /// The length of ``cookie`` (RFC 4253 §7.1: `byte[16] cookie`).
    public static let cookieLength = 16

    /// 16 random bytes; always exactly ``cookieLength`` long.
    public var cookie: [UInt8]
    public var kexAlgorithms: [String]
    public var serverHostKeyAlgorithms: [String]
    public var encryptionAlgorithmsClientToServer: [String]
    public var encryptionAlgorithmsServerToClient: [String]
    public var macAlgorithmsClientToServer: [String]
    public var macAlgorithmsServerToClient: [String]
    public var compressionAlgorithmsClientToServer: [String]
    public var compressionAlgorithmsServerToClient: [String]
    public var languagesClientToServer: [String]
    public var languagesServerToClient: [String]
    public var firstKexPacketFollows: Bool
    /// Reserved for future extension; senders write 0 (RFC 4253 §7.1).
    public var reserved: UInt32

    /// - Precondition: `cookie.count == 16` (a programmer error otherwise; decoded values always
    ///   satisfy it).
    public init(
        cookie: [UInt8],
        kexAlgorithms: [String],
        serverHostKeyAlgorithms: [String],
        encryptionAlgorithmsClientToServer: [String],
        encryptionAlgorithmsServerToClient: [String],
        macAlgorithmsClientToServer: [String],
        macAlgorithmsServerToClient: [String],
        compressionAlgorithmsClientToServer: [String],
        compressionAlgorithmsServerToClient: [String],
        languagesClientToServer: [String] = [],
        languagesServerToClient: [String] = [],
        firstKexPacketFollows: Bool = false,
        reserved: UInt32 = 0
    ) {
        precondition(cookie.count == Self.cookieLength, "KEXINIT cookie must be 16 bytes")
        self.cookie = cookie
        self.kexAlgorithms = kexAlgorithms
        self.serverHostKeyAlgorithms = serverHostKeyAlgorithms
        self.encryptionAlgorithmsClientToServer = encryptionAlgorithmsClientToServer
        self.encryptionAlgorithmsServerToClient = encryptionAlgorithmsServerToClient
        self.macAlgorithmsClientToServer = macAlgorithmsClientToServer
        self.macAlgorithmsServerToClient = macAlgorithmsServerToClient
        self.compressionAlgorithmsClientToServer = compressionAlgorithmsClientToServer
        self.compressionAlgorithmsServerToClient = compressionAlgorithmsServerToClient
        self.languagesClientToServer = languagesClientToServer
        self.languagesServerToClient = languagesServerToClient
        self.firstKexPacketFollows = firstKexPacketFollows
        self.reserved = reserved
    }

    public init(from reader: inout SSHReader) throws {
        cookie = try reader.readBytes(Self.cookieLength, "kexinit cookie")
        kexAlgorithms = try reader.readNameList("kex_algorithms")
        serverHostKeyAlgorithms = try reader.readNameList("server_host_key_algorithms")
        encryptionAlgorithmsClientToServer = try reader.readNameList("encryption_algorithms_client_to_server")
        encryptionAlgorithmsServerToClient = try reader.readNameList("encryption_algorithms_server_to_client")
        macAlgorithmsClientToServer = try reader.readNameList("mac_algorithms_client_to_server")
        macAlgorithmsServerToClient = try reader.readNameList("mac_algorithms_server_to_client")
        compressionAlgorithmsClientToServer = try reader.readNameList("compression_algorithms_client_to_server")
        compressionAlgorithmsServerToClient = try reader.readNameList("compression_algorithms_server_to_client")
        languagesClientToServer = try reader.readNameList("languages_client_to_server")
        languagesServerToClient = try reader.readNameList("languages_server_to_client")
        firstKexPacketFollows = try reader.readBool("first_kex_packet_follows")
        reserved = try reader.readUInt32("kexinit reserved")
    }

    public func writeBody(to writer: inout SSHWriter) {
        writer.writeBytes(cookie)
        writer.writeNameList(kexAlgorithms)
        writer.writeNameList(serverHostKeyAlgorithms)
        writer.writeNameList(encryptionAlgorithmsClientToServer)
        writer.writeNameList(encryptionAlgorithmsServerToClient)
        writer.writeNameList(macAlgorithmsClientToServer)
        writer.writeNameList(macAlgorithmsServerToClient)
        writer.writeNameList(compressionAlgorithmsClientToServer)
        writer.writeNameList(compressionAlgorithmsServerToClient)
        writer.writeNameList(languagesClientToServer)
        writer.writeNameList(languagesServerToClient)
        writer.writeBool(firstKexPacketFollows)
        writer.writeUInt32(reserved)
    }
}
