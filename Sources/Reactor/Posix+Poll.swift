#if canImport(Glibc)
import Glibc
#endif

extension Posix {
    /// `POLLRDHUP` (Linux `<poll.h>`, 0x2000): Glibc exposes it only under `_GNU_SOURCE`.
    static let pollReadHangup: Int16 = 0x2000

    /// Waits up to `timeoutMillis` (0 = do not wait) until `fd` is ready for what `interest` asks,
    /// and returns what it is ready for (empty on timeout). For a caller that must block on one
    /// descriptor outside the reactor's loop; hangup and error are reported whatever was asked.
    public static func poll(_ fd: Int32, interest: Interest, timeoutMillis: Int) throws -> Readiness {
        var events: Int16 = 0
        if interest.contains(.readable) { events |= Int16(POLLIN) | pollReadHangup }
        if interest.contains(.writable) { events |= Int16(POLLOUT) }
        var entry = pollfd(fd: fd, events: events, revents: 0)
        let timeout = Int32(clamping: max(0, timeoutMillis))
        let ready = try syscall(where: "poll") { Glibc.poll(&entry, 1, timeout) }
        guard ready > 0 else { return [] }
        if entry.revents & Int16(POLLNVAL) != 0 { preconditionFailure("poll: descriptor \(fd) is not open") }
        var readiness: Readiness = []
        if entry.revents & Int16(POLLIN) != 0 { readiness.insert(.readable) }
        if entry.revents & Int16(POLLOUT) != 0 { readiness.insert(.writable) }
        if entry.revents & pollReadHangup != 0 { readiness.insert(.readHangup) }
        if entry.revents & Int16(POLLHUP) != 0 { readiness.insert(.hangup) }
        if entry.revents & Int16(POLLERR) != 0 { readiness.insert(.error) }
        return readiness
    }
}
