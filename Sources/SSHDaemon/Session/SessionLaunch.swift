import CShims
#if canImport(Glibc)
import Glibc
#endif

/// Who a session's process runs as: set in the child before `execve` (setgroups, setresgid,
/// setresuid), and checked to be permanent.
public struct ProcessIdentity: Equatable, Sendable {
    public var uid: uid_t
    public var gid: gid_t
    public var groups: [gid_t]

    public init(uid: uid_t, gid: gid_t, groups: [gid_t]) {
        self.uid = uid
        self.gid = gid
        self.groups = groups
    }

    public init(_ account: SystemAccount) {
        self.init(uid: account.uid, gid: account.gid, groups: account.groups)
    }
}

/// A Landlock sandbox for a session (DESIGN §6): everything beneath `writable`, reading and
/// executing beneath `readable`, nothing else of the file system.
public struct FileSystemConfinement: Hashable, Sendable {
    public var writable: [String]
    public var readable: [String]

    public init(writable: [String], readable: [String]) {
        self.writable = writable
        self.readable = readable
    }

    /// What a users-file account's shell and commands may read and run besides its own root: the
    /// system's programs, libraries and configuration, and the devices a shell needs.
    public static let systemReadable = ["/usr", "/bin", "/sbin", "/lib", "/lib64", "/etc", "/proc", "/dev/urandom", "/dev/random"]
    /// Devices a session writes to: the null device and its controlling terminal by its alias;
    /// its own pty slave is added when it has one (no other session's terminal, which runs as
    /// the same user).
    public static let systemWritable = ["/dev/null", "/dev/zero", "/dev/tty"]
}

/// What to start for a session: a program, its arguments and environment, the descriptors that
/// become its 0, 1 and 2, and the identity and confinement it runs with.
public struct SessionLaunch: Sendable {
    public var path: String
    /// The whole argument vector, `argv[0]` included.
    public var arguments: [String]
    /// `NAME=value` entries: exactly this environment, nothing inherited.
    public var environment: [String]
    public var workingDirectory: String?
    /// nil: the daemon's own identity (a daemon that is not root).
    public var identity: ProcessIdentity?
    public var standardInput: Int32
    public var standardOutput: Int32
    public var standardError: Int32
    /// Descriptor 0 is a pty slave that becomes the session's controlling terminal.
    public var controllingTerminal = false
    public var confinement: FileSystemConfinement?

    public init(
        path: String, arguments: [String], environment: [String], workingDirectory: String?, identity: ProcessIdentity?,
        standardInput: Int32, standardOutput: Int32, standardError: Int32
    ) {
        self.path = path
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.identity = identity
        self.standardInput = standardInput
        self.standardOutput = standardOutput
        self.standardError = standardError
    }
}

/// Why a session's process did not start: the step of the child's set-up that failed, and errno.
public struct SpawnError: Error, CustomStringConvertible, Equatable {
    public let step: String
    public let errno: Int32

    public var description: String { "\(step): \(String(cString: strerror(errno)))" }

    static func stepName(_ step: Int32) -> String {
        switch Int(step) {
        case Int(SSHD_SPAWN_STEP_FORK): "fork"
        case Int(SSHD_SPAWN_STEP_SETSID): "setsid"
        case Int(SSHD_SPAWN_STEP_DUP): "dup2"
        case Int(SSHD_SPAWN_STEP_TTY): "controlling terminal"
        case Int(SSHD_SPAWN_STEP_GROUPS): "setgroups"
        case Int(SSHD_SPAWN_STEP_GID): "setresgid"
        case Int(SSHD_SPAWN_STEP_UID): "setresuid"
        case Int(SSHD_SPAWN_STEP_CHDIR): "chdir"
        case Int(SSHD_SPAWN_STEP_LANDLOCK): "landlock"
        case Int(SSHD_SPAWN_STEP_EXEC): "execve"
        default: "landlock ruleset"
        }
    }
}

/// Starts session processes through the C helper: vfork, then only system calls until execve
/// (`Sources/CShims/spawn.c`).
public enum ProcessSpawner {
    /// Starts `launch` and returns its pid. Every descriptor of the daemon other than the three
    /// given is closed in the child; the caller closes its copies of the child's ends.
    public static func spawn(_ launch: SessionLaunch) throws(SpawnError) -> pid_t {
        try spawn(launch, rulesets: .shared)
    }

    static func spawn(_ launch: SessionLaunch, rulesets: LandlockRulesetCache) throws(SpawnError) -> pid_t {
        var ruleset: Int32 = -1
        if let confinement = launch.confinement {
            ruleset = rulesets.ruleset(for: confinement)
            if ruleset < 0 { throw SpawnError(step: SpawnError.stepName(-1), errno: Glibc.errno) }
        }
        defer { if ruleset >= 0 { close(ruleset) } }
        let groups = launch.identity?.groups ?? []
        var failedStep: Int32 = 0
        var failedErrno: Int32 = 0
        let pid: pid_t = withCStrings(launch.arguments) { argv in
            withCStrings(launch.environment) { envp in
                groups.withUnsafeBufferPointer { groupBuffer in
                    launch.path.withCString { path in
                        withOptionalCString(launch.workingDirectory) { cwd in
                            var request = sshd_spawn_request()
                            request.path = path
                            request.argv = UnsafePointer(argv.baseAddress)
                            request.envp = UnsafePointer(envp.baseAddress)
                            request.cwd = cwd
                            request.stdin_fd = launch.standardInput
                            request.stdout_fd = launch.standardOutput
                            request.stderr_fd = launch.standardError
                            request.controlling_tty = launch.controllingTerminal ? 1 : 0
                            if let identity = launch.identity {
                                request.change_identity = 1
                                request.uid = identity.uid
                                request.gid = identity.gid
                                request.groups = groupBuffer.baseAddress
                                request.group_count = groupBuffer.count
                            }
                            request.landlock_ruleset = ruleset
                            let pid = sshd_spawn(&request)
                            failedStep = request.failed_step
                            failedErrno = request.failed_errno
                            return pid
                        }
                    }
                }
            }
        }
        guard pid > 0 else { throw SpawnError(step: SpawnError.stepName(failedStep), errno: failedErrno) }
        return pid
    }
}

/// A NULL-terminated array of C strings for the body's duration.
func withCStrings<R>(_ strings: [String], _ body: (UnsafeMutableBufferPointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeMutableBufferPointer { body($0) }
}

private func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let string else { return body(nil) }
    return string.withCString { body($0) }
}
