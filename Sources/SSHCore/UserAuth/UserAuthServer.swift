import SSHCrypto
import SSHWire

/// The server side of user authentication (RFC 4252, RFC 4256) as a sans-I/O state machine
/// (DESIGN §3).
///
/// The owner feeds it the payloads the transport delivers (`TransportEvent.payload`: the service
/// request and messages 50–79) through ``receive(_:)``, sends what ``takeOutgoing()`` returns with
/// `transport.send(_:)`, and handles ``nextEvent()``:
/// ``UserAuthServerEvent/authenticationRequested(_:user:service:method:)`` is answered, now or later,
/// with ``complete(_:_:availableMethods:)``; ``UserAuthServerEvent/disconnect(reason:description:)``
/// becomes `transport.disconnect(reason:description:)`.
///
/// ### Invariants
/// - Nothing the client sends traps: malformed messages end the connection with
///   `SSH_DISCONNECT_PROTOCOL_ERROR`, requests the layer can refuse by itself (an unknown or
///   unlisted method, a bad signature, an algorithm not accepted, …) are failures without asking.
/// - At most one request awaits a decision. A new request supersedes it (RFC 4252 §5); completing a
///   superseded request returns false and sends nothing.
/// - Secrets handed to the application are wiped when their request is completed or superseded.
/// - After success every further message is ignored (RFC 4252 §5.1), and ``UserAuthServerEvent/authenticated(user:service:)``
///   is reported once.
public final class UserAuthServer {
    public let configuration: UserAuthServerConfiguration
    /// `UserAuthBanner`: may be changed (e.g. while a decision is outstanding) until it is sent,
    /// once, before the first reply to a request (RFC 4252 §5.4; server digest §3.3).
    public var banner: String?
    /// Failed attempts so far, counted as OpenSSH counts them (see ``receive(_:)``).
    public private(set) var failedAttempts = 0
    /// The user name once authentication succeeded.
    public private(set) var authenticatedUser: String?
    /// The request awaiting the application's decision, if any.
    public var pendingRequest: UserAuthRequestID? {
        if case .awaitingDecision(let pending) = state { pending.id } else { nil }
    }
    public var isAuthenticated: Bool { authenticatedUser != nil }
    /// True after a ``UserAuthServerEvent/disconnect(reason:description:)``.
    public var isClosed: Bool { if case .closed = state { true } else { false } }

    /// The only service `SSH_MSG_SERVICE_REQUEST` may ask for here (RFC 4252 §1).
    public static let userAuthService = "ssh-userauth"
    /// The only service a user may authenticate for (RFC 4254 §1).
    public static let connectionService = "ssh-connection"

    private var state: State = .awaitingServiceRequest
    private var queues = UserAuthQueues<UserAuthServerEvent>()
    private var nextRequestNumber: UInt64 = 1
    private var requestCount = 0
    private var bannerSent = false
    private var chain: Chain?

    public init(configuration: UserAuthServerConfiguration) {
        self.configuration = configuration
        self.banner = configuration.banner
    }

    // MARK: - Output

    /// The payloads to send, in order; the owner passes each to `transport.send(_:)`.
    public func takeOutgoing() -> [[UInt8]] {
        queues.takeOutgoing()
    }

    public var hasOutgoing: Bool { queues.hasOutgoing }

    /// The next event, or nil when there is none.
    public func nextEvent() -> UserAuthServerEvent? {
        queues.nextEvent()
    }

    // MARK: - Input

    /// Takes one payload the transport delivered (service request, messages 50–79).
    ///
    /// Attempts are counted as OpenSSH's `auth2.c` counts them: every request answered with
    /// FAILURE (partial success FALSE) or PASSWD_CHANGEREQ counts, including a refused publickey
    /// query, except a `none` request sent first. A query answered with PK_OK and a partial success
    /// do not count. When `MaxAuthAttempts` is reached the connection ends with
    /// `SSH_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE` instead of the FAILURE.
    public func receive(_ payload: [UInt8]) {
        switch state {
        case .closed, .authenticated:
            return  // RFC 4252 §5.1: requests after success are ignored.
        case .awaitingServiceRequest, .awaitingRequest, .awaitingDecision, .awaitingInfoResponse:
            break
        }
        let message: SSHMessage
        do {
            message = try SSHMessage.decode(payload)
        } catch {
            close(.protocolError, "malformed authentication message: \(error)")
            return
        }
        switch message {
        case .serviceRequest(let request):
            handleServiceRequest(request)
        case .userAuthRequest(let request):
            handleRequest(request)
        case .userAuthMethod(let number, let payload):
            handleMethodMessage(number: number, payload: payload)
        default:
            close(.protocolError, "message \(message.number) is not allowed before authentication completes")
        }
    }

    // MARK: - Decisions

    /// Completes request `id` with `decision` (see ``UserAuthDecision`` for how a decision that
    /// does not fit the request is read). `availableMethods`, when given, replaces the list sent in
    /// a FAILURE (the digest's writable `AvailableMethods`).
    ///
    /// Returns false, and does nothing, when `id` is not the request awaiting a decision (it was
    /// superseded, already completed, or the connection is over).
    @discardableResult
    public func complete(
        _ id: UserAuthRequestID, _ decision: UserAuthDecision, availableMethods: [String]? = nil
    ) -> Bool {
        guard case .awaitingDecision(let pending) = state, pending.id == id else { return false }
        defer { Self.wipe(pending.method) }
        state = .awaitingRequest
        switch Self.outcome(of: decision, for: pending.method) {
        case .success:
            succeed(pending)
        case .partialSuccess(let remaining):
            partiallySucceed(pending, remaining: remaining, availableMethods: availableMethods)
        case .failure:
            fail(methodName: pending.method.methodName, availableMethods: availableMethods)
        case .publicKeyOK:
            if case .publicKeyQuery(let algorithm, let key) = pending.method {
                sendBannerOnce()
                queue(SSHMsgUserAuthPKOK(algorithm: algorithm, publicKeyBlob: key.wireBlob))
            }
        case .passwordChangeRequired(let prompt):
            guard countFailure(methodName: pending.method.methodName) else { return true }
            sendBannerOnce()
            queue(SSHMsgUserAuthPasswdChangeReq(prompt: prompt))
        case .infoRequest(let name, let instruction, let prompts):
            guard prompts.count <= UserAuthLimits.maximumPromptCount,
                pending.infoRounds < UserAuthLimits.maximumInfoRounds
            else {
                fail(methodName: pending.method.methodName, availableMethods: availableMethods)
                return true
            }
            sendBannerOnce()
            queue(SSHMsgUserAuthInfoRequest(name: name, instruction: instruction, prompts: prompts))
            state = .awaitingInfoResponse(
                InfoExchange(
                    user: pending.user, service: pending.service, promptCount: prompts.count,
                    rounds: pending.infoRounds + 1))
        }
        return true
    }

    // MARK: - Service request (RFC 4253 §10)

    private func handleServiceRequest(_ request: SSHMsgServiceRequest) {
        guard request.serviceName == Self.userAuthService else {
            close(.serviceNotAvailable, "service \(request.serviceName) is not available")
            return
        }
        guard case .awaitingServiceRequest = state else {
            close(.protocolError, "the ssh-userauth service was already accepted")
            return
        }
        queue(SSHMsgServiceAccept(serviceName: Self.userAuthService))
        state = .awaitingRequest
    }

    // MARK: - Requests (RFC 4252 §5)

    private func handleRequest(_ request: SSHMsgUserAuthRequest) {
        switch state {
        case .awaitingServiceRequest:
            close(.protocolError, "authentication request before the ssh-userauth service was accepted")
            return
        case .awaitingDecision(let pending):
            Self.wipe(pending.method)  // RFC 4252 §5: the new request supersedes it.
        case .awaitingRequest, .awaitingInfoResponse:
            break  // RFC 4256 §3.4: a new request also abandons keyboard-interactive.
        case .authenticated, .closed:
            return
        }
        state = .awaitingRequest
        let user = request.userName
        let service = request.serviceName
        let methodName = request.method.methodName
        guard user.utf8.count <= UserAuthLimits.maximumUserNameLength, !user.utf8.contains(0) else {
            close(.illegalUserName, "illegal user name")
            return
        }
        // RFC 4252 §5: a change of user or service may discard the state of earlier methods.
        if chain?.user != user || chain?.service != service {
            chain = Chain(user: user, service: service)
        }
        requestCount += 1
        guard service == Self.connectionService else {
            reject(user: user, method: methodName, why: "service \(service) is not available")
            return
        }
        guard isAllowed(Self.configuredName(of: request.method)) else {
            reject(user: user, method: methodName, why: "method \(methodName) is not allowed")
            return
        }
        switch request.method {
        case .none:
            ask(user: user, service: service, method: .none)
        case .password(let password, let newPassword):
            let maximum = UserAuthLimits.maximumPasswordLength
            guard password.utf8.count <= maximum, (newPassword?.utf8.count ?? 0) <= maximum else {
                reject(user: user, method: methodName, why: "password longer than \(maximum) bytes")
                return
            }
            let old = SecureBytes(Array(password.utf8))
            if let newPassword {
                ask(user: user, service: service, method: .passwordChange(old: old, new: SecureBytes(Array(newPassword.utf8))))
            } else {
                ask(user: user, service: service, method: .password(old))
            }
        case .publicKey(let algorithm, let blob, let signature):
            handlePublicKey(request, algorithm: algorithm, blob: blob, hostKey: nil, signature: signature)
        case .publicKeyHostBound(let algorithm, let blob, let hostKey, let signature):
            handlePublicKey(request, algorithm: algorithm, blob: blob, hostKey: hostKey, signature: signature)
        case .keyboardInteractive(_, let submethods):
            ask(user: user, service: service, method: .keyboardInteractiveStarted(submethods: submethods))
        case .hostBased, .unknown:
            reject(user: user, method: methodName, why: "method \(methodName) is not supported")
        }
    }

    /// RFC 4252 §7: checks the algorithm, the key and (when present) the signature before the
    /// application sees the request.
    private func handlePublicKey(
        _ request: SSHMsgUserAuthRequest, algorithm: String, blob: [UInt8], hostKey: [UInt8]?, signature: [UInt8]?
    ) {
        let user = request.userName
        let methodName = request.method.methodName
        guard configuration.publicKeySignatureAlgorithms.contains(algorithm),
            let keyType = SignatureAlgorithm.keyType(forSignatureAlgorithm: algorithm)
        else {
            reject(user: user, method: methodName, why: "signature algorithm \(algorithm) is not accepted")
            return
        }
        guard let key = try? SSHKeys.parsePublicKey(blob: blob) else {
            reject(user: user, method: methodName, why: "malformed public key")
            return
        }
        guard key.keyType == keyType, key.signatureAlgorithms.contains(algorithm) else {
            reject(user: user, method: methodName, why: "a \(key.keyType) key cannot sign with \(algorithm)")
            return
        }
        if let hostKey {
            // OpenSSH PROTOCOL, publickey-hostbound@openssh.com: the host key must be ours.
            guard configuration.hostKeyBlobs.contains(hostKey) else {
                reject(user: user, method: methodName, why: "host key in the request is not ours")
                return
            }
        }
        guard let signature else {
            ask(user: user, service: request.serviceName, method: .publicKeyQuery(algorithm: algorithm, key: key))
            return
        }
        let signed = SSHMsgUserAuthRequest.publicKeySignedData(
            sessionIdentifier: configuration.sessionIdentifier, userName: user, serviceName: request.serviceName,
            methodName: methodName, algorithm: algorithm, publicKeyBlob: blob, hostKeyBlob: hostKey)
        guard key.isValidSignature(signature, for: signed, allowedAlgorithms: [algorithm]) else {
            reject(user: user, method: methodName, why: "signature verification failed")
            return
        }
        ask(
            user: user, service: request.serviceName,
            method: .publicKey(algorithm: algorithm, key: key, hostBound: hostKey != nil))
    }

    // MARK: - keyboard-interactive responses (RFC 4256 §3.4)

    private func handleMethodMessage(number: UInt8, payload: [UInt8]) {
        guard number == SSHMessageNumber.userAuthInfoResponse, case .awaitingInfoResponse(let exchange) = state else {
            close(.protocolError, "unexpected user-authentication message \(number)")
            return
        }
        let response: SSHMsgUserAuthInfoResponse
        do {
            response = try SSHMsgUserAuthInfoResponse.decode(payload)
        } catch {
            close(.protocolError, "malformed INFO_RESPONSE: \(error)")
            return
        }
        state = .awaitingRequest
        let methodName = SSHUserAuthMethod.Name.keyboardInteractive
        guard response.responses.count == exchange.promptCount else {
            reject(
                user: exchange.user, method: methodName,
                why: "\(response.responses.count) responses to \(exchange.promptCount) prompts")
            return
        }
        guard response.responses.allSatisfy({ $0.utf8.count <= UserAuthLimits.maximumPasswordLength }) else {
            reject(user: exchange.user, method: methodName, why: "response longer than the limit")
            return
        }
        ask(
            user: exchange.user, service: exchange.service,
            method: .keyboardInteractiveResponses(response.responses.map { SecureBytes(Array($0.utf8)) }),
            infoRounds: exchange.rounds)
    }

    // MARK: - Replies

    private func ask(user: String, service: String, method: UserAuthMethodRequest, infoRounds: Int = 0) {
        let id = UserAuthRequestID(rawValue: nextRequestNumber)
        nextRequestNumber &+= 1
        state = .awaitingDecision(
            PendingRequest(id: id, user: user, service: service, method: method, infoRounds: infoRounds))
        queues.emit(.authenticationRequested(id, user: user, service: service, method: method))
    }

    private func reject(user: String, method: String, why: String) {
        queues.emit(.requestRejected(user: user, method: method, why: why))
        fail(methodName: method, availableMethods: nil)
    }

    /// RFC 4252 §5.1: FAILURE with partial success FALSE, unless this failure reaches the limit.
    private func fail(methodName: String, availableMethods: [String]?) {
        state = .awaitingRequest
        guard countFailure(methodName: methodName) else { return }
        sendBannerOnce()
        queue(SSHMsgUserAuthFailure(methods: availableMethods ?? methodsThatCanContinue(), partialSuccess: false))
    }

    /// Counts a failed attempt; returns false (after closing) when the limit is reached.
    private func countFailure(methodName: String) -> Bool {
        // OpenSSH auth2.c: an initial `none` request is free.
        if methodName == SSHUserAuthMethod.Name.none && requestCount == 1 { return true }
        failedAttempts += 1
        if failedAttempts >= configuration.maximumAttempts {
            close(.noMoreAuthMethodsAvailable, "too many authentication failures")
            return false
        }
        return true
    }

    private func succeed(_ pending: PendingRequest) {
        sendBannerOnce()
        queue(SSHMsgUserAuthSuccess())
        state = .authenticated
        authenticatedUser = pending.user
        queues.emit(.authenticated(user: pending.user, service: pending.service))
    }

    /// RFC 4252 §5.1: this method passed, more are needed.
    private func partiallySucceed(_ pending: PendingRequest, remaining: [String]?, availableMethods: [String]?) {
        var current = chain ?? Chain(user: pending.user, service: pending.service)
        let name = pending.method.methodName
        if !current.passed.contains(name) { current.passed.append(name) }
        if let remaining { current.remaining = remaining }
        chain = current
        sendBannerOnce()
        queue(SSHMsgUserAuthFailure(methods: availableMethods ?? methodsThatCanContinue(), partialSuccess: true))
    }

    private func sendBannerOnce() {
        guard !bannerSent else { return }
        bannerSent = true
        if let banner, !banner.isEmpty { queue(SSHMsgUserAuthBanner(message: banner)) }
    }

    private func queue(_ message: some SSHMessageCodable) {
        queues.send(message)
    }

    private func close(_ reason: SSHDisconnectReason, _ description: String) {
        if case .awaitingDecision(let pending) = state { Self.wipe(pending.method) }
        state = .closed
        queues.emit(.disconnect(reason: reason, description: description))
    }

    // MARK: - Methods

    /// The methods listed in FAILURE: the chain's remaining methods (or the configured ones) minus
    /// `none` (RFC 4252 §5.2) and minus those already passed.
    private func methodsThatCanContinue() -> [String] {
        let base = chain?.remaining ?? configuration.methods
        let passed = chain?.passed ?? []
        return base.filter { $0 != SSHUserAuthMethod.Name.none && !passed.contains($0) }
    }

    private func isAllowed(_ name: String) -> Bool {
        guard configuration.methods.contains(name) else { return false }
        if name == SSHUserAuthMethod.Name.none { return true }
        if let chain {
            if chain.passed.contains(name) { return false }
            if let remaining = chain.remaining, !remaining.contains(name) { return false }
        }
        return true
    }

    /// The name a request's method is configured under: the host-bound variant is `publickey`.
    private static func configuredName(of method: SSHUserAuthMethod) -> String {
        if case .publicKeyHostBound = method { return SSHUserAuthMethod.Name.publicKey }
        return method.methodName
    }

    private static func wipe(_ method: UserAuthMethodRequest) {
        switch method {
        case .password(let password):
            password.wipe()
        case .passwordChange(let old, let new):
            old.wipe()
            new.wipe()
        case .keyboardInteractiveResponses(let responses):
            for response in responses { response.wipe() }
        case .none, .publicKeyQuery, .publicKey, .keyboardInteractiveStarted:
            break
        }
    }

    // MARK: - Decision mapping

    private enum Outcome {
        case success
        case partialSuccess([String]?)
        case failure
        case publicKeyOK
        case passwordChangeRequired(String)
        case infoRequest(String, String, [SSHKeyboardInteractivePrompt])
    }

    /// The table in ``UserAuthDecision``.
    private static func outcome(of decision: UserAuthDecision, for method: UserAuthMethodRequest) -> Outcome {
        if case .publicKeyQuery = method {
            switch decision {
            case .success, .partialSuccess, .publicKeyAcceptable: return .publicKeyOK
            case .failure, .publicKeyNotAcceptable, .passwordChangeRequired, .infoRequest: return .failure
            }
        }
        switch decision {
        case .success:
            return .success
        case .partialSuccess(let remaining):
            return .partialSuccess(remaining)
        case .failure, .publicKeyNotAcceptable:
            return .failure
        case .publicKeyAcceptable:
            if case .publicKey = method { return .success }
            return .failure
        case .passwordChangeRequired(let prompt):
            switch method {
            case .password, .passwordChange: return .passwordChangeRequired(prompt)
            case .none, .publicKeyQuery, .publicKey, .keyboardInteractiveStarted, .keyboardInteractiveResponses:
                return .failure
            }
        case .infoRequest(let name, let instruction, let prompts):
            switch method {
            case .keyboardInteractiveStarted, .keyboardInteractiveResponses:
                return .infoRequest(name, instruction, prompts)
            case .none, .password, .passwordChange, .publicKeyQuery, .publicKey:
                return .failure
            }
        }
    }

    // MARK: - State

    /// Named for what is awaited (STYLE §4).
    private enum State {
        case awaitingServiceRequest
        case awaitingRequest
        case awaitingDecision(PendingRequest)
        case awaitingInfoResponse(InfoExchange)
        case authenticated
        case closed
    }

    private struct PendingRequest {
        var id: UserAuthRequestID
        var user: String
        var service: String
        var method: UserAuthMethodRequest
        /// INFO_REQUEST rounds already sent in this keyboard-interactive attempt.
        var infoRounds: Int
    }

    private struct InfoExchange {
        var user: String
        var service: String
        var promptCount: Int
        var rounds: Int
    }

    /// The multi-factor chain for one user and service (RFC 4252 §5.1).
    private struct Chain {
        var user: String
        var service: String
        var passed: [String] = []
        var remaining: [String]?
    }
}
