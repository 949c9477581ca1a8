import Testing

@testable import Reactor

#if canImport(Glibc)
import Glibc
#endif

@Suite("Reactor registrations and EAGAIN paths")
struct RegistrationTests {
    /// Two registrations ready in one batch; whichever handler runs first deregisters the
    /// other, and puts a new, idle descriptor under the other's number (dup2 does that
    /// atomically, so no other thread of the test process can take the number in between) and
    /// registers it — reusing the freed slot. The event already collected for the old
    /// registration must not reach the new handler.
    @Test("a stale event for a deregistered fd never reaches the fd's new registration")
    func fdReuse() throws {
        let reactor = try Reactor()
        let (a0, a1) = try Posix.socketpair()
        let (b0, b1) = try Posix.socketpair()
        let (fresh0, fresh1) = try Posix.socketpair()
        defer { for fd in [a0, a1, b0, b1, fresh1] { Posix.close(fd) } }
        #expect(try Posix.write(a1, [1]) == .bytes(1))
        #expect(try Posix.write(b1, [1]) == .bytes(1))

        var ids: [Int32: RegistrationID] = [:]
        var oldCalls: [Int32] = []
        var newCalls = 0
        var swapped: (fd: Int32, oldID: RegistrationID, newID: RegistrationID)?
        var swapError: (any Error)?

        func handler(_ own: Int32, _ other: Int32) -> (Readiness) -> Void {
            { _ in
                oldCalls.append(own)
                guard swapped == nil, let otherID = ids[other] else { return }
                do {
                    reactor.deregister(otherID)
                    guard dup2(fresh0, other) == other else { throw TestFailure("dup2 failed") }
                    try Posix.setCloseOnExec(other)
                    let newID = try reactor.register(fd: other, interest: .readable) { _ in newCalls += 1 }
                    swapped = (other, otherID, newID)
                } catch {
                    swapError = error
                }
            }
        }
        ids[a0] = try reactor.register(fd: a0, interest: .readable, handler: handler(a0, b0))
        ids[b0] = try reactor.register(fd: b0, interest: .readable, handler: handler(b0, a0))

        let handled = try reactor.doEvents(waitMillis: 1_000)
        Posix.close(fresh0)
        #expect(swapError == nil)
        let swap = try #require(swapped)
        #expect(handled == 1)
        #expect(oldCalls.count == 1)
        #expect(newCalls == 0)
        // The new registration took the freed slot: only the generation tells them apart.
        #expect(swap.newID.slot == swap.oldID.slot)
        #expect(swap.newID.generation != swap.oldID.generation)

        // The new registration itself works once its descriptor is readable.
        #expect(try Posix.write(fresh1, [2]) == .bytes(1))
        try drive(reactor) { newCalls > 0 }
        #expect(newCalls >= 1)
        reactor.deregister(swap.newID)
        if let first = oldCalls.first, let id = ids[first] { reactor.deregister(id) }
        #expect(reactor.registrations == 0)
        // swap.fd is a0 or b0 (now the dup of fresh0): the deferred close releases it.
    }

    @Test("a handler that deregisters itself is not called again")
    func deregisterSelf() throws {
        let reactor = try Reactor()
        let (r, w) = try Posix.socketpair()
        defer { Posix.close(r); Posix.close(w) }
        #expect(try Posix.write(w, [1, 2, 3]) == .bytes(3))
        var calls = 0
        var id: RegistrationID?
        id = try reactor.register(fd: r, interest: .readable) { _ in
            calls += 1
            if let id { reactor.deregister(id) }
            reactor.deregister(id ?? RegistrationID(slot: 0, generation: 0))  // twice is harmless
        }
        for _ in 0..<5 { try reactor.doEvents(waitMillis: 0) }
        #expect(calls == 1)  // level-triggered: data is still unread, yet no more calls
        #expect(reactor.registrations == 0)
    }

    @Test("registering the same fd twice throws EEXIST")
    func doubleRegistration() throws {
        let reactor = try Reactor()
        let (r, w) = try Posix.socketpair()
        defer { Posix.close(r); Posix.close(w) }
        let id = try reactor.register(fd: r, interest: .readable) { _ in }
        #expect(throws: SystemError(syscall: "epoll_ctl", errno: EEXIST)) {
            try reactor.register(fd: r, interest: .readable) { _ in }
        }
        #expect(reactor.registrations == 1)
        reactor.deregister(id)
    }

    @Test("a read on an empty non-blocking socket would block")
    func emptyRead() throws {
        let (r, w) = try Posix.socketpair()
        defer { Posix.close(r); Posix.close(w) }
        let (result, bytes) = try Posix.read(r, maxBytes: 16)
        #expect(result == .wouldBlock)
        #expect(bytes.isEmpty)
    }

    @Test("writing until EAGAIN, then writability once the peer reads")
    func writeUntilWouldBlock() throws {
        let reactor = try Reactor()
        let (writer, reader) = try Posix.socketpair()
        defer { Posix.close(writer); Posix.close(reader) }
        let chunk = [UInt8](repeating: 0x5A, count: 16_384)
        var written = 0
        var writes = 0
        fill: while writes < 100_000 {
            writes += 1
            switch try TCPSocket.write(writer, chunk) {
            case .bytes(let n): written += n
            case .wouldBlock: break fill
            case .closed: throw TestFailure("closed while filling")
            }
        }
        #expect(try TCPSocket.write(writer, chunk) == .wouldBlock)
        #expect(try TCPSocket.writev(writer, chunk.withUnsafeBytes { [$0] }) == .wouldBlock)

        var writable = 0
        let id = try reactor.register(fd: writer, interest: .writable) { readiness in
            if readiness.contains(.writable) { writable += 1 }
        }
        try reactor.doEvents(waitMillis: 0)
        #expect(writable == 0)  // full, and nobody has read

        var drained = 0
        while drained < written {
            let (result, bytes) = try Posix.read(reader, maxBytes: 65_536)
            guard case .bytes = result else { break }
            drained += bytes.count
        }
        #expect(drained == written)
        try drive(reactor) { writable > 0 }
        #expect(writable > 0)
        #expect(try TCPSocket.write(writer, [1]) == .bytes(1))
        reactor.deregister(id)
    }

    @Test("writev gathers buffers")
    func gatherWrite() throws {
        let (w, r) = try Posix.socketpair()
        defer { Posix.close(w); Posix.close(r) }
        let parts: [[UInt8]] = [[1, 2], [], [3], [4, 5, 6]]
        let result = try parts[0].withUnsafeBytes { p0 in
            try parts[1].withUnsafeBytes { p1 in
                try parts[2].withUnsafeBytes { p2 in
                    try parts[3].withUnsafeBytes { p3 in try TCPSocket.writev(w, [p0, p1, p2, p3]) }
                }
            }
        }
        #expect(result == .bytes(6))
        let again = try [UInt8]([7, 8]).withUnsafeBytes { try Posix.writev(w, [$0]) }
        #expect(again == .bytes(2))
        let (_, bytes) = try Posix.read(r, maxBytes: 16)
        #expect(bytes == [1, 2, 3, 4, 5, 6, 7, 8])
    }

    @Test("peer close: readable with a hang-up, the read says closed, a write says closed")
    func peerClose() throws {
        let reactor = try Reactor()
        let (mine, peer) = try Posix.socketpair()
        defer { Posix.close(mine) }
        var seen: Readiness = []
        let id = try reactor.register(fd: mine, interest: .readable) { seen.formUnion($0) }
        #expect(try Posix.write(peer, [9]) == .bytes(1))
        Posix.close(peer)
        try drive(reactor) { seen.contains(.readable) }
        #expect(seen.contains(.readHangup))
        let (first, bytes) = try Posix.read(mine, maxBytes: 8)
        #expect(first == .bytes(1))
        #expect(bytes == [9])
        #expect(try Posix.read(mine, maxBytes: 8).0 == .closed)
        // MSG_NOSIGNAL: EPIPE comes back as a result, no SIGPIPE.
        #expect(try TCPSocket.write(mine, [1]) == .closed)
        reactor.deregister(id)
    }

    @Test("modify switches interest")
    func modifyInterest() throws {
        let reactor = try Reactor()
        let (fd, peer) = try Posix.socketpair()
        defer { Posix.close(fd); Posix.close(peer) }
        var seen: [Readiness] = []
        let id = try reactor.register(fd: fd, interest: .readable) { seen.append($0) }
        try reactor.doEvents(waitMillis: 0)
        #expect(seen.isEmpty)  // nothing to read
        try reactor.modify(id, interest: [.readable, .writable])
        try drive(reactor) { !seen.isEmpty }
        #expect(seen.first?.contains(.writable) == true)
        reactor.deregister(id)
        try reactor.modify(id, interest: .readable)  // ignored after deregistration
    }

    @Test("descriptors the module creates are non-blocking and close-on-exec")
    func descriptorFlags() throws {
        let (a, b) = try Posix.socketpair()
        let event = try EventFd.create()
        let epoll = try Epoll.create()
        defer { for fd in [a, b, event, epoll] { Posix.close(fd) } }
        for fd in [a, b, event] {
            #expect(fcntl(fd, F_GETFL) & O_NONBLOCK != 0)
        }
        for fd in [a, b, event, epoll] {
            #expect(fcntl(fd, F_GETFD) & FD_CLOEXEC != 0)
        }
    }
}
