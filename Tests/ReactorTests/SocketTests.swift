import Testing

@testable import Reactor

#if canImport(Glibc)
import Glibc
#endif

@Suite("Reactor TCP sockets")
struct SocketTests {
    @Test("listen on loopback port 0, connect and accept through the reactor, data both ways",
          arguments: ["127.0.0.1", "::1"])
    func loopbackExchange(host: String) throws {
        let reactor = try Reactor()
        let (listener, bound) = try TCPSocket.listen(.init(host: host, port: 0))
        defer { Posix.close(listener) }
        #expect(bound.port != 0)
        #expect(bound.host == host)
        #expect(try TCPSocket.localAddress(listener) == bound)

        var accepted: TCPSocket.Accepted?
        var serverReceived: [UInt8] = []
        var clientReceived: [UInt8] = []
        var connected = false
        var failure: (any Error)?
        var serverID: RegistrationID?

        let listenerID = try reactor.register(fd: listener, interest: .readable) { _ in
            do {
                guard case .processed(let connection) = try TCPSocket.accept(listener) else { return }
                accepted = connection
                serverID = try reactor.register(fd: connection.fd, interest: .readable) { _ in
                    do {
                        let (result, bytes) = try TCPSocket.read(connection.fd, maxBytes: 1024)
                        guard case .bytes = result else { return }
                        serverReceived += bytes
                        if serverReceived == Array("ping".utf8) {
                            #expect(try TCPSocket.write(connection.fd, Array("pong".utf8)) == .bytes(4))
                        }
                    } catch { failure = error }
                }
            } catch { failure = error }
        }

        let (client, state) = try TCPSocket.connect(to: bound)
        defer { Posix.close(client) }
        var clientID: RegistrationID?
        clientID = try reactor.register(fd: client, interest: .writable) { readiness in
            do {
                if !connected {
                    guard readiness.contains(.writable) || readiness.contains(.error) else { return }
                    try TCPSocket.finishConnect(client)
                    connected = true
                    if let clientID { try reactor.modify(clientID, interest: .readable) }
                    #expect(try TCPSocket.write(client, Array("ping".utf8)) == .bytes(4))
                    return
                }
                let (result, bytes) = try TCPSocket.read(client, maxBytes: 1024)
                if case .bytes = result { clientReceived += bytes }
            } catch { failure = error }
        }
        #expect(state == .connected || state == .inProgress)

        try drive(reactor) { clientReceived.count >= 4 || failure != nil }
        #expect(failure == nil)
        #expect(String(decoding: serverReceived, as: UTF8.self) == "ping")
        #expect(String(decoding: clientReceived, as: UTF8.self) == "pong")

        let connection = try #require(accepted)
        defer { Posix.close(connection.fd) }
        let clientLocal = try TCPSocket.localAddress(client)
        #expect(connection.peer == clientLocal)
        #expect(connection.peer.host == host)
        #expect(try TCPSocket.peerAddress(client) == bound)
        #expect(fcntl(connection.fd, F_GETFL) & O_NONBLOCK != 0)
        #expect(fcntl(connection.fd, F_GETFD) & FD_CLOEXEC != 0)
        #expect(fcntl(client, F_GETFL) & O_NONBLOCK != 0)
        #expect(fcntl(listener, F_GETFD) & FD_CLOEXEC != 0)

        // Half-close from the client: the server reads end of file.
        try TCPSocket.shutdownWrite(client)
        var serverEOF = false
        if let serverID { reactor.deregister(serverID) }
        let eofID = try reactor.register(fd: connection.fd, interest: .readable) { _ in
            if (try? TCPSocket.read(connection.fd, maxBytes: 16).0) == .closed { serverEOF = true }
        }
        try drive(reactor) { serverEOF }
        #expect(serverEOF)
        for id in [eofID, listenerID] { reactor.deregister(id) }
        if let clientID { reactor.deregister(clientID) }
        #expect(reactor.registrations == 0)
    }

    @Test("accept on a listener with nobody waiting would block")
    func acceptWouldBlock() throws {
        let (listener, _) = try TCPSocket.listen(.init(host: "127.0.0.1"))
        defer { Posix.close(listener) }
        guard case .wouldBlock = try TCPSocket.accept(listener) else {
            Issue.record("expected wouldBlock")
            return
        }
    }

    @Test("TCP_NODELAY and keep-alive settings read back through getsockopt")
    func options() throws {
        let (listener, bound) = try TCPSocket.listen(.init(host: "127.0.0.1"))
        defer { Posix.close(listener) }
        let (client, _) = try TCPSocket.connect(to: bound)
        defer { Posix.close(client) }

        #expect(try TCPSocket.noDelay(client) == false)
        try TCPSocket.setNoDelay(client, true)
        #expect(try TCPSocket.noDelay(client) == true)
        try TCPSocket.setNoDelay(client, false)
        #expect(try TCPSocket.noDelay(client) == false)

        #expect(try TCPSocket.keepAlive(client) == nil)
        let settings = TCPSocket.KeepAlive(idleSeconds: 45, intervalSeconds: 7, count: 4)
        try TCPSocket.setKeepAlive(client, settings)
        #expect(try TCPSocket.keepAlive(client) == settings)
        try TCPSocket.setKeepAlive(client, nil)
        #expect(try TCPSocket.keepAlive(client) == nil)

        #expect(try TCPSocket.option(listener, level: SOL_SOCKET, name: SO_REUSEADDR) != 0)
    }

    @Test("SO_REUSEPORT lets two listeners share a port")
    func reusePort() throws {
        let (first, bound) = try TCPSocket.listen(.init(host: "127.0.0.1", reusePort: true))
        defer { Posix.close(first) }
        let (second, again) = try TCPSocket.listen(.init(host: "127.0.0.1", port: bound.port, reusePort: true))
        defer { Posix.close(second) }
        #expect(again.port == bound.port)
        #expect(try TCPSocket.option(second, level: SOL_SOCKET, name: SO_REUSEPORT) != 0)
    }

    /// On the wildcard address (Linux forces the option on for a specific IPv6 address such as
    /// `::1`, which cannot take IPv4 peers anyway).
    @Test("IPV6_V6ONLY follows the option", arguments: [true, false])
    func v6Only(only: Bool) throws {
        let (listener, _) = try TCPSocket.listen(.init(host: "::", ipv6Only: only))
        defer { Posix.close(listener) }
        #expect(try TCPSocket.option(listener, level: Int32(IPPROTO_IPV6), name: IPV6_V6ONLY) == (only ? 1 : 0))
    }

    @Test("a refused connect is reported, at once or through SO_ERROR")
    func refusedConnect() throws {
        let reactor = try Reactor()
        // A port that was just free: bind, read the port, close.
        let (probe, bound) = try TCPSocket.listen(.init(host: "127.0.0.1"))
        Posix.close(probe)
        let fd: Int32
        let state: TCPSocket.ConnectState
        do {
            (fd, state) = try TCPSocket.connect(to: bound)
        } catch let error as SystemError {
            #expect(error.errno == ECONNREFUSED)
            return
        }
        defer { Posix.close(fd) }
        #expect(state == .inProgress)
        var outcome: (any Error)?
        var done = false
        let id = try reactor.register(fd: fd, interest: .writable) { _ in
            guard !done else { return }
            done = true
            do { try TCPSocket.finishConnect(fd) } catch { outcome = error }
        }
        try drive(reactor) { done }
        reactor.deregister(id)
        #expect((outcome as? SystemError)?.errno == ECONNREFUSED)
    }

    @Test("addresses: numeric parsing, text, bad input", arguments: [
        ("127.0.0.1", true), ("::1", true), ("::ffff:10.0.0.1", true), ("2001:db8::1", true),
        ("localhost", false), ("256.1.1.1", false), ("", false), ("1::2::3", false), ("fe80::1%lo", false),
    ])
    func addresses(text: String, valid: Bool) throws {
        if valid {
            let address = try SocketAddress(host: text, port: 22)
            #expect(address.port == 22)
            #expect(try SocketAddress(host: address.host, port: 22) == address)
            #expect(address.description.hasSuffix(":22"))
        } else {
            #expect(throws: ReactorError.invalidAddress(text)) { try SocketAddress(host: text, port: 22) }
        }
    }
}
