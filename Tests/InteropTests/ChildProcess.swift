#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A child started with posix_spawn: stdout and stderr go to a file, stdin is /dev/null, and the
/// owner ends it by PID. Foundation's Process is not used: its monitoring thread has been seen to
/// hang under a parallel test runner.
final class ChildProcess {
    let pid: pid_t
    let outputFile: URL
    private var exitStatus: Int32?

    /// Starts `executable` with `arguments`; output is written to `outputFile`.
    init(
        _ executable: String, _ arguments: [String], outputFile: URL, environment extra: [String: String] = [:],
        inputFile: URL? = nil
    ) throws {
        self.outputFile = outputFile
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputFile?.path ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputFile.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let environment = ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        // The child must not inherit this thread's signal mask (test-runner threads block most
        // signals), or SIGTERM would not end it; dispositions go back to the defaults too.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw InteropError("posix_spawn \(executable): \(String(cString: strerror(result)))") }
        self.pid = pid
    }

    var output: String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }

    /// Waits for the child to exit, at most `limit` seconds (a guard against a hung peer, not a
    /// timing check: on expiry the child is killed and the status says so).
    @discardableResult
    func wait(limit: TimeInterval) -> Int32 {
        if let exitStatus { return exitStatus }
        let deadline = Date().addingTimeInterval(limit)
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result < 0 && errno != EINTR { status = -1; break }
            if Date() > deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                exitStatus = -9
                return -9
            }
            usleep(10_000)
        }
        // WIFEXITED / WEXITSTATUS as the C macros define them.
        let code: Int32 = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : -(status & 0x7F)
        exitStatus = code
        return code
    }

    /// The exit status if the child has exited (reaping it), or nil while it runs.
    func exitStatusIfExited() -> Int32? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        let code: Int32 = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : -(status & 0x7F)
        exitStatus = code
        return code
    }

    /// Ends the child (SIGTERM) and reaps it, if it is still running.
    func terminate() {
        guard exitStatus == nil else { return }
        kill(pid, SIGTERM)
        wait(limit: 10)
    }

    deinit { terminate() }
}

struct InteropError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command to completion (bounded) and returns its exit status and combined output.
func run(_ executable: String, _ arguments: [String], limit: TimeInterval = 120) throws -> (status: Int32, output: String) {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("interop-\(UUID().uuidString).out")
    defer { try? FileManager.default.removeItem(at: file) }
    let child = try ChildProcess(executable, arguments, outputFile: file)
    let status = child.wait(limit: limit)
    return (status, child.output)
}

/// Writes an executable file with `O_CLOEXEC`, so that no child spawned meanwhile by a test
/// running in parallel inherits the write descriptor — which would make executing the file fail
/// with ETXTBSY ("Text file busy") for as long as that child lives.
func writeExecutable(_ path: String, _ text: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
    guard fd >= 0 else { throw InteropError("open \(path): errno \(errno)") }
    defer { close(fd) }
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress.map { $0 + offset }, bytes.count - offset) }
        guard written > 0 else { throw InteropError("write \(path): errno \(errno)") }
        offset += written
    }
    guard fchmod(fd, 0o755) == 0 else { throw InteropError("chmod \(path): errno \(errno)") }
}
