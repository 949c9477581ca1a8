import Foundation
import Logging
import SSHCrypto
import SSHKit

// MARK: - Reload and drain (issue 5 item 8)

extension Daemon {
    /// How long SIGTERM lets open connections finish (a running transfer, a shell) before the
    /// daemon disconnects them and exits. The systemd unit's TimeoutStopSec is above it.
    public static let drainDeadlineSeconds = 30

    /// SIGTERM: stop accepting, let open connections end by themselves until the deadline.
    func beginDrain() {
        draining = true
        if workerIndex == 0 { SystemdNotifier.send("STOPPING=1") }
        server.stopListening()
        if workerIndex == 0 {
            let open = openConnections
            logger.info("Received signal \(SIGTERM); no new connections, \(open) open, finishing within \(Self.drainDeadlineSeconds) s.")
        }
        _ = server.ssh.reactor.schedule(after: Self.drainDeadlineSeconds * 1000) { [weak self] in
            guard let self, !self.stopping else { return }
            self.logger.info("Drain deadline passed; disconnecting \(self.server.ssh.connectionIds.count) connections.")
            self.stopping = true
        }
    }

    /// SIGHUP: reads the configuration again and swaps it in only when it is whole — file, host
    /// keys and users file all usable; otherwise the old one keeps running and the log says why.
    /// Logged-in connections keep their sessions; new logins see the new accounts and settings.
    func reload() {
        SystemdNotifier.send("RELOADING=1\nMONOTONIC_USEC=\(DispatchTime.now().uptimeNanoseconds / 1000)")
        defer { SystemdNotifier.send("READY=1") }
        guard let reloadConfiguration else { return logger.notice("SIGHUP: no configuration file to reload") }
        let next: DaemonConfiguration
        let keys: [any SSHPrivateKey]
        let nextUsers: UsersFile
        do {
            next = try reloadConfiguration()
            (keys, nextUsers) = try Self.loadFiles(next)
        } catch {
            return logger.error("Reload failed, keeping the running configuration: \(error)")
        }
        apply(next, keys: keys, users: nextUsers)
        group?.postToOthers(than: workerIndex) { $0.apply(next, keys: keys, users: nextUsers) }
        logger.info("Received SIGHUP; configuration reloaded (\(users.accounts.count) users-file accounts).")
    }

    /// Swaps in a reloaded configuration (in each worker, on its own thread). `LocalPort` 0 keeps
    /// the port the kernel chose at start; a changed address or port is listened on anew.
    func apply(_ loaded: DaemonConfiguration, keys: [any SSHPrivateKey], users loadedUsers: UsersFile) {
        var next = loaded
        if loaded.server.localPort == 0 { next.server.localPort = server.localPort }
        let relisten = next.server.localPort != server.localPort || next.server.localHost != configuration.server.localHost
            || next.server.useIPv6 != configuration.server.useIPv6 || next.server.connectionBacklog != configuration.server.connectionBacklog
        adopt(next, keys: keys, users: loadedUsers)
        if relisten, !draining {
            server.stopListening()
            do {
                try server.startListening()
            } catch {
                logger.error("Reload: cannot listen on the new address: \(error)")
            }
        }
    }

    /// The host keys and the users file a configuration names (what start and reload read).
    static func loadFiles(_ configuration: DaemonConfiguration) throws -> ([any SSHPrivateKey], UsersFile) {
        let keys = try HostKeyFiles.load(configuration.hostKeys, passphrase: configuration.hostKeyPassword)
        let users = configuration.authMode.contains(.users) ? try UsersFile.load(configuration.usersFile) : UsersFile()
        return (keys, users)
    }

    /// Makes `next` the running configuration: the server's settings (never waiting in a send),
    /// host keys and SFTP settings, the users file, and what depends on them.
    func adopt(_ next: DaemonConfiguration, keys: [any SSHPrivateKey], users loadedUsers: UsersFile) {
        configuration = next
        users = loadedUsers
        server.ssh.settings = next.server
        server.ssh.settings.defaultTimeout = 0
        server.ssh.hostKeys = keys
        server.rootDirectory = next.rootDirectory
        server.protocolVersion = next.sftpProtocolVersion
        server.serverEOL = next.serverEOL
        virtualAccount = Self.resolveVirtualUser(next.virtualUser, runsAsRoot: runsAsRoot, logger: logger)
        confinedReadable = Self.readablePaths(hiding: next.hostKeys + [next.usersFile])
    }

    /// Open connections: of the whole process at worker 0 (which drains last), else this worker's.
    var openConnections: Int { (workerIndex == 0 ? group?.connections : nil) ?? server.ssh.connectionIds.count }
}
