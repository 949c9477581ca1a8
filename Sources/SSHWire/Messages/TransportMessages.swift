// Transport-layer generic messages (RFC 4253 §10–§12).

// MARK: - Disconnect

/// `SSH_MSG_DISCONNECT` (RFC 4253 §11.1): the sender closes the connection.
public struct SSHMsgDisconnect: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.disconnect

    /// One of ``SSHDisconnectReason``; other values are carried as received.
    public var reasonCode: UInt32
    /// Human-readable UTF-8 text.
    public var description: String
    /// RFC 3066 language tag, usually empty.
    public var languageTag: String

    public init(reasonCode: UInt32, description: String, languageTag: String = "") {
        self.reasonCode = reasonCode
        self.description = description
        self.languageTag = languageTag
    }

    public init(reason: SSHDisconnectReason, description: String, languageTag: String = "") {
        self.init(reasonCode: reason.rawValue, description: description, languageTag: languageTag)
    }

    public init(from reader: inout SSHReader) throws {
        reasonCode = try reader.readUInt32("disconnect reason code")
        description = try reader.readText("disconnect description")
        languageTag = try reader.readText("disconnect language tag")
    }

    public func writeBody(to writer: inout SSHWriter) {
        writer.writeUInt32(reasonCode)
        writer.writeText(description)
        writer.writeText(languageTag)
    }

    /// The reason, when ``reasonCode`` is one RFC 4253 §11.1 defines.
    public var reason: SSHDisconnectReason? { SSHDisconnectReason(rawValue: reasonCode) }
}

/// Disconnect reason codes (RFC 4253 §11.1, RFC 4250 §4.2.2).
public enum SSHDisconnectReason: UInt32, Sendable, CaseIterable {
    case hostNotAllowedToConnect = 1
    case protocolError = 2
    case keyExchangeFailed = 3
    case reserved = 4
    case macError = 5
    case compressionError = 6
    case serviceNotAvailable = 7
    case protocolVersionNotSupported = 8
    case hostKeyNotVerifiable = 9
    case connectionLost = 10
    case byApplication = 11
    case tooManyConnections = 12
    case authCancelledByUser = 13
    case noMoreAuthMethodsAvailable = 14
    case illegalUserName = 15
}

// MARK: - Ignore, unimplemented, debug

/// `SSH_MSG_IGNORE` (RFC 4253 §11.2): padding the receiver discards.
public struct SSHMsgIgnore: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.ignore

    public var data: [UInt8]

    public init(data: [UInt8]) { self.data = data }

    public init(from reader: inout SSHReader) throws {
        data = try reader.readString("ignore data")
    }

    public func writeBody(to writer: inout SSHWriter) { writer.writeString(data) }
}

/// `SSH_MSG_UNIMPLEMENTED` (RFC 4253 §11.4): the answer to a message number the peer does not know.
public struct SSHMsgUnimplemented: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.unimplemented

    /// The packet sequence number of the rejected message.
    public var sequenceNumber: UInt32

    public init(sequenceNumber: UInt32) { self.sequenceNumber = sequenceNumber }

    public init(from reader: inout SSHReader) throws {
        sequenceNumber = try reader.readUInt32("unimplemented sequence number")
    }

    public func writeBody(to writer: inout SSHWriter) { writer.writeUInt32(sequenceNumber) }
}

/// `SSH_MSG_DEBUG` (RFC 4253 §11.3).
public struct SSHMsgDebug: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.debug

    public var alwaysDisplay: Bool
    public var message: String
    public var languageTag: String

    public init(alwaysDisplay: Bool, message: String, languageTag: String = "") {
        self.alwaysDisplay = alwaysDisplay
        self.message = message
        self.languageTag = languageTag
    }

    public init(from reader: inout SSHReader) throws {
        alwaysDisplay = try reader.readBool("debug always_display")
        message = try reader.readText("debug message")
        languageTag = try reader.readText("debug language tag")
    }

    public func writeBody(to writer: inout SSHWriter) {
        writer.writeBool(alwaysDisplay)
        writer.writeText(message)
        writer.writeText(languageTag)
    }
}

// MARK: - Service request and accept

/// `SSH_MSG_SERVICE_REQUEST` (RFC 4253 §10), e.g. `ssh-userauth`.
public struct SSHMsgServiceRequest: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.serviceRequest

    public var serviceName: String

    public init(serviceName: String) { self.serviceName = serviceName }

    public init(from reader: inout SSHReader) throws {
        serviceName = try reader.readText("service name")
    }

    public func writeBody(to writer: inout SSHWriter) { writer.writeText(serviceName) }
}

/// `SSH_MSG_SERVICE_ACCEPT` (RFC 4253 §10).
public struct SSHMsgServiceAccept: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.serviceAccept

    public var serviceName: String

    public init(serviceName: String) { self.serviceName = serviceName }

    public init(from reader: inout SSHReader) throws {
        serviceName = try reader.readText("service name")
    }

    public func writeBody(to writer: inout SSHWriter) { writer.writeText(serviceName) }
}

// MARK: - New keys

/// `SSH_MSG_NEWKEYS` (RFC 4253 §7.3): no fields.
public struct SSHMsgNewKeys: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.newKeys

    public init() {}

    public init(from reader: inout SSHReader) throws {}

    public func writeBody(to writer: inout SSHWriter) {}
}
