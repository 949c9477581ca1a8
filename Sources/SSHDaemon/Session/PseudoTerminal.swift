import CShims
import Reactor
import SSHWire
#if canImport(Glibc)
import Glibc
#endif

/// A pseudo-terminal for a session's `pty-req` (RFC 4254 §6.2): the master end stays with the
/// daemon, the slave becomes the session's controlling terminal and its 0, 1 and 2.
public final class PseudoTerminal {
    /// The daemon's end (non-blocking, close-on-exec).
    public let master: Int32
    /// The session's end until the process has it; -1 once the daemon closed its copy.
    public private(set) var slave: Int32
    /// `/dev/pts/N`: the session's `SSH_TTY`.
    public let path: String

    /// ptsname's longest answer we accept.
    static let maximumPathLength = 128

    /// Opens a pair with the client's terminal modes and window size applied to it, owned by
    /// `owner` (mode 0620, group `tty`, as OpenSSH leaves it) when one is given.
    public init(modes: [SSHTerminalMode], columns: UInt32, rows: UInt32, width: UInt32, height: UInt32, owner: ProcessIdentity?) throws {
        var masterFd: Int32 = -1
        var slaveFd: Int32 = -1
        var name = [CChar](repeating: 0, count: Self.maximumPathLength)
        guard sshd_openpty(&masterFd, &slaveFd, &name, name.count) == 0 else { throw SystemError(syscall: "openpty", errno: errno) }
        master = masterFd
        slave = slaveFd
        path = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        do {
            try Posix.setNonBlocking(master)
            let opcodes = modes.map(\.opcode)
            let values = modes.map(\.value)
            guard sshd_apply_terminal_modes(slave, opcodes, values, modes.count) == 0 else {
                throw SystemError(syscall: "tcsetattr", errno: errno)
            }
            try resize(columns: columns, rows: rows, width: width, height: height)
            if let owner {
                let group = Self.terminalGroup ?? owner.gid
                guard fchown(slave, owner.uid, group) == 0, fchmod(slave, Self.slaveMode(ownedByTTYGroup: Self.terminalGroup != nil)) == 0 else {
                    throw SystemError(syscall: "chown \(path)", errno: errno)
                }
            }
        } catch {
            close()
            throw error
        }
    }

    /// `window-change` (RFC 4254 §6.7): the kernel tells the foreground process with SIGWINCH.
    public func resize(columns: UInt32, rows: UInt32, width: UInt32, height: UInt32) throws {
        guard sshd_set_window_size(master, columns, rows, width, height) == 0 else { throw SystemError(syscall: "TIOCSWINSZ", errno: errno) }
    }

    /// The terminal's foreground process group (where a `signal` request goes), or nil.
    public var foregroundGroup: pid_t? {
        let group = sshd_terminal_foreground_group(master)
        return group > 0 ? group : nil
    }

    /// Closes the daemon's copy of the slave once the session's process holds it, so that the
    /// master reads end of file (EIO) when the last process lets go.
    public func closeSlave() {
        guard slave >= 0 else { return }
        Posix.close(slave)
        slave = -1
    }

    /// Closes both ends.
    public func close() {
        closeSlave()
        Posix.close(master)
    }

    /// The `tty` group, which owns terminals so that `write` and `wall` reach them; nil without one.
    static var terminalGroup: gid_t? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getgrnam_r("tty", &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.gr_gid
    }

    static func slaveMode(ownedByTTYGroup: Bool) -> mode_t { ownedByTTYGroup ? 0o620 : 0o600 }
}
