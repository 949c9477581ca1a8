import Foundation
import Logging
import SSHKit
import SSHWire

// MARK: - System accounts through PAM (issue 5 item 4; DESIGN §7)

/// How a PAM login proves itself: the auth stack runs for passwords and keyboard-interactive;
/// a public key was checked by the daemon, so only the account and session stacks run.
enum PAMLoginMethod: Sendable {
    case password([UInt8])
    case keyboardInteractive(KeyboardInteractiveBridge)
    /// With the options of the key's authorized_keys line.
    case publicKey(AuthorizedKeyOptions)

    /// The method as OpenSSH's log lines name it.
    var loggedName: String {
        switch self {
        case .password: "password"
        case .keyboardInteractive: "keyboard-interactive/pam"
        case .publicKey: "publickey"
        }
    }
}

/// A PAM login in progress on one connection: at most one at a time. `requestNumber` is the
/// authentication request its decision belongs to (each keyboard-interactive round has its own).
final class PAMLogin {
    let connectionUID: Int
    var requestNumber: Int
    let bridge: KeyboardInteractiveBridge?

    init(connectionUID: Int, requestNumber: Int, bridge: KeyboardInteractiveBridge?) {
        self.connectionUID = connectionUID
        self.requestNumber = requestNumber
        self.bridge = bridge
    }
}

/// The PAM threads of the whole process, bounded: a flood of login attempts waits for none.
enum PAMThreads {
    /// The most PAM logins in progress at once, over every connection and worker.
    static let maximum = 64
    private static let places = Places()

    /// Takes a place; false when all are taken.
    static func enter() -> Bool { places.take(below: maximum) }
    static func leave() { places.give() }

    private final class Places: @unchecked Sendable {
        private let lock = NSLock()
        private var taken = 0

        func take(below limit: Int) -> Bool {
            lock.withLock {
                guard taken < limit else { return false }
                taken += 1
                return true
            }
        }

        func give() { lock.withLock { taken -= 1 } }
    }
}

/// What a PAM login thread hands back to the reactor.
enum PAMLoginResult: Sendable {
    case accepted(PAMTransaction, environment: [String])
    case refused(String)
}

extension Daemon {
    /// OpenSSH's stand-in password for unknown users: PAM still runs, and fails, in the same time.
    static let invalidUserPassword = Array("\u{8}\n\r\u{7f}INCORRECT".utf8)

    /// Runs PAM for a login on its own thread (every PAM call may block, a conversation for as
    /// long as the client takes), then completes the deferred decision on the reactor.
    /// `account` is nil for an unknown user: the stacks run all the same, and the login fails.
    /// Returns false (and starts nothing) while another PAM login of the connection runs, or when
    /// ``PAMThreads/maximum`` are running: the caller refuses the request.
    @discardableResult
    func runPAMLogin(connectionId: Int, user: String, account: SystemAccount?, method: PAMLoginMethod, requestNumber: Int) -> Bool {
        guard let uid = try? server.ssh.connectionUID(connectionId), pamLogins[uid] == nil else { return false }
        guard PAMThreads.enter() else {
            logger.error("\(PAMThreads.maximum) PAM logins are in progress; refusing one more for \(user)")
            return false
        }
        var bridge: KeyboardInteractiveBridge?
        if case .keyboardInteractive(let given) = method { bridge = given }
        pamLogins[uid] = PAMLogin(connectionUID: uid, requestNumber: requestNumber, bridge: bridge)
        let service = configuration.pamService
        let host = (try? server.ssh.remoteHost(connectionId)) ?? ""
        let callback = server.ssh.reactor.makeCallback { [weak self] (result: PAMLoginResult) in
            self?.finishPAMLogin(connectionId: connectionId, uid: uid, account: account, method: method, result: result)
        }
        let known = account != nil
        let operations = operations
        Thread.detachNewThread {
            defer { PAMThreads.leave() }
            let result: PAMLoginResult
            do {
                let transaction = try operations.startPAM(service: service, user: user, remoteHost: host) { messages in
                    Self.answer(messages, for: method, known: known)
                }
                switch method {
                case .password, .keyboardInteractive: try transaction.authenticate()
                case .publicKey: break
                }
                try transaction.checkAccount()
                guard known else { throw PAMError(status: 0, step: "lookup", text: "no such user") }
                try transaction.openSession()
                result = .accepted(transaction, environment: transaction.environment())
            } catch {
                result = .refused("\(error)")
            }
            callback.fulfill(result)
        }
        return true
    }

    /// The conversation for a method: a password answers every hidden prompt (a shown one fails
    /// the conversation, as in OpenSSH); keyboard-interactive asks the client.
    private static func answer(_ messages: [PAMMessage], for method: PAMLoginMethod, known: Bool) -> [String]? {
        switch method {
        case .password(let password):
            let text = String(decoding: known ? password : invalidUserPassword, as: UTF8.self)
            var answers: [String] = []
            for message in messages {
                switch message.style {
                case .hiddenPrompt: answers.append(text)
                case .visiblePrompt: return nil
                case .error, .info: answers.append("")
                }
            }
            return answers
        case .keyboardInteractive(let bridge):
            return bridge.converse(messages)
        case .publicKey:
            // The account and session stacks have nothing to ask.
            return messages.contains(where: \.isPrompt) ? nil : messages.map { _ in "" }
        }
    }

    /// The decision, on the reactor: only for the request and the connection that asked (a
    /// connection that ended, or whose id was reused, gets nothing; its PAM session is closed).
    private func finishPAMLogin(connectionId: Int, uid: Int, account: SystemAccount?, method: PAMLoginMethod, result: PAMLoginResult) {
        guard let login = pamLogins[uid], (try? server.ssh.connectionUID(connectionId)) == uid else {
            if case .accepted(let transaction, _) = result { endPAM(transaction) }
            return
        }
        pamLogins[uid] = nil
        switch result {
        case .accepted(let transaction, let environment):
            guard let account else { return endPAM(transaction) }
            do {
                try server.ssh.completeUserAuth(
                    connectionId: connectionId, accept: true, loggedMethod: method.loggedName, requestNumber: login.requestNumber)
            } catch {
                // The client moved on to another request meanwhile: this login is void.
                return endPAM(transaction)
            }
            pamTransactions[connectionId] = transaction
            var owner = owner(of: account, pamEnvironment: environment)
            if case .publicKey(let options) = method { owner.keyOptions = options }
            owners[connectionId] = owner
        case .refused(let why):
            logger.debug("PAM refused \(account?.name ?? "an unknown user"): \(why)")
            try? server.ssh.completeUserAuth(
                connectionId: connectionId, accept: false, loggedMethod: method.loggedName, invalidUser: account == nil,
                requestNumber: login.requestNumber)
        }
    }

    /// Ends a PAM transaction (pam_close_session, pam_end) off the reactor.
    func endPAM(_ transaction: PAMTransaction) {
        Thread.detachNewThread { transaction.end() }
    }

    /// A system account's sessions: as itself, in its home, with its shell; SFTP over
    /// `RootDirectory`, starting in the home when that lies inside it.
    func owner(of account: SystemAccount, pamEnvironment: [String]) -> SessionOwner {
        var permissions: Set<AccountOption> = [.shell, .exec, .sftp, .forward]
        if !configuration.allowShell { permissions.remove(.shell) }
        if !configuration.allowExec { permissions.remove(.exec) }
        if !configuration.allowSFTP { permissions.remove(.sftp) }
        let root = configuration.rootDirectory
        let sftpHome: String
        if root == "/" {
            sftpHome = account.home
        } else if account.home.hasPrefix(root + "/") {
            sftpHome = String(account.home.dropFirst(root.count))
        } else {
            sftpHome = "/"
        }
        return SessionOwner(
            name: account.name, home: account.home, shell: account.loginShell, identity: ProcessIdentity(account),
            confinement: nil, permissions: permissions, sftpRoot: root, sftpHome: sftpHome, extraEnvironment: pamEnvironment)
    }

    // MARK: Keyboard-interactive

    func installKeyboardInteractive() {
        server.ssh.onKeyboardInteractive = { [unowned self] event in keyboardInteractive(event) }
    }

    private func keyboardInteractive(_ event: KeyboardInteractiveEvent) {
        let connectionId = event.connectionId
        let number = event.requestNumber
        if let responses = event.responses {
            guard let uid = try? server.ssh.connectionUID(connectionId), let login = pamLogins[uid], let bridge = login.bridge else {
                try? server.ssh.completeUserAuth(connectionId: connectionId, accept: false, requestNumber: number)
                return
            }
            login.requestNumber = number
            bridge.deliver(responses.map { String(decoding: $0, as: UTF8.self) })
            return
        }
        switch loginSource(event.user) {
        case .pam(let account):
            guard admitsSystemAccounts(event.user, connectionId), startKeyboardInteractive(connectionId, event.user, account, number) else {
                try? server.ssh.completeUserAuth(connectionId: connectionId, accept: false, requestNumber: number)
                return
            }
        case .users:
            // The users file has passwords only: keyboard-interactive is PAM's.
            try? server.ssh.completeUserAuth(connectionId: connectionId, accept: false, requestNumber: number)
        case .unknown:
            logInvalidUser(connectionId, event.user)
            // An unknown user talks to PAM like a known one, and fails.
            guard configuration.authMode.contains(.pam), startKeyboardInteractive(connectionId, event.user, nil, number) else {
                try? server.ssh.completeUserAuth(connectionId: connectionId, accept: false, invalidUser: true, requestNumber: number)
                return
            }
        }
    }

    private func startKeyboardInteractive(_ connectionId: Int, _ user: String, _ account: SystemAccount?, _ number: Int) -> Bool {
        let reactor = server.ssh.reactor
        let daemon = ReactorBound(self)
        let bridge = KeyboardInteractiveBridge { instruction, prompts in
            reactor.post {
                guard let self = daemon.value, let uid = try? self.server.ssh.connectionUID(connectionId),
                      let login = self.pamLogins[uid] else { return }
                let prompts = prompts.map { SSHKeyboardInteractivePrompt(prompt: $0.0, echo: $0.1) }
                try? self.server.ssh.promptKeyboardInteractive(
                    connectionId: connectionId, instruction: instruction, prompts: prompts, requestNumber: login.requestNumber)
            }
        }
        return runPAMLogin(connectionId: connectionId, user: user, account: account, method: .keyboardInteractive(bridge), requestNumber: number)
    }

    /// System accounts need a daemon running as root: their sessions run as them.
    func admitsSystemAccounts(_ user: String, _ connectionId: Int) -> Bool {
        guard runsAsRoot else {
            logger.error("login refused for system account \(user): its sessions must run as \(user), and the daemon does not run as root")
            return false
        }
        return true
    }
}

/// A reference handed to another thread only to come back to the reactor's thread through
/// `Reactor.post`, where it is used: never touched elsewhere.
final class ReactorBound<Value: AnyObject>: @unchecked Sendable {
    weak var value: Value?
    init(_ value: Value) { self.value = value }
}

/// Where a login name is known, in AuthMode's order.
enum LoginSource {
    case pam(SystemAccount)
    case users(UserAccount)
    case unknown
}
