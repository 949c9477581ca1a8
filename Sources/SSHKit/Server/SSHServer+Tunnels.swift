import Reactor
import SSHCore
import SSHWire

// MARK: - Tunnels (server digest §3.7, §9 items 1–2; RFC 4254 §7)

/// `SSHTunnelRequested`: a client asks for a forward (`direct-tcpip`, direction 0) or reverse
/// (`tcpip-forward`, direction 1) tunnel. `accept` starts false (digest §9 item 1); `port` may be
/// changed (the port to connect to, or to listen on).
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

extension SSHServer {
    /// Handles the connection-protocol events that belong to tunnels; false for every other event.
    func routeToTunnel(_ connection: ServerConnection, _ channels: ChannelMultiplexer, _ event: ConnectionEvent) -> Bool {
        let tunnels = connection.tunnels
        switch event {
        case .channelOpenRequested(let request):
            guard case .directTCPIP(let host, let port, _, _) = request.payload else { return false }
            openForwardTunnel(connection, channels, request, host: host, port: Int(port))
        case .channelOpened(let channel):
            guard let tunnel = tunnels.sockets[channel] else { return false }
            tunnel.phase = .open
            updateInterest(connection, tunnel)
            onChannelOpened?(ChannelEvent(connectionId: connection.id, channelId: tunnel.channelId))
        case .channelOpenFailed(let channel, _, let description):
            guard let tunnel = tunnels.sockets.removeValue(forKey: channel) else { return false }
            log(connection.id, 2, "forwarded connection refused by the client: \(description)", type: "Tunnel")
            releaseSocket(tunnel)
            forget(connection, channel)
        case .data(let channel, let bytes), .extendedData(let channel, _, let bytes):
            guard let tunnel = tunnels.sockets[channel] else { return false }
            // Held within the channel's window (TunnelLimits.channelWindow); dropped once broken.
            guard tunnel.phase == .open, !tunnel.channelEnded else { return true }
            tunnel.toSocket.append(bytes)
            writeToSocket(connection, channels, tunnel)
        case .eof(let channel):
            guard let tunnel = tunnels.sockets[channel] else { return false }
            tunnel.channelEnded = true
            writeToSocket(connection, channels, tunnel)
        case .readyToSend(let channel):
            guard let tunnel = tunnels.sockets[channel] else { return false }
            moveToChannel(connection, channels, tunnel)
        case .channelClosed(let channel):
            guard let tunnel = tunnels.sockets.removeValue(forKey: channel) else { return false }
            releaseSocket(tunnel)
            onChannelClosed?(ChannelEvent(connectionId: connection.id, channelId: tunnel.channelId))
            if tunnel.direction == 0 {
                onTunnelClosed?(TunnelClosedEvent(connectionId: connection.id, address: tunnel.address, port: tunnel.port))
            }
            forget(connection, channel)
        case .globalRequest(let request):
            switch request.payload {
            case .tcpipForward(let address, let port):
                startReverseForward(connection, channels, request, address: address, port: Int(port))
            case .cancelTCPIPForward(let address, let port):
                cancelReverseForward(connection, channels, request, address: address, port: Int(port))
            case .hostKeys, .hostKeysProve, .noMoreSessions, .keepAlive, .unknown:
                return false
            }
        case .channelRequest, .channelRequestReply, .globalRequestReply:
            return false
        }
        return true
    }

    /// `direct-tcpip` (RFC 4254 §7.2): `SSHTunnelRequested` first, then `SSHChannelOpenRequest`
    /// with `accept` preset true (digest §3.7); the channel is confirmed once the TCP connection
    /// to the target is made, and refused with "connect failed" (and `Error` 1201) if it cannot be.
    private func openForwardTunnel(
        _ connection: ServerConnection, _ channels: ChannelMultiplexer, _ request: ChannelOpenRequest, host: String, port: Int
    ) {
        let id = channelId(connection, request.channel)
        channelOwners[id]?.service = request.channelType
        var tunnel = TunnelRequestedEvent(connectionId: connection.id, direction: 0, address: host, port: port)
        onTunnelRequested?(&tunnel)
        var open = ChannelOpenRequestEvent(
            connectionId: connection.id, channelId: id, service: request.channelType, payload: request.payload, accept: true)
        if tunnel.accept { onChannelOpenRequest?(&open) }
        func refuse(_ reason: SSHChannelOpenFailureReason, _ why: String) {
            log(connection.id, 1, "refused forward to \(host) port \(tunnel.port): \(why)", type: "Tunnel")
            try? channels.rejectChannel(request.channel, reason: reason, description: why)
            forget(connection, request.channel)
        }
        guard tunnel.accept, open.accept else { return refuse(.administrativelyProhibited, "tunnel refused") }
        guard connection.tunnels.sockets.count < TunnelLimits.maximumSocketsPerConnection else {
            return refuse(.resourceShortage, "too many tunnels")
        }
        guard let target = UInt16(exactly: tunnel.port), target > 0 else { return refuse(.connectFailed, "bad port \(tunnel.port)") }
        let socket = TunnelSocket(
            channel: request.channel, channelId: id, direction: 0, address: host, port: tunnel.port, phase: .resolving)
        connection.tunnels.sockets[request.channel] = socket
        try? channels.setManualWindowAdjust(on: request.channel, windowLimit: TunnelLimits.channelWindow)
        if let numeric = try? SocketAddress(host: host, port: target) {
            connectTunnel(connection, socket, candidates: [numeric])
            return
        }
        // A name: resolve it off the reactor's thread.
        do {
            try blockingPool().run({ () -> Result<[SocketAddress], ReactorError> in
                do { return .success(try HostResolver.resolve(host, port: target)) } catch let error as ReactorError {
                    return .failure(error)
                } catch {
                    return .failure(.unresolvable("\(host): \(error)"))
                }
            }, on: reactor) { [weak self, weak connection, weak socket] result in
                guard let self, let connection, let socket, !connection.isClosing,
                      connection.tunnels.sockets[socket.channel] === socket
                else { return }
                switch result {
                case .success(let addresses): self.connectTunnel(connection, socket, candidates: addresses)
                case .failure(let error):
                    socket.lastConnectError = "\(error)"
                    self.failTunnel(connection, socket)
                }
                self.afterTunnelWork(connection)
            }
        } catch {
            socket.lastConnectError = "cannot resolve \(host): \(error)"
            failTunnel(connection, socket)
        }
    }

    /// Tries the candidate addresses in turn with non-blocking connects.
    func connectTunnel(_ connection: ServerConnection, _ tunnel: TunnelSocket, candidates: [SocketAddress]) {
        var remaining = candidates[...]
        while let address = remaining.popFirst() {
            do {
                let (fd, state) = try TCPSocket.connect(to: address)
                tunnel.fd = fd
                tunnel.candidates = Array(remaining)
                switch state {
                case .connected:
                    tunnelConnected(connection, tunnel)
                case .inProgress:
                    tunnel.phase = .connecting
                    setInterest(connection, tunnel, .writable)
                }
                return
            } catch {
                tunnel.lastConnectError = "\(address): \(error)"
            }
        }
        failTunnel(connection, tunnel)
    }

    func tunnelConnected(_ connection: ServerConnection, _ tunnel: TunnelSocket) {
        guard let channels = connection.channels else { return }
        do { try channels.acceptChannel(tunnel.channel) } catch {
            failTunnel(connection, tunnel)
            return
        }
        tunnel.phase = .open
        log(connection.id, 2, "forwarding to \(tunnel.address) port \(tunnel.port)", type: "Tunnel")
        updateInterest(connection, tunnel)
        onChannelOpened?(ChannelEvent(connectionId: connection.id, channelId: tunnel.channelId))
    }

    /// The target could not be reached: OPEN_FAILURE "connect failed" and `Error` 1201.
    func failTunnel(_ connection: ServerConnection, _ tunnel: TunnelSocket) {
        connection.tunnels.sockets[tunnel.channel] = nil
        releaseSocket(tunnel)
        let description = "cannot forward to \(tunnel.address) port \(tunnel.port): \(tunnel.lastConnectError)"
        try? connection.channels?.rejectChannel(tunnel.channel, reason: .connectFailed, description: "connect failed")
        forget(connection, tunnel.channel)
        log(connection.id, 1, description, type: "Tunnel")
        onError?(ErrorEvent(connectionId: connection.id, errorCode: SSHServerError.forwardFailed, description: description))
    }

    /// After work done outside the channel pump (socket readiness, a resolution): fire what the
    /// connection protocol produced and write it out.
    func afterTunnelWork(_ connection: ServerConnection) {
        guard !connection.isClosing else { return }
        pumpChannels(connection)
        flush(connection)
    }

    /// Ends every tunnel and reverse listener of a closing connection.
    func closeTunnels(_ connection: ServerConnection) {
        for tunnel in connection.tunnels.sockets.values { releaseSocket(tunnel) }
        connection.tunnels.sockets.removeAll()
        for forward in connection.tunnels.forwards { closeListeners(forward) }
        connection.tunnels.forwards.removeAll()
    }

    /// The pool for host-name lookups, made on first use.
    func blockingPool() throws -> BlockingPool {
        if let pool = lookupPool { return pool }
        let pool = try BlockingPool(threadCount: 1)
        lookupPool = pool
        return pool
    }
}
