import CShims

#if canImport(Glibc)
import Glibc
#endif

/// `epoll(7)`, named as in C. The 64-bit `epoll_data.u64` carries whatever the caller packs
/// into it (the ``Reactor`` packs a slot and a generation).
public enum Epoll {
    /// `EPOLLIN`: readable, or a listener has a connection waiting.
    public static let readable = UInt32(EPOLLIN.rawValue)
    /// `EPOLLOUT`: writable, or a non-blocking connect has finished.
    public static let writable = UInt32(EPOLLOUT.rawValue)
    /// `EPOLLRDHUP`: the peer shut down its writing side.
    public static let readHangup = UInt32(EPOLLRDHUP.rawValue)
    /// `EPOLLHUP`: hung up (always reported).
    public static let hangup = UInt32(EPOLLHUP.rawValue)
    /// `EPOLLERR`: an error is pending (always reported).
    public static let error = UInt32(EPOLLERR.rawValue)

    /// `epoll_create1(EPOLL_CLOEXEC)`.
    public static func create() throws -> Int32 {
        try syscall(where: "epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
    }

    /// `epoll_ctl(EPOLL_CTL_ADD)`.
    public static func add(_ epfd: Int32, fd: Int32, events: UInt32, data: UInt64) throws {
        _ = try syscall(where: "epoll_ctl") { sshd_epoll_ctl(epfd, EPOLL_CTL_ADD, fd, events, data) }
    }

    /// `epoll_ctl(EPOLL_CTL_MOD)`.
    public static func modify(_ epfd: Int32, fd: Int32, events: UInt32, data: UInt64) throws {
        _ = try syscall(where: "epoll_ctl") { sshd_epoll_ctl(epfd, EPOLL_CTL_MOD, fd, events, data) }
    }

    /// `epoll_ctl(EPOLL_CTL_DEL)`. A descriptor already closed (`EBADF`) or not in the set
    /// (`ENOENT`) is not an error: closing a descriptor removes it from the set already.
    public static func delete(_ epfd: Int32, fd: Int32) throws {
        while sshd_epoll_ctl(epfd, EPOLL_CTL_DEL, fd, 0, 0) < 0 {
            switch errno {
            case EINTR: continue
            case EBADF, ENOENT: return
            case let code: throw SystemError(syscall: "epoll_ctl", errno: code)
            }
        }
    }

    /// `epoll_wait` for at most `timeoutMillis` (-1: no limit) into `events`/`data`, which hold
    /// at least `maxEvents` entries. Returns the count; 0 when the time ran out or a signal
    /// interrupted the wait (`EINTR` is not retried here: the caller recomputes its timeout).
    public static func wait(
        _ epfd: Int32, events: UnsafeMutablePointer<UInt32>, data: UnsafeMutablePointer<UInt64>,
        maxEvents: Int32, timeoutMillis: Int32
    ) throws -> Int {
        let count = sshd_epoll_wait(epfd, events, data, maxEvents, timeoutMillis)
        if count >= 0 { return Int(count) }
        switch errno {
        case EINTR: return 0
        case EBADF, EFAULT: preconditionFailure("epoll_wait: programmer error, errno \(errno)")
        case let code: throw SystemError(syscall: "epoll_wait", errno: code)
        }
    }
}

/// `eventfd(2)`: a counter that makes a descriptor readable, for waking an epoll loop.
public enum EventFd {
    /// `eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)`.
    public static func create() throws -> Int32 {
        try syscall(where: "eventfd") { eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC)) }
    }

    /// Adds 1 to the counter, making the descriptor readable. A saturated counter (`EAGAIN`)
    /// is already readable, so that is success too.
    public static func signal(_ fd: Int32) throws {
        var one: UInt64 = 1
        _ = try syscall(blocking: false, where: "write") { Glibc.write(fd, &one, MemoryLayout<UInt64>.size) }
    }

    /// Reads and resets the counter; 0 when it was already 0.
    @discardableResult
    public static func drain(_ fd: Int32) throws -> UInt64 {
        var value: UInt64 = 0
        switch try syscall(blocking: false, where: "read", { Glibc.read(fd, &value, MemoryLayout<UInt64>.size) }) {
        case .processed: return value
        case .wouldBlock: return 0
        }
    }
}
