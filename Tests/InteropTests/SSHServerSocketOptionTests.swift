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
    /// A plain TCP connection to 127.0.0.1:`port`, closed when released.
    final class PlainClient {
        let fd: Int32
        init(port: Int) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard rc == 0 else { throw InteropError("connect: errno \(errno)") }
        }
        deinit { close(fd) }
    }

    static func option(_ fd: Int32, _ level: Int32, _ name: Int32) -> Int32 {
        var value: Int32 = -1
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, level, name, &value, &length)
        return value
    }

    @Test func acceptedSocketsCarryTheConfiguredOptions() throws {
        let server = try SSHServer()
        server.hostKeys = [try SSHKeyGenerator.generateEd25519()]
        for setting in [
            "LocalHost=127.0.0.1", "LocalPort=0", "TcpNoDelay=true", "KeepAliveTime=60000", "KeepAliveInterval=5000",
            "KeepAliveRetryCount=4", "InBufferSize=131072", "OutBufferSize=262144",
        ] { try server.config(setting) }
        var connected: Int?
        server.onConnected = { connected = $0.connectionId }
        try server.startListening()
        let client = try PlainClient(port: server.localPort)
        let deadline = Date().addingTimeInterval(20)
        while connected == nil, Date() < deadline { try server.doEvents() }
        let id = try #require(connected)
        let fd = try #require(server.connections[id]?.fd)
        #expect(Self.option(fd, Int32(IPPROTO_TCP), TCP_NODELAY) == 1)
        #expect(Self.option(fd, SOL_SOCKET, SO_KEEPALIVE) == 1)
        #expect(Self.option(fd, Int32(IPPROTO_TCP), TCP_KEEPIDLE) == 60)
        #expect(Self.option(fd, Int32(IPPROTO_TCP), TCP_KEEPINTVL) == 5)
        #expect(Self.option(fd, Int32(IPPROTO_TCP), TCP_KEEPCNT) == 4)
        // Linux doubles the requested buffer sizes for its bookkeeping (socket(7)).
        #expect(Self.option(fd, SOL_SOCKET, SO_RCVBUF) == 2 * 131_072)
        #expect(Self.option(fd, SOL_SOCKET, SO_SNDBUF) == 2 * 262_144)
        _ = client
    }

    @Test func defaultsLeaveNagleAndKeepAlivesToTheSystem() throws {
        let server = try SSHServer()
        server.hostKeys = [try SSHKeyGenerator.generateEd25519()]
        try server.config("LocalHost=127.0.0.1")
        try server.config("LocalPort=0")
        var connected: Int?
        server.onConnected = { connected = $0.connectionId }
        try server.startListening()
        let client = try PlainClient(port: server.localPort)
        let deadline = Date().addingTimeInterval(20)
        while connected == nil, Date() < deadline { try server.doEvents() }
        let fd = try #require(connected.flatMap { server.connections[$0]?.fd })
        #expect(Self.option(fd, Int32(IPPROTO_TCP), TCP_NODELAY) == 0)
        #expect(Self.option(fd, SOL_SOCKET, SO_KEEPALIVE) == 0)
        _ = client
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
