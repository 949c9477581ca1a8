import Reactor
import SSHCore
import SSHWire

// MARK: - Reverse tunnels: tcpip-forward, cancel-tcpip-forward, forwarded-tcpip (RFC 4254 §7.1, §7.2)

extension SSHServer {
    /// `tcpip-forward`: `SSHTunnelRequested` (direction 1) decides, and may set the port; on
    /// acceptance the class listens and answers REQUEST_SUCCESS, carrying the port listened on when
    /// the client asked for port 0 (RFC 4254 §7.1).
    func startReverseForward(
        _ connection: ServerConnection, _ channels: ChannelMultiplexer, _ request: IncomingGlobalRequest,
        address: String, port: Int
    ) {
        var event = TunnelRequestedEvent(connectionId: connection.id, direction: 1, address: address, port: port)
        onTunnelRequested?(&event)
        func reply(_ success: Bool, _ data: [UInt8] = []) {
            if request.wantReply { try? channels.replyToGlobalRequest(request: request.requestNumber, success: success, data: data) }
        }
        guard event.accept else {
            log(connection.id, 1, "refused remote forward on \(address) port \(port)", type: "Tunnel")
            return reply(false)
        }
        guard connection.tunnels.forwards.count < TunnelLimits.maximumReverseForwardsPerConnection,
              let requested = UInt16(exactly: event.port)
        else { return reply(false) }
        do {
            let forward = try listen(connection, address: address, requestedPort: port, port: requested)
            connection.tunnels.forwards.append(forward)
            log(connection.id, 1, "remote forward listening on \(address.isEmpty ? "*" : address) port \(forward.boundPort)", type: "Tunnel")
            var writer = SSHWriter()
            if port == 0 { writer.writeUInt32(UInt32(forward.boundPort)) }
            reply(true, writer.bytes)
        } catch {
            log(connection.id, 1, "remote forward on \(address) port \(event.port) failed: \(error)", type: "Tunnel")
            reply(false)
        }
    }

    /// RFC 4254 §7.1: "" is every address family, "0.0.0.0" every IPv4 address, "::" every IPv6
    /// address, "localhost" the loopback addresses of both families; anything else is a numeric
    /// address to bind (names are not resolved on the reactor's thread).
    static func bindHosts(for address: String) -> [(host: String, ipv6Only: Bool, required: Bool)] {
        switch address {
        case "": [("::", false, false), ("0.0.0.0", true, false)]
        case "localhost": [("127.0.0.1", true, true), ("::1", true, false)]
        default: [(address, true, true)]
        }
    }

    private func listen(
        _ connection: ServerConnection, address: String, requestedPort: Int, port: UInt16
    ) throws -> ReverseForward {
        var bound: [(fd: Int32, address: SocketAddress)] = []
        var chosenPort = port
        var firstError: (any Error)?
        for target in Self.bindHosts(for: address) {
            do {
                let options = TCPSocket.ListenOptions(
                    host: target.host, port: chosenPort, backlog: Int32(settings.connectionBacklog),
                    reuseAddress: true, reusePort: false, ipv6Only: target.ipv6Only)
                let listener = try TCPSocket.listen(options)
                bound.append(listener)
                chosenPort = listener.address.port
                // A dual-stack "" listener already takes IPv4.
                if address.isEmpty { break }
            } catch {
                if target.required {
                    for socket in bound { Posix.close(socket.fd) }
                    throw error
                }
                firstError = firstError ?? error
            }
        }
        guard !bound.isEmpty else { throw firstError ?? ReactorError.invalidAddress(address) }
        let forward = ReverseForward(bindAddress: address, requestedPort: requestedPort, boundPort: Int(chosenPort))
        for socket in bound {
            do {
                let registration = try reactor.register(fd: socket.fd, interest: .readable) { [weak self, weak connection, weak forward] _ in
                    guard let self, let connection, let forward, !connection.isClosing else { return }
                    self.acceptForwarded(connection, forward, listener: socket.fd)
                    self.afterTunnelWork(connection)
                }
                forward.listeners.append((socket.fd, registration))
            } catch {
                Posix.close(socket.fd)
            }
        }
        guard !forward.listeners.isEmpty else { throw ReactorError.invalidAddress(address) }
        return forward
    }

    /// Each connection to a reverse listener becomes a `forwarded-tcpip` channel to the client,
    /// naming the forward as the client knows it (RFC 4254 §7.2); the socket is read only once the
    /// client confirms it.
    private func acceptForwarded(_ connection: ServerConnection, _ forward: ReverseForward, listener: Int32) {
        guard let channels = connection.channels else { return }
        for _ in 0..<TunnelLimits.acceptsPerTurn {
            let accepted: TCPSocket.Accepted
            do {
                guard case .processed(let value) = try TCPSocket.accept(listener) else { return }
                accepted = value
            } catch {
                return
            }
            guard connection.tunnels.sockets.count < TunnelLimits.maximumSocketsPerConnection else {
                log(connection.id, 1, "remote forward port \(forward.boundPort): too many tunnels, connection from \(accepted.peer) closed", type: "Tunnel")
                Posix.close(accepted.fd)
                continue
            }
            let channel: SSHChannelID
            do {
                channel = try channels.openChannel(.forwardedTCPIP(
                    connectedAddress: forward.bindAddress, connectedPort: UInt32(forward.clientPort),
                    originatorAddress: accepted.peer.host, originatorPort: UInt32(accepted.peer.port)))
                try channels.setManualWindowAdjust(on: channel, windowLimit: TunnelLimits.channelWindow)
            } catch {
                Posix.close(accepted.fd)
                continue
            }
            let id = channelId(connection, channel)
            channelOwners[id]?.service = SSHChannelOpenPayload.Name.forwardedTCPIP
            let tunnel = TunnelSocket(
                channel: channel, channelId: id, direction: 1, address: forward.bindAddress, port: forward.boundPort,
                phase: .awaitingChannel)
            tunnel.fd = accepted.fd
            connection.tunnels.sockets[channel] = tunnel
            log(connection.id, 2, "connection from \(accepted.peer) to remote forward port \(forward.boundPort)", type: "Tunnel")
        }
    }

    /// `cancel-tcpip-forward` (RFC 4254 §7.1), naming the forward as the client knows it: stops
    /// listening (connections already made go on), answers, and fires `SSHTunnelClosed` with the
    /// port listened on; a forward that does not exist gets REQUEST_FAILURE.
    func cancelReverseForward(
        _ connection: ServerConnection, _ channels: ChannelMultiplexer, _ request: IncomingGlobalRequest,
        address: String, port: Int
    ) {
        let index = connection.tunnels.forwards.firstIndex { $0.bindAddress == address && $0.clientPort == port }
        if let index {
            let forward = connection.tunnels.forwards.remove(at: index)
            closeListeners(forward)
            let shown = address.isEmpty ? "*" : address
            log(connection.id, 1, "remote forward on \(shown) port \(forward.boundPort) cancelled", type: "Tunnel")
            onTunnelClosed?(TunnelClosedEvent(connectionId: connection.id, address: address, port: forward.boundPort))
        }
        if request.wantReply { try? channels.replyToGlobalRequest(request: request.requestNumber, success: index != nil) }
    }

    func closeListeners(_ forward: ReverseForward) {
        for listener in forward.listeners {
            reactor.deregister(listener.registration)
            Posix.close(listener.fd)
        }
        forward.listeners.removeAll()
    }
}
