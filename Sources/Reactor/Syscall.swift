#if canImport(Glibc)
import Glibc
#endif

/// Runs one system call the way every wrapper in this module does (STYLE habit 8).
///
/// - Retries while it fails with `EINTR`.
/// - On a non-blocking descriptor (`blocking == false`), `EAGAIN`/`EWOULDBLOCK` becomes
///   ``IOResult/wouldBlock``; on a blocking one it is an ordinary error.
/// - `EBADF` and `EFAULT` are programmer errors (a closed or foreign descriptor, a bad pointer):
///   they trap. No peer can cause them.
/// - Any other failure throws ``SystemError``.
///
/// `body` returns the C result, negative on failure with `errno` set.
@inline(__always)
func syscall<T: FixedWidthInteger>(
    blocking: Bool, where name: StaticString, _ body: () -> T
) throws -> IOResult<T> {
    while true {
        let result = body()
        if result >= 0 { return .processed(result) }
        let code = errno
        switch code {
        case EINTR:
            continue
        case EAGAIN, EWOULDBLOCK:
            if !blocking { return .wouldBlock }
            throw SystemError(syscall: "\(name)", errno: code)
        case EBADF, EFAULT:
            preconditionFailure("\(name): programmer error, errno \(code)")
        default:
            throw SystemError(syscall: "\(name)", errno: code)
        }
    }
}

/// ``syscall(blocking:where:_:)`` for calls that cannot return `EAGAIN`: the value or a throw.
@inline(__always)
func syscall<T: FixedWidthInteger>(where name: StaticString, _ body: () -> T) throws -> T {
    switch try syscall(blocking: true, where: name, body) {
    case .processed(let value): return value
    case .wouldBlock: throw SystemError(syscall: "\(name)", errno: EAGAIN)
    }
}

// MARK: - Lock

/// A `pthread_mutex_t` with its own stable address.
final class PosixLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let rc = pthread_mutex_init(mutex, nil)
        precondition(rc == 0, "pthread_mutex_init: \(rc)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }

    /// Waits on `condition` with this lock held (it is released while waiting).
    func wait(_ condition: PosixCondition) {
        pthread_cond_wait(condition.cond, mutex)
    }
}

/// A `pthread_cond_t` used with a ``PosixLock``.
final class PosixCondition: @unchecked Sendable {
    let cond: UnsafeMutablePointer<pthread_cond_t>

    init() {
        cond = .allocate(capacity: 1)
        cond.initialize(to: pthread_cond_t())
        let rc = pthread_cond_init(cond, nil)
        precondition(rc == 0, "pthread_cond_init: \(rc)")
    }

    deinit {
        pthread_cond_destroy(cond)
        cond.deallocate()
    }

    func signal() { pthread_cond_signal(cond) }
    func broadcast() { pthread_cond_broadcast(cond) }
}

// MARK: - Threads

/// A joinable POSIX thread running one closure. It starts with the signal mask of the thread
/// that spawns it (POSIX), so signals blocked at the start of `main` stay blocked in it.
public struct PosixThread: Sendable {
    /// The thread's handle, for `pthread_kill` and `pthread_equal`.
    public let handle: pthread_t

    private final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Starts a thread that runs `body`. Throws ``SystemError`` when the system refuses
    /// (`EAGAIN`: the thread limit).
    public static func spawn(_ body: @escaping @Sendable () -> Void) throws -> PosixThread {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var handle = pthread_t()
        let rc = pthread_create(&handle, nil, { argument in
            guard let argument else { return nil }
            let box = Unmanaged<Box>.fromOpaque(argument).takeRetainedValue()
            box.body()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            throw SystemError(syscall: "pthread_create", errno: rc)
        }
        return PosixThread(handle: handle)
    }

    /// Waits for the thread to finish. Call once, from another thread.
    public func join() {
        pthread_join(handle, nil)
    }

    /// Whether the calling thread is this one.
    public var isCurrent: Bool { pthread_equal(handle, pthread_self()) != 0 }
}
