import SSHWire

/// A violation of the connection protocol (RFC 4254) by the peer. The connection must end: the
/// owner disconnects with ``disconnectReason`` and ``message`` (RFC 4253 §11.1).
public enum ConnectionError: Error, Equatable, Sendable {
    /// A message addressed a channel id we never allocated or have already freed.
    case unknownChannel(UInt32)
    /// A message addressed a channel that is not open yet (RFC 4254 §5.1: the peer learns our id
    /// only from CHANNEL_OPEN or OPEN_CONFIRMATION).
    case channelNotOpen(SSHChannelID)
    /// OPEN_CONFIRMATION or OPEN_FAILURE for a channel we did not open or that is already open.
    case unexpectedOpenReply(UInt32)
    /// The peer sent more data than our window allows (RFC 4254 §5.2).
    case windowExceeded(SSHChannelID, length: Int, window: Int)
    /// The peer sent more data in one packet than our maximum packet size (RFC 4254 §5.1).
    case packetTooLarge(SSHChannelID, length: Int, limit: Int)
    /// WINDOW_ADJUST would take the window beyond 2^32 − 1 bytes (RFC 4254 §5.2).
    case windowOverflow(SSHChannelID)
    /// Data after the peer's CHANNEL_EOF (RFC 4254 §5.3: no more data is sent after EOF).
    case dataAfterEOF(SSHChannelID)
    /// A second CHANNEL_EOF from the peer.
    case duplicateEOF(SSHChannelID)
    /// CHANNEL_SUCCESS or CHANNEL_FAILURE with no request of ours outstanding (RFC 4254 §5.4).
    case unexpectedChannelRequestReply(SSHChannelID)
    /// REQUEST_SUCCESS or REQUEST_FAILURE with no global request of ours outstanding (RFC 4254 §4).
    case unexpectedGlobalRequestReply
    /// More channel requests awaiting our reply than ``ConnectionLimits/maximumPendingChannelRequests``.
    case tooManyPendingChannelRequests(SSHChannelID)
    /// More global requests awaiting our reply than ``ConnectionLimits/maximumPendingGlobalRequests``.
    case tooManyPendingGlobalRequests
    /// A "session" channel open after `no-more-sessions@openssh.com` (OpenSSH PROTOCOL §2.2: the
    /// server disconnects, as OpenSSH's does).
    case sessionAfterNoMoreSessions
    /// A message that is not part of the connection protocol.
    case unexpectedMessage(UInt8)
    /// A message that could not be decoded.
    case malformed(SSHWireError)

    /// The RFC 4253 §11.1 reason to disconnect with.
    public var disconnectReason: SSHDisconnectReason { .protocolError }

    /// The description to send with the disconnect.
    public var message: String {
        switch self {
        case .unknownChannel(let id): "message for unknown channel \(id)"
        case .channelNotOpen(let id): "message for \(id), which is not open"
        case .unexpectedOpenReply(let id): "open reply for channel \(id), which we are not opening"
        case .windowExceeded(let id, let length, let window):
            "\(id): \(length) bytes of data exceed the window of \(window)"
        case .packetTooLarge(let id, let length, let limit):
            "\(id): \(length) bytes of data exceed the maximum packet size \(limit)"
        case .windowOverflow(let id): "\(id): window adjust beyond 2^32-1"
        case .dataAfterEOF(let id): "\(id): data after EOF"
        case .duplicateEOF(let id): "\(id): second EOF"
        case .unexpectedChannelRequestReply(let id): "\(id): request reply with no request outstanding"
        case .unexpectedGlobalRequestReply: "global request reply with no request outstanding"
        case .tooManyPendingChannelRequests(let id): "\(id): too many channel requests awaiting a reply"
        case .tooManyPendingGlobalRequests: "too many global requests awaiting a reply"
        case .sessionAfterNoMoreSessions: "session opened after no-more-sessions@openssh.com"
        case .unexpectedMessage(let number): "message \(number) is not part of the connection protocol"
        case .malformed(let error): "malformed message: \(error)"
        }
    }
}

/// A misuse of ``ChannelMultiplexer`` by its owner. Nothing is sent and the connection goes on.
public enum ChannelError: Error, Equatable, Sendable {
    /// No channel with this id exists (never allocated, or closed and freed).
    case noSuchChannel(SSHChannelID)
    /// The operation needs a channel in another state (e.g. accepting one that is already open,
    /// sending on one not confirmed yet).
    case wrongState(SSHChannelID, String)
    /// Data or EOF after our EOF.
    case eofAlreadySent(SSHChannelID)
    /// The channel is closing; nothing more may be sent on it (RFC 4254 §5.3).
    case closing(SSHChannelID)
    /// A reply with no request awaiting one, or to a request number that is not pending.
    case noPendingRequest
    /// ``ConnectionLimits/maximumChannels`` channels exist already.
    case tooManyChannels
    /// Too many requests of ours await replies.
    case tooManyOutstandingRequests
}
