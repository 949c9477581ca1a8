#if canImport(Glibc)
import Glibc
#endif

/// A system call failed with an `errno` the caller may have to handle (for example one a peer
/// caused: `ECONNRESET`, `ECONNREFUSED`, `EMFILE`).
///
/// `EINTR` never surfaces (the call is retried) and `EAGAIN`/`EWOULDBLOCK` on a non-blocking
/// descriptor is a result (``IOResult/wouldBlock``), not an error.
public struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The C name of the failed call, for example `"epoll_ctl"`.
    public let syscall: String
    /// The `errno` it left.
    public let errno: Int32

    public init(syscall: String, errno: Int32) {
        self.syscall = syscall
        self.errno = errno
    }

    public var description: String {
        let text = strerror(errno).map { String(cString: $0) } ?? "errno \(errno)"
        return "\(syscall): \(text) (errno \(errno))"
    }
}

/// Failures of the reactor that are not a single failed system call.
public enum ReactorError: Error, Equatable, Sendable {
    /// A system call failed.
    case system(SystemError)
    /// A textual address is not a numeric IPv4 or IPv6 address (names are not resolved here:
    /// resolution can block, so it belongs on a ``BlockingPool``).
    case invalidAddress(String)
    /// A host name did not resolve to a TCP address (``HostResolver``); the text says why.
    case unresolvable(String)
    /// A signal passed to ``Reactor/watchSignals(_:handler:)`` is not blocked in the calling
    /// thread, so it would be delivered the default way instead of through the signalfd.
    case signalNotBlocked(Int32)
    /// The blocking pool's queue holds ``BlockingPool/Limits/defaultMaxQueuedJobs`` (or the
    /// configured limit) jobs already.
    case poolQueueFull
    /// The blocking pool has been shut down.
    case poolShutDown
}

/// The outcome of a system call on a non-blocking descriptor: a value, or "try again when the
/// reactor says it is ready".
public enum IOResult<Value> {
    case processed(Value)
    case wouldBlock
}

extension IOResult: Equatable where Value: Equatable {}
extension IOResult: Sendable where Value: Sendable {}

/// The outcome of a read or write on a stream descriptor.
public enum TransferResult: Equatable, Sendable {
    /// This many bytes moved (never 0 for a non-empty buffer).
    case bytes(Int)
    /// Nothing can move now; wait for readiness.
    case wouldBlock
    /// The peer closed: end of file on a read, `EPIPE` on a write.
    case closed
}
