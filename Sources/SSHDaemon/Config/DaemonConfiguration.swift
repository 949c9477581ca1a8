import SSHKit

/// Which accounts may log in, and how they are checked (`AuthMode`).
public enum AuthenticationSource: String, Sendable, Equatable, CaseIterable {
    /// System accounts through PAM (`PAMService`).
    case pam
    /// The daemon's own users file (`UsersFile`).
    case users
}

/// `AllowTcpForwarding`.
public enum TCPForwarding: String, Sendable, Equatable, CaseIterable {
    case yes, no, local, remote

    /// `ssh -L` and `-D` (direct-tcpip).
    public var allowsLocal: Bool { self == .yes || self == .local }
    /// `ssh -R` (tcpip-forward).
    public var allowsRemote: Bool { self == .yes || self == .remote }
}

/// `MaxStartups` (OpenSSH's `start:rate:full`): unauthenticated connections beyond `start` are
/// refused with probability `rate`% rising linearly to 100% at `full`.
public struct StartupLimit: Sendable, Equatable, CustomStringConvertible {
    public var start: Int
    public var rate: Int
    public var full: Int

    public init(start: Int, rate: Int, full: Int) {
        self.start = start
        self.rate = rate
        self.full = full
    }

    public var description: String { rate == 100 && start == full ? "\(start)" : "\(start):\(rate):\(full)" }
}

/// The daemon's whole configuration: the SSH server's settings (the documented properties and
/// config settings), the SFTP settings, and the daemon's own keys. Immutable once loaded: a
/// reload builds a new one and swaps it in.
public struct DaemonConfiguration: Sendable, Equatable {
    public var server = SSHServerSettings()

    // MARK: SFTP (client-and-SFTP digest §B4.1)
    public var sftpProtocolVersion: UInt32 = 3
    public var serverEOL = "\n"
    public var directoryListBatch = 100

    // MARK: The daemon's own keys (DESIGN §7)
    public var hostKeys: [String] = DaemonConfiguration.defaultHostKeys
    public var hostKeyPassword = ""
    public var authMode: [AuthenticationSource] = [.pam]
    public var pamService = "swift-sshd"
    public var usersFile = "/etc/swift-sshd/users"
    public var authorizedKeysFiles = [".ssh/authorized_keys"]
    public var rootDirectory = "/"
    public var allowShell = true
    public var allowExec = true
    public var allowSFTP = true
    public var allowTcpForwarding = TCPForwarding.no
    /// `PermitOpen`: host:port patterns a forward may reach; ["any"] or ["none"].
    public var permitOpen = ["any"]
    /// `AcceptEnv`: variable-name patterns (`*`, `?`) a client's env request may set.
    public var acceptEnv = ["LANG", "LC_*"]
    public var maxStartups = StartupLimit(start: 10, rate: 30, full: 100)
    /// `LogLevel` as OpenSSH names it.
    public var logLevel = DaemonLogLevel.info
    /// `Workers`: server threads; 0 = one per core.
    public var workers = 0
    /// `VirtualUser`: the system user users-file sessions run as; "" = the daemon's own user when
    /// it is not root, `swift-sshd` when it is.
    public var virtualUser = ""
    /// `UserAuthBanner`: text sent before authentication ("" = none).
    public var banner = ""

    public static let defaultHostKeys = [
        "/etc/swift-sshd/ssh_host_ed25519_key", "/etc/swift-sshd/ssh_host_ecdsa_key", "/etc/swift-sshd/ssh_host_rsa_key",
    ]

    public init() {
        server.logLevel = logLevel.classLevel
        // What OpenSSH's sshd offers: keys first, then passwords and PAM's conversation.
        server.defaultAuthMethods = ["publickey", "password", "keyboard-interactive"]
        // The daemon writes each turn's packets in one write, so Nagle only adds latency: with
        // it on, a close that follows exit-status waits for the client's delayed ACK (40 ms).
        server.tcpNoDelay = true
        // OpenSSH's listen backlog (SSH_LISTEN_BACKLOG). The class's 5 drops the SYNs of a burst
        // of clients, which then wait a second for their retransmission.
        server.connectionBacklog = 128
    }
}

/// `LogLevel`: OpenSSH's names; the class's 0–3 are accepted too.
public enum DaemonLogLevel: String, Sendable, Equatable, CaseIterable, Comparable {
    case quiet = "QUIET", fatal = "FATAL", error = "ERROR", info = "INFO", verbose = "VERBOSE"
    case debug = "DEBUG", debug1 = "DEBUG1", debug2 = "DEBUG2", debug3 = "DEBUG3"

    /// The SSH server class's `LogLevel` (0 none, 1 info, 2 verbose, 3 debug).
    public var classLevel: Int {
        switch self {
        case .quiet, .fatal, .error: 0
        case .info: 1
        case .verbose: 2
        case .debug, .debug1, .debug2, .debug3: 3
        }
    }

    private var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}
