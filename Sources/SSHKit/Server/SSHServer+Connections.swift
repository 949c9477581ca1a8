#if canImport(Glibc)
import Glibc
#endif
import Reactor
import SSHCore
import SSHCrypto
import SSHWire

// MARK: - Accepting and serving connections

extension SSHServer {
    /// Takes every pending connection from the listener (level-triggered: stops at would-block).
    func acceptPending(listener: Int32) {
        while true {
            let accepted: TCPSocket.Accepted
            do {
                switch try TCPSocket.accept(listener) {
                case .wouldBlock: return
                case .processed(let value): accepted = value
                }
            } catch {
                onError?(ErrorEvent(connectionId: 0, errorCode: SSHServerError.invalidSetting, description: "accept: \(error)"))
                return
            }
            admit(accepted)
        }
    }

    private func admit(_ accepted: TCPSocket.Accepted) {
        let peer = accepted.peer.host
        let permitted = (try? ClientAccessList(allowed: settings.allowedClients, blocked: settings.blockedClients))?.permits(peer) ?? false
        var request = ConnectionRequestEvent(address: peer, port: Int(accepted.peer.port), accept: permitted)
        onConnectionRequest?(&request)
        guard request.accept else {
            log(0, 1, "Connection from \(peer) port \(accepted.peer.port) refused", type: "Info")
            Posix.close(accepted.fd)
            return
        }
        // Digest §9 item 13: beyond MaxConnections, accept and close at once.
        guard connections.count < settings.maxConnections else {
            log(0, 1, "Connection from \(peer) port \(accepted.peer.port) refused: MaxConnections (\(settings.maxConnections)) reached", type: "Info")
            Posix.close(accepted.fd)
            return
        }
        do {
            try applySocketOptions(accepted.fd)
            let transport = try SSHTransport(configuration: transportConfiguration())
            let local = (try? TCPSocket.localAddress(accepted.fd))?.host ?? ""
            let id = allocateConnectionId()
            let connection = ServerConnection(
                id: id, fd: accepted.fd, remoteHost: peer, remotePort: Int(accepted.peer.port), localAddress: local,
                transport: transport, timeout: settings.defaultTimeout)
            connection.registration = try reactor.register(fd: accepted.fd, interest: .readable) { [unowned self, unowned connection] readiness in
                self.service(connection, readiness)
            }
            connections[id] = connection
            connection.uid = nextConnectionUID
            nextConnectionUID += 1
            if settings.loginGraceTime > 0 {
                connection.loginGraceTimer = reactor.schedule(after: settings.loginGraceTime * 1000) { [weak self, weak connection] in
                    guard let self, let connection, !connection.transport.isClosed else { return }
                    connection.transport.disconnect(reason: .byApplication, description: "login grace time exceeded")
                    self.flush(connection)
                    self.close(connection, statusCode: Int(SSHDisconnectReason.byApplication.rawValue), description: "login grace time exceeded")
                }
            }
            if settings.defaultIdleTimeout > 0 { scheduleIdleCheck(connection, afterMillis: settings.defaultIdleTimeout * 1000) }
            var connected = ConnectedEvent(connectionId: id, statusCode: 0, description: "OK")
            onConnected?(&connected)
            guard !connection.isClosing else { return }
            if !connected.certSubject.isEmpty {
                // Another host key for this connection: the engine has sent nothing yet.
                do {
                    let key = try HostKeyStore.load(
                        type: connected.certStoreType, store: connected.certStore, password: connected.certPassword,
                        subject: connected.certSubject)
                    var configuration = try transportConfiguration()
                    configuration.hostKeys = [key]
                    connection.transport = try SSHTransport(configuration: configuration)
                } catch {
                    onError?(ErrorEvent(connectionId: id, errorCode: SSHServerError.noHostKey, description: "Connected: \(error)"))
                    close(connection, statusCode: -1, description: "no host key for this connection")
                    return
                }
            }
            log(id, 1, "Connection from \(peer) port \(accepted.peer.port)", type: "Info")
            flush(connection)
        } catch {
            onError?(ErrorEvent(connectionId: 0, errorCode: SSHServerError.invalidSetting, description: "cannot serve \(peer): \(error)"))
            Posix.close(accepted.fd)
        }
    }

    /// DefaultIdleTimeout: checks when the timeout could first expire, and again for the remainder
    /// whenever traffic moved in between (no periodic polling).
    private func scheduleIdleCheck(_ connection: ServerConnection, afterMillis: Int) {
        connection.idleTimer = reactor.schedule(after: afterMillis) { [weak self, weak connection] in
            guard let self, let connection, !connection.isClosing else { return }
            let limit = UInt64(self.settings.defaultIdleTimeout) * 1_000_000_000
            guard limit > 0 else { return }
            let idle = MonotonicClock.nanoseconds() &- connection.lastActivity
            if idle >= limit {
                connection.transport.disconnect(reason: .byApplication, description: "idle timeout")
                self.flush(connection)
                self.close(connection, statusCode: Int(SSHDisconnectReason.byApplication.rawValue), description: "idle timeout")
            } else {
                self.scheduleIdleCheck(connection, afterMillis: Int((limit - idle) / 1_000_000) + 1)
            }
        }
    }

    private func allocateConnectionId() -> Int {
        var id = connections.count + 1
        while connections[id] != nil { id += 1 }
        return id
    }

    private func applySocketOptions(_ fd: Int32) throws {
        if settings.tcpNoDelay { try TCPSocket.setNoDelay(fd, true) }
        if settings.keepAliveTime != nil || settings.keepAliveInterval != nil || settings.keepAliveRetryCount != nil {
            try TCPSocket.setKeepAlive(fd, TCPSocket.KeepAlive(
                idleSeconds: Int32(clamping: (settings.keepAliveTime ?? 7_200_000) / 1000),
                intervalSeconds: Int32(clamping: (settings.keepAliveInterval ?? 75_000) / 1000),
                count: Int32(clamping: settings.keepAliveRetryCount ?? 9)))
        }
        if let size = settings.inBufferSize { try TCPSocket.setOption(fd, level: SOL_SOCKET, name: SO_RCVBUF, to: Int32(clamping: size)) }
        if let size = settings.outBufferSize { try TCPSocket.setOption(fd, level: SOL_SOCKET, name: SO_SNDBUF, to: Int32(clamping: size)) }
    }

    func transportConfiguration() throws -> TransportConfiguration {
        TransportConfiguration(
            role: .server, versionString: settings.serverSSHVersionString, algorithms: try settings.algorithmPreferences(),
            hostKeys: hostKeys, strictKeyExchange: settings.useStrictKeyExchange,
            rekeyByteLimit: settings.keyRenegotiationThreshold, serverSignatureAlgorithms: settings.sshPubKeyAuthSigAlgorithms)
    }

    // MARK: - I/O

    /// Reads what the socket has (bounded per turn for fairness), feeds the engine, handles its
    /// events and writes what it produced.
    func service(_ connection: ServerConnection, _ readiness: Readiness) {
        if readiness.contains(.writable) { flush(connection) }
        let lentOutput = lend(.output, to: connection)
        let lentInput = lend(.input, to: connection)
        defer {
            if lentOutput { takeBack(.output, from: connection) }
            if lentInput { takeBack(.input, from: connection) }
        }
        if readiness.contains(.readable) || readiness.contains(.hangup) || readiness.contains(.readHangup) || readiness.contains(.error) {
            // Fairness: at most four chunks, and no longer than MaxReadTime ms (0 = no time limit),
            // before the other connections get their turn.
            var budget = 4 * Self.readChunk
            let started = MonotonicClock.nanoseconds()
            let timeLimit = UInt64(settings.maxReadTime) * 1_000_000
            readLoop: while budget > 0, !connection.isClosing,
                  timeLimit == 0 || MonotonicClock.nanoseconds() &- started < timeLimit {
                var result = TransferResult.wouldBlock
                do {
                    try connection.transport.receive(upTo: Self.readChunk) { room throws(any Error) -> Int in
                        result = try TCPSocket.read(connection.fd, into: room)
                        if case .bytes(let count) = result { return count }
                        return 0
                    }
                } catch {
                    close(connection, statusCode: -1, description: "read: \(error)")
                    return
                }
                switch result {
                case .wouldBlock:
                    break readLoop
                case .closed:
                    handleEvents(connection)
                    close(connection, statusCode: 0, description: connection.closedByPeerDescription)
                    return
                case .bytes(let count):
                    budget -= count
                    connection.lastActivity = MonotonicClock.nanoseconds()
                    connection.lastReceived = connection.lastActivity
                    // Before authentication the client often sends two packets back to back
                    // (NEWKEYS, then SERVICE_REQUEST) with Nagle on: the second waits for our ACK
                    // of the first, which a delayed ACK would hold for 40 ms.
                    if connection.channels == nil { try? TCPSocket.acknowledgeNow(connection.fd) }
                    handleEvents(connection)
                    // A short read emptied the socket: asking again would only return EAGAIN
                    // (readiness is level-triggered, so bytes that arrive now wake us again).
                    if count < Self.readChunk { break readLoop }
                }
            }
        }
        flush(connection)
        if connection.transport.isClosed && !connection.hasPendingOutput {
            closeEndedTransport(connection)
        }
    }

    /// Writes pending output; asks for writability only while some remains (backpressure).
    func flush(_ connection: ServerConnection) {
        guard !connection.isClosing, connection.writesHeld == 0 else { return }
        // A lent buffer written to the end keeps its memory: it goes back to the server.
        let keepingCapacity = connection.borrowedSpares.contains(.output)
        while connection.transport.hasOutput {
            // Straight from the transport's buffer: what the socket does not take stays there.
            var result = TransferResult.wouldBlock
            do {
                try connection.transport.writeOutput(keepingCapacity: keepingCapacity) { raw throws(any Error) -> Int in
                    result = try TCPSocket.write(connection.fd, raw)
                    if case .bytes(let count) = result { return count }
                    return 0
                }
            } catch {
                close(connection, statusCode: -1, description: "write: \(error)")
                return
            }
            switch result {
            case .bytes:
                connection.lastActivity = MonotonicClock.nanoseconds()
            case .wouldBlock: break
            case .closed:
                close(connection, statusCode: 0, description: connection.closedByPeerDescription)
                return
            }
            if case .wouldBlock = result { break }
        }
        let wantWritable = connection.hasPendingOutput
        if wantWritable != connection.wantsWritable, let registration = connection.registration {
            connection.wantsWritable = wantWritable
            try? reactor.modify(registration, interest: wantWritable ? [.readable, .writable] : .readable)
        }
        if !connection.hasPendingOutput && connection.transport.isClosed {
            closeEndedTransport(connection)
        }
    }

    /// Closes a connection whose transport has ended. The client's own DISCONNECT is its closing
    /// the connection, as its end of stream is: OpenSSH logs both as such, whichever arrives first.
    private func closeEndedTransport(_ connection: ServerConnection) {
        let reason = connection.transport.closeReason
        let description = connection.disconnectedByPeer
            ? connection.closedByPeerDescription : reason?.message ?? "closed"
        close(connection, statusCode: Int(reason?.disconnectReason.rawValue ?? 0), description: description)
    }

    /// Runs `body` with the socket of `channelId`'s connection left alone, then writes everything
    /// it sealed at once: a run of replies costs one `send` and a few large segments instead of one
    /// of each per reply.
    func coalescingWrites(_ channelId: Int, _ body: () -> Void) {
        guard let (connection, _, _) = try? channel(channelId) else { return body() }
        let lent = lend(.output, to: connection)
        connection.writesHeld += 1
        body()
        connection.writesHeld -= 1
        flush(connection)
        if lent { takeBack(.output, from: connection) }
    }

    /// Lends the server's spare buffer of `spare`'s direction to a connection with nothing
    /// waiting in its own, for one turn; false when it cannot (bytes wait, or it is lent already).
    func lend(_ spare: SpareBuffer, to connection: ServerConnection) -> Bool {
        guard !connection.borrowedSpares.contains(spare), exchange(spare, of: connection, with: &spareBuffers[spare, default: []])
        else { return false }
        connection.borrowedSpares.insert(spare)
        return true
    }

    /// Takes the spare buffer back once nothing waits in it (the socket took every sealed byte,
    /// every read byte was opened); otherwise the connection keeps it until then. The
    /// connection's own buffer, back with it, is let go when larger than
    /// `TransportLimits.retainedBufferSize`, so idle connections hold little.
    func takeBack(_ spare: SpareBuffer, from connection: ServerConnection) {
        connection.borrowedSpares.remove(spare)
        guard !connection.isClosing, exchange(spare, of: connection, with: &spareBuffers[spare, default: []]) else { return }
        let own = spare == .output ? connection.transport.outputBufferSize : connection.transport.receiveBufferSize
        if own > TransportLimits.retainedBufferSize {
            var released: [UInt8] = []
            _ = exchange(spare, of: connection, with: &released)
            // The larger of the two stays the spare (within the bound): it is the size the
            // traffic needed, and keeping it spares the next run growing into fresh pages.
            if released.count > spareBuffers[spare, default: []].count && released.count <= Self.maximumSpareBuffer {
                swap(&released, &spareBuffers[spare, default: []])
            }
        }
        if spareBuffers[spare, default: []].count > Self.maximumSpareBuffer { spareBuffers[spare] = [] }
    }

    private func exchange(_ spare: SpareBuffer, of connection: ServerConnection, with buffer: inout [UInt8]) -> Bool {
        switch spare {
        case .output: connection.transport.exchangeOutputBuffer(&buffer)
        case .input: connection.transport.exchangeReceiveBuffer(&buffer)
        }
    }

    /// The largest spare buffer kept in either direction. Sealed replies waiting for the socket
    /// grew the output past 4 MiB in 1 GiB downloads to OpenSSH's sftp; with a 1 MiB bound the
    /// grown buffer went after every run of replies and the next run faulted in (and zeroed)
    /// fresh pages again: about 0.9 GiB of new mappings per GiB downloaded. It is one buffer
    /// per direction per server, not per connection.
    static let maximumSpareBuffer = 8 * 1024 * 1024

    /// Ends a connection once: deregisters, closes the socket, fires `Disconnected`.
    func close(_ connection: ServerConnection, statusCode: Int, description: String) {
        guard !connection.isClosing else { return }
        connection.isClosing = true
        if let registration = connection.registration { reactor.deregister(registration) }
        if let timer = connection.loginGraceTimer { reactor.cancel(timer) }
        if let timer = connection.idleTimer { reactor.cancel(timer) }
        if let timer = connection.keepAliveTimer { reactor.cancel(timer) }
        Posix.close(connection.fd)
        connections[connection.id] = nil
        closeTunnels(connection)
        forgetChannels(connection)
        log(connection.id, 1, Self.closingLine(connection, description), type: "Info")
        onDisconnected?(DisconnectedEvent(connectionId: connection.id, statusCode: statusCode, description: description, connectionUID: connection.uid))
    }

    /// The line OpenSSH's sshd writes when a connection ends, so log tools read ours alike:
    /// `Disconnected from user U ADDR port N` after a login, `Connection closed by [authenticating
    /// user U |invalid user U ]ADDR port N [preauth]` before one; a server-side reason follows
    /// after ": ".
    static func closingLine(_ connection: ServerConnection, _ description: String) -> String {
        let peer = "\(connection.remoteHost) port \(connection.remotePort)"
        let closedByPeer = description.hasPrefix("Connection closed by ")
        if let user = connection.auth?.authenticatedUser {
            return "Disconnected from user \(user) \(peer)" + (closedByPeer ? "" : ": \(description)")
        }
        let who = connection.lastAuthUser.isEmpty
            ? "" : (connection.lastAuthUserInvalid ? "invalid user " : "authenticating user ") + connection.lastAuthUser + " "
        return closedByPeer ? "Connection closed by \(who)\(peer) [preauth]" : "Disconnected from \(who)\(peer): \(description) [preauth]"
    }

    // MARK: - Engine events

    func handleEvents(_ connection: ServerConnection) {
        while let event = connection.transport.nextEvent() {
            switch event {
            case .peerVersion(let version):
                onSSHStatus?(SSHStatusEvent(connectionId: connection.id, message: "Client identification: \(version)"))
                if !VersionPatternList(settings.sshVersionPattern).accepts(version) {
                    connection.transport.disconnect(reason: .protocolVersionNotSupported, description: "version not allowed by SSHVersionPattern")
                }
            case .keyExchangeCompleted(let summary):
                if summary.isInitial {
                    connection.sessionIdentifier = summary.sessionIdentifier
                    connection.negotiatedHostKeyAlgorithm = summary.algorithms.hostKey
                    startAuthentication(connection, sessionIdentifier: summary.sessionIdentifier)
                }
                let a = summary.algorithms
                onSSHStatus?(SSHStatusEvent(connectionId: connection.id, message:
                    "Key exchange complete: \(a.keyExchange), host key \(a.hostKey), cipher \(a.cipherClientToServer), MAC \(a.macClientToServer.isEmpty ? "implicit" : a.macClientToServer), strict \(summary.strictKeyExchange)"))
            case .payload(let payload, let sequenceNumber):
                handlePayload(connection, payload, sequenceNumber: sequenceNumber)
            case .disconnected(let reason, let description, let byPeer):
                connection.disconnectedByPeer = byPeer
                onSSHStatus?(SSHStatusEvent(connectionId: connection.id, message: "Disconnect \(byPeer ? "from client" : "sent") (\(reason)): \(description)"))
            case .debug(_, let message):
                log(connection.id, 3, "client debug message: \(message)", type: "SSH")
            case .extensionInfo, .unimplemented, .pong, .hostKeyApprovalRequested:
                break
            }
        }
    }

    /// Messages above the transport: the user-authentication layer takes them until the user is
    /// authenticated, the connection protocol afterwards. Both exist before any such message can
    /// arrive (the first key exchange starts one, success the other); anything else is answered
    /// with UNIMPLEMENTED (RFC 4253 §11.4).
    private func handlePayload(_ connection: ServerConnection, _ payload: [UInt8], sequenceNumber: UInt32) {
        if routeToAuthentication(connection, payload) { return }
        if routeToChannels(connection, payload, sequenceNumber: sequenceNumber) { return }
        try? connection.transport.sendUnimplemented(sequenceNumber: sequenceNumber)
    }
}
