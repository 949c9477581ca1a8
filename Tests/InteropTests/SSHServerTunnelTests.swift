import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SSHCrypto
import SSHKit
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

    func makeServer(_ record: Record, accept: Bool = true) throws -> SSHServer {
        try harness.makeServer { server in
            server.onSSHStatus = { if $0.message.hasPrefix("Authenticated") { record.authenticated = true } }
            server.onTunnelRequested = { event in
                record.requested.append(event)
                event.accept = accept
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

    @Test func localForwardCarriesDataBothWays() throws {
        let echo = try EchoService()
        let record = Record()
        let server = try makeServer(record)
        let localPort = try freeLoopbackPort()
        let client = try startClient(
            server, record, ["-o", "ExitOnForwardFailure=yes", "-L", "\(localPort):127.0.0.1:\(echo.port)"], output: "L.out")
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
        // OpenSSH prints "Allocated port N for remote forward to 127.0.0.1:PORT".
        var allocated: Int?
        try harness.serve(server, limit: 20) {
            allocated = client.output.split(whereSeparator: \.isNewline).lazy
                .compactMap { line -> Int? in
                    guard line.hasPrefix("Allocated port ") else { return nil }
                    return Int(line.dropFirst("Allocated port ".count).prefix { $0.isNumber })
                }.first
            return allocated != nil
        }
        let port = try #require(allocated, "\(client.output)")
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
        let server = try makeServer(record, accept: false)
        let localPort = try freeLoopbackPort()
        let client = try startClient(server, record, ["-L", "\(localPort):127.0.0.1:\(echo.port)"], output: "refused.out")
        defer { client.terminate() }
        let work = exchangeInBackground(port: localPort, [1, 2, 3], failed: [1])
        let echoed = try serve(server, work)
        #expect(echoed == [])  // connected to ssh's listener, then closed without data
        #expect(record.requested.count == 1)
        #expect(record.opened == 0)
    }

    @Test func unreachableTargetIsError1201() throws {
        let record = Record()
        let server = try makeServer(record)
        let localPort = try freeLoopbackPort()
        let closedPort = try freeLoopbackPort()
        let client = try startClient(server, record, ["-L", "\(localPort):127.0.0.1:\(closedPort)"], output: "closed.out")
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
        let server = try makeServer(record)
        let localPort = try freeLoopbackPort()
        let client = try startClient(server, record, ["-L", "\(localPort):localhost:\(echo.port)"], output: "name.out")
        defer { client.terminate() }
        let work = exchangeInBackground(port: localPort, Array("through a name".utf8))
        let echoed = try serve(server, work)
        #expect(echoed == Array("through a name".utf8))
        #expect(record.requested.first?.address == "localhost")
    }

    /// `ssh -O cancel -R` through a connection-sharing master: cancel-tcpip-forward closes the
    /// listener and fires SSHTunnelClosed with the forward's address and port.
    @Test func cancelledRemoteForwardStopsListening() throws {
        let echo = try EchoService()
        let record = Record()
        let server = try makeServer(record)
        let port = try freeLoopbackPort()
        let control = harness.directory.appendingPathComponent("mux")
        let spec = "\(port):127.0.0.1:\(echo.port)"
        let master = try startClient(
            server, record, ["-M", "-S", control.path, "-o", "ExitOnForwardFailure=yes", "-R", spec], output: "master.out")
        defer { master.terminate() }
        let before = exchangeInBackground(port: port, Array("before".utf8))
        #expect(try serve(server, before) == Array("before".utf8))
        let cancel = try ChildProcess(
            "/usr/bin/ssh", ["-S", control.path, "-O", "cancel", "-R", spec, "demo@127.0.0.1"],
            outputFile: harness.directory.appendingPathComponent("cancel.out"))
        try harness.serve(server, limit: 20) { cancel.exitStatusIfExited() != nil && !record.closed.isEmpty }
        #expect(cancel.wait(limit: 5) == 0, "\(cancel.output)")
        #expect(record.closed.count == 1)
        #expect(record.closed.first?.port == port)
        #expect(record.closed.first?.address == record.requested.first?.address)
        // Nothing listens there any more.
        #expect(connectLoopback(port: port, until: Date().addingTimeInterval(0.3)) == nil)
    }
}
