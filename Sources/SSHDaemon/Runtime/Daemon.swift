import Foundation
import Logging
import Reactor
import SFTP
import SSHCrypto
import SSHKit

/// The running daemon (DESIGN §7): one worker — an SSH server and its event loop — serving what
/// the configuration allows, its authentication, sessions and log. Built on the SFTPServer class.
/// `run()` starts the other workers (`Workers`, one per core by default; `WorkerGroup`), each a
/// `Daemon` on its own thread listening on the same port, and turns this one's loop until
/// SIGTERM or SIGINT.
///
/// System accounts log in through PAM and their sessions run as themselves. Users-file accounts
/// (password and public keys) get shells, commands and SFTP confined to the account's root and
/// run as `VirtualUser`: SFTP in-process when the daemon itself runs as that user, else in a
/// child started as it; shells and commands always in a child, confined by Landlock.
public final class Daemon {
    public internal(set) var configuration: DaemonConfiguration
    /// Reads the configuration again (the file and the command line's overrides) for SIGHUP.
    let reloadConfiguration: (() throws -> DaemonConfiguration)?
    let server: SFTPServer
    let logger: Logger
    var users = UsersFile()
    /// Whom each authenticated connection's sessions serve, and how they run.
    var owners: [Int: SessionOwner] = [:]
    /// Session channels served by a process, by channel id; and by the process's pid until reaped.
    var sessions: [Int: SessionChannel] = [:]
    var sessionsByPid: [pid_t: SessionChannel] = [:]
    /// Every open session channel (a process's or SFTP's) by channel id, with its connection.
    var openSessions: [Int: Int] = [:]
    let operations: any PrivilegedOperations = InProcessPrivilegedOperations()
    /// PAM transactions of logged-in system accounts (their sessions close at disconnect), and
    /// keyboard-interactive conversations in progress.
    var pamTransactions: [Int: PAMTransaction] = [:]
    /// PAM logins in progress, by connection UID (ids are reused; UIDs are not).
    var pamLogins: [Int: PAMLogin] = [:]
    /// This program, re-executed as `sftp-server` for SFTP sessions run as another user.
    let executablePath: String
    /// The system user users-file sessions run as (nil: none usable; their sessions are refused).
    var virtualAccount: SystemAccount?
    /// What a users-file session may read besides system paths: /etc without the daemon's secrets.
    var confinedReadable: [String] = []
    /// Connections whose unknown user has been logged (once each, as OpenSSH does).
    var reportedInvalid: Set<Int> = []
    /// Connections that have not logged in yet (MaxStartups counts them).
    var unauthenticated: Set<Int> = []
    let workers: BlockingPool
    var stopping = false
    /// SIGTERM arrived: no new connections; the daemon ends when the last one does, or at the
    /// drain deadline.
    var draining = false
    let runsAsRoot = geteuid() == 0
    /// The other workers of this process (`Workers` above 1), and this one's place among them.
    var group: WorkerGroup?
    var workerIndex = 0

    /// The port it listens on (the one the kernel chose when `LocalPort` is 0).
    public var localPort: Int { server.localPort }
    /// Called once listening, with the port (the demo prints how to connect).
    public var onListening: ((Int) -> Void)?

    public init(configuration: DaemonConfiguration, logger: Logger, reload: (() throws -> DaemonConfiguration)? = nil) throws {
        self.configuration = configuration
        reloadConfiguration = reload
        self.logger = logger
        server = try SFTPServer()
        workers = try BlockingPool(threadCount: 2)
        executablePath = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let (keys, users) = try Self.loadFiles(configuration)
        adopt(configuration, keys: keys, users: users)
        installHandlers()
        installSessionHandlers()
        installKeyboardInteractive()
        installForwarding()
        installStartupLimit()
    }

    /// Listens (the class logs `Server listening on ADDR port N.`, OpenSSH's line), starts the
    /// other workers, tells systemd it is ready, and serves: SIGHUP reloads, SIGTERM drains
    /// (``drainDeadlineSeconds``), a second SIGTERM or SIGINT stops at once. Signals arrive here,
    /// at worker 0, which passes them on.
    public func run() throws {
        HeapSettings.apply()
        try Signals.ignore(SIGPIPE)
        let reactor = server.ssh.reactor
        HeapSettings.scheduleTrims(on: reactor)
        try reactor.watchSignals([SIGTERM, SIGINT]) { [unowned self] info in
            if info.signal == SIGTERM, !draining {
                beginDrain()
                group?.postToOthers(than: workerIndex) { $0.beginDrain() }
            } else {
                logger.info("Received signal \(info.signal); terminating.")
                stopping = true
                group?.postToOthers(than: workerIndex) { $0.stopping = true }
            }
        }
        try reactor.watchSignals([SIGHUP]) { [unowned self] _ in reload() }
        try reactor.watchSignals([SIGCHLD]) { [unowned self] _ in reapChildren() }
        let count = configuration.workers == 0 ? max(1, ProcessInfo.processInfo.activeProcessorCount) : configuration.workers
        if count > 1 {
            let group = WorkerGroup()
            self.group = group
            workerIndex = group.join(self)
            server.ssh.reusePort = true
        }
        try server.startListening()
        if let group { startWorkers(count - 1, group) }
        onListening?(server.localPort)
        SystemdNotifier.send("READY=1\nSTATUS=Listening on port \(server.localPort)")
        try serve()
        if !draining { SystemdNotifier.send("STOPPING=1") }
        group?.waitForWorkers()
    }

    /// Turns the event loop until told to stop, or until a drain has seen the last connection go.
    func serve() throws {
        while !stopping {
            try server.doEvents()
            // Worker 0 turns on until every worker's connections are gone: it reaps their children.
            if draining, openConnections == 0 { stopping = true }
        }
        server.shutdown()
        for (pid, _) in sessionsByPid { kill(pid, SIGHUP) }
    }

    /// Starts `count` more workers, each on its own thread with its own server listening on the
    /// same port (SO_REUSEPORT), and returns once each listens.
    private func startWorkers(_ count: Int, _ group: WorkerGroup) {
        var sharedConfiguration = configuration
        sharedConfiguration.server.localPort = server.localPort
        let shared = sharedConfiguration
        let logger = logger
        for index in 1...count {
            let listening = DispatchSemaphore(value: 0)
            group.workerStarted()
            Thread.detachNewThread {
                defer { group.workerEnded() }
                do {
                    let worker = try Daemon(configuration: shared, logger: logger)
                    worker.group = group
                    worker.workerIndex = group.join(worker)
                    worker.server.ssh.reusePort = true
                    try worker.server.startListening()
                    listening.signal()
                    try worker.serve()
                } catch {
                    logger.error("worker \(index) stopped: \(error)")
                    listening.signal()
                }
            }
            listening.wait()
        }
    }

    private func installHandlers() {
        server.ssh.onLog = { [unowned self] event in
            switch event.logLevel {
            case 0: logger.error("\(event.message)")
            case 1: logger.info("\(event.message)")
            case 2: logger.notice("\(event.message)")
            default: logger.debug("\(event.message)")
            }
        }
        server.ssh.onUserAuthRequest = { [unowned self] event in authenticate(&event) }
        server.ssh.onDisconnected = { [unowned self] event in
            owners.removeValue(forKey: event.connectionId)
            reportedInvalid.remove(event.connectionId)
            if unauthenticated.remove(event.connectionId) != nil { group?.addUnauthenticated(-1) }
            group?.addConnections(-1)
            pamLogins.removeValue(forKey: event.connectionUID)?.bridge?.cancel()
            if let transaction = pamTransactions.removeValue(forKey: event.connectionId) { endPAM(transaction) }
        }
        server.allowsSession = { [unowned self] connectionId in allowsSFTP(connectionId) }
    }

    // MARK: - Authentication

    /// Where `user` is known, trying AuthMode's sources in order.
    func loginSource(_ user: String) -> LoginSource {
        for source in configuration.authMode {
            switch source {
            case .users:
                if let account = users.account(named: user) { return .users(account) }
            case .pam:
                if let account = operations.account(named: user) { return .pam(account) }
            }
        }
        return .unknown
    }

    private func authenticate(_ event: inout UserAuthRequestEvent) {
        let connectionId = event.connectionId
        let source = loginSource(event.user)
        if case .unknown = source, event.authMethod == "password" || event.authMethod == "publickey" {
            logInvalidUser(connectionId, event.user)
            event.invalidUser = true
        }
        switch (event.authMethod, source) {
        case ("password", .pam(let account)):
            guard admitsSystemAccounts(event.user, connectionId) else { return }
            event.deferDecision = runPAMLogin(
                connectionId: connectionId, user: event.user, account: account, method: .password(event.authParam), requestNumber: event.requestNumber)
        case ("password", .unknown) where configuration.authMode.first == .pam:
            // An unknown user goes through PAM like a known one (and fails).
            event.deferDecision = runPAMLogin(
                connectionId: connectionId, user: event.user, account: nil, method: .password(event.authParam), requestNumber: event.requestNumber)
        case ("password", .users(let account)):
            checkUsersFilePassword(&event, account)
        case ("password", .unknown):
            checkUsersFilePassword(&event, nil)
        case ("publickey", .users(let account)):
            guard let options = matchingKey(event.authParam, user: account.name, home: accountRoot(account), strictFor: nil, connectionId: connectionId)
            else { return }
            event.accept = true
            if event.hasSignature { admit(account, connectionId, keyOptions: options) }
        case ("publickey", .pam(let account)):
            guard let options = matchingKey(event.authParam, user: account.name, home: account.home, strictFor: account.uid, connectionId: connectionId)
            else { return }
            guard event.hasSignature else {
                event.accept = true
                return
            }
            guard admitsSystemAccounts(event.user, connectionId) else { return }
            event.deferDecision = runPAMLogin(
                connectionId: connectionId, user: event.user, account: account, method: .publicKey(options), requestNumber: event.requestNumber)
        default:
            return
        }
    }

    /// A users-file password, checked on a worker. An unknown user, or a keys-only account, is
    /// checked against a decoy hash: the same work, the same time, the same answer as a wrong
    /// password.
    private func checkUsersFilePassword(_ event: inout UserAuthRequestEvent, _ account: UserAccount?) {
        let connectionId = event.connectionId
        let stored = account.map { $0.passwordHash == "*" ? PasswordHash.decoy : $0.passwordHash } ?? PasswordHash.decoy
        let canSucceed = account.map { $0.passwordHash != "*" } ?? false
        let password = String(decoding: event.authParam, as: UTF8.self)
        let number = event.requestNumber
        event.deferDecision = true
        do {
            try workers.run({ canSucceed && PasswordHash.verify(password, against: stored) }, on: server.ssh.reactor) { [weak self] matched in
                guard let self else { return }
                // Only for the request that asked: not a later one, not a connection that reused the id.
                guard (try? self.server.ssh.completeUserAuth(connectionId: connectionId, accept: matched, requestNumber: number)) != nil,
                      matched, let account
                else { return }
                self.admit(account, connectionId)
            }
        } catch {
            event.deferDecision = false
            logger.error("password check for \(event.user) could not run: \(error)")
        }
    }

    /// The options of the authorized key matching `offered` in the account's AuthorizedKeysFile
    /// files, or nil when none may be used: no such key, a line with bad options, a `from=` the
    /// client's address does not match, an expired key. With `strictFor` (a system account's
    /// uid), a file that fails StrictModes is skipped and logged.
    private func matchingKey(_ offered: [UInt8], user: String, home: String, strictFor uid: uid_t?, connectionId: Int) -> AuthorizedKeyOptions? {
        let address = (try? server.ssh.remoteHost(connectionId)) ?? ""
        for pattern in configuration.authorizedKeysFiles {
            let path = AuthorizedKeys.path(pattern, user: user, home: home)
            if let uid, FileManager.default.fileExists(atPath: path), let problem = StrictModes.problem(path, uid: uid) {
                logger.error("Authentication refused: \(problem)")
                continue
            }
            guard let match = AuthorizedKeys.load(path).first(where: { $0.key.wireBlob == offered }) else { continue }
            let options: AuthorizedKeyOptions
            do {
                options = try AuthorizedKeyOptions(parsing: match.options)
            } catch {
                logger.error("\(path): bad options for a key of \(user): \(error)")
                return nil
            }
            guard options.allows(address: address) else {
                logger.notice("Authentication tried for \(user) with correct key but not from a permitted host (ip=\(address)).")
                return nil
            }
            if let expiry = options.expiry, expiry <= Date() {
                logger.notice("\(user): the key's expiry-time has passed; refused")
                return nil
            }
            return options
        }
        return nil
    }

    /// OpenSSH's `Invalid user USER from ADDR port N` (fail2ban's sshd filter matches it).
    func logInvalidUser(_ connectionId: Int, _ user: String) {
        guard reportedInvalid.insert(connectionId).inserted else { return }
        guard let host = try? server.ssh.remoteHost(connectionId), let port = try? server.ssh.remotePort(connectionId) else { return }
        logger.info("Invalid user \(user) from \(host) port \(port)")
    }

    /// The account's root on disk: `RootDirectory`/root.
    func accountRoot(_ account: UserAccount) -> String {
        account.root.isEmpty ? configuration.rootDirectory : (configuration.rootDirectory as NSString).appendingPathComponent(account.root)
    }

    /// An accepted login: its SFTP tree is the account's root (made, mode 0750, when missing).
    private func admit(_ account: UserAccount, _ connectionId: Int, keyOptions: AuthorizedKeyOptions = AuthorizedKeyOptions()) {
        var owner = owner(of: account)
        owner.keyOptions = keyOptions
        owners[connectionId] = owner
        let root = accountRoot(account)
        if !FileManager.default.fileExists(atPath: root) {
            do {
                try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
                logger.notice("made the root \(root) of \(account.name)")
            } catch {
                logger.error("cannot make the root \(root) of \(account.name): \(error.localizedDescription)")
            }
        }
        if !account.root.isEmpty { _ = try? server.config("UserRootDirectory[\(connectionId)]=\(account.root)") }
        _ = try? server.config("DirListBufferSize[\(connectionId)]=\(configuration.directoryListBatch)")
    }

    private func allowsSFTP(_ connectionId: Int) -> Bool {
        guard let owner = owners[connectionId], owner.permissions.contains(.sftp) else {
            logger.notice("sftp refused for \(owners[connectionId]?.name ?? "?"): not allowed by AllowSFTP or the account's options")
            return false
        }
        return true
    }
}
