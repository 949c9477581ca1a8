// Key-exchange method messages (numbers 30–49).
//
// These numbers are reused by every method (RFC 4250 §4.1.2), so ``SSHMessage/decode(_:)``
// returns them as ``SSHMessage/keyExchangeMethod(number:payload:)`` and the party that knows the
// negotiated method decodes them with one of these types. mpint fields hold the non-negative
// big-endian magnitude without leading zeros (``SSHReader/readMPInt(_:)``).

// MARK: - Diffie-Hellman (RFC 4253 §8)

/// `SSH_MSG_KEXDH_INIT` (RFC 4253 §8): the client's DH public value.
public struct SSHMsgKexDHInit: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.kexDHInit

    /// `mpint e`.
    public var e: [UInt8]

    public init(e: [UInt8]) { self.e = e }

    public init(from reader: inout SSHReader) throws {
        e = try reader.readMPInt("kexdh e")
    }

    public func writeBody(to writer: inout SSHWriter) { writer.writeMPInt(e) }
}

/// `SSH_MSG_KEXDH_REPLY` (RFC 4253 §8).
public struct SSHMsgKexDHReply: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.kexDHReply

    /// `string K_S`: the server's public host key blob.
    public var hostKey: [UInt8]
    /// `mpint f`.
    public var f: [UInt8]
    /// `string signature of H`.
    public var signature: [UInt8]

    public init(hostKey: [UInt8], f: [UInt8], signature: [UInt8]) {
        self.hostKey = hostKey
        self.f = f
        self.signature = signature
    }

    public init(from reader: inout SSHReader) throws {
        hostKey = try reader.readString("kexdh host key")
        f = try reader.readMPInt("kexdh f")
        signature = try reader.readString("kexdh signature")
    }

    public func writeBody(to writer: inout SSHWriter) {
        writer.writeString(hostKey)
        writer.writeMPInt(f)
        writer.writeString(signature)
    }
}

// MARK: - ECDH, curve25519 and hybrid post-quantum (RFC 5656 §7.1, RFC 8731 §3)

/// `SSH_MSG_KEX_ECDH_INIT` (RFC 5656 §7.1): the client's ephemeral public key as a string. The
/// same layout serves curve25519 (RFC 8731) and the hybrid post-quantum methods.
public struct SSHMsgKexECDHInit: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.kexECDHInit

    /// `string Q_C`.
    public var clientPublicKey: [UInt8]

    public init(clientPublicKey: [UInt8]) { self.clientPublicKey = clientPublicKey }

    public init(from reader: inout SSHReader) throws {
        clientPublicKey = try reader.readString("ecdh client public key")
    }

    public func writeBody(to writer: inout SSHWriter) { writer.writeString(clientPublicKey) }
}

/// `SSH_MSG_KEX_ECDH_REPLY` (RFC 5656 §7.1).
public struct SSHMsgKexECDHReply: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.kexECDHReply

    /// `string K_S`.
    public var hostKey: [UInt8]
    /// `string Q_S`.
    public var serverPublicKey: [UInt8]
    /// `string signature of H`.
    public var signature: [UInt8]

    public init(hostKey: [UInt8], serverPublicKey: [UInt8], signature: [UInt8]) {
        self.hostKey = hostKey
        self.serverPublicKey = serverPublicKey
        self.signature = signature
    }

    public init(from reader: inout SSHReader) throws {
        hostKey = try reader.readString("ecdh host key")
        serverPublicKey = try reader.readString("ecdh server public key")
        signature = try reader.readString("ecdh signature")
    }

    public func writeBody(to writer: inout SSHWriter) {
        writer.writeString(hostKey)
        writer.writeString(serverPublicKey)
        writer.writeString(signature)
    }
}

// MARK: - Diffie-Hellman group exchange (RFC 4419 §3, §5)

/// `SSH_MSG_KEX_DH_GEX_REQUEST_OLD` (RFC 4419 §5): a preferred group size only.
public struct SSHMsgKexDHGexRequestOld: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.kexDHGexRequestOld

    /// Preferred group size in bits.
    public var n: UInt32

    public init(n: UInt32) { self.n = n }

    public init(from reader: inout SSHReader) throws {
        n = try reader.readUInt32("gex n")
    }

    public func writeBody(to writer: inout SSHWriter) { writer.writeUInt32(n) }
}

/// `SSH_MSG_KEX_DH_GEX_REQUEST` (RFC 4419 §3): minimal, preferred and maximal group size in bits.
public struct SSHMsgKexDHGexRequest: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.kexDHGexRequest

    public var min: UInt32
    public var n: UInt32
    public var max: UInt32

    public init(min: UInt32, n: UInt32, max: UInt32) {
        self.min = min
        self.n = n
        self.max = max
    }

    public init(from reader: inout SSHReader) throws {
        min = try reader.readUInt32("gex min")
        n = try reader.readUInt32("gex n")
        max = try reader.readUInt32("gex max")
    }

    public func writeBody(to writer: inout SSHWriter) {
        writer.writeUInt32(min)
        writer.writeUInt32(n)
        writer.writeUInt32(max)
    }
}

/// `SSH_MSG_KEX_DH_GEX_GROUP` (RFC 4419 §3): the safe prime and generator.
public struct SSHMsgKexDHGexGroup: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.kexDHGexGroup

    /// `mpint p`.
    public var p: [UInt8]
    /// `mpint g`.
    public var g: [UInt8]

    public init(p: [UInt8], g: [UInt8]) {
        self.p = p
        self.g = g
    }

    public init(from reader: inout SSHReader) throws {
        p = try reader.readMPInt("gex p")
        g = try reader.readMPInt("gex g")
    }

    public func writeBody(to writer: inout SSHWriter) {
        writer.writeMPInt(p)
        writer.writeMPInt(g)
    }
}

/// `SSH_MSG_KEX_DH_GEX_INIT` (RFC 4419 §3).
public struct SSHMsgKexDHGexInit: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.kexDHGexInit

    /// `mpint e`.
    public var e: [UInt8]

    public init(e: [UInt8]) { self.e = e }

    public init(from reader: inout SSHReader) throws {
        e = try reader.readMPInt("gex e")
    }

    public func writeBody(to writer: inout SSHWriter) { writer.writeMPInt(e) }
}

/// `SSH_MSG_KEX_DH_GEX_REPLY` (RFC 4419 §3).
public struct SSHMsgKexDHGexReply: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.kexDHGexReply

    /// `string K_S`.
    public var hostKey: [UInt8]
    /// `mpint f`.
    public var f: [UInt8]
    /// `string signature of H`.
    public var signature: [UInt8]

    public init(hostKey: [UInt8], f: [UInt8], signature: [UInt8]) {
        self.hostKey = hostKey
        self.f = f
        self.signature = signature
    }

    public init(from reader: inout SSHReader) throws {
        hostKey = try reader.readString("gex host key")
        f = try reader.readMPInt("gex f")
        signature = try reader.readString("gex signature")
    }

    public func writeBody(to writer: inout SSHWriter) {
        writer.writeString(hostKey)
        writer.writeMPInt(f)
        writer.writeString(signature)
    }
}
