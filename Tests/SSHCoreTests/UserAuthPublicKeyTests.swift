import SSHCrypto
import SSHWire
import Testing
@testable import SSHCore

/// `publickey` and `publickey-hostbound-v00@openssh.com` (RFC 4252 §7, OpenSSH PROTOCOL): the
/// layer verifies signatures itself and asks the application only about keys it has proven.
@Suite struct UserAuthPublicKeyTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var keyName: String
        var algorithm: String
        var queryFirst: Bool
        var key: any SSHPrivateKey {
            switch keyName {
            case "ed25519": TestUserKeys.ed25519
            case "p256": TestUserKeys.p256
            default: TestUserKeys.rsa
            }
        }
        var testDescription: String { "\(algorithm)\(queryFirst ? " query then sign" : " signed at once")" }
    }

    static let cases: [Case] = [
        ("ed25519", "ssh-ed25519"), ("p256", "ecdsa-sha2-nistp256"), ("rsa", "rsa-sha2-512"), ("rsa", "rsa-sha2-256"),
    ].flatMap { key, algorithm in
        [true, false].map { Case(keyName: key, algorithm: algorithm, queryFirst: $0) }
    }

    /// Accepts `key` for alice: PK_OK for a query, success for a verified signature.
    static func authorize(_ key: any SSHPrivateKey) -> (UserAuthRequestID, String, UserAuthMethodRequest) -> UserAuthDecision? {
        let authorized = key.publicKey.wireBlob
        return { _, user, method in
            switch method {
            case .publicKeyQuery(_, let offered):
                user == "alice" && offered.wireBlob == authorized ? .publicKeyAcceptable : .publicKeyNotAcceptable
            case .publicKey(_, let offered, _):
                user == "alice" && offered.wireBlob == authorized ? .success : .failure
            default:
                .failure
            }
        }
    }

    @Test(arguments: cases)
    func signedRequestSucceeds(_ c: Case) throws {
        let pair = try AuthPair(
            serverConfiguration: authServerConfiguration(),
            credentials: [.publicKey(c.key, algorithm: c.algorithm, queryFirst: c.queryFirst)])
        pair.decide = Self.authorize(c.key)
        pair.run()
        #expect(pair.client?.isAuthenticated == true)
        #expect(pair.authenticatedUsers == ["alice"])
        let labels = pair.requests.map(\.method.label)
        #expect(labels == (c.queryFirst ? ["publicKeyQuery", "publicKey"] : ["publicKey"]))
        for request in pair.requests {
            switch request.method {
            case .publicKeyQuery(let algorithm, let key), .publicKey(let algorithm, let key, _):
                #expect(algorithm == c.algorithm)
                #expect(key.wireBlob == c.key.publicKey.wireBlob)
            default:
                Issue.record("unexpected request \(request.method.label)")
            }
        }
        let pkOK = pair.receivedByClient.filter { if case .userAuthMethod(60, _) = $0 { true } else { false } }
        #expect(pkOK.count == (c.queryFirst ? 1 : 0))
        #expect(pair.server.failedAttempts == 0)
    }

    @Test func unknownKeyQueryIsRefusedThenNextKeyWorks() throws {
        let pair = try AuthPair(
            serverConfiguration: authServerConfiguration(),
            credentials: [.publicKey(TestUserKeys.p256), .publicKey(TestUserKeys.ed25519)])
        pair.decide = Self.authorize(TestUserKeys.ed25519)
        pair.run()
        #expect(pair.requests.map(\.method.label) == ["publicKeyQuery", "publicKeyQuery", "publicKey"])
        #expect(pair.client?.isAuthenticated == true)
        // OpenSSH auth2.c counts a refused query; a query answered with PK_OK is not counted.
        #expect(pair.server.failedAttempts == 1)
    }

    @Test func clientPicksTheStrongestAnnouncedRSAAlgorithm() throws {
        let pair = try AuthPair(serverConfiguration: authServerConfiguration(), credentials: [.publicKey(TestUserKeys.rsa)])
        pair.decide = Self.authorize(TestUserKeys.rsa)
        pair.run()
        let algorithms = pair.requests.compactMap {
            if case .publicKey(let algorithm, _, _) = $0.method { algorithm } else { nil }
        }
        #expect(algorithms == ["rsa-sha2-512"])
    }

    @Test(arguments: ["ed25519", "p256", "rsa"])
    func hostBoundWithOurHostKeySucceeds(keyName: String) throws {
        let key = Case(keyName: keyName, algorithm: "", queryFirst: false).key
        let pair = try AuthPair(
            serverConfiguration: authServerConfiguration(), credentials: [.publicKey(key)], hostBound: true)
        pair.decide = Self.authorize(key)
        pair.run()
        #expect(pair.client?.isAuthenticated == true)
        #expect(pair.requests.map(\.method.label) == ["publicKeyQuery", "publicKeyHostBound"])
    }

    // MARK: - Refused without asking the application

    /// A signed request built by hand: `sign` gets the data the server will check and returns the
    /// signature blob to send.
    static func signedRequest(
        key: any SSHPrivateKey, algorithm: String, sessionIdentifier: [UInt8], hostKey: [UInt8]? = nil,
        signWith signingAlgorithm: String? = nil, signedSessionIdentifier: [UInt8]? = nil
    ) throws -> SSHMsgUserAuthRequest {
        let methodName = hostKey == nil ? SSHUserAuthMethod.Name.publicKey : SSHUserAuthMethod.Name.publicKeyHostBound
        let data = SSHMsgUserAuthRequest.publicKeySignedData(
            sessionIdentifier: signedSessionIdentifier ?? sessionIdentifier, userName: "alice",
            serviceName: "ssh-connection", methodName: methodName, algorithm: algorithm,
            publicKeyBlob: key.publicKey.wireBlob, hostKeyBlob: hostKey)
        let signature = try key.signature(for: data, algorithm: signingAlgorithm ?? algorithm)
        let blob = key.publicKey.wireBlob
        let method: SSHUserAuthMethod =
            if let hostKey {
                .publicKeyHostBound(algorithm: algorithm, publicKeyBlob: blob, hostKeyBlob: hostKey, signature: signature)
            } else {
                .publicKey(algorithm: algorithm, publicKeyBlob: blob, signature: signature)
            }
        return SSHMsgUserAuthRequest(userName: "alice", serviceName: "ssh-connection", method: method)
    }

    /// Sends `request` on an accepted ssh-userauth service; the application would accept anything.
    static func expectRefused(
        _ makeRequest: (AuthPair) throws -> SSHMsgUserAuthRequest,
        algorithms: [String] = SignatureAlgorithm.defaultNames,
        because reason: String
    ) throws {
        let pair = try AuthPair(serverConfiguration: authServerConfiguration(algorithms: algorithms))
        pair.decide = { _, _, _ in .success }
        try pair.sendRaw(SSHMsgServiceRequest(serviceName: "ssh-userauth"))
        try pair.sendRaw(try makeRequest(pair))
        #expect(pair.requests.isEmpty, "the application must not be asked")
        #expect(pair.failures.count == 1)
        #expect(pair.successes == 0)
        #expect(pair.rejections.count == 1)
        #expect(pair.rejections.first?.contains(reason) == true, "\(pair.rejections)")
        #expect(pair.server.failedAttempts == 1)
        #expect(pair.clientDisconnect == nil)
    }

    @Test(arguments: ["ed25519", "p256", "rsa"])
    func forgedSignatureFails(keyName: String) throws {
        let key = Case(keyName: keyName, algorithm: "", queryFirst: false).key
        let algorithm = key.publicKey.signatureAlgorithms[0]
        try Self.expectRefused({ pair in
            var request = try Self.signedRequest(key: key, algorithm: algorithm, sessionIdentifier: pair.sessionIdentifier)
            guard case .publicKey(let a, let b, let signature?) = request.method else { throw AuthPairError.keyExchangeFailed }
            var forged = signature
            forged[forged.count - 1] ^= 0x01  // flip a bit of the raw signature
            request.method = .publicKey(algorithm: a, publicKeyBlob: b, signature: forged)
            return request
        }, because: "signature verification failed")
    }

    @Test func signatureByAnotherKeyFails() throws {
        try Self.expectRefused({ pair in
            let real = try Self.signedRequest(
                key: TestUserKeys.ed25519, algorithm: "ssh-ed25519", sessionIdentifier: pair.sessionIdentifier)
            let other = try SSHKeyGenerator.generateEd25519()
            let theirs = try Self.signedRequest(key: other, algorithm: "ssh-ed25519", sessionIdentifier: pair.sessionIdentifier)
            guard case .publicKey(_, _, let signature) = theirs.method, case .publicKey(let a, let b, _) = real.method else {
                throw AuthPairError.keyExchangeFailed
            }
            return SSHMsgUserAuthRequest(
                userName: "alice", serviceName: "ssh-connection", method: .publicKey(algorithm: a, publicKeyBlob: b, signature: signature))
        }, because: "signature verification failed")
    }

    @Test func signatureOverAnotherSessionIdentifierFails() throws {
        try Self.expectRefused({ pair in
            try Self.signedRequest(
                key: TestUserKeys.ed25519, algorithm: "ssh-ed25519", sessionIdentifier: pair.sessionIdentifier,
                signedSessionIdentifier: [UInt8](repeating: 0x42, count: pair.sessionIdentifier.count))
        }, because: "signature verification failed")
    }

    @Test func signatureAlgorithmDifferentFromTheRequestFails() throws {
        // The request says rsa-sha2-512, the signature blob is rsa-sha2-256.
        try Self.expectRefused({ pair in
            try Self.signedRequest(
                key: TestUserKeys.rsa, algorithm: "rsa-sha2-512", sessionIdentifier: pair.sessionIdentifier,
                signWith: "rsa-sha2-256")
        }, because: "signature verification failed")
    }

    @Test func algorithmNotAcceptedFails() throws {
        try Self.expectRefused({ pair in
            try Self.signedRequest(
                key: TestUserKeys.p256, algorithm: "ecdsa-sha2-nistp256", sessionIdentifier: pair.sessionIdentifier)
        }, algorithms: ["ssh-ed25519", "rsa-sha2-512"], because: "not accepted")
    }

    @Test func legacySSHRSAIsNotAcceptedByDefault() throws {
        try Self.expectRefused({ pair in
            try Self.signedRequest(key: TestUserKeys.rsa, algorithm: "ssh-rsa", sessionIdentifier: pair.sessionIdentifier)
        }, because: "not accepted")
    }

    @Test(arguments: [("ed25519", "ecdsa-sha2-nistp256"), ("p256", "ssh-ed25519"), ("rsa", "ecdsa-sha2-nistp256"), ("ed25519", "rsa-sha2-256")])
    func keyTypeAlgorithmMismatchFails(keyName: String, algorithm: String) throws {
        let key = Case(keyName: keyName, algorithm: "", queryFirst: false).key
        try Self.expectRefused({ pair in
            // Signed with the key's own algorithm, labelled with another.
            let data = SSHMsgUserAuthRequest.publicKeySignedData(
                sessionIdentifier: pair.sessionIdentifier, userName: "alice", serviceName: "ssh-connection",
                methodName: "publickey", algorithm: algorithm, publicKeyBlob: key.publicKey.wireBlob, hostKeyBlob: nil)
            let signature = try key.signature(for: data, algorithm: key.publicKey.signatureAlgorithms[0])
            return SSHMsgUserAuthRequest(
                userName: "alice", serviceName: "ssh-connection",
                method: .publicKey(algorithm: algorithm, publicKeyBlob: key.publicKey.wireBlob, signature: signature))
        }, because: "cannot sign with")
    }

    @Test func queryWithMismatchedAlgorithmFailsToo() throws {
        try Self.expectRefused({ _ in
            SSHMsgUserAuthRequest(
                userName: "alice", serviceName: "ssh-connection",
                method: .publicKey(algorithm: "rsa-sha2-256", publicKeyBlob: TestUserKeys.ed25519.publicKey.wireBlob, signature: nil))
        }, because: "cannot sign with")
    }

    @Test func malformedKeyBlobFails() throws {
        try Self.expectRefused({ _ in
            var blob = TestUserKeys.ed25519.publicKey.wireBlob
            blob.removeLast()
            return SSHMsgUserAuthRequest(
                userName: "alice", serviceName: "ssh-connection",
                method: .publicKey(algorithm: "ssh-ed25519", publicKeyBlob: blob, signature: [0, 0, 0, 0]))
        }, because: "malformed public key")
    }

    @Test func hostBoundWithForeignHostKeyFails() throws {
        let foreign = try SSHKeyGenerator.generateEd25519().publicKey.wireBlob
        try Self.expectRefused({ pair in
            try Self.signedRequest(
                key: TestUserKeys.ed25519, algorithm: "ssh-ed25519", sessionIdentifier: pair.sessionIdentifier,
                hostKey: foreign)
        }, because: "not ours")
    }

    @Test func hostBoundSignedByHandWithOurKeySucceeds() throws {
        let pair = try AuthPair(serverConfiguration: authServerConfiguration())
        pair.decide = { _, _, _ in .success }
        try pair.sendRaw(SSHMsgServiceRequest(serviceName: "ssh-userauth"))
        try pair.sendRaw(
            try Self.signedRequest(
                key: TestUserKeys.p256, algorithm: "ecdsa-sha2-nistp256", sessionIdentifier: pair.sessionIdentifier,
                hostKey: pair.hostKeyBlob))
        #expect(pair.requests.map(\.method.label) == ["publicKeyHostBound"])
        #expect(pair.successes == 1)
    }
}
