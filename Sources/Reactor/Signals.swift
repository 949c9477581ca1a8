import CShims

#if canImport(Glibc)
import Glibc
#endif

/// Signal masks and dispositions.
///
/// Signals the ``Reactor`` watches through a signalfd must be blocked in **every** thread, or a
/// thread that does not block one takes it the ordinary way and the signalfd never sees it. New
/// threads inherit the mask of the thread that creates them, so the simple rule is: call
/// ``blockInThisThread(_:)`` at the very start of `main`, before any thread exists (DESIGN §5).
public enum Signals {
    /// The signals a server watches: child exit, reload, termination, interrupt.
    public static let serverSignals: [Int32] = [SIGCHLD, SIGHUP, SIGTERM, SIGINT]

    /// `SIGRTMIN` (a function-like macro in glibc).
    public static var realTimeMinimum: Int32 { sshd_sigrtmin() }

    /// Adds `signals` to the calling thread's blocked set (`pthread_sigmask(SIG_BLOCK)`).
    public static func blockInThisThread(_ signals: [Int32]) throws {
        var set = makeSet(signals)
        let rc = pthread_sigmask(SIG_BLOCK, &set, nil)
        guard rc == 0 else { throw SystemError(syscall: "pthread_sigmask", errno: rc) }
    }

    /// Removes `signals` from the calling thread's blocked set.
    public static func unblockInThisThread(_ signals: [Int32]) throws {
        var set = makeSet(signals)
        let rc = pthread_sigmask(SIG_UNBLOCK, &set, nil)
        guard rc == 0 else { throw SystemError(syscall: "pthread_sigmask", errno: rc) }
    }

    /// Whether `signal` is blocked in the calling thread.
    public static func isBlockedInThisThread(_ signal: Int32) -> Bool {
        var current = sigset_t()
        sigemptyset(&current)
        guard pthread_sigmask(SIG_BLOCK, nil, &current) == 0 else { return false }
        return sigismember(&current, signal) == 1
    }

    /// Sets `signal`'s disposition to "ignore" for the whole process (for `SIGPIPE`, so a write
    /// to a closed pipe returns `EPIPE` instead of killing the process).
    public static func ignore(_ signal: Int32) throws {
        var action = sigaction()
        sigemptyset(&action.sa_mask)
        action.__sigaction_handler.sa_handler = SIG_IGN
        _ = try syscall(where: "sigaction") { sigaction(signal, &action, nil) }
    }

    static func makeSet(_ signals: [Int32]) -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        return set
    }
}

/// What the kernel says about one delivered signal (`struct signalfd_siginfo`).
public struct SignalInfo: Equatable, Sendable {
    /// The signal number, for example `SIGCHLD`.
    public let signal: Int32
    /// The sending process (for `SIGCHLD`: the child).
    public let pid: pid_t
    /// The sender's real user id.
    public let uid: uid_t
    /// `si_code` (for `SIGCHLD`: `CLD_EXITED`, `CLD_KILLED`, …).
    public let code: Int32
    /// For `SIGCHLD`: the exit status or the signal.
    public let status: Int32

    public init(signal: Int32, pid: pid_t, uid: uid_t, code: Int32, status: Int32) {
        self.signal = signal
        self.pid = pid
        self.uid = uid
        self.code = code
        self.status = status
    }
}

/// `signalfd(2)`: blocked signals read as records from a descriptor.
public enum SignalFd {
    /// A non-blocking, close-on-exec signalfd for `signals`, or the existing `fd` given a new
    /// mask when `fd` is not -1.
    public static func create(_ signals: [Int32], replacing fd: Int32 = -1) throws -> Int32 {
        var set = Signals.makeSet(signals)
        return try syscall(where: "signalfd") { signalfd(fd, &set, Int32(SFD_NONBLOCK) | Int32(SFD_CLOEXEC)) }
    }

    /// Reads one pending signal, or `nil` when none is pending.
    public static func read(_ fd: Int32) throws -> SignalInfo? {
        var info = signalfd_siginfo()
        let size = MemoryLayout<signalfd_siginfo>.size
        switch try syscall(blocking: false, where: "read", { Glibc.read(fd, &info, size) }) {
        case .wouldBlock:
            return nil
        case .processed(let n):
            guard n == size else { return nil }
            return SignalInfo(
                signal: Int32(bitPattern: info.ssi_signo), pid: pid_t(bitPattern: info.ssi_pid),
                uid: info.ssi_uid, code: info.ssi_code, status: info.ssi_status)
        }
    }
}

/// `clock_gettime(CLOCK_MONOTONIC)`: time that never jumps, for timers.
public enum MonotonicClock {
    /// Nanoseconds since an arbitrary fixed point (boot).
    public static func nanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(max(0, spec.tv_sec)) &* 1_000_000_000 &+ UInt64(max(0, spec.tv_nsec))
    }
}
