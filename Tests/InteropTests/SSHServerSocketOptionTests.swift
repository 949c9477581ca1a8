import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SSHCrypto
@testable import SSHKit
import Testing

/// The TCP settings of the class on real sockets: what `getsockopt` reads back from an accepted
/// connection, the listen backlog as `ss` reports it, and the identification string the client sees.
@Suite(.serialized) struct SSHServerSocketOptionTests {
    static func option(_ fd: Int32, _ level: Int32, _ name: Int32) -> Int32 {
        var value: Int32 = -1
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, level, name, &value, &length)
        return value
    }

    /// A server with `settings`, and one silent TCP client it has accepted: the server's socket
    /// for that connection and the client's socket (closed by the caller).
    func acceptOne(_ settings: [String]) throws -> (server: SSHServer, accepted: Int32, client: Int32) {
        let server = try SSHServer()
        server.hostKeys = [try SSHKeyGenerator.generateEd25519()]
        for setting in ["LocalHost=127.0.0.1", "LocalPort=0"] + settings { try server.config(setting) }
        var connected: Int?
        server.onConnected = { connected = $0.connectionId }
        try server.startListening()
        let client = try SSHServerClassTests.silentClient(port: server.localPort)
        let deadline = Date().addingTimeInterval(20)
        while connected == nil, Date() < deadline { try server.doEvents() }
        guard let fd = connected.flatMap({ server.connections[$0]?.fd }) else {
            close(client)
            throw InteropError("the server did not accept the connection")
        }
        return (server, fd, client)
    }

    @Test func acceptedSocketsCarryTheConfiguredOptions() throws {
        let (server, fd, client) = try acceptOne([
            "TcpNoDelay=true", "KeepAliveTime=60000", "KeepAliveInterval=5000", "KeepAliveRetryCount=4",
            "InBufferSize=131072", "OutBufferSize=262144",
        ])
        defer { close(client) }
        #expect(Self.option(fd, Int32(IPPROTO_TCP), TCP_NODELAY) == 1)
        #expect(Self.option(fd, SOL_SOCKET, SO_KEEPALIVE) == 1)
        #expect(Self.option(fd, Int32(IPPROTO_TCP), TCP_KEEPIDLE) == 60)
        #expect(Self.option(fd, Int32(IPPROTO_TCP), TCP_KEEPINTVL) == 5)
        #expect(Self.option(fd, Int32(IPPROTO_TCP), TCP_KEEPCNT) == 4)
        // Linux doubles the requested buffer sizes for its bookkeeping (socket(7)).
        #expect(Self.option(fd, SOL_SOCKET, SO_RCVBUF) == 2 * 131_072)
        #expect(Self.option(fd, SOL_SOCKET, SO_SNDBUF) == 2 * 262_144)
        #expect(server.sshConnectionCount == 1)
    }

    @Test func defaultsLeaveNagleAndKeepAlivesToTheSystem() throws {
        let (server, fd, client) = try acceptOne([])
        defer { close(client) }
        #expect(Self.option(fd, Int32(IPPROTO_TCP), TCP_NODELAY) == 0)
        #expect(Self.option(fd, SOL_SOCKET, SO_KEEPALIVE) == 0)
        #expect(server.sshConnectionCount == 1)
    }

    /// ConnectionBacklog is the listen(2) backlog: `ss` shows it as the listener's Send-Q.
    @Test func connectionBacklogIsTheListenBacklog() throws {
        let server = try SSHServer()
        server.hostKeys = [try SSHKeyGenerator.generateEd25519()]
        try server.config("LocalHost=127.0.0.1")
        try server.config("LocalPort=0")
        try server.config("ConnectionBacklog=17")
        try server.startListening()
        let result = try run("/usr/bin/ss", ["-ltnH", "sport = :\(server.localPort)"])
        let columns = result.output.split(whereSeparator: { $0 == " " || $0 == "\n" })
        #expect(result.status == 0)
        #expect(columns.count >= 3 && columns[2] == "17", "\(result.output)")
    }

    /// ServerSSHVersionString is what the client reads as the server's software version.
    @Test func clientSeesTheConfiguredVersionString() throws {
        let harness = try ClassServerHarness("sshversion")
        let server = try harness.makeServer { try $0.config("ServerSSHVersionString=SSH-2.0-Example_4.2 test") }
        let result = try harness.run(server, command: "x", options: ["-o", "LogLevel=DEBUG1", "-o", "BatchMode=yes"], limit: 30)
        let text = String(decoding: result.output, as: UTF8.self)
        #expect(text.contains("Remote protocol version 2.0, remote software version Example_4.2 test"), "\(text)")
        #expect(throws: SSHServerError.self) { try server.config("ServerSSHVersionString=SSH-1.5-old") }
    }
}
