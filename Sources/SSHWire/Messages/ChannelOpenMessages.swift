// Opening channels (RFC 4254 §5.1, §6.1, §6.3.2, §7.2).

/// `SSH_MSG_CHANNEL_OPEN` (RFC 4254 §5.1).
///
/// Decoding picks the ``payload`` case from ``channelType``. Build values with
/// ``init(senderChannel:initialWindowSize:maximumPacketSize:payload:)`` unless the type is unknown.
public struct SSHMsgChannelOpen: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.channelOpen

    public var channelType: String
    public var senderChannel: UInt32
    public var initialWindowSize: UInt32
    public var maximumPacketSize: UInt32
    public var payload: SSHChannelOpenPayload

    public init(
        channelType: String, senderChannel: UInt32, initialWindowSize: UInt32, maximumPacketSize: UInt32,
        payload: SSHChannelOpenPayload
    ) {
        self.channelType = channelType
        self.senderChannel = senderChannel
        self.initialWindowSize = initialWindowSize
        self.maximumPacketSize = maximumPacketSize
        self.payload = payload
    }

    /// A channel open whose type follows from a typed payload. For
    /// ``SSHChannelOpenPayload/unknown(data:)`` the type is empty; use the memberwise init instead.
    public init(
        senderChannel: UInt32, initialWindowSize: UInt32, maximumPacketSize: UInt32, payload: SSHChannelOpenPayload
    ) {
        self.init(
            channelType: payload.channelType ?? "", senderChannel: senderChannel,
            initialWindowSize: initialWindowSize, maximumPacketSize: maximumPacketSize, payload: payload)
    }

    public init(from reader: inout SSHReader) throws {
        channelType = try reader.readText("channel type")
        senderChannel = try reader.readUInt32("sender channel")
        initialWindowSize = try reader.readUInt32("initial window size")
        maximumPacketSize = try reader.readUInt32("maximum packet size")
        payload = try SSHChannelOpenPayload(channelType: channelType, from: &reader)
    }

    public func writeBody(to writer: inout SSHWriter) {
        writer.writeText(channelType)
        writer.writeUInt32(senderChannel)
        writer.writeUInt32(initialWindowSize)
        writer.writeUInt32(maximumPacketSize)
        payload.write(to: &writer)
    }
}

/// The channel-type-specific data of `SSH_MSG_CHANNEL_OPEN`.
public enum SSHChannelOpenPayload: Equatable, Sendable {
    /// `session` (RFC 4254 §6.1): no data.
    case session
    /// `direct-tcpip` (RFC 4254 §7.2): the client asks the server to connect out.
    case directTCPIP(hostToConnect: String, portToConnect: UInt32, originatorAddress: String, originatorPort: UInt32)
    /// `forwarded-tcpip` (RFC 4254 §7.2): a connection arrived on a port forwarded by `tcpip-forward`.
    case forwardedTCPIP(
        connectedAddress: String, connectedPort: UInt32, originatorAddress: String, originatorPort: UInt32)
    /// `x11` (RFC 4254 §6.3.2).
    case x11(originatorAddress: String, originatorPort: UInt32)
    /// Any other channel type; `data` is the rest of the payload.
    case unknown(data: [UInt8])

    /// Channel type names (RFC 4250 §4.9.1).
    public enum Name {
        public static let session = "session"
        public static let directTCPIP = "direct-tcpip"
        public static let forwardedTCPIP = "forwarded-tcpip"
        public static let x11 = "x11"
    }

    /// The channel type of a typed case; nil for ``unknown(data:)``.
    public var channelType: String? {
        switch self {
        case .session: Name.session
        case .directTCPIP: Name.directTCPIP
        case .forwardedTCPIP: Name.forwardedTCPIP
        case .x11: Name.x11
        case .unknown: nil
        }
    }

    init(channelType: String, from reader: inout SSHReader) throws {
        switch channelType {
        case Name.session:
            self = .session
        case Name.directTCPIP:
            let host = try reader.readText("direct-tcpip host")
            let port = try reader.readUInt32("direct-tcpip port")
            let originator = try reader.readText("direct-tcpip originator address")
            let originatorPort = try reader.readUInt32("direct-tcpip originator port")
            self = .directTCPIP(
                hostToConnect: host, portToConnect: port, originatorAddress: originator, originatorPort: originatorPort)
        case Name.forwardedTCPIP:
            let address = try reader.readText("forwarded-tcpip connected address")
            let port = try reader.readUInt32("forwarded-tcpip connected port")
            let originator = try reader.readText("forwarded-tcpip originator address")
            let originatorPort = try reader.readUInt32("forwarded-tcpip originator port")
            self = .forwardedTCPIP(
                connectedAddress: address, connectedPort: port, originatorAddress: originator,
                originatorPort: originatorPort)
        case Name.x11:
            let originator = try reader.readText("x11 originator address")
            let originatorPort = try reader.readUInt32("x11 originator port")
            self = .x11(originatorAddress: originator, originatorPort: originatorPort)
        default:
            self = .unknown(data: reader.readRemaining())
        }
    }

    func write(to writer: inout SSHWriter) {
        switch self {
        case .session:
            break
        case .directTCPIP(let host, let port, let originator, let originatorPort),
            .forwardedTCPIP(let host, let port, let originator, let originatorPort):
            writer.writeText(host)
            writer.writeUInt32(port)
            writer.writeText(originator)
            writer.writeUInt32(originatorPort)
        case .x11(let originator, let originatorPort):
            writer.writeText(originator)
            writer.writeUInt32(originatorPort)
        case .unknown(let data):
            writer.writeBytes(data)
        }
    }
}

/// `SSH_MSG_CHANNEL_OPEN_CONFIRMATION` (RFC 4254 §5.1).
public struct SSHMsgChannelOpenConfirmation: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.channelOpenConfirmation

    public var recipientChannel: UInt32
    public var senderChannel: UInt32
    public var initialWindowSize: UInt32
    public var maximumPacketSize: UInt32
    /// Channel-type-specific data: the rest of the payload (empty for every type RFC 4254 defines).
    public var data: [UInt8]

    public init(
        recipientChannel: UInt32, senderChannel: UInt32, initialWindowSize: UInt32, maximumPacketSize: UInt32,
        data: [UInt8] = []
    ) {
        self.recipientChannel = recipientChannel
        self.senderChannel = senderChannel
        self.initialWindowSize = initialWindowSize
        self.maximumPacketSize = maximumPacketSize
        self.data = data
    }

    public init(from reader: inout SSHReader) throws {
        recipientChannel = try reader.readUInt32("recipient channel")
        senderChannel = try reader.readUInt32("sender channel")
        initialWindowSize = try reader.readUInt32("initial window size")
        maximumPacketSize = try reader.readUInt32("maximum packet size")
        data = reader.readRemaining()
    }

    public func writeBody(to writer: inout SSHWriter) {
        writer.writeUInt32(recipientChannel)
        writer.writeUInt32(senderChannel)
        writer.writeUInt32(initialWindowSize)
        writer.writeUInt32(maximumPacketSize)
        writer.writeBytes(data)
    }
}

/// `SSH_MSG_CHANNEL_OPEN_FAILURE` (RFC 4254 §5.1).
public struct SSHMsgChannelOpenFailure: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.channelOpenFailure

    public var recipientChannel: UInt32
    /// One of ``SSHChannelOpenFailureReason``; other values are carried as received.
    public var reasonCode: UInt32
    public var description: String
    public var languageTag: String

    public init(recipientChannel: UInt32, reasonCode: UInt32, description: String, languageTag: String = "") {
        self.recipientChannel = recipientChannel
        self.reasonCode = reasonCode
        self.description = description
        self.languageTag = languageTag
    }

    public init(
        recipientChannel: UInt32, reason: SSHChannelOpenFailureReason, description: String, languageTag: String = ""
    ) {
        self.init(
            recipientChannel: recipientChannel, reasonCode: reason.rawValue, description: description,
            languageTag: languageTag)
    }

    public init(from reader: inout SSHReader) throws {
        recipientChannel = try reader.readUInt32("recipient channel")
        reasonCode = try reader.readUInt32("channel open failure reason code")
        description = try reader.readText("channel open failure description")
        languageTag = try reader.readText("channel open failure language tag")
    }

    public func writeBody(to writer: inout SSHWriter) {
        writer.writeUInt32(recipientChannel)
        writer.writeUInt32(reasonCode)
        writer.writeText(description)
        writer.writeText(languageTag)
    }

    /// The reason, when ``reasonCode`` is one RFC 4254 §5.1 defines.
    public var reason: SSHChannelOpenFailureReason? { SSHChannelOpenFailureReason(rawValue: reasonCode) }
}

/// Channel open failure reason codes (RFC 4254 §5.1, RFC 4250 §4.3).
public enum SSHChannelOpenFailureReason: UInt32, Sendable, CaseIterable {
    case administrativelyProhibited = 1
    case connectFailed = 2
    case unknownChannelType = 3
    case resourceShortage = 4
}
