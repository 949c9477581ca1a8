import Reactor
import SSHCore

/// Limits of the class's TCP forwarding (RFC 4254 §7). Every one bounds what a client can make
/// the server hold.
///
/// Per tunnel, the class holds at most ``channelWindow`` bytes of client data (plus the written
/// part of one ``TunnelBuffer`` chunk) and, the other way, ``readChunk`` bytes plus the channel's
/// send queue (``ConnectionLimits/maximumQueuedBytesPerChannel``); times
/// ``maximumSocketsPerConnection`` for one connection.
enum TunnelLimits {
    /// `tcpip-forward` listeners one connection may hold at once (RFC 4254 §7.1); more get
    /// REQUEST_FAILURE.
    static let maximumReverseForwardsPerConnection = 64
    /// Tunnel sockets (forward and reverse) one connection may have open at once (RFC 4254 §7.1,
    /// §7.2). Beyond it a `direct-tcpip` open gets OPEN_FAILURE "resource shortage" and a
    /// connection to a reverse listener is closed at once.
    static let maximumSocketsPerConnection = 128
    /// Buffered client bytes per tunnel: the receive window of a tunnel channel (RFC 4254 §5.2).
    /// It stays at its initial 2 MiB and reopens only as bytes are written to the socket, so a
    /// client that sends faster than the target reads is held back rather than buffered for.
    static let channelWindow = ConnectionLimits.defaultInitialWindowSize
    /// Bytes read from a tunnel socket at a time: the channel takes what fits, the rest waits and
    /// reading pauses until the channel drains (RFC 4254 §5.2 backpressure).
    static let readChunk = 32 * 1024
    /// Reads from one tunnel socket per turn, for fairness between tunnels.
    static let readsPerTurn = 8
    /// Connections taken from one reverse listener per turn.
    static let acceptsPerTurn = 16
}

/// One TCP socket joined to one channel: a `direct-tcpip` tunnel (direction 0) or a connection
/// to a `tcpip-forward` listener (direction 1).
final class TunnelSocket {
    enum Phase {
        /// Looking up the host name on the blocking pool.
        case resolving
        /// A non-blocking connect is under way; `candidates` are the addresses left to try.
        case connecting
        /// Accepted from a reverse listener; the client has not confirmed the channel yet.
        case awaitingChannel
        /// Bytes flow both ways.
        case open
        /// The socket failed (Error 1202): it is closed, the channel's CLOSE is under way, and
        /// what the client still sends is dropped.
        case broken
    }

    let channel: SSHChannelID
    let channelId: Int
    let direction: Int
    /// Forward: the host and port asked for. Reverse: the listener's address and port.
    let address: String
    let port: Int
    var phase: Phase
    var fd: Int32 = -1
    var registration: RegistrationID?
    var interest: Interest = []
    var candidates: [SocketAddress] = []
    var lastConnectError = ""
    /// Client data not yet written to the socket (at most the channel's window).
    var toSocket = TunnelBuffer()
    /// Socket data the channel has not taken yet; reading pauses while there is any.
    var toChannel: [UInt8] = []
    /// The socket reached end of file (we sent CHANNEL_EOF, or will once `toChannel` drains).
    var socketEnded = false
    /// The client sent CHANNEL_EOF (we shut down writing once `toSocket` drains).
    var channelEnded = false
    var shutDownWriting = false
    /// CHANNEL_EOF was asked for (after the socket's end of file).
    var sentEOF = false

    init(channel: SSHChannelID, channelId: Int, direction: Int, address: String, port: Int, phase: Phase) {
        self.channel = channel
        self.channelId = channelId
        self.direction = direction
        self.address = address
        self.port = port
        self.phase = phase
    }

    var hasDataForSocket: Bool { !toSocket.isEmpty }
}

/// A `tcpip-forward` the class listens for (RFC 4254 §7.1): one or two sockets (IPv4 and IPv6
/// for "localhost"), on the address as the client asked for it.
final class ReverseForward {
    let bindAddress: String
    /// The port in the client's request: 0 for "the server chooses".
    let requestedPort: Int
    /// The port listened on: the kernel's choice for 0, or the one `SSHTunnelRequested` set.
    let boundPort: Int
    var listeners: [(fd: Int32, registration: RegistrationID)] = []

    init(bindAddress: String, requestedPort: Int, boundPort: Int) {
        self.bindAddress = bindAddress
        self.requestedPort = requestedPort
        self.boundPort = boundPort
    }

    /// The port as the client knows the forward (RFC 4254 §7.1, §7.2): the one it asked for, or
    /// the one REQUEST_SUCCESS told it when it asked for 0. `forwarded-tcpip` opens and
    /// `cancel-tcpip-forward` name this one.
    var clientPort: Int { requestedPort == 0 ? boundPort : requestedPort }
}

/// The tunnels of one connection.
final class ConnectionTunnels {
    var sockets: [SSHChannelID: TunnelSocket] = [:]
    var forwards: [ReverseForward] = []
}
