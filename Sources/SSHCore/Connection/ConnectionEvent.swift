import SSHWire

/// What the connection protocol tells its owner, in order (RFC 4254).
public enum ConnectionEvent: Sendable, Equatable {
    /// The peer asks to open a channel. Answer with ``ChannelMultiplexer/acceptChannel(_:)`` or
    /// ``ChannelMultiplexer/rejectChannel(_:reason:description:)``.
    case channelOpenRequested(ChannelOpenRequest)
    /// A channel we opened was confirmed (RFC 4254 §5.1).
    case channelOpened(SSHChannelID)
    /// A channel we opened was refused; the id is free again (RFC 4254 §5.1). `reasonCode` is one of
    /// ``SSHChannelOpenFailureReason`` or another value as received.
    case channelOpenFailed(SSHChannelID, reasonCode: UInt32, description: String)
    /// CHANNEL_DATA (RFC 4254 §5.2). The bytes are a slice of the received payload, not a copy.
    case data(SSHChannelID, ArraySlice<UInt8>)
    /// CHANNEL_EXTENDED_DATA (RFC 4254 §5.2); type code 1 is stderr.
    case extendedData(SSHChannelID, dataTypeCode: UInt32, ArraySlice<UInt8>)
    /// The peer sent CHANNEL_EOF: it will send no more data (RFC 4254 §5.3).
    case eof(SSHChannelID)
    /// CHANNEL_CLOSE has gone both ways; the id is free (RFC 4254 §5.3).
    case channelClosed(SSHChannelID)
    /// A ``ChannelMultiplexer/send(_:on:stream:)`` that did not take everything has been followed
    /// by the channel's queue draining: the owner may send again.
    case readyToSend(SSHChannelID)
    /// A CHANNEL_REQUEST arrived (RFC 4254 §5.4). When it wants a reply, answer with
    /// ``ChannelMultiplexer/replyToChannelRequest(_:request:success:)``.
    case channelRequest(SSHChannelID, IncomingChannelRequest)
    /// The reply to one of our channel requests that wanted one, in the order they were sent.
    case channelRequestReply(SSHChannelID, success: Bool)
    /// A GLOBAL_REQUEST the owner must decide (RFC 4254 §4). When it wants a reply, answer with
    /// ``ChannelMultiplexer/replyToGlobalRequest(request:success:data:)``.
    case globalRequest(IncomingGlobalRequest)
    /// The reply to one of our global requests that wanted one, in the order they were sent;
    /// `data` is the request-specific data of REQUEST_SUCCESS (RFC 4254 §4).
    case globalRequestReply(success: Bool, data: [UInt8])
}

/// A peer's CHANNEL_OPEN (RFC 4254 §5.1), waiting for the owner's decision.
public struct ChannelOpenRequest: Sendable, Equatable {
    /// The id the channel has now and keeps if accepted.
    public var channel: SSHChannelID
    /// The channel type as sent (RFC 4250 §4.9.1).
    public var channelType: String
    public var payload: SSHChannelOpenPayload
    /// The peer's initial window: what we may send before its first WINDOW_ADJUST.
    public var peerWindowSize: UInt32
    /// The largest data the peer accepts in one packet.
    public var peerMaximumPacketSize: UInt32
}

/// A peer's CHANNEL_REQUEST (RFC 4254 §5.4).
public struct IncomingChannelRequest: Sendable, Equatable {
    /// The request type as sent.
    public var requestType: String
    public var payload: SSHChannelRequestPayload
    public var wantReply: Bool
    /// The number to answer with when ``wantReply`` is set; nil otherwise.
    public var requestNumber: UInt64?
}

/// A peer's GLOBAL_REQUEST (RFC 4254 §4).
public struct IncomingGlobalRequest: Sendable, Equatable {
    /// The request name as sent.
    public var requestName: String
    public var payload: SSHGlobalRequestPayload
    public var wantReply: Bool
    /// The number to answer with when ``wantReply`` is set; nil otherwise.
    public var requestNumber: UInt64?
}

/// Which stream data goes on (RFC 4254 §5.2).
public enum ChannelStream: Sendable, Equatable, Hashable {
    /// CHANNEL_DATA.
    case standard
    /// CHANNEL_EXTENDED_DATA with this data type code.
    case extended(UInt32)

    /// `SSH_EXTENDED_DATA_STDERR` (RFC 4254 §5.2).
    public static let stderr = ChannelStream.extended(SSHMsgChannelExtendedData.stderrDataTypeCode)
}
