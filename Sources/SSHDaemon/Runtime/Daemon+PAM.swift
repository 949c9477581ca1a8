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
    func runPAMLogin(connectionId: Int, user: String, account: SystemAccount?, method: PAMLoginMethod) {
        let service = configuration.pamService
        let host = (try? server.ssh.remoteHost(connectionId)) ?? ""
        let callback = server.ssh.reactor.makeCallback { [weak self] (result: PAMLoginResult) in
            self?.finishPAMLogin(connectionId: connectionId, user: user, account: account, method: method, result: result)
        }
        let known = account != nil
        let operations = operations
        Thread.detachNewThread {
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

    private func finishPAMLogin(connectionId: Int, user: String, account: SystemAccount?, method: PAMLoginMethod, result: PAMLoginResult) {
        if case .keyboardInteractive = method { keyboardBridges[connectionId] = nil }
        switch result {
        case .accepted(let transaction, let environment):
            guard let account, (try? server.ssh.remoteHost(connectionId)) != nil else {
                return endPAM(transaction)
            }
            pamTransactions[connectionId] = transaction
            var owner = owner(of: account, pamEnvironment: environment)
            if case .publicKey(let options) = method { owner.keyOptions = options }
            owners[connectionId] = owner
            try? server.ssh.completeUserAuth(connectionId: connectionId, accept: true, loggedMethod: method.loggedName)
        case .refused(let why):
            logger.debug("PAM refused \(user): \(why)")
            try? server.ssh.completeUserAuth(connectionId: connectionId, accept: false, loggedMethod: method.loggedName, invalidUser: account == nil)
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
        if let responses = event.responses {
            guard let bridge = keyboardBridges[connectionId] else {
                try? server.ssh.completeUserAuth(connectionId: connectionId, accept: false)
                return
            }
            bridge.deliver(responses.map { String(decoding: $0, as: UTF8.self) })
            return
        }
        switch loginSource(event.user) {
        case .pam(let account):
            guard admitsSystemAccounts(event.user, connectionId) else {
                try? server.ssh.completeUserAuth(connectionId: connectionId, accept: false)
                return
            }
            startKeyboardInteractive(connectionId, event.user, account)
        case .users:
            // The users file has passwords only: keyboard-interactive is PAM's.
            try? server.ssh.completeUserAuth(connectionId: connectionId, accept: false)
        case .unknown:
            logInvalidUser(connectionId, event.user)
            guard configuration.authMode.contains(.pam) else {
                try? server.ssh.completeUserAuth(connectionId: connectionId, accept: false, invalidUser: true)
                return
            }
            // An unknown user talks to PAM like a known one, and fails.
            startKeyboardInteractive(connectionId, event.user, nil)
        }
    }

    private func startKeyboardInteractive(_ connectionId: Int, _ user: String, _ account: SystemAccount?) {
        let reactor = server.ssh.reactor
        let daemon = ReactorBound(self)
        let bridge = KeyboardInteractiveBridge { instruction, prompts in
            reactor.post {
                let prompts = prompts.map { SSHKeyboardInteractivePrompt(prompt: $0.0, echo: $0.1) }
                try? daemon.value?.server.ssh.promptKeyboardInteractive(connectionId: connectionId, instruction: instruction, prompts: prompts)
            }
        }
        keyboardBridges[connectionId] = bridge
        runPAMLogin(connectionId: connectionId, user: user, account: account, method: .keyboardInteractive(bridge))
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
