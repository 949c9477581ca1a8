import Reactor
import SSHCore

// MARK: - Moving bytes between a tunnel's socket and its channel (RFC 4254 §5.2, §7)

extension SSHServer {
    /// Watches the tunnel's socket for what it needs now: readable while the channel takes data,
    /// writable while client data waits. With nothing to wait for, the socket is not watched at
    /// all, so a hang-up cannot wake the loop again and again while reading is paused.
    func updateInterest(_ connection: ServerConnection, _ tunnel: TunnelSocket) {
        var interest: Interest = []
        switch tunnel.phase {
        case .resolving, .awaitingChannel, .broken: break
        case .connecting: interest = .writable
        case .open:
            if !tunnel.socketEnded && tunnel.toChannel.isEmpty { interest.insert(.readable) }
            if tunnel.hasDataForSocket { interest.insert(.writable) }
        }
        setInterest(connection, tunnel, interest)
    }

    func setInterest(_ connection: ServerConnection, _ tunnel: TunnelSocket, _ interest: Interest) {
        guard tunnel.fd >= 0, interest != tunnel.interest || tunnel.registration == nil else { return }
        tunnel.interest = interest
        if interest.isEmpty {
            if let registration = tunnel.registration { reactor.deregister(registration) }
            tunnel.registration = nil
        } else if let registration = tunnel.registration {
            try? reactor.modify(registration, interest: interest)
        } else {
            tunnel.registration = try? reactor.register(fd: tunnel.fd, interest: interest) {
                [weak self, weak connection, weak tunnel] readiness in
                guard let self, let connection, let tunnel else { return }
                self.tunnelSocketReady(connection, tunnel, readiness)
            }
        }
    }

    private func tunnelSocketReady(_ connection: ServerConnection, _ tunnel: TunnelSocket, _ readiness: Readiness) {
        guard !connection.isClosing, let channels = connection.channels,
              connection.tunnels.sockets[tunnel.channel] === tunnel
        else { return }
        switch tunnel.phase {
        case .connecting:
            do {
                try TCPSocket.finishConnect(tunnel.fd)
                tunnelConnected(connection, tunnel)
            } catch {
                tunnel.lastConnectError = "\(error)"
                releaseSocket(tunnel)
                connectTunnel(connection, tunnel, candidates: tunnel.candidates)
            }
        case .open:
            // A hang-up or error comes whatever the interest: while reading is paused, the write
            // must meet it, or the loop would be woken for it again and again.
            if readiness.contains(.writable) || (tunnel.hasDataForSocket && !readiness.isDisjoint(with: [.hangup, .error])) {
                writeToSocket(connection, channels, tunnel)
            }
            if !readiness.isDisjoint(with: [.readable, .readHangup, .hangup, .error]) {
                readFromSocket(connection, channels, tunnel)
            }
        case .resolving, .awaitingChannel, .broken:
            break
        }
        afterTunnelWork(connection)
    }

    /// Socket → channel: reads while the channel takes everything; a short take keeps the rest
    /// and pauses reading until `readyToSend`.
    private func readFromSocket(_ connection: ServerConnection, _ channels: ChannelMultiplexer, _ tunnel: TunnelSocket) {
        guard tunnel.phase == .open else { return }
        var reads = 0
        while reads < TunnelLimits.readsPerTurn, tunnel.toChannel.isEmpty, !tunnel.socketEnded {
            reads += 1
            let result: TransferResult
            let bytes: [UInt8]
            do {
                (result, bytes) = try TCPSocket.read(tunnel.fd, maxBytes: TunnelLimits.readChunk)
            } catch {
                return breakTunnel(connection, channels, tunnel, "read: \(error)")
            }
            switch result {
            case .wouldBlock:
                reads = TunnelLimits.readsPerTurn
            case .closed:
                tunnel.socketEnded = true
            case .bytes:
                do {
                    let taken = try channels.send(bytes, on: tunnel.channel)
                    if taken < bytes.count { tunnel.toChannel = Array(bytes[taken...]) }
                } catch {
                    return breakTunnel(connection, channels, tunnel, "channel: \(error)")
                }
            }
        }
        finishIfDone(connection, channels, tunnel)
        updateInterest(connection, tunnel)
    }

    /// After `readyToSend`: hands the channel what it did not take, and resumes reading.
    func moveToChannel(_ connection: ServerConnection, _ channels: ChannelMultiplexer, _ tunnel: TunnelSocket) {
        if !tunnel.toChannel.isEmpty {
            do {
                let taken = try channels.send(tunnel.toChannel, on: tunnel.channel)
                tunnel.toChannel.removeFirst(taken)
            } catch {
                return breakTunnel(connection, channels, tunnel, "channel: \(error)")
            }
        }
        finishIfDone(connection, channels, tunnel)
        updateInterest(connection, tunnel)
    }

    /// Channel → socket: writes what the client sent, reopening the channel's window by what was
    /// written; after the client's EOF and the last byte, shuts down the socket's writing side.
    func writeToSocket(_ connection: ServerConnection, _ channels: ChannelMultiplexer, _ tunnel: TunnelSocket) {
        guard tunnel.phase == .open else { return }
        while tunnel.hasDataForSocket {
            let result: TransferResult
            do {
                result = try tunnel.toSocket.withNextBytes { try TCPSocket.write(tunnel.fd, $0) }
            } catch {
                return breakTunnel(connection, channels, tunnel, "write: \(error)")
            }
            switch result {
            case .bytes(0):
                updateInterest(connection, tunnel)
                return
            case .bytes(let count):
                tunnel.toSocket.markWritten(count)
                try? channels.consume(count, on: tunnel.channel)
            case .wouldBlock:
                updateInterest(connection, tunnel)
                return
            case .closed:
                return breakTunnel(connection, channels, tunnel, "the target closed its side")
            }
        }
        if tunnel.channelEnded && !tunnel.shutDownWriting {
            tunnel.shutDownWriting = true
            try? TCPSocket.shutdownWrite(tunnel.fd)
        }
        finishIfDone(connection, channels, tunnel)
        updateInterest(connection, tunnel)
    }

    /// EOF to the client once the socket ended and its last bytes went; CLOSE once both sides ended.
    /// EOF is asked for once, whether or not the channel's queue has room (it goes out after the
    /// queued data, RFC 4254 §5.3); nothing else would come to ask again.
    private func finishIfDone(_ connection: ServerConnection, _ channels: ChannelMultiplexer, _ tunnel: TunnelSocket) {
        guard tunnel.socketEnded, tunnel.toChannel.isEmpty else { return }
        if !tunnel.sentEOF, tunnel.phase == .open {
            tunnel.sentEOF = true
            try? channels.sendEOF(tunnel.channel)
        }
        if tunnel.channelEnded && !tunnel.hasDataForSocket { try? channels.close(tunnel.channel) }
    }

    /// A socket error: `Error` 1202 fires once, the socket is closed, and the channel closes (its
    /// `SSHChannelClosed` ends the tunnel); data the client sends until then is dropped.
    private func breakTunnel(_ connection: ServerConnection, _ channels: ChannelMultiplexer, _ tunnel: TunnelSocket, _ why: String) {
        let description = "tunnel to \(tunnel.address) port \(tunnel.port): \(why)"
        log(connection.id, 2, description, type: "Tunnel")
        onError?(ErrorEvent(connectionId: connection.id, errorCode: SSHServerError.forwardDataFailed, description: description))
        tunnel.phase = .broken
        tunnel.toSocket.removeAll()
        tunnel.toChannel = []
        tunnel.socketEnded = true
        tunnel.channelEnded = true
        releaseSocket(tunnel)
        try? channels.close(tunnel.channel)
    }

    /// Stops watching and closes the tunnel's socket.
    func releaseSocket(_ tunnel: TunnelSocket) {
        if let registration = tunnel.registration { reactor.deregister(registration) }
        tunnel.registration = nil
        tunnel.interest = []
        if tunnel.fd >= 0 { Posix.close(tunnel.fd) }
        tunnel.fd = -1
    }
}
