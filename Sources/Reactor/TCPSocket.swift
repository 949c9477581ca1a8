import CShims

#if canImport(Glibc)
import Glibc
#endif

/// Non-blocking, close-on-exec TCP sockets for the reactor: listen, accept, connect, read,
/// write, and the options a server sets. Descriptors are `Int32`s the caller owns and closes.
public enum TCPSocket {
    /// Limits and defaults of the calls in this namespace.
    public enum Limits {
        /// The listen backlog when none is given (the documented `ConnectionBacklog` default);
        /// the kernel caps it at `net.core.somaxconn`.
        public static let defaultBacklog: Int32 = 128
    }

    /// How to listen.
    public struct ListenOptions: Sendable {
        /// The numeric address to bind (`0.0.0.0` or `::` for all) — the `LocalHost` setting.
        public var host: String
        /// The port; 0 lets the kernel choose (read it back from the bound address) — `LocalPort`.
        public var port: UInt16
        /// The queue of connections not yet accepted — `ConnectionBacklog`.
        public var backlog: Int32
        /// `SO_REUSEADDR`: rebinding a port with connections in `TIME_WAIT`.
        public var reuseAddress: Bool
        /// `SO_REUSEPORT`: several listeners (one per reactor thread) on one port.
        public var reusePort: Bool
        /// `IPV6_V6ONLY` for an IPv6 listener: `true` takes IPv6 only (listen on IPv4 separately),
        /// `false` also takes IPv4 as mapped `::ffff:a.b.c.d` peers. Ignored for IPv4.
        public var ipv6Only: Bool

        public init(
            host: String = "0.0.0.0", port: UInt16 = 0, backlog: Int32 = Limits.defaultBacklog,
            reuseAddress: Bool = true, reusePort: Bool = false, ipv6Only: Bool = true
        ) {
            self.host = host
            self.port = port
            self.backlog = backlog
            self.reuseAddress = reuseAddress
            self.reusePort = reusePort
            self.ipv6Only = ipv6Only
        }
    }

    /// A connection taken from a listener.
    public struct Accepted: Sendable {
        /// The new descriptor, non-blocking and close-on-exec.
        public let fd: Int32
        /// Where it comes from (``SocketAddress/host`` is the address as text).
        public let peer: SocketAddress
    }

    /// Where a non-blocking connect stands.
    public enum ConnectState: Equatable, Sendable {
        /// Connected at once (loopback can do that).
        case connected
        /// Wait for writability, then call ``finishConnect(_:)``.
        case inProgress
    }

    private static var streamFlags: Int32 {
        Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
    }

    /// Opens a listening socket; returns it and the address it is bound to (with the port the
    /// kernel chose when `options.port` is 0).
    public static func listen(_ options: ListenOptions) throws -> (fd: Int32, address: SocketAddress) {
        let address = try SocketAddress(host: options.host, port: options.port)
        let fd = try syscall(where: "socket") { socket(address.domain, streamFlags, 0) }
        do {
            if options.reuseAddress { try setOption(fd, level: SOL_SOCKET, name: SO_REUSEADDR, to: 1) }
            if options.reusePort { try setOption(fd, level: SOL_SOCKET, name: SO_REUSEPORT, to: 1) }
            if address.family == .ipv6 {
                try setOption(fd, level: Int32(IPPROTO_IPV6), name: IPV6_V6ONLY, to: options.ipv6Only ? 1 : 0)
            }
            _ = try address.withSockAddr { pointer, length in
                try syscall(where: "bind") { bind(fd, pointer, length) }
            }
            _ = try syscall(where: "listen") { Glibc.listen(fd, options.backlog) }
            return (fd, try localAddress(fd))
        } catch {
            Posix.close(fd)
            throw error
        }
    }

    /// Takes one waiting connection, or `.wouldBlock` when none is waiting.
    ///
    /// A connection that failed before it was taken (`ECONNABORTED`, and the network errors
    /// accept(2) says to treat like `EAGAIN`) is skipped. Running out of descriptors (`EMFILE`,
    /// `ENFILE`) throws: the listener stays readable, so the caller should stop watching it for
    /// a while rather than spin.
    public static func accept(_ listener: Int32) throws -> IOResult<Accepted> {
        while true {
            var storage = sockaddr_storage()
            var length = UInt32(MemoryLayout<sockaddr_storage>.size)
            let result: IOResult<Int32>
            do {
                result = try syscall(blocking: false, where: "accept4") {
                    sshd_accept4(
                        listener, &storage, &length, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
                }
            } catch let error as SystemError where Self.acceptRetryErrors.contains(error.errno) {
                continue
            }
            switch result {
            case .wouldBlock:
                return .wouldBlock
            case .processed(let fd):
                guard let peer = SocketAddress(storage: storage) else {
                    Posix.close(fd)  // not an IP peer: cannot happen on a TCP listener
                    continue
                }
                return .processed(Accepted(fd: fd, peer: peer))
            }
        }
    }

    /// accept(2), "Error handling": on Linux these pending network errors are passed to accept
    /// and should be treated like `EAGAIN` by retrying.
    private static let acceptRetryErrors: Set<Int32> = [
        ECONNABORTED, EPROTO, ENETDOWN, ENOPROTOOPT, EHOSTDOWN, ENONET, EHOSTUNREACH, EOPNOTSUPP, ENETUNREACH,
    ]

    /// Starts a non-blocking connect. On `.inProgress`, register for `.writable`; when it comes,
    /// ``finishConnect(_:)`` says whether the connection was made. Throws at once when the
    /// kernel refuses straight away (the socket is closed then).
    public static func connect(to address: SocketAddress) throws -> (fd: Int32, state: ConnectState) {
        let fd = try syscall(where: "socket") { socket(address.domain, streamFlags, 0) }
        let rc = address.withSockAddr { pointer, length in
            var rc: Int32
            repeat { rc = Glibc.connect(fd, pointer, length) } while rc < 0 && errno == EINTR
            return rc
        }
        if rc == 0 { return (fd, .connected) }
        let code = errno
        if code == EINPROGRESS { return (fd, .inProgress) }
        Posix.close(fd)
        if code == EBADF || code == EFAULT { preconditionFailure("connect: programmer error, errno \(code)") }
        throw SystemError(syscall: "connect", errno: code)
    }

    /// After writability on a connecting socket: returns normally when connected, throws the
    /// connect's ``SystemError`` (`ECONNREFUSED`, `ETIMEDOUT`, …) when it failed (from
    /// `SO_ERROR`).
    public static func finishConnect(_ fd: Int32) throws {
        let code = try option(fd, level: SOL_SOCKET, name: SO_ERROR)
        if code != 0 { throw SystemError(syscall: "connect", errno: code) }
    }

    // MARK: Data

    /// Reads into `buffer`: `.bytes(n)`, `.wouldBlock`, or `.closed` when the peer finished
    /// sending. A reset (`ECONNRESET`) throws ``SystemError``.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws -> TransferResult {
        try Posix.read(fd, into: buffer)
    }

    /// Reads at most `maxBytes` bytes and returns them with the result.
    public static func read(_ fd: Int32, maxBytes: Int) throws -> (TransferResult, [UInt8]) {
        try Posix.read(fd, maxBytes: maxBytes)
    }

    /// Sends from `buffer` with `MSG_NOSIGNAL` (a closed peer never raises `SIGPIPE`):
    /// `.bytes(n)` (possibly short), `.wouldBlock`, or `.closed` (`EPIPE`). A reset throws.
    public static func write(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) throws -> TransferResult {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return .bytes(0) }
        return try Posix.transfer {
            try syscall(blocking: false, where: "send", { send(fd, base, buffer.count, Int32(MSG_NOSIGNAL)) })
        }
    }

    /// ``write(_:_:)`` of a byte array.
    public static func write(_ fd: Int32, _ bytes: [UInt8]) throws -> TransferResult {
        try bytes.withUnsafeBytes { try write(fd, $0) }
    }

    /// Gathers the buffers (at most ``Posix/Limits/maxIOVectors``) into one `sendmsg` with
    /// `MSG_NOSIGNAL`; results as ``write(_:_:)``.
    public static func writev(_ fd: Int32, _ buffers: [UnsafeRawBufferPointer]) throws -> TransferResult {
        var vectors = Posix.makeIOVectors(buffers)
        guard !vectors.isEmpty else { return .bytes(0) }
        return try Posix.transfer {
            try vectors.withUnsafeMutableBufferPointer { iov in
                var message = msghdr()
                message.msg_iov = iov.baseAddress
                message.msg_iovlen = iov.count
                return try syscall(blocking: false, where: "sendmsg") { sendmsg(fd, &message, Int32(MSG_NOSIGNAL)) }
            }
        }
    }

    /// Ends the sending side (`shutdown(SHUT_WR)`): the peer reads end of file.
    public static func shutdownWrite(_ fd: Int32) throws {
        do {
            _ = try syscall(where: "shutdown") { Glibc.shutdown(fd, Int32(SHUT_WR)) }
        } catch let error as SystemError where error.errno == ENOTCONN {
            return  // the peer is gone already
        }
    }

    // MARK: Addresses

    /// The address the socket is bound to (`getsockname`).
    public static func localAddress(_ fd: Int32) throws -> SocketAddress {
        try address(fd, "getsockname") { getsockname(fd, $0, $1) }
    }

    /// The address of the connected peer (`getpeername`).
    public static func peerAddress(_ fd: Int32) throws -> SocketAddress {
        try address(fd, "getpeername") { getpeername(fd, $0, $1) }
    }

    private static func address(
        _ fd: Int32, _ name: StaticString,
        _ call: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Int32
    ) throws -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try withUnsafeMutablePointer(to: &storage) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                try syscall(where: name) { call(address, &length) }
            }
        }
        guard let address = SocketAddress(storage: storage) else {
            throw SystemError(syscall: "\(name)", errno: EAFNOSUPPORT)
        }
        return address
    }

    // MARK: Options

    /// TCP keep-alive probing (`TCP_KEEPIDLE`, `TCP_KEEPINTVL`, `TCP_KEEPCNT`): after `idle`
    /// seconds of silence, a probe every `interval` seconds, and the connection is dropped after
    /// `count` unanswered probes.
    public struct KeepAlive: Equatable, Sendable {
        public var idleSeconds: Int32
        public var intervalSeconds: Int32
        public var count: Int32

        public init(idleSeconds: Int32, intervalSeconds: Int32, count: Int32) {
            self.idleSeconds = idleSeconds
            self.intervalSeconds = intervalSeconds
            self.count = count
        }
    }

    /// `TCP_NODELAY`: send small segments at once instead of waiting to coalesce (Nagle off).
    public static func setNoDelay(_ fd: Int32, _ on: Bool) throws {
        try setOption(fd, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, to: on ? 1 : 0)
    }

    /// `TCP_QUICKACK`: acknowledges what has arrived now instead of after the delayed-ACK timer
    /// (up to 40 ms on Linux). The kernel drops back to delayed ACKs by itself, so callers set it
    /// after each read while they want it (tcp(7)).
    public static func acknowledgeNow(_ fd: Int32) throws {
        try setOption(fd, level: Int32(IPPROTO_TCP), name: Int32(TCP_QUICKACK), to: 1)
    }

    /// Whether `TCP_NODELAY` is set.
    public static func noDelay(_ fd: Int32) throws -> Bool {
        try option(fd, level: Int32(IPPROTO_TCP), name: TCP_NODELAY) != 0
    }

    /// Turns keep-alive on with `settings` (`SO_KEEPALIVE` and the three TCP options), or off
    /// for `nil`.
    public static func setKeepAlive(_ fd: Int32, _ settings: KeepAlive?) throws {
        guard let settings else {
            try setOption(fd, level: SOL_SOCKET, name: SO_KEEPALIVE, to: 0)
            return
        }
        try setOption(fd, level: Int32(IPPROTO_TCP), name: TCP_KEEPIDLE, to: settings.idleSeconds)
        try setOption(fd, level: Int32(IPPROTO_TCP), name: TCP_KEEPINTVL, to: settings.intervalSeconds)
        try setOption(fd, level: Int32(IPPROTO_TCP), name: TCP_KEEPCNT, to: settings.count)
        try setOption(fd, level: SOL_SOCKET, name: SO_KEEPALIVE, to: 1)
    }

    /// The keep-alive settings, or `nil` when `SO_KEEPALIVE` is off.
    public static func keepAlive(_ fd: Int32) throws -> KeepAlive? {
        guard try option(fd, level: SOL_SOCKET, name: SO_KEEPALIVE) != 0 else { return nil }
        return KeepAlive(
            idleSeconds: try option(fd, level: Int32(IPPROTO_TCP), name: TCP_KEEPIDLE),
            intervalSeconds: try option(fd, level: Int32(IPPROTO_TCP), name: TCP_KEEPINTVL),
            count: try option(fd, level: Int32(IPPROTO_TCP), name: TCP_KEEPCNT))
    }

    /// `setsockopt` of an `int` option.
    public static func setOption(_ fd: Int32, level: Int32, name: Int32, to value: Int32) throws {
        var value = value
        _ = try syscall(where: "setsockopt") {
            setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// `getsockopt` of an `int` option.
    public static func option(_ fd: Int32, level: Int32, name: Int32) throws -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        _ = try syscall(where: "getsockopt") { getsockopt(fd, level, name, &value, &length) }
        return value
    }
}
