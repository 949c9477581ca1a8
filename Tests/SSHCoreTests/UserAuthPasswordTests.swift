import SSHCrypto
import SSHWire
import Testing
@testable import SSHCore

/// Password, password change and MaxAuthAttempts (RFC 4252 §8, §4), client and server layers over
/// two real transports.
@Suite struct UserAuthPasswordTests {
    /// Accepts `alice` / `secret` only.
    static func checkPassword(_: UserAuthRequestID, user: String, method: UserAuthMethodRequest) -> UserAuthDecision? {
        guard case .password(let password) = method else { return .failure }
        return user == "alice" && password.testText == "secret" ? .success : .failure
    }

    @Test func rightPasswordSucceeds() throws {
        let pair = try AuthPair(
            serverConfiguration: authServerConfiguration(), credentials: [.none, .password(testSecret("secret"))])
        pair.decide = Self.checkPassword
        pair.run()
        #expect(pair.client?.isAuthenticated == true)
        #expect(pair.server.isAuthenticated)
        #expect(pair.authenticatedUsers == ["alice"])
        // "none" is not configured: refused by the layer, the application sees only the password.
        #expect(pair.requests.map(\.method.label) == ["password"])
        #expect(pair.failures.map(\.methods) == [["publickey", "password", "keyboard-interactive"]])
        #expect(pair.failures.map(\.partialSuccess) == [false])
        #expect(pair.successes == 1)
        #expect(pair.server.failedAttempts == 0)  // the first "none" is free (OpenSSH auth2.c)
        #expect(pair.clientDisconnect == nil)
    }

    @Test func wrongPasswordFails() throws {
        let pair = try AuthPair(serverConfiguration: authServerConfiguration(), credentials: [.password(testSecret("guess"))])
        pair.decide = Self.checkPassword
        pair.run()
        #expect(pair.client?.isAuthenticated == false)
        #expect(!pair.server.isAuthenticated)
        #expect(pair.requests.map(\.method.label) == ["password"])
        #expect(pair.failures.count == 1)
        #expect(pair.server.failedAttempts == 1)
        let last = try #require(pair.clientEvents.last)
        guard case .exhausted(let methods) = last else {
            Issue.record("expected the client to run out of credentials, got \(last)")
            return
        }
        #expect(methods == ["publickey", "password", "keyboard-interactive"])
    }

    @Test func passwordIsWipedAfterTheDecision() throws {
        let pair = try AuthPair(serverConfiguration: authServerConfiguration(), credentials: [.password(testSecret("guess"))])
        pair.run()
        let request = try #require(pair.requests.first)
        guard case .password(let password) = request.method else {
            Issue.record("expected a password request")
            return
        }
        #expect(password.testText == "guess")
        #expect(pair.server.complete(request.id, .failure))
        #expect(password.bytes.allSatisfy { $0 == 0 })
    }

    @Test func expiredPasswordIsChanged() throws {
        let pair = try AuthPair(serverConfiguration: authServerConfiguration(), credentials: [.password(testSecret("old"))])
        pair.newPassword = testSecret("new")
        pair.decide = { _, _, method in
            switch method {
            case .password(let password):
                return password.testText == "old" ? .passwordChangeRequired(prompt: "Password expired") : .failure
            case .passwordChange(let old, let new):
                return old.testText == "old" && new.testText == "new" ? .success : .failure
            default:
                return .failure
            }
        }
        pair.run()
        #expect(pair.requests.map(\.method.label) == ["password", "passwordChange"])
        let prompts = pair.clientEvents.compactMap {
            if case .passwordChangeRequested(let prompt) = $0 { prompt } else { nil }
        }
        #expect(prompts == ["Password expired"])
        #expect(pair.client?.isAuthenticated == true)
        #expect(pair.authenticatedUsers == ["alice"])
    }

    @Test func rejectedNewPasswordIsAskedAgainThenGivenUp() throws {
        let pair = try AuthPair(serverConfiguration: authServerConfiguration(), credentials: [.password(testSecret("old"))])
        pair.newPassword = testSecret("weak")
        pair.decide = { _, _, method in
            switch method {
            case .password, .passwordChange: .passwordChangeRequired(prompt: "Choose a stronger password")
            default: .failure
            }
        }
        pair.run()
        // password → CHANGEREQ → change → CHANGEREQ → change → … until MaxAuthAttempts (6).
        #expect(pair.requests.count == UserAuthLimits.defaultMaximumAttempts)
        #expect(pair.clientDisconnect?.reason == SSHDisconnectReason.noMoreAuthMethodsAvailable.rawValue)
    }

    @Test(arguments: [1, 3, 6])
    func maxAuthAttemptsDisconnectsWithReason14(limit: Int) throws {
        let guesses = (0..<10).map { UserAuthCredential.password(testSecret("guess\($0)")) }
        let pair = try AuthPair(
            serverConfiguration: authServerConfiguration(maximumAttempts: limit), credentials: [.none] + guesses)
        pair.decide = Self.checkPassword
        pair.run()
        #expect(pair.requests.count == limit)
        // The limit-reaching failure is replaced by the disconnect.
        #expect(pair.failures.count == limit)  // the free "none" + limit − 1 password failures
        #expect(pair.server.failedAttempts == limit)
        let disconnect = try #require(pair.clientDisconnect)
        #expect(disconnect.reason == SSHDisconnectReason.noMoreAuthMethodsAvailable.rawValue)
        #expect(disconnect.byPeer)
        #expect(pair.engines.server.isClosed)
    }

    @Test func repeatedNoneRequestsCount() throws {
        let pair = try AuthPair(serverConfiguration: authServerConfiguration(maximumAttempts: 3))
        try pair.sendRaw(SSHMsgServiceRequest(serviceName: "ssh-userauth"))
        for _ in 0..<5 {
            try? pair.sendRaw(SSHMsgUserAuthRequest(userName: "alice", serviceName: "ssh-connection", method: .none))
        }
        // OpenSSH auth2.c: only an initial "none" is free, so requests 2–4 count and the 4th ends it.
        #expect(pair.failures.count == 3)
        #expect(pair.clientDisconnect?.reason == SSHDisconnectReason.noMoreAuthMethodsAvailable.rawValue)
    }
}
