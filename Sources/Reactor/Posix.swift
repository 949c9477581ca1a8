import CShims

#if canImport(Glibc)
import Glibc
#endif

/// Plain POSIX calls on descriptors, named as in C, with the error rules of
/// ``syscall(blocking:where:_:)``. Descriptors are `Int32`s the caller owns and closes.
public enum Posix {
    /// Limits of the calls in this namespace.
    public enum Limits {
        /// The most buffers one `writev` takes (Linux `IOV_MAX`, `UIO_MAXIOV` in the kernel);
        /// ``Posix/writev(_:_:)`` writes only the first this many.
        public static let maxIOVectors = 1024
    }

    /// Closes `fd`. `EINTR` is not retried: on Linux the descriptor is released even then, and a
    /// retry could close a number another thread has just been given.
    public static func close(_ fd: Int32) {
        let rc = Glibc.close(fd)
        if rc < 0 && errno == EBADF { preconditionFailure("close: descriptor \(fd) is not open") }
    }

    /// Reads into `buffer`: `.bytes(n)`, `.wouldBlock`, or `.closed` at end of file.
    /// A reset connection (`ECONNRESET`) throws ``SystemError``.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws -> TransferResult {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return .bytes(0) }
        switch try syscall(blocking: false, where: "read", { Glibc.read(fd, base, buffer.count) }) {
        case .processed(0): return .closed
        case .processed(let n): return .bytes(n)
        case .wouldBlock: return .wouldBlock
        }
    }

    /// Reads at most `maxBytes` bytes and returns them; `.closed` at end of file.
    public static func read(_ fd: Int32, maxBytes: Int) throws -> (TransferResult, [UInt8]) {
        var bytes = [UInt8](repeating: 0, count: max(0, maxBytes))
        let result = try bytes.withUnsafeMutableBytes { try read(fd, into: $0) }
        if case .bytes(let n) = result { bytes.removeSubrange(n...) } else { bytes = [] }
        return (result, bytes)
    }

    /// Writes from `buffer`: `.bytes(n)` (possibly short), `.wouldBlock`, or `.closed` when the
    /// reader is gone (`EPIPE`). On a pipe that also raises `SIGPIPE`: a program that writes to
    /// pipes ignores it (``Signals/ignore(_:)``). For sockets use ``TCPSocket/write(_:_:)``,
    /// which never raises it.
    public static func write(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) throws -> TransferResult {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return .bytes(0) }
        return try transfer { try syscall(blocking: false, where: "write", { Glibc.write(fd, base, buffer.count) }) }
    }

    /// ``write(_:_:)`` of a byte array.
    public static func write(_ fd: Int32, _ bytes: [UInt8]) throws -> TransferResult {
        try bytes.withUnsafeBytes { try write(fd, $0) }
    }

    /// Gathers the buffers into one write (at most ``Limits/maxIOVectors`` of them); results as
    /// ``write(_:_:)``.
    public static func writev(_ fd: Int32, _ buffers: [UnsafeRawBufferPointer]) throws -> TransferResult {
        let vectors = makeIOVectors(buffers)
        guard !vectors.isEmpty else { return .bytes(0) }
        return try transfer {
            try vectors.withUnsafeBufferPointer { iov in
                try syscall(blocking: false, where: "writev") { Glibc.writev(fd, iov.baseAddress, Int32(iov.count)) }
            }
        }
    }

    /// Runs one non-blocking write-like call and maps its outcome: bytes moved, would-block, or
    /// `.closed` for `EPIPE` (the peer is gone). Other errors are thrown.
    static func transfer(_ attempt: () throws -> IOResult<Int>) throws -> TransferResult {
        do {
            switch try attempt() {
            case .processed(let n): return .bytes(n)
            case .wouldBlock: return .wouldBlock
            }
        } catch let error as SystemError where error.errno == EPIPE {
            return .closed
        }
    }

    static func makeIOVectors(_ buffers: [UnsafeRawBufferPointer]) -> [iovec] {
        var vectors: [iovec] = []
        vectors.reserveCapacity(min(buffers.count, Limits.maxIOVectors))
        for buffer in buffers where buffer.count > 0 {
            guard vectors.count < Limits.maxIOVectors, let base = buffer.baseAddress else { break }
            vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: base), iov_len: buffer.count))
        }
        return vectors
    }

    /// Sets or clears `O_NONBLOCK` on `fd`.
    public static func setNonBlocking(_ fd: Int32, _ on: Bool = true) throws {
        let flags = try syscall(where: "fcntl") { fcntl(fd, F_GETFL) }
        let wanted = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
        if wanted != flags { _ = try syscall(where: "fcntl") { fcntl(fd, F_SETFL, wanted) } }
    }

    /// Sets `FD_CLOEXEC` on `fd` (for descriptors that did not come with it).
    public static func setCloseOnExec(_ fd: Int32) throws {
        let flags = try syscall(where: "fcntl") { fcntl(fd, F_GETFD) }
        if flags & FD_CLOEXEC == 0 { _ = try syscall(where: "fcntl") { fcntl(fd, F_SETFD, flags | FD_CLOEXEC) } }
    }

    /// A connected pair of non-blocking, close-on-exec `AF_UNIX` stream sockets.
    public static func socketpair() throws -> (Int32, Int32) {
        var fds: [Int32] = [-1, -1]
        _ = try fds.withUnsafeMutableBufferPointer { pair in
            try syscall(where: "socketpair") {
                Glibc.socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
                    | Int32(SOCK_CLOEXEC.rawValue), 0, pair.baseAddress)
            }
        }
        return (fds[0], fds[1])
    }

    // MARK: Children

    /// How a child process ended.
    public enum ChildStatus: Equatable, Sendable {
        case exited(Int32)
        case signaled(Int32)
    }

    /// Reaps one finished child without blocking (`waitpid(pid, WNOHANG)`; `pid` -1 is any
    /// child): `nil` when none has finished (or there are no children). For a `SIGCHLD`
    /// handler, which calls it until `nil`.
    public static func reapChild(_ pid: pid_t = -1) throws -> (pid: pid_t, status: ChildStatus)? {
        var status: Int32 = 0
        let result: pid_t
        do {
            result = try syscall(where: "waitpid") { waitpid(pid, &status, WNOHANG) }
        } catch let error as SystemError where error.errno == ECHILD {
            return nil
        }
        if result == 0 { return nil }
        if sshd_wifexited(status) != 0 { return (result, .exited(sshd_wexitstatus(status))) }
        if sshd_wifsignaled(status) != 0 { return (result, .signaled(sshd_wtermsig(status))) }
        return nil  // stopped or continued: not an ending
    }
}
