import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Plain blocking TCP peers for the tunnel tests, on their own threads so the test's thread can
/// keep serving the SSH server with `doEvents()`.

/// An echo service on 127.0.0.1 and a kernel-chosen port: every connection gets back what it
/// sends, until it shuts down its side; or, with `serve`, each connection is handed to it on its
/// own thread and closed when it returns. Ends when released.
final class EchoService: @unchecked Sendable {
    let port: Int
    private let listener: Int32

    init(serve: @escaping @Sendable (Int32) -> Void = EchoService.echo) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && Glibc.listen(fd, 16) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw InteropError("echo service: bind failed, errno \(errno)")
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let listener = fd
        Thread.detachNewThread {
            while true {
                let fd = accept(listener, nil, nil)
                guard fd >= 0 else { return }
                Thread.detachNewThread {
                    serve(fd)
                    close(fd)
                }
            }
        }
    }

    @Sendable static func echo(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            guard writeAll(fd, buffer[0..<count]) else { break }
        }
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}

/// Writes every byte, blocking; false when the peer is gone.
@discardableResult
func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
    var offset = bytes.startIndex
    while offset < bytes.endIndex {
        let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written > 0 else { return false }
        offset += written
    }
    return true
}

/// A blocking connection to 127.0.0.1:`port`, retried until `deadline` (a forwarding listener may
/// not be up yet); nil if none could be made.
func connectLoopback(port: Int, until deadline: Date) -> Int32? {
    while Date() < deadline {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc == 0 { return fd }
        close(fd)
        usleep(50_000)
    }
    return nil
}

/// On its own thread: connects to 127.0.0.1:`port` (retrying for 20 s), runs `prepare` (a SOCKS
/// handshake, say; false gives up), then ``exchange(_:_:)``. The value is what came back, or
/// `failed` when no connection could be made or `prepare` failed.
func exchangeInBackground(
    port: Int, _ payload: [UInt8], failed: [UInt8] = [], prepare: @escaping @Sendable (Int32) -> Bool = { _ in true }
) -> Background<[UInt8]> {
    Background {
        guard let fd = connectLoopback(port: port, until: Date().addingTimeInterval(20)) else { return failed }
        defer { close(fd) }
        guard prepare(fd) else { return failed }
        return exchange(fd, payload)
    }
}

/// Sends `payload` on `fd` from a second thread while reading everything back until end of file
/// (after shutting down our side); returns what came back.
func exchange(_ fd: Int32, _ payload: [UInt8]) -> [UInt8] {
    let writer = Thread {
        writeAll(fd, payload[...])
        shutdown(fd, Int32(SHUT_WR))
    }
    writer.start()
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { break }
        received += buffer[0..<count]
    }
    return received
}

/// The SOCKS5 handshake of RFC 1928 for a CONNECT to 127.0.0.1:`port`, without authentication;
/// true when the proxy answered "succeeded".
func socks5Connect(_ fd: Int32, port: Int) -> Bool {
    guard writeAll(fd, [5, 1, 0][...]) else { return false }
    var reply = [UInt8](repeating: 0, count: 10)
    guard readExactly(fd, &reply, 2), reply[0] == 5, reply[1] == 0 else { return false }
    let request: [UInt8] = [5, 1, 0, 1, 127, 0, 0, 1, UInt8(port >> 8), UInt8(port & 0xFF)]
    guard writeAll(fd, request[...]), readExactly(fd, &reply, 10) else { return false }
    return reply[0] == 5 && reply[1] == 0
}

private func readExactly(_ fd: Int32, _ buffer: inout [UInt8], _ count: Int) -> Bool {
    var offset = 0
    while offset < count {
        let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress.map { $0 + offset }, count - offset) }
        guard got > 0 else { return false }
        offset += got
    }
    return true
}

/// A port on 127.0.0.1 that was free a moment ago (for `ssh -L` and `-D`, which need one named).
func freeLoopbackPort() throws -> Int {
    let service = try EchoService()
    return service.port
}

/// Runs `work` on a thread; `value` is its result once done.
final class Background<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Value?

    init(_ work: @escaping @Sendable () -> Value) {
        Thread.detachNewThread { [self] in
            let value = work()
            lock.withLock { result = value }
        }
    }

    var value: Value? { lock.withLock { result } }
}
