import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SSHCrypto
@testable import SSHKit
import Testing

/// TCP forwarding through the class with the real OpenSSH client (RFC 4254 §7): `ssh -L`, `-D`
/// and `-R`, refusals, and a target that is not there.
@Suite(.serialized) struct SSHServerTunnelTests {
    let harness: ClassServerHarness

    init() throws { harness = try ClassServerHarness("sshtunnel") }

    final class Record {
        var requested: [TunnelRequestedEvent] = []
        var closed: [TunnelClosedEvent] = []
        var errors: [ErrorEvent] = []
        var opened = 0
        var dataEvents = 0
        var authenticated = false
        /// Host and Port read with GetSSHParam from the direct-tcpip Parameters.
        var openTargets: [String] = []
    }

    /// A server whose `SSHTunnelRequested` handler accepts (or not) and, with `reversePort`, moves
    /// every reverse tunnel to that port.
    func makeServer(_ record: Record, accept: Bool = true, reversePort: Int? = nil) throws -> SSHServer {
        try harness.makeServer { server in
            server.onSSHStatus = { if $0.message.hasPrefix("Authenticated") { record.authenticated = true } }
            server.onTunnelRequested = { event in
                record.requested.append(event)
                event.accept = accept
                if event.direction == 1, let reversePort { event.port = reversePort }
            }
            server.onTunnelClosed = { record.closed.append($0) }
            server.onError = { record.errors.append($0) }
            server.onChannelOpened = { _ in record.opened += 1 }
            server.onChannelDataIn = { _ in record.dataEvents += 1 }
            server.onChannelOpenRequest = { event in
                let host = (try? server.getSSHParam(event.parameters, "Host")) ?? "?"
                let port = (try? server.getSSHParam(event.parameters, "%s,i")) ?? "?"
                record.openTargets.append("\(host):\(port)")
            }
        }
    }

    func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// Starts `ssh -N` with `options` and serves it until authenticated.
    func startClient(_ server: SSHServer, _ record: Record, _ options: [String], output: String) throws -> ChildProcess {
        let client = try ChildProcess(
            "/usr/bin/ssh", harness.clientArguments(server, command: nil, options: options),
            outputFile: harness.directory.appendingPathComponent(output))
        guard try harness.serve(server, limit: 30, until: { record.authenticated }) else {
            client.terminate()
            throw InteropError("the client did not authenticate: \(client.output)")
        }
        return client
    }

    /// Serves the server until `work` is done on its thread.
    func serve<Value>(_ server: SSHServer, _ work: Background<Value>, limit: TimeInterval = 120) throws -> Value? {
        try harness.serve(server, limit: limit) { work.value != nil }
        return work.value
    }

    /// The port OpenSSH reports for a `-R 0:…` forward ("Allocated port N for remote forward to
    /// …", at LogLevel=INFO), once it has printed it.
    func allocatedPort(_ server: SSHServer, _ client: ChildProcess) throws -> Int? {
        var allocated: Int?
        try harness.serve(server, limit: 20) {
            allocated = client.output.split(whereSeparator: \.isNewline).lazy
                .compactMap { line -> Int? in
                    guard line.hasPrefix("Allocated port ") else { return nil }
                    return Int(line.dropFirst("Allocated port ".count).prefix { $0.isNumber })
                }.first
            return allocated != nil
        }
        return allocated
    }

    /// A server from ``makeServer(_:accept:reversePort:)`` and `ssh -N -L` from a free local port
    /// to `host`:`port` through it, authenticated.
    func startLocalForward(
        _ record: Record, to host: String = "127.0.0.1", port: Int, accept: Bool = true, output: String
    ) throws -> (server: SSHServer, client: ChildProcess, localPort: Int) {
        let server = try makeServer(record, accept: accept)
        let localPort = try freeLoopbackPort()
        let client = try startClient(
            server, record, ["-o", "ExitOnForwardFailure=yes", "-L", "\(localPort):\(host):\(port)"], output: output)
        return (server, client, localPort)
    }

    @Test func localForwardCarriesDataBothWays() throws {
        let echo = try EchoService()
        let record = Record()
        let (server, client, localPort) = try startLocalForward(record, port: echo.port, output: "L.out")
        defer { client.terminate() }
        let payload = randomBytes(3 << 20)
        let work = exchangeInBackground(port: localPort, payload)
        let echoed = try serve(server, work)
        #expect(echoed.map { sameBytes($0, payload) } == true)
        try harness.serve(server, limit: 10) { !record.closed.isEmpty }
        #expect(record.requested.map(\.direction) == [0])
        #expect(record.requested.first?.address == "127.0.0.1")
        #expect(record.requested.first?.port == echo.port)
        #expect(record.opened == 1)
        #expect(record.openTargets == ["127.0.0.1:\(echo.port)"])
        #expect(record.dataEvents == 0)  // the class relays tunnel data itself
        #expect(record.closed.first?.port == echo.port)
        #expect(record.errors.isEmpty)
    }

    @Test func dynamicForwardThroughSOCKS() throws {
        let echo = try EchoService()
        let record = Record()
        let server = try makeServer(record)
        let socksPort = try freeLoopbackPort()
        let client = try startClient(server, record, ["-o", "ExitOnForwardFailure=yes", "-D", "127.0.0.1:\(socksPort)"], output: "D.out")
        defer { client.terminate() }
        let payload = randomBytes(1 << 20)
        let work = exchangeInBackground(port: socksPort, payload, prepare: { socks5Connect($0, port: echo.port) })
        let echoed = try serve(server, work)
        #expect(echoed.map { sameBytes($0, payload) } == true)
        #expect(record.requested.first?.direction == 0)
        #expect(record.requested.first?.port == echo.port)
    }

    @Test func remoteForwardOnAPortTheServerChooses() throws {
        let echo = try EchoService()
        let record = Record()
        let server = try makeServer(record)
        let client = try startClient(
            server, record, ["-o", "LogLevel=INFO", "-o", "ExitOnForwardFailure=yes", "-R", "0:127.0.0.1:\(echo.port)"],
            output: "R.out")
        defer { client.terminate() }
        let port = try #require(try allocatedPort(server, client), "\(client.output)")
        #expect(record.requested.map(\.direction) == [1])
        #expect(record.requested.first?.port == 0)
        let payload = randomBytes(2 << 20)
        let work = exchangeInBackground(port: port, payload)
        let echoed = try serve(server, work)
        #expect(echoed.map { sameBytes($0, payload) } == true)
        #expect(record.dataEvents == 0)
    }

    @Test func refusedTunnelClosesTheClientsConnection() throws {
        let echo = try EchoService()
        let record = Record()
        let (server, client, localPort) = try startLocalForward(
            record, port: echo.port, accept: false, output: "refused.out")
        defer { client.terminate() }
        let work = exchangeInBackground(port: localPort, [1, 2, 3], failed: [1])
        let echoed = try serve(server, work)
        #expect(echoed == [])  // connected to ssh's listener, then closed without data
        #expect(record.requested.count == 1)
        #expect(record.opened == 0)
    }

    @Test func unreachableTargetIsError1201() throws {
        let record = Record()
        let closedPort = try freeLoopbackPort()
        let (server, client, localPort) = try startLocalForward(record, port: closedPort, output: "closed.out")
        defer { client.terminate() }
        let work = exchangeInBackground(port: localPort, [1, 2, 3], failed: [1])
        let echoed = try serve(server, work)
        #expect(echoed == [])
        #expect(record.errors.map(\.errorCode) == [SSHServerError.forwardFailed])
        #expect(record.opened == 0)
    }

    /// A name instead of an address: resolved off the reactor's thread, then connected.
    @Test func localForwardToAHostName() throws {
        let echo = try EchoService()
        let record = Record()
        let (server, client, localPort) = try startLocalForward(
            record, to: "localhost", port: echo.port, output: "name.out")
        defer { client.terminate() }
        let work = exchangeInBackground(port: localPort, Array("through a name".utf8))
        let echoed = try serve(server, work)
        #expect(echoed == Array("through a name".utf8))
        #expect(record.requested.first?.address == "localhost")
    }

    /// `ssh -O cancel -R P:…` through a connection-sharing master: cancel-tcpip-forward closes the
    /// listener and fires SSHTunnelClosed with the forward's address and the port listened on.
    /// With `moved`, the handler moved the forward to another port: the client knows only P, so
    /// the forwarded-tcpip channels must name P (OpenSSH refuses them as unknown otherwise) and
    /// its cancel for P must end the moved listener.
    @Test(arguments: [false, true]) func cancelledRemoteForwardStopsListening(moved: Bool) throws {
        let echo = try EchoService()
        let record = Record()
        let asked = try freeLoopbackPort()
        let listening = moved ? try freeLoopbackPort() : asked
        let server = try makeServer(record, reversePort: moved ? listening : nil)
        let control = harness.directory.appendingPathComponent("mux")
        let spec = "\(asked):127.0.0.1:\(echo.port)"
        let master = try startClient(
            server, record, ["-M", "-S", control.path, "-o", "ExitOnForwardFailure=yes", "-R", spec], output: "master.out")
        defer { master.terminate() }
        let before = exchangeInBackground(port: listening, Array("before".utf8))
        #expect(try serve(server, before, limit: 30) == Array("before".utf8), "\(master.output)")
        let cancel = try ChildProcess(
            "/usr/bin/ssh", ["-S", control.path, "-O", "cancel", "-R", spec, "demo@127.0.0.1"],
            outputFile: harness.directory.appendingPathComponent("cancel.out"))
        try harness.serve(server, limit: 20) { cancel.exitStatusIfExited() != nil && !record.closed.isEmpty }
        #expect(cancel.wait(limit: 5) == 0, "\(cancel.output)")
        #expect(record.closed.map(\.port) == [listening])
        #expect(record.closed.first?.address == record.requested.first?.address)
        // Nothing listens there any more.
        #expect(connectLoopback(port: listening, until: Date().addingTimeInterval(0.3)) == nil)
    }

    /// The handler picks the port of a `-R 0:…` forward: REQUEST_SUCCESS carries that port, since
    /// the client asked for port 0 (RFC 4254 §7.1), and connections to it reach the client.
    @Test func remoteForwardOnThePortTheHandlerPicks() throws {
        let echo = try EchoService()
        let record = Record()
        let picked = try freeLoopbackPort()
        let server = try makeServer(record, reversePort: picked)
        let client = try startClient(
            server, record, ["-o", "LogLevel=INFO", "-o", "ExitOnForwardFailure=yes", "-R", "0:127.0.0.1:\(echo.port)"],
            output: "picked.out")
        defer { client.terminate() }
        #expect(try allocatedPort(server, client) == picked, "\(client.output)")
        let work = exchangeInBackground(port: picked, Array("picked".utf8))
        #expect(try serve(server, work) == Array("picked".utf8))
    }

    /// The largest storage any tunnel of `server` holds for bytes on their way to its socket.
    func largestSocketBuffer(_ server: SSHServer) -> Int {
        server.connections.values.flatMap { $0.tunnels.sockets.values }.map(\.toSocket.storedByteCount).max() ?? 0
    }

    /// A target slower than the client: the channel window holds the client back, and what the
    /// class keeps for the socket stays within that window (and one partly written chunk) however
    /// much flows through (RFC 4254 §5.2), while every byte still arrives.
    @Test func slowTargetHoldsTheClientBack() throws {
        let target = try EchoService { fd in
            // A fixed, small receive buffer: the kernel cannot absorb the payload for the target.
            var size: Int32 = 32 * 1024
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                guard count > 0, sendAll(fd, buffer[0..<count]) else { return }
                usleep(4_000)
            }
        }
        let record = Record()
        let (server, client, localPort) = try startLocalForward(record, port: target.port, output: "slow.out")
        defer { client.terminate() }
        let payload = randomBytes(12 << 20)
        let work = exchangeInBackground(port: localPort, payload)
        var largest = 0
        try harness.serve(server, limit: 120) {
            largest = max(largest, largestSocketBuffer(server))
            return work.value != nil
        }
        #expect(work.value.map { sameBytes($0, payload) } == true)
        #expect(largest > 0)
        #expect(largest <= TunnelLimits.channelWindow + 2 * TunnelBuffer.chunkSize, "\(largest) bytes held for one socket")
    }

    /// A target that resets its connection while the client is still sending: one Error 1202,
    /// the channel closes, and what the client sends meanwhile is dropped, not written again.
    @Test func targetResetIsOneError1202() throws {
        let target = try EchoService { fd in
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            _ = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            // SO_LINGER with a zero timeout: close sends RST instead of FIN.
            var option = linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        }
        let record = Record()
        let (server, client, localPort) = try startLocalForward(record, port: target.port, output: "reset.out")
        defer { client.terminate() }
        let payload = randomBytes(4 << 20)
        let work = Background<Int> {
            guard let fd = connectLoopback(port: localPort, until: Date().addingTimeInterval(20)) else { return -1 }
            defer { close(fd) }
            Thread.detachNewThread { _ = sendAll(fd, payload[...]) }
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            var total = 0
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                guard count > 0 else { return total }
                total += count
            }
        }
        try harness.serve(server, limit: 60) { work.value != nil && !record.closed.isEmpty }
        #expect(work.value != nil)
        #expect(record.closed.count == 1)
        #expect(record.errors.map(\.errorCode) == [SSHServerError.forwardDataFailed], "\(record.errors)")
    }
}

/// Sends every byte with `MSG_NOSIGNAL` (a peer that went away gives false, never `SIGPIPE`).
func sendAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
    var offset = bytes.startIndex
    while offset < bytes.endIndex {
        let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent > 0 else { return false }
        offset += sent
    }
    return true
}
