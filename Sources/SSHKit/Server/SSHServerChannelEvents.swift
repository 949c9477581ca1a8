import SSHWire

/// `SSHChannelOpenRequest` (server digest §3.4). `accept` starts true for "session" and false for
/// every other type (digest §9 item 1); refusing sends OPEN_FAILURE (administratively prohibited).
/// `channelId` is the id the channel will have, unique across connections.
public struct ChannelOpenRequestEvent: Sendable {
    public let connectionId: Int
    public let channelId: Int
    public let service: String
    /// The typed open parameters (direct-tcpip host and port, …). **Extension**: the seeds give
    /// raw bytes for GetSSHParam.
    public let payload: SSHChannelOpenPayload
    public var accept: Bool
}

/// `SSHChannelOpened`, `SSHChannelEOF`, `SSHChannelClosed`, `SSHChannelReadyToSend`.
public struct ChannelEvent: Sendable {
    public let connectionId: Int
    public let channelId: Int
}

/// `SSHChannelDataIn`: data from the client (stderr-type extended data included).
public struct ChannelDataEvent: Sendable {
    public let connectionId: Int
    public let channelId: Int
    public let data: [UInt8]
}

/// `SSHChannelRequest` (digest §3.5): `success` (default false) decides the reply; when true,
/// `SSHChannelRequested` fires next, after the reply is queued, so that a shell or command started
/// there writes its first output after CHANNEL_SUCCESS.
public struct ChannelRequestEvent: Sendable {
    public let connectionId: Int
    public let channelId: Int
    public let requestType: String
    /// The typed request (pty-req, env, exec, …). **Extension**: the seeds give raw bytes.
    public let payload: SSHChannelRequestPayload
    public let wantReply: Bool
    public var success = false
}

/// `SSHChannelRequested`: a request the handler accepted; start shells and commands here.
public struct ChannelRequestedEvent: Sendable {
    public let connectionId: Int
    public let channelId: Int
    public let requestType: String
    public let payload: SSHChannelRequestPayload
}
