import SSHCrypto
import SSHWire

/// The client side of user authentication (RFC 4252, RFC 4256) as a sans-I/O state machine.
///
/// ``start()`` asks for the `ssh-userauth` service; the configured credentials are then tried in
/// order, each only if the server's last FAILURE lists its method. The owner passes the transport's
/// payloads to ``receive(_:)``, sends ``takeOutgoing()`` and handles ``nextEvent()``.
public final class UserAuthClient {
    public let configuration: UserAuthClientConfiguration
    /// The methods the server last said can continue.
    public private(set) var serverMethods: [String]?
    public var isAuthenticated: Bool { if case .authenticated = state { true } else { false } }

    private var state: State = .notStarted
    private var remaining: [UserAuthCredential]
    private var queues = UserAuthQueues<UserAuthClientEvent>()

    public init(configuration: UserAuthClientConfiguration) {
        self.configuration = configuration
        self.remaining = configuration.credentials
    }

    // MARK: - Output

    public func takeOutgoing() -> [[UInt8]] {
        queues.takeOutgoing()
    }

    public func nextEvent() -> UserAuthClientEvent? {
        queues.nextEvent()
    }

    // MARK: - Input

    /// Sends `SSH_MSG_SERVICE_REQUEST` for `ssh-userauth` (RFC 4253 §10).
    public func start() {
        guard case .notStarted = state else { return }
        queue(SSHMsgServiceRequest(serviceName: UserAuthServer.userAuthService))
        state = .awaitingServiceAccept
    }

    /// Takes one payload the transport delivered (service accept, messages 50–79).
    public func receive(_ payload: [UInt8]) {
        switch state {
        case .closed, .authenticated, .exhausted:
            return
        case .notStarted, .awaitingServiceAccept, .awaitingReply, .awaitingApplication:
            break
        }
        let message: SSHMessage
        do {
            message = try SSHMessage.decode(payload)
        } catch {
            close("malformed authentication message: \(error)")
            return
        }
        switch message {
        case .serviceAccept(let accept):
            guard case .awaitingServiceAccept = state, accept.serviceName == UserAuthServer.userAuthService else {
                close("unexpected SERVICE_ACCEPT")
                return
            }
            tryNext()
        case .userAuthBanner(let banner):
            queues.emit(.banner(banner.message))
        case .userAuthSuccess:
            guard case .awaitingReply = state else {
                close("unexpected USERAUTH_SUCCESS")
                return
            }
            state = .authenticated
            queues.emit(.authenticated)
        case .userAuthFailure(let failure):
            guard case .awaitingReply(let attempt) = state else {
                close("unexpected USERAUTH_FAILURE")
                return
            }
            serverMethods = failure.methods
            let method = attempt.credential.methodName
            if failure.partialSuccess {
                queues.emit(.partialSuccess(method: method, methods: failure.methods))
            } else {
                queues.emit(.methodFailed(method: method, methods: failure.methods))
            }
            tryNext()
        case .userAuthMethod(let number, let payload):
            handleMethodMessage(number: number, payload: payload)
        default:
            close("message \(message.number) is not allowed during user authentication")
        }
    }

    // MARK: - Answers

    /// Answers ``UserAuthClientEvent/passwordChangeRequested(prompt:)``: `nil` gives up on the
    /// password and moves to the next credential.
    public func changePassword(to newPassword: SecureBytes?) {
        guard case .awaitingApplication(let attempt) = state, case .password(let old) = attempt.credential else { return }
        guard let newPassword else {
            tryNext()
            return
        }
        send(
            .password(password: Self.text(old), newPassword: Self.text(newPassword)),
            attempt: Attempt(credential: attempt.credential, step: .passwordChange))
    }

    /// Answers ``UserAuthClientEvent/infoRequested(name:instruction:prompts:)`` with one response
    /// per prompt (RFC 4256 §3.4).
    public func respond(_ responses: [String]) {
        guard case .awaitingApplication(let attempt) = state, attempt.step == .keyboardInteractivePrompts else { return }
        queue(SSHMsgUserAuthInfoResponse(responses: responses))
        state = .awaitingReply(Attempt(credential: attempt.credential, step: .keyboardInteractive))
    }

    // MARK: - Attempts

    private func tryNext() {
        while !remaining.isEmpty {
            let credential = remaining.removeFirst()
            if let serverMethods, !serverMethods.contains(credential.methodName) { continue }
            if begin(credential) { return }
        }
        state = .exhausted
        queues.emit(.exhausted(methods: serverMethods ?? []))
    }

    /// Sends the first request for `credential`; false when it cannot be used (a key that cannot sign).
    private func begin(_ credential: UserAuthCredential) -> Bool {
        switch credential {
        case .none:
            send(.none, attempt: Attempt(credential: credential, step: .single))
        case .password(let password):
            send(.password(password: Self.text(password), newPassword: nil), attempt: Attempt(credential: credential, step: .single))
        case .keyboardInteractive(let submethods):
            send(
                .keyboardInteractive(languageTag: "", submethods: submethods),
                attempt: Attempt(credential: credential, step: .keyboardInteractive))
        case .publicKey(let key, let algorithm, let queryFirst):
            let algorithm = algorithm ?? chooseAlgorithm(for: key.publicKey)
            if queryFirst {
                send(
                    publicKeyMethod(key, algorithm: algorithm, signature: nil),
                    attempt: Attempt(credential: credential, step: .publicKeyQuery(algorithm)))
                return true
            }
            return sendSigned(credential, key: key, algorithm: algorithm)
        }
        return true
    }

    private func sendSigned(_ credential: UserAuthCredential, key: any SSHPrivateKey, algorithm: String) -> Bool {
        let methodName =
            configuration.hostBoundHostKey == nil
            ? SSHUserAuthMethod.Name.publicKey : SSHUserAuthMethod.Name.publicKeyHostBound
        let data = SSHMsgUserAuthRequest.publicKeySignedData(
            sessionIdentifier: configuration.sessionIdentifier, userName: configuration.user,
            serviceName: configuration.service, methodName: methodName, algorithm: algorithm,
            publicKeyBlob: key.publicKey.wireBlob, hostKeyBlob: configuration.hostBoundHostKey)
        guard let signature = try? key.signature(for: data, algorithm: algorithm) else { return false }
        send(
            publicKeyMethod(key, algorithm: algorithm, signature: signature),
            attempt: Attempt(credential: credential, step: .single))
        return true
    }

    private func publicKeyMethod(_ key: any SSHPrivateKey, algorithm: String, signature: [UInt8]?) -> SSHUserAuthMethod {
        let blob = key.publicKey.wireBlob
        if let hostKey = configuration.hostBoundHostKey {
            return .publicKeyHostBound(algorithm: algorithm, publicKeyBlob: blob, hostKeyBlob: hostKey, signature: signature)
        }
        return .publicKey(algorithm: algorithm, publicKeyBlob: blob, signature: signature)
    }

    /// RFC 8332 §3.3: for RSA, the first of the key's algorithms the server announced.
    private func chooseAlgorithm(for key: any SSHPublicKey) -> String {
        let algorithms = key.signatureAlgorithms
        if let announced = configuration.serverSignatureAlgorithms,
            let match = algorithms.first(where: { announced.contains($0) })
        {
            return match
        }
        return algorithms.first ?? key.keyType
    }

    private func handleMethodMessage(number: UInt8, payload: [UInt8]) {
        guard case .awaitingReply(let attempt) = state else {
            close("unexpected user-authentication message \(number)")
            return
        }
        do {
            switch attempt.step {
            case .publicKeyQuery(let algorithm):
                let ok = try SSHMsgUserAuthPKOK.decode(payload)
                guard case .publicKey(let key, _, _) = attempt.credential, ok.algorithm == algorithm,
                    ok.publicKeyBlob == key.publicKey.wireBlob
                else {
                    close("PK_OK for a key we did not offer")
                    return
                }
                queues.emit(.publicKeyAccepted(algorithm: algorithm))
                if !sendSigned(attempt.credential, key: key, algorithm: algorithm) { tryNext() }
            case .single, .passwordChange:
                guard case .password = attempt.credential else {
                    close("unexpected user-authentication message \(number)")
                    return
                }
                let request = try SSHMsgUserAuthPasswdChangeReq.decode(payload)
                state = .awaitingApplication(attempt)
                queues.emit(.passwordChangeRequested(prompt: request.prompt))
            case .keyboardInteractive:
                let request = try SSHMsgUserAuthInfoRequest.decode(payload)
                state = .awaitingApplication(Attempt(credential: attempt.credential, step: .keyboardInteractivePrompts))
                queues.emit(.infoRequested(name: request.name, instruction: request.instruction, prompts: request.prompts))
            case .keyboardInteractivePrompts:
                close("unexpected user-authentication message \(number)")
            }
        } catch {
            close("malformed user-authentication message \(number): \(error)")
        }
    }

    private func send(_ method: SSHUserAuthMethod, attempt: Attempt) {
        queue(SSHMsgUserAuthRequest(userName: configuration.user, serviceName: configuration.service, method: method))
        state = .awaitingReply(attempt)
    }

    private func queue(_ message: some SSHMessageCodable) {
        queues.send(message)
    }

    private func close(_ description: String) {
        state = .closed
        queues.emit(.disconnect(reason: .protocolError, description: description))
    }

    private static func text(_ secret: SecureBytes) -> String {
        String(decoding: secret.bytes, as: UTF8.self)
    }

    // MARK: - State

    private enum State {
        case notStarted
        case awaitingServiceAccept
        case awaitingReply(Attempt)
        case awaitingApplication(Attempt)
        case authenticated
        case exhausted
        case closed
    }

    private struct Attempt {
        var credential: UserAuthCredential
        var step: Step
    }

    private enum Step: Equatable {
        /// One request, answered by SUCCESS or FAILURE (or PASSWD_CHANGEREQ for a password).
        case single
        case publicKeyQuery(String)
        case passwordChange
        case keyboardInteractive
        case keyboardInteractivePrompts
    }
}
