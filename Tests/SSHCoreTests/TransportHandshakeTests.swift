import SSHCrypto
import SSHWire
import Testing
@testable import SSHCore

/// Client and server engines back to back in memory (DESIGN §8 layer 3).
@Suite struct TransportHandshakeTests {
    static let kexNames = [
        "mlkem768x25519-sha256", "curve25519-sha256", "curve25519-sha256@libssh.org",
        "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521",
        "diffie-hellman-group14-sha256", "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512",
        "diffie-hellman-group14-sha1",
    ]
    static let hostKeyNames = [
        "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "rsa-sha2-256", "rsa-sha2-512", "ssh-rsa",
    ]
    static let aeadCiphers = ["chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com"]
    static let ctrCiphers = ["aes128-ctr", "aes192-ctr", "aes256-ctr"]
    static let macNames = [
        "hmac-sha2-256", "hmac-sha2-512", "hmac-sha1", "hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com",
    ]

    /// Every cipher with every MAC; an AEAD cipher ignores the MAC (RFC 5647 §5.1), so it is paired
    /// with each MAC too, to show the MAC list does not matter.
    static let cipherMacPairs: [(String, String)] =
        (aeadCiphers + ctrCiphers).flatMap { cipher in macNames.map { (cipher, $0) } }

    struct Combination: CustomTestStringConvertible, Sendable {
        var kex: String, hostKey: String, cipher: String, mac: String
        var testDescription: String { "\(kex) \(hostKey) \(cipher) \(mac)" }
    }

    static let combinations: [Combination] = kexNames.flatMap { kex in
        hostKeyNames.flatMap { hostKey in
            cipherMacPairs.map { Combination(kex: kex, hostKey: hostKey, cipher: $0.0, mac: $0.1) }
        }
    }

    @Test(arguments: combinations)
    func everyCombinationCompletesAndCarriesData(_ c: Combination) throws {
        let (client, server) = EnginePair.configurations(kex: c.kex, hostKey: c.hostKey, cipher: c.cipher, mac: c.mac)
        let pair = try EnginePair(client: client, server: server)
        pair.pump()
        let clientDone = EnginePair.completedExchanges(pair.clientEvents)
        let serverDone = EnginePair.completedExchanges(pair.serverEvents)
        try #require(clientDone.count == 1 && serverDone.count == 1, "disconnect: \(String(describing: EnginePair.disconnect(pair.clientEvents + pair.serverEvents)))")
        let summary = clientDone[0].algorithms
        #expect(summary.keyExchange == c.kex)
        #expect(summary.hostKey == c.hostKey)
        #expect(summary.cipherClientToServer == c.cipher && summary.cipherServerToClient == c.cipher)
        let aead = Self.aeadCiphers.contains(c.cipher)
        #expect(summary.macClientToServer == (aead ? "" : c.mac))
        #expect(clientDone[0].sessionIdentifier == serverDone[0].sessionIdentifier)
        #expect(clientDone[0].strictKeyExchange && serverDone[0].strictKeyExchange)

        // Data both ways, of sizes that cross block boundaries.
        let sizes = [0, 1, 15, 16, 17, 255, 4096, 32_768]
        for (i, size) in sizes.enumerated() {
            try pair.client.send(sampleUpperLayerPayload(i, size: size))
            try pair.server.send(sampleUpperLayerPayload(100 + i, size: size))
        }
        pair.pump()
        #expect(EnginePair.payloads(pair.serverEvents) == sizes.enumerated().map { sampleUpperLayerPayload($0.offset, size: $0.element) })
        #expect(EnginePair.payloads(pair.clientEvents) == sizes.enumerated().map { sampleUpperLayerPayload(100 + $0.offset, size: $0.element) })
        #expect(!pair.client.isClosed && !pair.server.isClosed)
    }

    @Test func serverSendsExtensionInfoAfterFirstNewKeys() throws {
        let (client, server) = EnginePair.configurations()
        let pair = try EnginePair(client: client, server: server)
        pair.pump()
        let extensions = pair.clientEvents.compactMap { if case .extensionInfo(let e) = $0 { e } else { nil } }
        try #require(extensions.count == 1)
        let names = extensions[0].map(\.name)
        #expect(names.contains("server-sig-algs"))
        #expect(names.contains("publickey-hostbound@openssh.com"))
        #expect(names.contains("ping@openssh.com"))
        #expect(pair.client.serverSignatureAlgorithms == AlgorithmPreferences.secureDefaults.hostKey)
    }

    @Test func pingIsAnsweredWithPong() throws {
        let (client, server) = EnginePair.configurations()
        let pair = try EnginePair(client: client, server: server)
        pair.pump()
        try pair.client.ping([1, 2, 3])
        pair.pump()
        let pongs = pair.clientEvents.compactMap { if case .pong(let data) = $0 { data } else { nil } }
        #expect(pongs == [[1, 2, 3]])
    }

    /// One byte at a time in both directions: the engines must never need more than they have.
    @Test(arguments: ["curve25519-sha256", "mlkem768x25519-sha256", "diffie-hellman-group14-sha256"])
    func dripFeedOneByteAtATime(kex: String) throws {
        for cipher in Self.aeadCiphers + ["aes128-ctr"] {
            let (client, server) = EnginePair.configurations(kex: kex, cipher: cipher, mac: "hmac-sha2-256")
            let pair = try EnginePair(client: client, server: server, chunkSize: 1)
            try pair.client.send(sampleUpperLayerPayload(1, size: 300))
            try pair.server.send(sampleUpperLayerPayload(2, size: 70))
            pair.pump()
            #expect(EnginePair.completedExchanges(pair.clientEvents).count == 1, "\(cipher)")
            #expect(EnginePair.payloads(pair.serverEvents) == [sampleUpperLayerPayload(1, size: 300)], "\(cipher)")
            #expect(EnginePair.payloads(pair.clientEvents) == [sampleUpperLayerPayload(2, size: 70)], "\(cipher)")
        }
    }

    /// Application data sent while a re-exchange is in progress is queued and delivered in order;
    /// the session identifier stays the first exchange hash (RFC 4253 §7.2).
    @Test(arguments: ["chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr"])
    func rekeyWithDataInFlight(cipher: String) throws {
        let (client, server) = EnginePair.configurations(cipher: cipher, mac: "hmac-sha2-512-etm@openssh.com")
        let pair = try EnginePair(client: client, server: server, chunkSize: 4096)
        pair.pump()
        let sessionIdentifier = try #require(pair.client.sessionIdentifier)
        var expectedAtServer: [[UInt8]] = []
        var expectedAtClient: [[UInt8]] = []
        for round in 0..<3 {
            for i in 0..<50 {
                let toServer = sampleUpperLayerPayload(round * 1000 + i, size: 1000 + i)
                let toClient = sampleUpperLayerPayload(round * 1000 + 500 + i, size: 700 + i)
                try pair.client.send(toServer)
                try pair.server.send(toClient)
                expectedAtServer.append(toServer)
                expectedAtClient.append(toClient)
                if i == 10 { try (round % 2 == 0 ? pair.client : pair.server).startKeyExchange() }
            }
            pair.pump()
        }
        #expect(EnginePair.completedExchanges(pair.clientEvents).count == 4)
        #expect(EnginePair.completedExchanges(pair.serverEvents).count == 4)
        #expect(EnginePair.payloads(pair.serverEvents) == expectedAtServer)
        #expect(EnginePair.payloads(pair.clientEvents) == expectedAtClient)
        #expect(EnginePair.completedExchanges(pair.clientEvents).allSatisfy { $0.sessionIdentifier == sessionIdentifier })
    }

    /// KeyRenegotiationThreshold: crossing the byte limit starts a re-exchange by itself.
    @Test func rekeyAfterByteThreshold() throws {
        var (client, server) = EnginePair.configurations()
        client.rekeyByteLimit = 64 * 1024
        server.rekeyByteLimit = 1 << 40
        let pair = try EnginePair(client: client, server: server, chunkSize: 16 * 1024)
        pair.pump()
        var expected: [[UInt8]] = []
        for i in 0..<100 {
            let payload = sampleUpperLayerPayload(i, size: 8 * 1024)
            try pair.client.send(payload)
            expected.append(payload)
            pair.pump()
        }
        let exchanges = EnginePair.completedExchanges(pair.serverEvents).count
        // 800 KiB in 64 KiB steps: about a dozen re-exchanges.
        #expect(exchanges >= 10)
        #expect(EnginePair.payloads(pair.serverEvents) == expected)
    }

    @Test func noCommonCipherFailsTheKeyExchange() throws {
        var (client, server) = EnginePair.configurations()
        client.algorithms.ciphers = ["aes128-ctr"]
        server.algorithms.ciphers = ["aes256-gcm@openssh.com"]
        let pair = try EnginePair(client: client, server: server)
        pair.pump()
        let disconnect = try #require(EnginePair.disconnect(pair.serverEvents))
        #expect(disconnect.reason == SSHDisconnectReason.keyExchangeFailed.rawValue)
        #expect(pair.client.isClosed && pair.server.isClosed)
    }

    @Test func unknownAlgorithmNameIsAConfigurationError() {
        var (client, _) = EnginePair.configurations()
        client.algorithms.ciphers = ["aes128-ctr", "rot13@example.com"]
        #expect(throws: CryptoError.unknownAlgorithm("rot13@example.com")) { try SSHTransport(configuration: client) }
    }

    @Test func badConfigurationsAreRefused() {
        var (client, _) = EnginePair.configurations()
        client.versionString = "SSH-1.5-old"
        #expect(throws: TransportError.self) { try SSHTransport(configuration: client) }
        client.versionString = TransportConfiguration.defaultVersionString
        client.rekeyByteLimit = 1024
        #expect(throws: TransportError.self) { try SSHTransport(configuration: client) }
        client.rekeyByteLimit = TransportLimits.minimumRekeyByteLimit
        #expect(throws: Never.self) { try SSHTransport(configuration: client) }
    }

    @Test func clientRejectingTheHostKeyDisconnects() throws {
        var (client, server) = EnginePair.configurations()
        client.hostKeyApproval = .ask
        let pair = try EnginePair(client: client, server: server)
        pair.pump()
        let requested = pair.clientEvents.contains { if case .hostKeyApprovalRequested = $0 { true } else { false } }
        #expect(requested)
        #expect(!pair.client.isEstablished)
        pair.client.approveHostKey(false)
        pair.pump()
        #expect(pair.client.isClosed)
        #expect(EnginePair.disconnect(pair.serverEvents)?.reason == SSHDisconnectReason.hostKeyNotVerifiable.rawValue)
    }

    @Test func clientApprovingTheHostKeyLater() throws {
        var (client, server) = EnginePair.configurations()
        client.hostKeyApproval = .ask
        let pair = try EnginePair(client: client, server: server)
        try pair.client.send(sampleUpperLayerPayload(7))
        pair.pump()
        pair.client.approveHostKey(true)
        pair.pump()
        #expect(pair.client.isEstablished && pair.server.isEstablished)
        #expect(EnginePair.payloads(pair.serverEvents) == [sampleUpperLayerPayload(7)])
    }

    @Test func pinnedHostKeyMismatchDisconnects() throws {
        var (client, server) = EnginePair.configurations(hostKey: "ssh-ed25519")
        client.hostKeyApproval = .pinned([TestHostKeys.p256.publicKey.wireBlob])
        let pair = try EnginePair(client: client, server: server)
        pair.pump()
        #expect(pair.client.isClosed)
        #expect(EnginePair.disconnect(pair.clientEvents)?.reason == SSHDisconnectReason.hostKeyNotVerifiable.rawValue)
    }

    @Test func strictModeRequiredRefusesAPeerWithoutIt() throws {
        var (client, server) = EnginePair.configurations()
        client.strictKeyExchange = .disabled
        server.strictKeyExchange = .required
        let pair = try EnginePair(client: client, server: server)
        pair.pump()
        #expect(EnginePair.disconnect(pair.serverEvents)?.reason == SSHDisconnectReason.keyExchangeFailed.rawValue)
    }

    @Test func strictModeTwoRefusesOnlyVulnerableCiphers() throws {
        for (cipher, refused) in [("chacha20-poly1305@openssh.com", true), ("aes128-gcm@openssh.com", false)] {
            var (client, server) = EnginePair.configurations(cipher: cipher)
            client.strictKeyExchange = .disabled
            server.strictKeyExchange = .enabledRejectVulnerable
            let pair = try EnginePair(client: client, server: server)
            pair.pump()
            #expect(pair.server.isClosed == refused, "\(cipher)")
            #expect(pair.server.strictKeyExchangeNegotiated == false)
        }
    }

    @Test func withoutStrictOnEitherSideSequenceNumbersContinue() throws {
        let (client, server) = EnginePair.configurations(strict: .disabled)
        let pair = try EnginePair(client: client, server: server)
        pair.pump()
        #expect(pair.client.isEstablished && !pair.client.strictKeyExchangeNegotiated)
        // Non-strict: counters run on from the plaintext packets (version is no packet; KEXINIT, KEX
        // init/reply and NEWKEYS are).
        #expect(pair.client.sender.sequenceNumber > 0)
    }

    @Test func strictSequenceNumbersRestartAtNewKeys() throws {
        let (client, server) = EnginePair.configurations()
        let pair = try EnginePair(client: client, server: server)
        pair.pump()
        #expect(pair.client.strictKeyExchangeNegotiated)
        // After NEWKEYS the client has sent nothing: its counter restarted at zero.
        #expect(pair.client.sender.sequenceNumber == 0)
        // The server sent EXT_INFO after its NEWKEYS: one packet.
        #expect(pair.server.sender.sequenceNumber == 1)
    }
}
