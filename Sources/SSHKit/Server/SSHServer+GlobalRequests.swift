import Reactor
import SSHCore
import SSHWire

// MARK: - Global requests, host-key rotation and keep-alives (RFC 4254 §4; OpenSSH PROTOCOL §2.5)

extension SSHServer {
    /// Answers a client's global request the tunnels did not take: `hostkeys-prove-00@openssh.com`
    /// gets its proofs, every other request REQUEST_FAILURE (RFC 4254 §4), in arrival order.
    func answerGlobalRequest(_ connection: ServerConnection, _ channels: ChannelMultiplexer, _ request: IncomingGlobalRequest) {
        guard request.wantReply else { return }
        var success = false
        var data: [UInt8] = []
        if case .hostKeysProve(let blobs) = request.payload, let proofs = hostKeyProofs(connection, blobs) {
            success = true
            data = proofs
        }
        try? channels.replyToGlobalRequest(request: request.requestNumber, success: success, data: data)
    }

    /// OpenSSH PROTOCOL §2.5: for each requested host key, in order, a signature over
    /// `string "hostkeys-prove-00@openssh.com" || string session identifier || string key blob`.
    /// Nil when a key is not one of ours or signing fails. RSA keys sign with the negotiated RSA
    /// algorithm, or rsa-sha2-512 when the exchange used another key type, as OpenSSH's client
    /// expects.
    private func hostKeyProofs(_ connection: ServerConnection, _ blobs: [[UInt8]]) -> [UInt8]? {
        var writer = SSHWriter()
        for blob in blobs {
            guard let key = hostKeys.first(where: { $0.publicKey.wireBlob == blob }) else {
                log(connection.id, 2, "hostkeys-prove-00@openssh.com: a requested key is not a host key of this server", type: "SSH")
                return nil
            }
            let algorithms = key.publicKey.signatureAlgorithms
            let algorithm: String
            if algorithms.contains(connection.negotiatedHostKeyAlgorithm) {
                algorithm = connection.negotiatedHostKeyAlgorithm
            } else if algorithms.contains("rsa-sha2-512") {
                algorithm = "rsa-sha2-512"
            } else if let first = algorithms.first {
                algorithm = first
            } else {
                return nil
            }
            var signed = SSHWriter()
            signed.writeText(SSHGlobalRequestPayload.Name.hostKeysProve)
            signed.writeString(connection.sessionIdentifier)
            signed.writeString(blob)
            guard let signature = try? key.signature(for: signed.bytes, algorithm: algorithm) else { return nil }
            writer.writeString(signature)
        }
        return writer.bytes
    }

    /// OpenSSH PROTOCOL §2.5: after authentication, tells the client every host key this server
    /// has, so that a client with `UpdateHostKeys` can learn new keys before old ones are retired.
    func advertiseHostKeys(_ connection: ServerConnection) {
        guard let channels = connection.channels, !hostKeys.isEmpty else { return }
        try? channels.sendGlobalRequest(.hostKeys(hostKeys.map { $0.publicKey.wireBlob }), wantReply: false)
        sendChannelOutput(connection)
    }

    /// `SSHKeepAliveInterval` / `SSHKeepAliveCountMax` (digest §9 item 10): after `interval`
    /// seconds without a byte from the client, send `keepalive@openssh.com` with want-reply; any
    /// reply or traffic clears the count, and `SSHKeepAliveCountMax` unanswered ones disconnect.
    func scheduleKeepAlive(_ connection: ServerConnection, afterMillis: Int? = nil) {
        let interval = settings.sshKeepAliveInterval
        guard interval > 0 else { return }
        connection.keepAliveTimer = reactor.schedule(after: afterMillis ?? interval * 1000) { [weak self, weak connection] in
            guard let self, let connection, !connection.isClosing else { return }
            self.checkKeepAlive(connection)
        }
    }

    private func checkKeepAlive(_ connection: ServerConnection) {
        let interval = UInt64(settings.sshKeepAliveInterval) * 1_000_000_000
        guard interval > 0, let channels = connection.channels else { return }
        let silent = MonotonicClock.nanoseconds() &- connection.lastReceived
        guard silent >= interval else {
            connection.unansweredKeepAlives = 0
            scheduleKeepAlive(connection, afterMillis: Int((interval - silent) / 1_000_000) + 1)
            return
        }
        guard connection.unansweredKeepAlives < settings.sshKeepAliveCountMax else {
            let description = "Timeout, client not responding"
            log(connection.id, 1, "\(description) from \(connection.remoteHost) port \(connection.remotePort)", type: "Info")
            connection.transport.disconnect(reason: .byApplication, description: description)
            flush(connection)
            close(connection, statusCode: Int(SSHDisconnectReason.byApplication.rawValue), description: description)
            return
        }
        connection.unansweredKeepAlives += 1
        do {
            try channels.sendGlobalRequest(.keepAlive, wantReply: true)
        } catch {
            // Too many of our requests unanswered: the count above ends the connection first
            // unless SSHKeepAliveCountMax is above the limit of outstanding requests.
            log(connection.id, 2, "keep-alive not sent: \(error)", type: "SSH")
        }
        sendChannelOutput(connection)
        flush(connection)
        scheduleKeepAlive(connection)
    }

    // MARK: - Per-connection properties (digest §1.2)

    /// `SSHConnectionTimeout[ConnectionId]` in seconds (starts as `DefaultTimeout`).
    public func sshConnectionTimeout(_ connectionId: Int) throws(SSHServerError) -> Int { try connection(connectionId).timeout }

    public func setSSHConnectionTimeout(_ connectionId: Int, _ seconds: Int) throws(SSHServerError) {
        guard (0...86_400).contains(seconds) else {
            throw SSHServerError(code: SSHServerError.invalidSetting, "SSHConnectionTimeout must be 0 to 86400 seconds, not \(seconds)")
        }
        try connection(connectionId).timeout = seconds
    }

    /// `SSHConnectionCount`.
    public var sshConnectionCount: Int { connections.count }

    /// `SSHConnectionConnected[ConnectionId]`: true while the connection is open.
    public func sshConnectionConnected(_ connectionId: Int) -> Bool { connections[connectionId].map { !$0.isClosing } ?? false }

    /// Setting `SSHConnectionConnected[ConnectionId]` to false disconnects the client, as
    /// ``disconnect(_:)``; true changes nothing.
    public func setSSHConnectionConnected(_ connectionId: Int, _ connected: Bool) throws(SSHServerError) {
        if !connected { try disconnect(connectionId) }
    }
}
