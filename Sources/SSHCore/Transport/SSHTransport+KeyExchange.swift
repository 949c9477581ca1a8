import SSHCrypto
import SSHWire

// MARK: - Key exchange (RFC 4253 §7–8, RFC 5656 §4, RFC 8731, OpenSSH PROTOCOL §1.10)

extension SSHTransport {
    /// Starts a key re-exchange now (the documented `ExchangeKeys()`); does nothing while one is in
    /// progress or before the first has completed.
    public func startKeyExchange() throws(TransportError) {
        guard phase != .closed else { throw .closed }
        guard isEstablished, ourKexInit == nil, peerKexInit == nil else { return }
        try sendKexInit()
    }

    /// Client, ``HostKeyApproval/ask``: the application's answer to
    /// ``TransportEvent/hostKeyApprovalRequested(_:)``. Held input is processed afterwards.
    public func approveHostKey(_ approved: Bool) {
        guard case .awaitingHostKeyApproval(let pending, _) = keyExchange else { return }
        inputHeld = false
        guard approved else {
            fail(.hostKeyNotVerifiable("host key rejected"))
            return
        }
        do {
            try sendNewKeys(pending)
        } catch {
            fail(error)
            return
        }
        receive([UInt8]())
    }

    /// A rekey is due when either direction crossed the byte or packet threshold since the last one.
    func startRekeyIfDue() throws(TransportError) {
        guard isEstablished, ourKexInit == nil, peerKexInit == nil, phase == .binaryPackets else { return }
        let limit = configuration.rekeyByteLimit
        if sender.bytesSinceKeyChange >= limit || receiver.bytesSinceKeyChange >= limit
            || sender.packetsSinceKeyChange >= TransportLimits.rekeyPacketLimit
            || receiver.packetsSinceKeyChange >= TransportLimits.rekeyPacketLimit
        {
            try sendKexInit()
        }
    }

    /// Our KEXINIT. The first one carries the extension markers (RFC 8308 §2.1, PROTOCOL §1.10);
    /// re-exchanges must not.
    func sendKexInit() throws(TransportError) {
        let prefs = configuration.algorithms
        var kex = prefs.keyExchange
        if !isEstablished {
            switch role {
            case .client:
                kex.append(KeyExchangeMarker.extInfoClient)
                if configuration.strictKeyExchange != .disabled { kex.append(KeyExchangeMarker.strictClient) }
            case .server:
                if configuration.strictKeyExchange != .disabled { kex.append(KeyExchangeMarker.strictServer) }
            }
        }
        let message = SSHMsgKexInit(
            cookie: OpenSSL.randomBytes(16),
            kexAlgorithms: kex,
            serverHostKeyAlgorithms: prefs.hostKey,
            encryptionAlgorithmsClientToServer: prefs.ciphers,
            encryptionAlgorithmsServerToClient: prefs.ciphers,
            macAlgorithmsClientToServer: prefs.macs,
            macAlgorithmsServerToClient: prefs.macs,
            compressionAlgorithmsClientToServer: prefs.compression,
            compressionAlgorithmsServerToClient: prefs.compression,
            languagesClientToServer: [],
            languagesServerToClient: [],
            firstKexPacketFollows: false,
            reserved: 0)
        let payload = message.encoded()
        ourKexInit = (message, payload)
        try sendPacket(payload)
    }

    func receiveKexInit(_ payload: [UInt8], sequenceNumber: UInt32) throws {
        guard peerKexInit == nil else { throw TransportError.protocolError("second KEXINIT during key exchange") }
        let message = try SSHMsgKexInit.decode(payload)
        peerKexInit = (message, payload)
        if ourKexInit == nil { try sendKexInit() }
        guard let ours = ourKexInit else { throw TransportError.protocolError("no KEXINIT of ours") }

        let peer: (message: SSHMsgKexInit, payload: [UInt8]) = (message, payload)
        let client = role == .client ? ours : peer
        let server = role == .client ? peer : ours
        let isInitial = !isEstablished
        // Strict KEX is decided by the first exchange and holds for the connection: sequence
        // numbers restart after every NEWKEYS, re-exchanges included (PROTOCOL §1.10).
        var strict = strictKeyExchangeNegotiated
        if isInitial {
            let peerMarker = role == .client ? KeyExchangeMarker.strictServer : KeyExchangeMarker.strictClient
            strict = configuration.strictKeyExchange != .disabled && message.kexAlgorithms.contains(peerMarker)
            if strict && sequenceNumber != 0 {
                // PROTOCOL §1.10: under strict KEX the KEXINIT must be the peer's first packet.
                throw TransportError.protocolError("strict key exchange: KEXINIT was not the first packet")
            }
            strictKeyExchangeNegotiated = strict
            if role == .server { peerAcceptsExtensionInfo = message.kexAlgorithms.contains(KeyExchangeMarker.extInfoClient) }
        }
        let negotiated = try AlgorithmNegotiation.negotiate(client: client.message, server: server.message)
        if isInitial && !strict {
            switch configuration.strictKeyExchange {
            case .required:
                throw TransportError.keyExchangeFailed("the peer does not support strict key exchange")
            case .enabledRejectVulnerable where Self.isTerrapinVulnerable(negotiated):
                throw TransportError.keyExchangeFailed("the peer lacks strict key exchange and the negotiated cipher is affected by CVE-2023-48795")
            case .disabled, .enabled, .enabledRejectVulnerable:
                break
            }
        }
        ignoreNextKeyExchangePacket = message.firstKexPacketFollows
            && !AlgorithmNegotiation.guessWasRight(peer: message, negotiated: negotiated)
        guard let algorithm = AlgorithmRegistry.keyExchange(named: negotiated.keyExchange) else {
            throw TransportError.keyExchangeFailed("unknown key exchange \(negotiated.keyExchange)")
        }
        let round = KeyExchangeRound(
            algorithm: algorithm, negotiated: negotiated,
            clientKexInitPayload: client.payload, serverKexInitPayload: server.payload,
            isInitial: isInitial, strict: strict)
        switch role {
        case .client:
            let exchange = try algorithm.makeClient()
            switch algorithm.publicValueEncoding {
            case .mpint: try sendPacket(SSHMsgKexDHInit(e: exchange.publicValue).encoded())
            case .string: try sendPacket(SSHMsgKexECDHInit(clientPublicKey: exchange.publicValue).encoded())
            }
            keyExchange = .awaitingReply(round, exchange)
        case .server:
            keyExchange = .awaitingClientPublicValue(round)
        }
    }

    /// CVE-2023-48795 affects chacha20-poly1305 and CBC ciphers combined with EtM MACs.
    static func isTerrapinVulnerable(_ algorithms: NegotiatedAlgorithms) -> Bool {
        func vulnerable(_ cipher: String, _ mac: String) -> Bool {
            cipher == "chacha20-poly1305@openssh.com" || (cipher.hasSuffix("-cbc") && mac.hasSuffix("-etm@openssh.com"))
        }
        return vulnerable(algorithms.cipherClientToServer, algorithms.macClientToServer)
            || vulnerable(algorithms.cipherServerToClient, algorithms.macServerToClient)
    }

    func receiveKeyExchangeMethodMessage(_ payload: [UInt8]) throws {
        if ignoreNextKeyExchangePacket {
            ignoreNextKeyExchangePacket = false
            return
        }
        switch keyExchange {
        case .awaitingClientPublicValue(let round):
            try answerClient(payload, round: round)
        case .awaitingReply(let round, let exchange):
            try receiveReply(payload, round: round, exchange: exchange)
        case .idle, .awaitingHostKeyApproval, .awaitingNewKeys:
            throw TransportError.protocolError("unexpected key exchange message \(payload.first ?? 0)")
        }
    }

    /// Server: the client's public value arrived; reply with ours, the host key and the signature,
    /// then NEWKEYS (RFC 4253 §8, RFC 5656 §4).
    private func answerClient(_ payload: [UInt8], round: KeyExchangeRound) throws {
        let clientValue: [UInt8]
        switch round.algorithm.publicValueEncoding {
        case .mpint: clientValue = try SSHMsgKexDHInit.decode(payload).e
        case .string: clientValue = try SSHMsgKexECDHInit.decode(payload).clientPublicKey
        }
        let result = try round.algorithm.respond(toClientPublicValue: clientValue)
        guard let hostKey = configuration.hostKeys.first(where: {
            $0.publicKey.signatureAlgorithms.contains(round.negotiated.hostKey)
        }) else {
            throw TransportError.keyExchangeFailed("no host key for \(round.negotiated.hostKey)")
        }
        let hostKeyBlob = hostKey.publicKey.wireBlob
        let exchangeHash = computeExchangeHash(
            round: round, hostKeyBlob: hostKeyBlob, clientValue: clientValue, serverValue: result.publicValue,
            sharedSecret: result.sharedSecret)
        let signature = try hostKey.signature(for: exchangeHash, algorithm: round.negotiated.hostKey)
        switch round.algorithm.publicValueEncoding {
        case .mpint:
            try sendPacket(SSHMsgKexDHReply(hostKey: hostKeyBlob, f: result.publicValue, signature: signature).encoded())
        case .string:
            try sendPacket(SSHMsgKexECDHReply(hostKey: hostKeyBlob, serverPublicKey: result.publicValue, signature: signature).encoded())
        }
        let pending = try makePendingKeys(round: round, exchangeHash: exchangeHash, sharedSecret: result.sharedSecret, hostKeyBlob: hostKeyBlob)
        try sendNewKeys(pending)
    }

    /// Client: the server's reply arrived; verify the host key's signature over H (RFC 4253 §8).
    private func receiveReply(_ payload: [UInt8], round: KeyExchangeRound, exchange: any KeyExchangeClient) throws {
        let hostKeyBlob: [UInt8], serverValue: [UInt8], signature: [UInt8]
        switch round.algorithm.publicValueEncoding {
        case .mpint:
            let reply = try SSHMsgKexDHReply.decode(payload)
            (hostKeyBlob, serverValue, signature) = (reply.hostKey, reply.f, reply.signature)
        case .string:
            let reply = try SSHMsgKexECDHReply.decode(payload)
            (hostKeyBlob, serverValue, signature) = (reply.hostKey, reply.serverPublicKey, reply.signature)
        }
        let sharedSecret = try exchange.sharedSecret(serverPublicValue: serverValue)
        let hostKey: any SSHPublicKey
        do {
            hostKey = try SSHKeys.parsePublicKey(blob: hostKeyBlob)
        } catch {
            throw TransportError.hostKeyNotVerifiable("malformed host key: \(error)")
        }
        guard hostKey.signatureAlgorithms.contains(round.negotiated.hostKey) else {
            throw TransportError.hostKeyNotVerifiable("host key type \(hostKey.keyType) does not match \(round.negotiated.hostKey)")
        }
        let exchangeHash = computeExchangeHash(
            round: round, hostKeyBlob: hostKeyBlob, clientValue: exchange.publicValue, serverValue: serverValue,
            sharedSecret: sharedSecret)
        guard hostKey.isValidSignature(signature, for: exchangeHash, allowedAlgorithms: [round.negotiated.hostKey]) else {
            throw TransportError.hostKeyNotVerifiable("signature over the exchange hash does not verify")
        }
        if let first = self.hostKeyBlob, first != hostKeyBlob {
            throw TransportError.hostKeyNotVerifiable("the host key changed during re-exchange")
        }
        let pending = try makePendingKeys(round: round, exchangeHash: exchangeHash, sharedSecret: sharedSecret, hostKeyBlob: hostKeyBlob)
        if round.isInitial {
            switch configuration.hostKeyApproval {
            case .acceptAny:
                break
            case .pinned(let blobs):
                guard blobs.contains(hostKeyBlob) else { throw TransportError.hostKeyNotVerifiable("host key not in the pinned list") }
            case .ask:
                keyExchange = .awaitingHostKeyApproval(pending, hostKey)
                inputHeld = true
                emit(.hostKeyApprovalRequested(hostKey))
                return
            }
        }
        try sendNewKeys(pending)
    }

    /// RFC 4253 §8 / RFC 5656 §4: H = HASH(V_C ‖ V_S ‖ I_C ‖ I_S ‖ K_S ‖ e|Q_C ‖ f|Q_S ‖ K).
    private func computeExchangeHash(
        round: KeyExchangeRound, hostKeyBlob: [UInt8], clientValue: [UInt8], serverValue: [UInt8], sharedSecret: SecureBytes
    ) -> [UInt8] {
        let (clientVersion, serverVersion) = role == .client
            ? (configuration.versionString, peerVersion ?? "")
            : (peerVersion ?? "", configuration.versionString)
        var writer = SSHWriter(capacity: 2048)
        writer.writeText(clientVersion)
        writer.writeText(serverVersion)
        writer.writeString(round.clientKexInitPayload)
        writer.writeString(round.serverKexInitPayload)
        writer.writeString(hostKeyBlob)
        switch round.algorithm.publicValueEncoding {
        case .mpint:
            writer.writeMPInt(clientValue)
            writer.writeMPInt(serverValue)
        case .string:
            writer.writeString(clientValue)
            writer.writeString(serverValue)
        }
        var hasher = HashFunction.Hasher(round.algorithm.hash)
        hasher.update(writer.bytes)
        sharedSecret.withUnsafeBytes { hasher.update($0) }
        return hasher.finalize()
    }

    private func makePendingKeys(
        round: KeyExchangeRound, exchangeHash: [UInt8], sharedSecret: SecureBytes, hostKeyBlob: [UInt8]
    ) throws -> PendingKeys {
        let sessionIdentifier = self.sessionIdentifier ?? exchangeHash
        let n = round.negotiated
        func descriptors(_ cipherName: String, _ macName: String) throws -> (cipher: any CipherAlgorithm, mac: (any MACAlgorithm)?) {
            guard let cipher = AlgorithmRegistry.cipher(named: cipherName) else { throw CryptoError.unknownAlgorithm(cipherName) }
            if cipher.isAEAD { return (cipher, nil) }
            guard let mac = AlgorithmRegistry.mac(named: macName) else { throw CryptoError.unknownAlgorithm(macName) }
            return (cipher, mac)
        }
        let clientToServer = try descriptors(n.cipherClientToServer, n.macClientToServer)
        let serverToClient = try descriptors(n.cipherServerToClient, n.macServerToClient)
        let keys = DerivedKeys.derive(
            hash: round.algorithm.hash, sharedSecret: sharedSecret, exchangeHash: exchangeHash,
            sessionIdentifier: sessionIdentifier, clientToServer: clientToServer, serverToClient: serverToClient)
        let sealingClientToServer = role == .client
        let cs = try clientToServer.cipher.makeProtection(
            key: keys.keyClientToServer, iv: keys.ivClientToServer, mac: clientToServer.mac,
            macKey: clientToServer.mac == nil ? nil : keys.macKeyClientToServer, sealing: sealingClientToServer)
        let sc = try serverToClient.cipher.makeProtection(
            key: keys.keyServerToClient, iv: keys.ivServerToClient, mac: serverToClient.mac,
            macKey: serverToClient.mac == nil ? nil : keys.macKeyServerToClient, sealing: !sealingClientToServer)
        let summary = KeyExchangeSummary(
            algorithms: n, isInitial: round.isInitial, strictKeyExchange: round.strict,
            sessionIdentifier: sessionIdentifier, hostKeyBlob: hostKeyBlob)
        return role == .client
            ? PendingKeys(outgoing: cs, incoming: sc, summary: summary)
            : PendingKeys(outgoing: sc, incoming: cs, summary: summary)
    }

    /// Sends NEWKEYS and takes the new outgoing keys into use (RFC 4253 §7.3). Under strict KEX the
    /// outgoing sequence number restarts at zero (PROTOCOL §1.10).
    func sendNewKeys(_ pending: PendingKeys) throws(TransportError) {
        try sendPacket(SSHMsgNewKeys().encoded())
        sender.protection = pending.outgoing
        if pending.summary.strictKeyExchange { sender.sequenceNumber = 0 }
        sender.bytesSinceKeyChange = 0
        sender.packetsSinceKeyChange = 0
        if sessionIdentifier == nil { sessionIdentifier = pending.summary.sessionIdentifier }
        if hostKeyBlob == nil { hostKeyBlob = pending.summary.hostKeyBlob }
        ourKexInit = nil
        keyExchange = .awaitingNewKeys(incoming: pending.incoming, summary: pending.summary)
        // RFC 8308 §2.4: the server's EXT_INFO is the first message after its first NEWKEYS.
        if role == .server && pending.summary.isInitial && peerAcceptsExtensionInfo {
            try sendPacket(serverExtensionInfo().encoded())
        }
        if isEstablished { try flushQueued() }
    }

    private func serverExtensionInfo() -> SSHMsgExtInfo {
        SSHMsgExtInfo(extensions: [
            SSHExtension(name: "server-sig-algs", value: Array(configuration.serverSignatureAlgorithms.joined(separator: ",").utf8)),
            SSHExtension(name: "publickey-hostbound@openssh.com", value: Array("0".utf8)),
            SSHExtension(name: "ping@openssh.com", value: Array("0".utf8)),
        ])
    }

    /// The peer's NEWKEYS: its new keys take effect for everything after it (RFC 4253 §7.3).
    func receiveNewKeys() throws {
        guard case .awaitingNewKeys(let incoming, let summary) = keyExchange else {
            throw TransportError.protocolError("unexpected NEWKEYS")
        }
        receiver.protection = incoming
        if summary.strictKeyExchange { receiver.sequenceNumber = 0 }
        receiver.bytesSinceKeyChange = 0
        receiver.packetsSinceKeyChange = 0
        peerKexInit = nil
        keyExchange = .idle
        negotiatedAlgorithms = summary.algorithms
        let wasEstablished = isEstablished
        isEstablished = true
        emit(.keyExchangeCompleted(summary))
        if !wasEstablished { try flushQueued() }
    }
}
