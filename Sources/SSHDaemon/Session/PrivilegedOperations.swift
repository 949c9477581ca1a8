import SSHWire
#if canImport(Glibc)
import Glibc
#endif

/// Every operation that needs the daemon's privileges (DESIGN §6), behind one protocol: today
/// implemented in-process (``InProcessPrivilegedOperations``); a privileged monitor answering
/// over a Unix socket is another implementation, not a rewrite of its callers.
protocol PrivilegedOperations: AnyObject, Sendable {
    /// A system account by name (the password database through NSS).
    func account(named name: String) -> SystemAccount?
    /// A pseudo-terminal owned by `owner` (nil: by the daemon's user).
    func openTerminal(
        modes: [SSHTerminalMode], columns: UInt32, rows: UInt32, width: UInt32, height: UInt32, owner: ProcessIdentity?
    ) throws -> PseudoTerminal
    /// Starts a session's process with the identity and confinement the launch names.
    func startProcess(_ launch: SessionLaunch) throws -> pid_t
    /// Starts a PAM transaction (PAM reads the shadow file, talks to the modules); called on the
    /// login's own thread.
    func startPAM(service: String, user: String, remoteHost: String, converse: @escaping ([PAMMessage]) -> [String]?) throws -> PAMTransaction
}

/// The operations run by the daemon's own process.
final class InProcessPrivilegedOperations: PrivilegedOperations, Sendable {
    func account(named name: String) -> SystemAccount? { SystemAccount.lookUp(name) }

    func openTerminal(
        modes: [SSHTerminalMode], columns: UInt32, rows: UInt32, width: UInt32, height: UInt32, owner: ProcessIdentity?
    ) throws -> PseudoTerminal {
        try PseudoTerminal(modes: modes, columns: columns, rows: rows, width: width, height: height, owner: owner)
    }

    func startProcess(_ launch: SessionLaunch) throws -> pid_t { try ProcessSpawner.spawn(launch) }

    func startPAM(service: String, user: String, remoteHost: String, converse: @escaping ([PAMMessage]) -> [String]?) throws -> PAMTransaction {
        try PAMTransaction(service: service, user: user, remoteHost: remoteHost, converse: converse)
    }
}
