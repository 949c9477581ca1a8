import SSHCrypto
import SSHWire
import Testing
@testable import SSHCore

/// Garbage a client may send to the server layer: the RFC's answer (FAILURE) or a disconnect with
/// the right reason, never a trap. Driven directly, without transports, so the sweep is fast.
@Suite struct UserAuthHostileInputTests {
    /// A server that has accepted the ssh-userauth service and accepts every decision it is asked for.
    static func acceptedServer(methods: [String] = ["none", "publickey", "password", "keyboard-interactive"]) -> UserAuthServer {
        let server = UserAuthServer(
            configuration: UserAuthServerConfiguration(
                methods: methods, sessionIdentifier: [UInt8](repeating: 7, count: 32),
                hostKeyBlobs: [TestHostKeys.ed25519.publicKey.wireBlob]))
        server.receive(SSHMsgServiceRequest(serviceName: "ssh-userauth").encoded())
        _ = server.takeOutgoing()
        return server
    }

    static func events(_ server: UserAuthServer) -> [UserAuthServerEvent] {
        var events: [UserAuthServerEvent] = []
        while let event = server.nextEvent() { events.append(event) }
        return events
    }

    static func disconnectReason(_ events: [UserAuthServerEvent]) -> SSHDisconnectReason? {
        for event in events { if case .disconnect(let reason, _) = event { return reason } }
        return nil
    }

    static func askedApplication(_ events: [UserAuthServerEvent]) -> Bool {
        events.contains { if case .authenticationRequested = $0 { true } else { false } }
    }

    /// A USERAUTH_REQUEST for alice / ssh-connection with `method` and raw method fields.
    static func request(user: [UInt8] = Array("alice".utf8), method: String, fields: (inout SSHWriter) -> Void = { _ in }) -> [UInt8] {
        SSHWriter.encode { writer in
            writer.writeByte(SSHMessageNumber.userAuthRequest)
            writer.writeString(user)
            writer.writeText("ssh-connection")
            writer.writeText(method)
            fields(&writer)
        }
    }

    /// Sends a keyboard-interactive request; returns the id the application is asked to decide.
    static func startKeyboardInteractive(_ server: UserAuthServer) -> UserAuthRequestID? {
        server.receive(
            SSHMsgUserAuthRequest(
                userName: "alice", serviceName: "ssh-connection", method: .keyboardInteractive(languageTag: "", submethods: "")
            ).encoded())
        guard case .authenticationRequested(let id, _, _, _)? = events(server).first else { return nil }
        return id
    }

    // MARK: - Answered with FAILURE

    @Test(arguments: ["gssapi-with-mic", "foo", "PASSWORD", "publickey-hostbound@openssh.com", ""])
    func unknownMethodFailsWithoutAsking(method: String) throws {
        let server = Self.acceptedServer()
        server.receive(Self.request(method: method) { $0.writeBytes([1, 2, 3]) })
        let events = Self.events(server)
        #expect(!Self.askedApplication(events))
        #expect(Self.disconnectReason(events) == nil)
        let replies = server.takeOutgoing()
        #expect(replies.count == 1)
        #expect(try SSHMsgUserAuthFailure.decode(replies[0]).methods == ["publickey", "password", "keyboard-interactive"])
    }

    @Test func hostBasedIsNotSupported() throws {
        let server = Self.acceptedServer()
        server.receive(
            SSHMsgUserAuthRequest(
                userName: "alice", serviceName: "ssh-connection",
                method: .hostBased(
                    algorithm: "ssh-ed25519", hostKeyBlob: TestHostKeys.ed25519.publicKey.wireBlob,
                    clientHostName: "h", clientUserName: "alice", signature: [0])
            ).encoded())
        #expect(!Self.askedApplication(Self.events(server)))
        #expect(server.takeOutgoing().count == 1)
    }

    @Test func overlongPasswordFailsWithoutAsking() throws {
        let server = Self.acceptedServer()
        let password = String(repeating: "p", count: UserAuthLimits.maximumPasswordLength + 1)
        server.receive(
            SSHMsgUserAuthRequest(
                userName: "alice", serviceName: "ssh-connection", method: .password(password: password, newPassword: nil)
            ).encoded())
        #expect(!Self.askedApplication(Self.events(server)))
        #expect(server.failedAttempts == 1)
    }

    @Test func methodNotConfiguredFailsWithoutAsking() throws {
        let server = Self.acceptedServer(methods: ["publickey"])
        server.receive(
            SSHMsgUserAuthRequest(userName: "alice", serviceName: "ssh-connection", method: .password(password: "x", newPassword: nil))
                .encoded())
        let events = Self.events(server)
        #expect(!Self.askedApplication(events))
        #expect(try SSHMsgUserAuthFailure.decode(server.takeOutgoing()[0]).methods == ["publickey"])
    }

    // MARK: - Ending the connection

    struct Garbage: CustomTestStringConvertible, Sendable {
        var name: String
        var payload: [UInt8]
        var reason: SSHDisconnectReason
        var testDescription: String { name }
    }

    static let garbage: [Garbage] = [
        Garbage(name: "empty payload", payload: [], reason: .protocolError),
        Garbage(name: "password without its string", payload: request(method: "password") { $0.writeBool(false) }, reason: .protocolError),
        Garbage(name: "password change without the new password", payload: request(method: "password") {
            $0.writeBool(true)
            $0.writeText("old")
        }, reason: .protocolError),
        Garbage(name: "publickey without blob", payload: request(method: "publickey") {
            $0.writeBool(true)
            $0.writeText("ssh-ed25519")
        }, reason: .protocolError),
        Garbage(name: "publickey with signature flag but no signature", payload: request(method: "publickey") {
            $0.writeBool(true)
            $0.writeText("ssh-ed25519")
            $0.writeString(TestHostKeys.ed25519.publicKey.wireBlob)
        }, reason: .protocolError),
        Garbage(name: "hostbound without host key", payload: request(method: "publickey-hostbound-v00@openssh.com") {
            $0.writeBool(false)
            $0.writeText("ssh-ed25519")
            $0.writeString(TestHostKeys.ed25519.publicKey.wireBlob)
        }, reason: .protocolError),
        Garbage(name: "keyboard-interactive without submethods", payload: request(method: "keyboard-interactive") {
            $0.writeText("")
        }, reason: .protocolError),
        Garbage(name: "none with trailing bytes", payload: request(method: "none") { $0.writeByte(0) }, reason: .protocolError),
        Garbage(name: "string length past the end", payload: request(method: "password") {
            $0.writeBool(false)
            $0.writeUInt32(1000)
        }, reason: .protocolError),
        Garbage(name: "user name not UTF-8", payload: request(user: [0xff, 0xfe], method: "none"), reason: .protocolError),
        Garbage(name: "user name with NUL", payload: request(user: Array("root\u{0}x".utf8), method: "none"), reason: .illegalUserName),
        Garbage(
            name: "user name too long",
            payload: request(user: [UInt8](repeating: 0x61, count: UserAuthLimits.maximumUserNameLength + 1), method: "none"),
            reason: .illegalUserName),
        Garbage(name: "INFO_RESPONSE out of turn", payload: SSHMsgUserAuthInfoResponse(responses: ["x"]).encoded(), reason: .protocolError),
        Garbage(name: "PK_OK from a client", payload: SSHMsgUserAuthPKOK(algorithm: "ssh-ed25519", publicKeyBlob: []).encoded(), reason: .protocolError),
        Garbage(name: "method message 79", payload: [79, 1, 2, 3], reason: .protocolError),
        Garbage(name: "FAILURE from a client", payload: SSHMsgUserAuthFailure(methods: ["password"], partialSuccess: false).encoded(), reason: .protocolError),
        Garbage(name: "channel open before authentication", payload: [90, 0, 0, 0, 7], reason: .protocolError),
        Garbage(name: "second service request", payload: SSHMsgServiceRequest(serviceName: "ssh-userauth").encoded(), reason: .protocolError),
        Garbage(name: "service request for another service", payload: SSHMsgServiceRequest(serviceName: "ssh-connection").encoded(), reason: .serviceNotAvailable),
    ]

    @Test(arguments: garbage)
    func garbageDisconnectsWithTheRightReason(_ g: Garbage) {
        let server = Self.acceptedServer()
        server.receive(g.payload)
        let events = Self.events(server)
        #expect(Self.disconnectReason(events) == g.reason)
        #expect(!Self.askedApplication(events))
        #expect(server.isClosed)
        // Closed for good: nothing more is answered.
        server.receive(SSHMsgUserAuthRequest(userName: "alice", serviceName: "ssh-connection", method: .none).encoded())
        #expect(Self.events(server).isEmpty)
        #expect(server.takeOutgoing().isEmpty)
    }

    @Test func tooManyInfoResponsesDisconnect() {
        let server = Self.acceptedServer()
        guard let id = Self.startKeyboardInteractive(server) else {
            Issue.record("expected a keyboard-interactive request")
            return
        }
        server.complete(id, .infoRequest(name: "", instruction: "", prompts: [SSHKeyboardInteractivePrompt(prompt: "p", echo: false)]))
        let payload = SSHWriter.encode { writer in
            writer.writeByte(SSHMessageNumber.userAuthInfoResponse)
            writer.writeUInt32(UInt32(SSHWireLimits.maximumKeyboardInteractiveResponseCount + 1))
            for _ in 0...SSHWireLimits.maximumKeyboardInteractiveResponseCount { writer.writeText("x") }
        }
        server.receive(payload)
        #expect(Self.disconnectReason(Self.events(server)) == .protocolError)
    }

    @Test func applicationPromptsBeyondTheLimitFail() throws {
        let server = Self.acceptedServer()
        guard let id = Self.startKeyboardInteractive(server) else {
            Issue.record("expected a keyboard-interactive request")
            return
        }
        let prompts = Array(repeating: SSHKeyboardInteractivePrompt(prompt: "p", echo: false), count: UserAuthLimits.maximumPromptCount + 1)
        server.complete(id, .infoRequest(name: "", instruction: "", prompts: prompts))
        let replies = server.takeOutgoing()
        #expect(replies.count == 1)
        #expect((try? SSHMsgUserAuthFailure.decode(replies[0])) != nil)
    }

    @Test func mismatchedDecisionsAreReadSafely() throws {
        // An infoRequest for a password request, a PK_OK for a none request: both are failures.
        let server = Self.acceptedServer()
        server.receive(
            SSHMsgUserAuthRequest(userName: "alice", serviceName: "ssh-connection", method: .password(password: "x", newPassword: nil))
                .encoded())
        guard case .authenticationRequested(let first, _, _, _)? = Self.events(server).first else {
            Issue.record("expected a request")
            return
        }
        server.complete(first, .infoRequest(name: "", instruction: "", prompts: []))
        server.receive(SSHMsgUserAuthRequest(userName: "alice", serviceName: "ssh-connection", method: .none).encoded())
        guard case .authenticationRequested(let second, _, _, _)? = Self.events(server).first else {
            Issue.record("expected a request")
            return
        }
        server.complete(second, .publicKeyAcceptable)
        let replies = server.takeOutgoing()
        #expect(replies.count == 2)
        #expect(replies.allSatisfy { (try? SSHMsgUserAuthFailure.decode($0)) != nil })
        #expect(!server.isAuthenticated)
    }

    /// Random payloads with every number the layer may be fed; seeds fixed so failures reproduce.
    @Test(arguments: 0..<8)
    func randomPayloadsNeverTrap(seed: Int) {
        var generator = SeededGenerator(seed: UInt64(seed))
        let numbers: [UInt8] = [5, 50, 50, 50, 60, 61, 79, 80, 94, 255]
        for _ in 0..<300 {
            let server = Self.acceptedServer()
            var payload = [numbers[Int.random(in: 0..<numbers.count, using: &generator)]]
            if Bool.random(using: &generator) {
                // A well-formed prefix with a random tail reaches the method parsers.
                payload = Self.request(method: ["none", "password", "publickey", "keyboard-interactive", "publickey-hostbound-v00@openssh.com"][
                    Int.random(in: 0..<5, using: &generator)])
            }
            payload += [UInt8].random(count: Int.random(in: 0..<64, using: &generator), using: &generator)
            server.receive(payload)
            let events = Self.events(server)
            if let reason = Self.disconnectReason(events) {
                #expect([.protocolError, .illegalUserName, .serviceNotAvailable].contains(reason))
            }
        }
    }
}
