import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SSHCrypto
import SSHKit
import Testing

/// The `SSHServer` class on its reactor, driven by `doEvents()` on the test's thread, against the
/// real OpenSSH client.
@Suite(.serialized) struct SSHServerClassTests {
    final class Recorder {
        var requests: [ConnectionRequestEvent] = []
        var connected: [Int] = []
        var disconnected: [DisconnectedEvent] = []
        var status: [String] = []
        var versions: [String] = []
    }

    static func makeServer(_ configure: (SSHServer) throws -> Void = { _ in }) throws -> (SSHServer, Recorder) {
        let server = try SSHServer()
        server.hostKeys = [try SSHKeyGenerator.generateEd25519()]
        try server.config("LocalHost=127.0.0.1")
        try server.config("LocalPort=0")
        let recorder = Recorder()
        server.onConnectionRequest = { recorder.requests.append($0) }
        server.onConnected = { event in
            recorder.connected.append(event.connectionId)
            recorder.versions.append((try? server.config("ClientSSHVersionString[\(event.connectionId)]")) ?? "?")
        }
        server.onDisconnected = { recorder.disconnected.append($0) }
        server.onSSHStatus = { recorder.status.append($0.message) }
        try configure(server)
        try server.startListening()
        return (server, recorder)
    }

    /// Runs `ssh` against the server, serving it with `doEvents()` until the client exits.
    static func runClient(_ server: SSHServer, _ extra: [String] = []) throws -> (status: Int32, output: String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sshclass-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: file) }
        let client = try ChildProcess("/usr/bin/ssh", [
            "-vvv", "-F", "/dev/null", "-p", "\(server.localPort)", "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "PubkeyAuthentication=no",
            "-o", "ConnectTimeout=20",
        ] + extra + ["demo@127.0.0.1", "true"], outputFile: file)
        let deadline = Date().addingTimeInterval(120)
        while client.exitStatusIfExited() == nil {
            try server.doEvents()
            if Date() > deadline { client.terminate() }
        }
        // Let the server see the close.
        for _ in 0..<10 { try server.doEvents() }
        return (client.wait(limit: 1), client.output)
    }

    @Test func opensshReachesAuthenticationThroughTheClass() throws {
        let (server, recorder) = try Self.makeServer()
        #expect(server.listening && server.localPort > 0)
        let result = try Self.runClient(server)
        #expect(result.status == 255)
        #expect(result.output.contains("Authentications that can continue: password,publickey"), "\(result.output)")
        #expect(recorder.requests.count == 1 && recorder.requests.first?.accept == true)
        #expect(recorder.requests.first?.address == "127.0.0.1")
        #expect(recorder.connected.count == 1)
        #expect(recorder.status.contains { $0.hasPrefix("Client identification: SSH-2.0-OpenSSH") })
        #expect(recorder.status.contains { $0.contains("Key exchange complete") && $0.contains("strict true") })
        #expect(recorder.disconnected.count == 1)
        #expect(server.connectionIds.isEmpty)
    }

    @Test func allowedClientsRefusesAndTheHandlerSeesIt() throws {
        let (server, recorder) = try Self.makeServer { try $0.config("AllowedClients=10.0.0.0/8") }
        let result = try Self.runClient(server)
        #expect(result.status == 255)
        #expect(recorder.requests.count == 1 && recorder.requests.first?.accept == false)
        #expect(recorder.connected.isEmpty)
        #expect(!result.output.contains("Authentications that can continue"))
    }

    @Test func handlerCanRefuseAConnection() throws {
        let (server, recorder) = try Self.makeServer { $0.onConnectionRequest = { $0.accept = false } }
        let result = try Self.runClient(server)
        #expect(result.status == 255)
        #expect(recorder.connected.isEmpty)
    }

    @Test func versionPatternRefusesOtherClients() throws {
        let (server, recorder) = try Self.makeServer { try $0.config("SSHVersionPattern=*SSH-2.0-PuTTY*") }
        let result = try Self.runClient(server)
        #expect(result.status == 255)
        #expect(!result.output.contains("Authentications that can continue"))
        #expect(recorder.disconnected.first?.statusCode == 8)  // SSH_DISCONNECT_PROTOCOL_VERSION_NOT_SUPPORTED
    }

    @Test func listeningLocksTheDocumentedSettings() throws {
        let (server, _) = try Self.makeServer()
        #expect(throws: SSHServerError(code: SSHServerError.localPortLocked, "LocalPort cannot change while listening")) {
            try server.config("LocalPort=2222")
        }
        #expect(throws: SSHServerError.self) { try server.startListening() }
        #expect(server.localPort > 0)
        #expect(try server.config("LocalPort") == String(server.localPort))
        server.stopListening()
        #expect(!server.listening)
        try server.config("LocalPort=0")
    }

    @Test func noHostKeyIsError1301() throws {
        let server = try SSHServer()
        try server.config("LocalPort=0")
        let error = #expect(throws: SSHServerError.self) { try server.startListening() }
        #expect(error?.code == SSHServerError.noHostKey)
    }

    @Test func ipv6Listener() throws {
        let (server, recorder) = try Self.makeServer { server in
            try server.config("LocalHost=::1")
            try server.config("UseIPv6=1")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sshclass6-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: file) }
        let client = try ChildProcess("/usr/bin/ssh", [
            "-F", "/dev/null", "-p", "\(server.localPort)", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "PubkeyAuthentication=no", "demo@::1", "true",
        ], outputFile: file)
        let deadline = Date().addingTimeInterval(60)
        while client.exitStatusIfExited() == nil, Date() < deadline { try server.doEvents() }
        client.terminate()
        #expect(recorder.requests.first?.address == "::1")
        #expect(client.output.contains("Permission denied (password,publickey)"), "\(client.output)")
    }

    /// A TCP client that connects and never speaks.
    static func silentClient(port: Int) throws -> Int32 {
        guard let fd = connectLoopback(port: port, until: Date().addingTimeInterval(10)) else {
            throw InteropError("connect to port \(port) failed")
        }
        return fd
    }

    static func serveUntilDisconnected(_ server: SSHServer, _ recorder: Recorder) throws {
        let deadline = Date().addingTimeInterval(30)
        while recorder.disconnected.isEmpty, Date() < deadline { try server.doEvents() }
    }

    @Test func idleTimeoutDisconnectsASilentClient() throws {
        let (server, recorder) = try Self.makeServer { try $0.config("DefaultIdleTimeout=1") }
        let fd = try Self.silentClient(port: server.localPort)
        defer { close(fd) }
        try Self.serveUntilDisconnected(server, recorder)
        #expect(recorder.disconnected.first?.description == "idle timeout")
        #expect(server.connectionIds.isEmpty)
    }

    @Test func loginGraceTimeDisconnectsAClientThatDoesNotAuthenticate() throws {
        let (server, recorder) = try Self.makeServer { try $0.config("LoginGraceTime=1") }
        let fd = try Self.silentClient(port: server.localPort)
        defer { close(fd) }
        try Self.serveUntilDisconnected(server, recorder)
        #expect(recorder.disconnected.first?.description == "login grace time exceeded")
    }

    @Test func maxConnectionsClosesTheExtraOne() throws {
        let (server, recorder) = try Self.makeServer { try $0.config("MaxConnections=1") }
        let first = try Self.silentClient(port: server.localPort)
        defer { close(first) }
        let deadline = Date().addingTimeInterval(30)
        while recorder.connected.isEmpty, Date() < deadline { try server.doEvents() }
        let second = try Self.silentClient(port: server.localPort)
        defer { close(second) }
        while recorder.requests.count < 2, Date() < deadline { try server.doEvents() }
        #expect(recorder.connected.count == 1)
        #expect(server.connectionIds.count == 1)
        // The second socket was closed by the server: a read returns end of file.
        var byte: UInt8 = 0
        var got = 1
        while got > 0, Date() < deadline { got = read(second, &byte, 1) }
        #expect(got == 0)
    }
}
