import Reactor
import SSHCore

/// Limits of the class's TCP forwarding (RFC 4254 §7). Every one bounds what a client can make
/// the server hold.
enum TunnelLimits {
    /// `tcpip-forward` listeners one connection may hold at once; more are refused.
    static let maximumReverseForwardsPerConnection = 64
    /// Tunnel sockets (forward and reverse) one connection may have open at once. Beyond it a
    /// `direct-tcpip` open gets OPEN_FAILURE "resource shortage" and a connection to a reverse
    /// listener is closed at once.
    static let maximumSocketsPerConnection = 128
    /// The receive window of a tunnel channel: it stays at its initial 2 MiB, and reopens only as
    /// the bytes are written to the socket, so a tunnel holds at most this much client data.
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
    var toSocket: [UInt8] = []
    var toSocketOffset = 0
    /// Socket data the channel has not taken yet; reading pauses while there is any.
    var toChannel: [UInt8] = []
    /// The socket reached end of file (we sent CHANNEL_EOF, or will once `toChannel` drains).
    var socketEnded = false
    /// The client sent CHANNEL_EOF (we shut down writing once `toSocket` drains).
    var channelEnded = false
    var shutDownWriting = false

    init(channel: SSHChannelID, channelId: Int, direction: Int, address: String, port: Int, phase: Phase) {
        self.channel = channel
        self.channelId = channelId
        self.direction = direction
        self.address = address
        self.port = port
        self.phase = phase
    }

    var hasDataForSocket: Bool { toSocketOffset < toSocket.count }
}

/// A `tcpip-forward` the class listens for (RFC 4254 §7.1): one or two sockets (IPv4 and IPv6
/// for "localhost"), on the address as the client asked for it.
final class ReverseForward {
    let bindAddress: String
    let boundPort: Int
    var listeners: [(fd: Int32, registration: RegistrationID)] = []

    init(bindAddress: String, boundPort: Int) {
        self.bindAddress = bindAddress
        self.boundPort = boundPort
    }
}

/// The tunnels of one connection.
final class ConnectionTunnels {
    var sockets: [SSHChannelID: TunnelSocket] = [:]
    var forwards: [ReverseForward] = []
}
