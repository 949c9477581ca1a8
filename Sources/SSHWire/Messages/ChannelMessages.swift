// Data transfer and channel life cycle (RFC 4254 §5.2–§5.4).

/// `SSH_MSG_CHANNEL_WINDOW_ADJUST` (RFC 4254 §5.2).
public struct SSHMsgChannelWindowAdjust: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.channelWindowAdjust

    public var recipientChannel: UInt32
    public var bytesToAdd: UInt32

    public init(recipientChannel: UInt32, bytesToAdd: UInt32) {
        self.recipientChannel = recipientChannel
        self.bytesToAdd = bytesToAdd
    }

    public init(from reader: inout SSHReader) throws {
        recipientChannel = try reader.readUInt32("recipient channel")
        bytesToAdd = try reader.readUInt32("bytes to add")
    }

    public func writeBody(to writer: inout SSHWriter) {
        writer.writeUInt32(recipientChannel)
        writer.writeUInt32(bytesToAdd)
    }
}

/// `SSH_MSG_CHANNEL_DATA` (RFC 4254 §5.2).
public struct SSHMsgChannelData: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.channelData

    public var recipientChannel: UInt32
    public var data: [UInt8]

    public init(recipientChannel: UInt32, data: [UInt8]) {
        self.recipientChannel = recipientChannel
        self.data = data
    }

    public init(from reader: inout SSHReader) throws {
        recipientChannel = try reader.readUInt32("recipient channel")
        data = try reader.readString("channel data")
    }

    public func writeBody(to writer: inout SSHWriter) {
        writer.writeUInt32(recipientChannel)
        writer.writeString(data)
    }
}

/// `SSH_MSG_CHANNEL_EXTENDED_DATA` (RFC 4254 §5.2).
public struct SSHMsgChannelExtendedData: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.channelExtendedData

    /// `SSH_EXTENDED_DATA_STDERR` (RFC 4254 §5.2, RFC 4250 §4.4).
    public static let stderrDataTypeCode: UInt32 = 1

    public var recipientChannel: UInt32
    public var dataTypeCode: UInt32
    public var data: [UInt8]

    public init(recipientChannel: UInt32, dataTypeCode: UInt32, data: [UInt8]) {
        self.recipientChannel = recipientChannel
        self.dataTypeCode = dataTypeCode
        self.data = data
    }

    public init(from reader: inout SSHReader) throws {
        recipientChannel = try reader.readUInt32("recipient channel")
        dataTypeCode = try reader.readUInt32("extended data type code")
        data = try reader.readString("channel extended data")
    }

    public func writeBody(to writer: inout SSHWriter) {
        writer.writeUInt32(recipientChannel)
        writer.writeUInt32(dataTypeCode)
        writer.writeString(data)
    }
}

// MARK: - Messages that name only a channel

/// A channel message whose only field is `uint32 recipient channel` (RFC 4254 §5.3, §5.4); the
/// codec is shared, each conforming struct supplies its number.
public protocol SSHRecipientChannelMessage: SSHMessageCodable {
    var recipientChannel: UInt32 { get }
    init(recipientChannel: UInt32)
}

extension SSHRecipientChannelMessage {
    public init(from reader: inout SSHReader) throws {
        self.init(recipientChannel: try reader.readUInt32("recipient channel"))
    }

    public func writeBody(to writer: inout SSHWriter) { writer.writeUInt32(recipientChannel) }
}

/// `SSH_MSG_CHANNEL_EOF` (RFC 4254 §5.3): the sender will send no more data on the channel.
public struct SSHMsgChannelEOF: SSHRecipientChannelMessage, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.channelEOF

    public var recipientChannel: UInt32

    public init(recipientChannel: UInt32) { self.recipientChannel = recipientChannel }
}

/// `SSH_MSG_CHANNEL_CLOSE` (RFC 4254 §5.3).
public struct SSHMsgChannelClose: SSHRecipientChannelMessage, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.channelClose

    public var recipientChannel: UInt32

    public init(recipientChannel: UInt32) { self.recipientChannel = recipientChannel }
}

/// `SSH_MSG_CHANNEL_SUCCESS` (RFC 4254 §5.4).
public struct SSHMsgChannelSuccess: SSHRecipientChannelMessage, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.channelSuccess

    public var recipientChannel: UInt32

    public init(recipientChannel: UInt32) { self.recipientChannel = recipientChannel }
}

/// `SSH_MSG_CHANNEL_FAILURE` (RFC 4254 §5.4).
public struct SSHMsgChannelFailure: SSHRecipientChannelMessage, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.channelFailure

    public var recipientChannel: UInt32

    public init(recipientChannel: UInt32) { self.recipientChannel = recipientChannel }
}
