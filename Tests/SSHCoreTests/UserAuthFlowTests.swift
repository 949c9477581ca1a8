import SSHCrypto
import SSHWire
import Testing
@testable import SSHCore

/// keyboard-interactive (RFC 4256), multi-factor chains, the banner, superseded decisions and
/// the end of authentication (RFC 4252 §5).
@Suite struct UserAuthFlowTests {
    static let twoPrompts = [
        SSHKeyboardInteractivePrompt(prompt: "Login: ", echo: true),
        SSHKeyboardInteractivePrompt(prompt: "Password: ", echo: false),
    ]

    // MARK: - keyboard-interactive

    @Test func keyboardInteractiveTwoPromptsThenSuccess() throws {
        let pair = try AuthPair(
            serverConfiguration: authServerConfiguration(), credentials: [.keyboardInteractive(submethods: "pam")])
        var seenPrompts: [SSHKeyboardInteractivePrompt] = []
        pair.answerPrompts = { prompts in
            seenPrompts = prompts
            return prompts.map { $0.echo ? "alice" : "s3cret" }
        }
        pair.decide = { _, _, method in
            switch method {
            case .keyboardInteractiveStarted(let submethods):
                submethods == "pam"
                    ? .infoRequest(name: "Login", instruction: "Two questions", prompts: Self.twoPrompts) : .failure
            case .keyboardInteractiveResponses(let responses):
                responses.map(\.testText) == ["alice", "s3cret"] ? .success : .failure
            default:
                .failure
            }
        }
        pair.run()
        #expect(seenPrompts == Self.twoPrompts)
        let infos = pair.clientEvents.compactMap {
            if case .infoRequested(let name, let instruction, _) = $0 { "\(name)|\(instruction)" } else { nil }
        }
        #expect(infos == ["Login|Two questions"])
        #expect(pair.requests.map(\.method.label) == ["keyboardInteractiveStarted", "keyboardInteractiveResponses"])
        #expect(pair.client?.isAuthenticated == true)
        #expect(pair.server.failedAttempts == 0)
    }

    @Test func keyboardInteractiveSecondRoundThenFailure() throws {
        let pair = try AuthPair(serverConfiguration: authServerConfiguration(), credentials: [.keyboardInteractive()])
        pair.answerPrompts = { $0.map { _ in "x" } }
        var rounds = 0
        pair.decide = { _, _, method in
            switch method {
            case .keyboardInteractiveStarted:
                return .infoRequest(name: "", instruction: "", prompts: [Self.twoPrompts[1]])
            case .keyboardInteractiveResponses:
                rounds += 1
                return rounds == 1 ? .infoRequest(name: "", instruction: "again", prompts: Self.twoPrompts) : .failure
            default:
                return .failure
            }
        }
        pair.run()
        #expect(rounds == 2)
        #expect(pair.failures.count == 1)
        #expect(pair.server.failedAttempts == 1)  // one attempt, however many prompts
    }

    @Test(arguments: [0, 1, 3])
    func keyboardInteractiveWrongResponseCountFails(count: Int) throws {
        let pair = try AuthPair(serverConfiguration: authServerConfiguration())
        pair.decide = { _, _, method in
            if case .keyboardInteractiveStarted = method {
                return .infoRequest(name: "", instruction: "", prompts: Self.twoPrompts)
            }
            return .success  // would accept anything that reached it
        }
        try pair.sendRaw(SSHMsgServiceRequest(serviceName: "ssh-userauth"))
        try pair.sendRaw(
            SSHMsgUserAuthRequest(
                userName: "alice", serviceName: "ssh-connection",
                method: .keyboardInteractive(languageTag: "", submethods: "")))
        try pair.sendRaw(SSHMsgUserAuthInfoResponse(responses: Array(repeating: "x", count: count)))
        #expect(pair.requests.map(\.method.label) == ["keyboardInteractiveStarted"])
        #expect(pair.failures.count == 1)
        #expect(pair.successes == 0)
        #expect(pair.rejections.first?.contains("responses to 2 prompts") == true)
    }

    @Test func infoResponseWithoutRequestDisconnects() throws {
        let pair = try AuthPair(serverConfiguration: authServerConfiguration())
        try pair.sendRaw(SSHMsgServiceRequest(serviceName: "ssh-userauth"))
        try pair.sendRaw(SSHMsgUserAuthInfoResponse(responses: ["x"]))
        #expect(pair.clientDisconnect?.reason == SSHDisconnectReason.protocolError.rawValue)
    }

    // MARK: - Multi-factor (RFC 4252 §5.1)

    @Test func publicKeyThenPasswordWithPartialSuccess() throws {
        let key = TestUserKeys.ed25519
        let pair = try AuthPair(
            serverConfiguration: authServerConfiguration(methods: ["publickey", "password"]),
            credentials: [.none, .publicKey(key), .password(testSecret("secret"))])
        pair.decide = { _, _, method in
            switch method {
            case .publicKeyQuery: .publicKeyAcceptable
            case .publicKey: .partialSuccess(remainingMethods: nil)
            case .password(let password): password.testText == "secret" ? .success : .failure
            default: .failure
            }
        }
        pair.run()
        #expect(pair.failures.map(\.methods) == [["publickey", "password"], ["password"]])
        #expect(pair.failures.map(\.partialSuccess) == [false, true])
        let partial = pair.clientEvents.compactMap {
            if case .partialSuccess(let method, let methods) = $0 { "\(method)->\(methods)" } else { nil }
        }
        #expect(partial == ["publickey->[\"password\"]"])
        #expect(pair.client?.isAuthenticated == true)
        #expect(pair.server.failedAttempts == 0)
    }

    @Test func partialSuccessWithRemainingMethodsNarrowsTheChain() throws {
        let pair = try AuthPair(serverConfiguration: authServerConfiguration(methods: ["publickey", "password", "keyboard-interactive"]))
        pair.decide = { _, _, method in
            switch method {
            case .password: .partialSuccess(remainingMethods: ["keyboard-interactive"])
            default: .success
            }
        }
        try pair.sendRaw(SSHMsgServiceRequest(serviceName: "ssh-userauth"))
        let password = SSHMsgUserAuthRequest(
            userName: "alice", serviceName: "ssh-connection", method: .password(password: "pw", newPassword: nil))
        try pair.sendRaw(password)
        // The password factor is done: asking for it again is refused without the application.
        try pair.sendRaw(password)
        #expect(pair.failures.map(\.methods) == [["keyboard-interactive"], ["keyboard-interactive"]])
        #expect(pair.failures.map(\.partialSuccess) == [true, false])
        #expect(pair.requests.count == 1)
        // A change of user starts a new chain (RFC 4252 §5).
        try pair.sendRaw(
            SSHMsgUserAuthRequest(userName: "bob", serviceName: "ssh-connection", method: .password(password: "pw", newPassword: nil)))
        #expect(pair.requests.map(\.user) == ["alice", "bob"])
        #expect(pair.failures.last?.methods == ["keyboard-interactive"])
    }

    @Test func applicationOverridesTheAvailableMethods() throws {
        let pair = try AuthPair(serverConfiguration: authServerConfiguration())
        try pair.sendRaw(SSHMsgServiceRequest(serviceName: "ssh-userauth"))
        try pair.sendRaw(
            SSHMsgUserAuthRequest(userName: "alice", serviceName: "ssh-connection", method: .password(password: "pw", newPassword: nil)))
        let request = try #require(pair.requests.first)
        #expect(pair.server.complete(request.id, .failure, availableMethods: ["publickey"]))
        pair.run()
        #expect(pair.failures.map(\.methods) == [["publickey"]])
    }

    // MARK: - Banner (RFC 4252 §5.4)

    @Test func bannerIsSentOnceBeforeTheFirstReply() throws {
        let pair = try AuthPair(
            serverConfiguration: authServerConfiguration(banner: "Authorized use only\r\n"),
            credentials: [.none, .password(testSecret("wrong")), .password(testSecret("secret"))])
        pair.decide = UserAuthPasswordTests.checkPassword
        pair.run()
        let banners = pair.clientEvents.compactMap { if case .banner(let text) = $0 { text } else { nil } }
        #expect(banners == ["Authorized use only\r\n"])
        // First thing the client hears after SERVICE_ACCEPT.
        let afterAccept = pair.receivedByClient.drop { if case .serviceAccept = $0 { false } else { true } }.dropFirst()
        guard case .userAuthBanner = afterAccept.first else {
            Issue.record("banner not first: \(afterAccept.map(\.number))")
            return
        }
        #expect(pair.client?.isAuthenticated == true)
    }

    @Test func bannerSetDuringTheFirstDecisionIsSent() throws {
        let pair = try AuthPair(serverConfiguration: authServerConfiguration(), credentials: [.password(testSecret("x"))])
        pair.run()
        let request = try #require(pair.requests.first)
        pair.server.banner = "Per-connection banner"
        pair.server.complete(request.id, .failure)
        pair.run()
        let banners = pair.clientEvents.compactMap { if case .banner(let text) = $0 { text } else { nil } }
        #expect(banners == ["Per-connection banner"])
    }

    // MARK: - Superseded and late decisions (RFC 4252 §5)

    @Test func lateDecisionForSupersededRequestIsIgnored() throws {
        let pair = try AuthPair(serverConfiguration: authServerConfiguration())
        try pair.sendRaw(SSHMsgServiceRequest(serviceName: "ssh-userauth"))
        try pair.sendRaw(
            SSHMsgUserAuthRequest(userName: "alice", serviceName: "ssh-connection", method: .password(password: "one", newPassword: nil)))
        let first = try #require(pair.requests.first)
        try pair.sendRaw(
            SSHMsgUserAuthRequest(userName: "alice", serviceName: "ssh-connection", method: .password(password: "two", newPassword: nil)))
        #expect(pair.requests.count == 2)
        let second = pair.requests[1]
        #expect(first.id != second.id)
        #expect(pair.server.pendingRequest == second.id)
        // The superseded request's password is already wiped.
        if case .password(let password) = first.method { #expect(password.bytes.allSatisfy { $0 == 0 }) }

        #expect(!pair.server.complete(first.id, .success))
        pair.run()
        #expect(pair.successes == 0 && pair.failures.isEmpty)
        #expect(!pair.server.isAuthenticated)

        #expect(pair.server.complete(second.id, .failure))
        #expect(!pair.server.complete(second.id, .success))  // completed once only
        pair.run()
        #expect(pair.failures.count == 1 && pair.successes == 0)
    }

    // MARK: - After success (RFC 4252 §5.1)

    @Test func requestsAfterSuccessAreIgnored() throws {
        let pair = try AuthPair(serverConfiguration: authServerConfiguration(methods: ["none", "password"]))
        pair.decide = { _, _, _ in .success }
        try pair.sendRaw(SSHMsgServiceRequest(serviceName: "ssh-userauth"))
        try pair.sendRaw(SSHMsgUserAuthRequest(userName: "alice", serviceName: "ssh-connection", method: .none))
        #expect(pair.successes == 1)
        let heard = pair.receivedByClient.count
        try pair.sendRaw(SSHMsgUserAuthRequest(userName: "bob", serviceName: "ssh-connection", method: .none))
        try pair.sendRaw(
            SSHMsgUserAuthRequest(userName: "alice", serviceName: "ssh-connection", method: .password(password: "x", newPassword: nil)))
        try pair.sendRaw(SSHMsgUserAuthInfoResponse(responses: []))
        #expect(pair.receivedByClient.count == heard)
        #expect(pair.requests.count == 1)
        #expect(pair.authenticatedUsers == ["alice"])
        #expect(pair.server.authenticatedUser == "alice")
        #expect(pair.clientDisconnect == nil)
    }

    // MARK: - Services

    @Test func requestForAnotherServiceFails() throws {
        let pair = try AuthPair(serverConfiguration: authServerConfiguration())
        pair.decide = { _, _, _ in .success }
        try pair.sendRaw(SSHMsgServiceRequest(serviceName: "ssh-userauth"))
        try pair.sendRaw(
            SSHMsgUserAuthRequest(userName: "alice", serviceName: "ssh-foo", method: .password(password: "x", newPassword: nil)))
        #expect(pair.requests.isEmpty)
        #expect(pair.failures.count == 1)
        #expect(pair.successes == 0)
        #expect(pair.rejections.first?.contains("ssh-foo") == true)
    }

    @Test func serviceRequestForAnotherServiceDisconnectsWithReason7() throws {
        let pair = try AuthPair(serverConfiguration: authServerConfiguration())
        try pair.sendRaw(SSHMsgServiceRequest(serviceName: "ssh-connection"))
        #expect(pair.clientDisconnect?.reason == SSHDisconnectReason.serviceNotAvailable.rawValue)
        #expect(pair.engines.server.isClosed)
    }

    @Test func requestBeforeServiceAcceptDisconnects() throws {
        let pair = try AuthPair(serverConfiguration: authServerConfiguration())
        try pair.sendRaw(SSHMsgUserAuthRequest(userName: "alice", serviceName: "ssh-connection", method: .none))
        #expect(pair.clientDisconnect?.reason == SSHDisconnectReason.protocolError.rawValue)
    }
}
