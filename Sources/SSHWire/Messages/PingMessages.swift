// OpenSSH transport-level ping (OpenSSH PROTOCOL, `ping@openssh.com`, advertised in
// `SSH_MSG_EXT_INFO`).

/// `SSH_MSG_PING`: the receiver answers with ``SSHMsgPong`` carrying the same data.
public struct SSHMsgPing: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.ping

    public var data: [UInt8]

    public init(data: [UInt8]) { self.data = data }

    public init(from reader: inout SSHReader) throws {
        data = try reader.readString("ping data")
    }

    public func writeBody(to writer: inout SSHWriter) { writer.writeString(data) }
}

/// `SSH_MSG_PONG`: the answer to ``SSHMsgPing``.
public struct SSHMsgPong: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.pong

    public var data: [UInt8]

    public init(data: [UInt8]) { self.data = data }

    public init(from reader: inout SSHReader) throws {
        data = try reader.readString("pong data")
    }

    public func writeBody(to writer: inout SSHWriter) { writer.writeString(data) }
}
