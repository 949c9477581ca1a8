import Reactor
import SSHCore
import SSHCrypto
import SSHWire

// MARK: - User authentication (server digest §3.3, §3.6; RFC 4252, RFC 4256)

extension SSHServer {
    /// The least time a rejected password or keyboard-interactive attempt takes, measured from the
    /// request's arrival, so that a timing observer cannot tell unknown users from wrong passwords
    /// (STYLE §7; OpenSSH's `ensure_minimum_time_since`).
    public static let minimumFailureMillis = 200

    /// Starts the user-authentication layer once the first key exchange gave a session identifier.
    func startAuthentication(_ connection: ServerConnection, sessionIdentifier: [UInt8]) {
        // `none` goes to the handler (the documented hook for per-connection prompts) but is never
        // advertised; the layer keeps it out of every FAILURE.
        let methods = ["none"] + settings.defaultAuthMethods.filter { $0 != "none" }
        connection.auth = UserAuthServer(configuration: UserAuthServerConfiguration(
            methods: methods, maximumAttempts: settings.maxAuthAttempts,
            publicKeySignatureAlgorithms: settings.sshPubKeyAuthSigAlgorithms,
            sessionIdentifier: sessionIdentifier, hostKeyBlobs: hostKeys.map { $0.publicKey.wireBlob }))
    }

    /// Hands a message to the authentication layer; false once the user is authenticated.
    func routeToAuthentication(_ connection: ServerConnection, _ payload: [UInt8]) -> Bool {
        guard let auth = connection.auth, !auth.isAuthenticated else { return false }
        if payload.first == SSHMsgServiceRequest.messageNumber, let request = try? SSHMsgServiceRequest.decode(payload) {
            var event = ServiceRequestEvent(
                connectionId: connection.id, service: request.serviceName,
                accept: request.serviceName == UserAuthServer.userAuthService)
            onServiceRequest?(&event)
            guard event.accept else {
                connection.transport.disconnect(reason: .serviceNotAvailable, description: "service \(request.serviceName) not available")
                return true
            }
        }
        auth.receive(payload)
        pumpAuthentication(connection)
        return true
    }

    /// Turns the layer's events into `SSHUserAuthRequest` firings and sends what it produced.
    func pumpAuthentication(_ connection: ServerConnection) {
        guard let auth = connection.auth else { return }
        while let event = auth.nextEvent() {
            switch event {
            case .authenticationRequested(let id, let user, let service, let method):
                connection.authRequestStarted = MonotonicClock.nanoseconds()
                decide(connection, auth, id, user: user, service: service, method: method)
            case .authenticated(let user, _):
                let key = connection.lastAuthKey.map { ": \($0)" } ?? ""
                log(connection.id, 1, "Accepted \(connection.lastAuthMethod) for \(user) from \(connection.remoteHost) port \(connection.remotePort) ssh2\(key)", type: "Info")
                onSSHStatus?(SSHStatusEvent(connectionId: connection.id, message: "Authenticated \(user)"))
                if let timer = connection.loginGraceTimer {
                    reactor.cancel(timer)
                    connection.loginGraceTimer = nil
                }
                startConnectionProtocol(connection)
            case .requestRejected(let user, let method, let why):
                log(connection.id, 1, "Failed \(method) for \(connection.lastAuthUserInvalid ? "invalid user " : "")\(user) from \(connection.remoteHost) port \(connection.remotePort) ssh2: \(why)", type: "Info")
                if method == SSHUserAuthMethod.Name.publicKey, why == "signature verification failed", settings.fireAuthRequestAfterSig {
                    var status = userAuthEvent(connection, user: user, service: UserAuthServer.connectionService, method: "sigstatus", param: Array("0".utf8))
                    onUserAuthRequest?(&status)
                }
            case .disconnect(let reason, let description):
                if reason == .noMoreAuthMethodsAvailable {
                    onError?(ErrorEvent(connectionId: connection.id, errorCode: SSHServerError.authenticationFailed, description: "Could not authenticate client"))
                }
                connection.transport.disconnect(reason: reason, description: description)
            }
        }
        for payload in auth.takeOutgoing() {
            do { try connection.transport.send(payload) } catch {
                connection.transport.disconnect(reason: .protocolError, description: error.message)
                return
            }
        }
        // The connection protocol's first message may only follow USERAUTH_SUCCESS.
        if connection.channels != nil, !connection.hostKeysAdvertised {
            connection.hostKeysAdvertised = true
            advertiseHostKeys(connection)
        }
    }

    private func userAuthEvent(
        _ connection: ServerConnection, user: String, service: String, method: String, param: [UInt8],
        keyAlgorithm: String = "", hasSignature: Bool = false, newPassword: [UInt8]? = nil
    ) -> UserAuthRequestEvent {
        UserAuthRequestEvent(
            connectionId: connection.id, user: user, service: service, authMethod: method, authParam: param,
            keyAlgorithm: keyAlgorithm, hasSignature: hasSignature, newPassword: newPassword,
            availableMethods: settings.defaultAuthMethods.filter { $0 != "none" }.joined(separator: ","),
            requestNumber: connection.authRequestNumber)
    }

    private func decide(
        _ connection: ServerConnection, _ auth: UserAuthServer, _ id: UserAuthRequestID,
        user: String, service: String, method: UserAuthMethodRequest
    ) {
        connection.lastAuthMethod = method.methodName
        connection.lastAuthUser = user
        connection.lastAuthKey = nil
        connection.authRequestNumber = nextAuthRequestNumber
        nextAuthRequestNumber += 1
        var event: UserAuthRequestEvent
        var isQuery = false
        var delaysFailure = false
        switch method {
        case .none:
            event = userAuthEvent(connection, user: user, service: service, method: "none", param: [])
        case .password(let password):
            event = userAuthEvent(connection, user: user, service: service, method: "password", param: password.bytes)
            delaysFailure = true
        case .passwordChange(let old, let new):
            event = userAuthEvent(connection, user: user, service: service, method: "password", param: old.bytes, newPassword: new.bytes)
            delaysFailure = true
        case .publicKeyQuery(let algorithm, let key):
            event = userAuthEvent(connection, user: user, service: service, method: "publickey", param: key.wireBlob, keyAlgorithm: algorithm)
            isQuery = true
        case .publicKey(let algorithm, let key, _):
            if settings.fireAuthRequestAfterSig {
                var status = userAuthEvent(connection, user: user, service: service, method: "sigstatus", param: Array("1".utf8), keyAlgorithm: algorithm)
                onUserAuthRequest?(&status)
            }
            connection.lastAuthKey = "\(key.displayTypeName) \(key.sha256Fingerprint)"
            event = userAuthEvent(connection, user: user, service: service, method: "publickey", param: key.wireBlob, keyAlgorithm: algorithm, hasSignature: true)
        case .keyboardInteractiveStarted where onKeyboardInteractive != nil:
            connection.deferredAuth = DeferredAuth(id: id, number: connection.authRequestNumber, isQuery: false, delaysFailure: true)
            onKeyboardInteractive?(KeyboardInteractiveEvent(
                connectionId: connection.id, user: user, responses: nil, requestNumber: connection.authRequestNumber))
            return
        case .keyboardInteractiveResponses(let responses) where onKeyboardInteractive != nil:
            connection.deferredAuth = DeferredAuth(id: id, number: connection.authRequestNumber, isQuery: false, delaysFailure: true)
            onKeyboardInteractive?(KeyboardInteractiveEvent(
                connectionId: connection.id, user: user, responses: responses.map(\.bytes), requestNumber: connection.authRequestNumber))
            return
        case .keyboardInteractiveStarted:
            // Digest §3.3: no firing for the initial request; the prompts go out at once.
            auth.complete(id, .infoRequest(name: "", instruction: settings.keyboardInteractiveMessage, prompts: keyboardInteractivePrompts(for: connection)))
            return
        case .keyboardInteractiveResponses(let responses):
            delaysFailure = true
            for (index, response) in responses.enumerated() {
                var step = userAuthEvent(connection, user: user, service: service, method: "keyboard-interactive-\(index + 1)", param: response.bytes)
                onUserAuthRequest?(&step)
                if !step.accept && !step.partialSuccess {
                    // A rejected response ends the attempt; the later ones and the final firing are skipped.
                    apply(connection, auth, DeferredAuth(id: id, number: connection.authRequestNumber, isQuery: false, delaysFailure: true), accept: false, partialSuccess: false, availableMethods: step.availableMethods)
                    return
                }
            }
            event = userAuthEvent(connection, user: user, service: service, method: "keyboard-interactive", param: [])
        }
        onUserAuthRequest?(&event)
        if event.accept, !isQuery, !event.homeDir.isEmpty { connection.homeDirectory = event.homeDir }
        connection.lastAuthUserInvalid = event.invalidUser
        let pending = DeferredAuth(id: id, number: connection.authRequestNumber, isQuery: isQuery, delaysFailure: delaysFailure)
        if event.deferDecision {
            connection.deferredAuth = pending
            return
        }
        apply(connection, auth, pending, accept: event.accept, partialSuccess: event.partialSuccess, availableMethods: event.availableMethods)
    }

    /// Gives the layer the decision; a failure of a secret-bearing method waits out the minimum time.
    private func apply(
        _ connection: ServerConnection, _ auth: UserAuthServer, _ pending: DeferredAuth,
        accept: Bool, partialSuccess: Bool, availableMethods: String
    ) {
        let methods = SettingValueParser.list(availableMethods).filter { $0 != "none" }
        let decision: UserAuthDecision
        if pending.isQuery {
            decision = accept || partialSuccess ? .publicKeyAcceptable : .publicKeyNotAcceptable
        } else if accept {
            decision = .success
        } else if partialSuccess {
            decision = .partialSuccess(remainingMethods: methods)
        } else {
            decision = .failure
        }
        if let banner = connection.userAuthBanner { auth.banner = banner }
        // OpenSSH's wording, so that existing log tooling (fail2ban's sshd filter) keeps working;
        // a first `none` is how clients ask for the methods, not a failure worth a line.
        if decision == .failure, connection.lastAuthMethod != SSHUserAuthMethod.Name.none {
            log(connection.id, 1, "Failed \(connection.lastAuthMethod) for \(connection.lastAuthUserInvalid ? "invalid user " : "")\(connection.lastAuthUser) from \(connection.remoteHost) port \(connection.remotePort) ssh2", type: "Info")
        }
        let elapsedMillis = Int((MonotonicClock.nanoseconds() &- connection.authRequestStarted) / 1_000_000)
        if decision == .failure, pending.delaysFailure, elapsedMillis < Self.minimumFailureMillis {
            _ = reactor.schedule(after: Self.minimumFailureMillis - elapsedMillis) { [weak self, weak connection] in
                guard let self, let connection, !connection.isClosing else { return }
                auth.complete(pending.id, decision, availableMethods: methods)
                self.pumpAuthentication(connection)
                self.flush(connection)
            }
            return
        }
        auth.complete(pending.id, decision, availableMethods: methods)
    }

    /// Completes a decision a handler deferred (``UserAuthRequestEvent/deferDecision``). Beyond the
    /// seeds (DESIGN §3): slow checks such as PAM run off the event loop and answer here.
    /// `loggedMethod` names the method in the Accepted/Failed log line when it should say more than
    /// the protocol's name (OpenSSH's `keyboard-interactive/pam`); `invalidUser` marks the user
    /// unknown (as ``UserAuthRequestEvent/invalidUser`` does) for decisions that had no event.
    /// With `requestNumber`, the decision applies only to that request: a later one, or another
    /// connection with the same id, gets an error instead.
    public func completeUserAuth(
        connectionId: Int, accept: Bool, partialSuccess: Bool = false, availableMethods: String? = nil, loggedMethod: String? = nil,
        invalidUser: Bool? = nil, requestNumber: Int? = nil
    ) throws(SSHServerError) {
        let connection = try connection(connectionId)
        guard let pending = connection.deferredAuth, let auth = connection.auth, requestNumber.map({ $0 == pending.number }) ?? true else {
            throw SSHServerError(code: SSHServerError.authenticationFailed, "no authentication decision is pending on connection \(connectionId)")
        }
        connection.deferredAuth = nil
        if let loggedMethod { connection.lastAuthMethod = loggedMethod }
        if let invalidUser { connection.lastAuthUserInvalid = invalidUser }
        apply(connection, auth, pending, accept: accept, partialSuccess: partialSuccess,
              availableMethods: availableMethods ?? settings.defaultAuthMethods.filter { $0 != "none" }.joined(separator: ","))
        pumpAuthentication(connection)
        flush(connection)
    }

    /// **Extension**: sends the next round of a keyboard-interactive conversation
    /// (``onKeyboardInteractive``) as USERAUTH_INFO_REQUEST (RFC 4256 §3.2); the client's answers
    /// fire the handler again. An empty `prompts` shows `instruction` alone (the client answers
    /// with no responses).
    public func promptKeyboardInteractive(
        connectionId: Int, name: String = "", instruction: String, prompts: [SSHKeyboardInteractivePrompt], requestNumber: Int? = nil
    ) throws(SSHServerError) {
        let connection = try connection(connectionId)
        guard let pending = connection.deferredAuth, let auth = connection.auth, requestNumber.map({ $0 == pending.number }) ?? true else {
            throw SSHServerError(code: SSHServerError.authenticationFailed, "no keyboard-interactive exchange is pending on connection \(connectionId)")
        }
        connection.deferredAuth = nil
        auth.complete(pending.id, .infoRequest(name: name, instruction: instruction, prompts: prompts))
        pumpAuthentication(connection)
        flush(connection)
    }

    /// The prompts for a connection: `KeyboardInteractivePrompts[id]` when set ("First,echo=false;
    /// Second,echo=true": split on ";", then on the last ",echo="), else the prompt properties.
    func keyboardInteractivePrompts(for connection: ServerConnection) -> [SSHKeyboardInteractivePrompt] {
        guard let text = connection.keyboardInteractivePrompts else { return keyboardInteractivePrompts }
        return text.split(separator: ";", omittingEmptySubsequences: true).map { item in
            if let range = item.ranges(of: ",echo=").last {
                let echo = SettingValueParser.bool(String(item[range.upperBound...])) ?? false
                return SSHKeyboardInteractivePrompt(prompt: String(item[..<range.lowerBound]), echo: echo)
            }
            return SSHKeyboardInteractivePrompt(prompt: String(item), echo: false)
        }
    }
}
