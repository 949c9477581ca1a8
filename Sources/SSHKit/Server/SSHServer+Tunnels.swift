import SSHCore
import SSHWire

// MARK: - Tunnels (server digest §3.7; RFC 4254 §7)

/// `SSHTunnelRequested`: a client asks for a forward (`direct-tcpip`, direction 0) or reverse
/// (`tcpip-forward`, direction 1) tunnel. `accept` starts false (digest §9 item 1).
public struct TunnelRequestedEvent: Sendable {
    public let connectionId: Int
    public let direction: Int
    public let address: String
    public var port: Int
    public var accept = false
}

/// `SSHTunnelClosed`: a forward tunnel's channel closed, or a reverse tunnel was cancelled.
public struct TunnelClosedEvent: Sendable {
    public let connectionId: Int
    public let address: String
    public let port: Int
}

/// The tunnels of one connection.
final class ConnectionTunnels {}

extension SSHServer {
    /// Handles the connection-protocol events that belong to tunnels; false for every other event.
    func routeToTunnel(_ connection: ServerConnection, _ channels: ChannelMultiplexer, _ event: ConnectionEvent) -> Bool {
        false
    }

    /// Ends every tunnel of a closing connection.
    func closeTunnels(_ connection: ServerConnection) {}
}
