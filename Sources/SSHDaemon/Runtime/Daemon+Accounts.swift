import Foundation
import Logging

// MARK: - Whom sessions run as (issue 5 item 5; DESIGN §6)

extension Daemon {
    /// The account users-file sessions run as: `VirtualUser`, or when it is empty the daemon's own
    /// user (not root) or `swift-sshd` (root). Root is never used; nil when none is usable, and
    /// then such sessions are refused.
    static func resolveVirtualUser(_ name: String, runsAsRoot: Bool, logger: Logger) -> SystemAccount? {
        if !runsAsRoot {
            guard let own = SystemAccount.lookUp(uid: geteuid()) else {
                logger.error("the daemon's user (uid \(geteuid())) is not in the password database: users-file sessions are refused")
                return nil
            }
            if !name.isEmpty, name != own.name {
                logger.error("VirtualUser \(name) needs the daemon to run as root; users-file sessions run as \(own.name), the daemon's user")
            }
            return own
        }
        let wanted = name.isEmpty ? "swift-sshd" : name
        guard let account = SystemAccount.lookUp(wanted) else {
            logger.error("VirtualUser \(wanted) does not exist: users-file sessions are refused (create it: useradd --system \(wanted))")
            return nil
        }
        guard account.uid != 0 else {
            logger.error("VirtualUser \(wanted) has uid 0: users-file sessions never run as root and are refused")
            return nil
        }
        return account
    }

    /// What a users-file account's session is: its name, its root as home and working directory,
    /// `VirtualUser`'s identity (when the daemon must change to it) and shell (when listed in
    /// /etc/shells, else /bin/sh), confined by Landlock to its root plus the system's read-only
    /// paths, and the options the account has within AllowShell, AllowExec and AllowSFTP.
    func owner(of account: UserAccount) -> SessionOwner {
        let root = accountRoot(account)
        var permissions = account.options
        if !configuration.allowShell { permissions.remove(.shell) }
        if !configuration.allowExec { permissions.remove(.exec) }
        if !configuration.allowSFTP { permissions.remove(.sftp) }
        if virtualAccount == nil { permissions.subtract([.shell, .exec, .sftp]) }
        let secrets = (configuration.hostKeys + [configuration.usersFile]).map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        let rootPath = URL(fileURLWithPath: root).standardizedFileURL.path
        if rootPath == "/" || secrets.contains(where: { $0.hasPrefix(rootPath + "/") }) {
            logger.error("sessions refused for \(account.name): its root \(rootPath) holds the daemon's host keys or users file; give the account a root of its own")
            permissions.subtract([.shell, .exec, .sftp])
        }
        let shell = virtualAccount.map { $0.hasListedShell ? $0.loginShell : "/bin/sh" } ?? "/bin/sh"
        return SessionOwner(
            name: account.name, home: root, shell: shell,
            identity: runsAsRoot ? virtualAccount.map(ProcessIdentity.init) : nil,
            confinement: FileSystemConfinement(
                writable: [root] + FileSystemConfinement.systemWritable,
                readable: FileSystemConfinement.systemReadable.filter { $0 != "/etc" } + confinedReadable),
            permissions: permissions, sftpRoot: root)
    }

    /// The entries of /etc a confined session may read: all but those that hold (or lead to) the
    /// daemon's secrets — its host keys and users file — and the system's password hashes.
    static func readablePaths(hiding secrets: [String]) -> [String] {
        let hidden: Set<String> = ["/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-", "/etc/ssh", "/etc/sudoers", "/etc/sudoers.d"]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/etc")) ?? []
        return entries.sorted().map { "/etc/" + $0 }.filter { path in
            !hidden.contains(path) && !secrets.contains { $0 == path || $0.hasPrefix(path + "/") }
        }
    }
}
