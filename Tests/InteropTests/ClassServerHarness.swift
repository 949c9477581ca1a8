import Foundation
import TestSupport
import SSHCrypto
import SSHKit

/// A server built on the class, on 127.0.0.1 and a kernel-chosen port, that accepts one ed25519
/// client key; and the real OpenSSH client run against it while the test thread serves it with
/// `doEvents()`.
struct ClassServerHarness {
    let scratch: ScratchDirectory
    var directory: URL { scratch.url }
    let keyFile: URL
    let key: any SSHPrivateKey

    init(_ prefix: String) throws {
        scratch = try ScratchDirectory(prefix)
        key = try SSHKeyGenerator.generateEd25519()
        keyFile = scratch.url.appendingPathComponent("id_ed25519")
        try writeExecutable(keyFile.path, try SSHPrivateKeyFile.openSSHFormat(key, comment: "test", passphrase: nil))
        chmod(keyFile.path, 0o600)
    }

    func makeServer(hostKeys: [any SSHPrivateKey]? = nil, _ configure: (SSHServer) throws -> Void) throws -> SSHServer {
        let server = try SSHServer()
        server.hostKeys = try hostKeys ?? [try SSHKeyGenerator.generateEd25519()]
        try server.config("LocalHost=127.0.0.1")
        try server.config("LocalPort=0")
        try server.config("DefaultAuthMethods=publickey")
        let blob = key.publicKey.wireBlob
        server.onUserAuthRequest = { $0.accept = $0.authMethod == "publickey" && $0.authParam == blob }
        try configure(server)
        try server.startListening()
        return server
    }

    /// The client's arguments for `command` (nil: `-N`, no command). `options` come first: for
    /// `ssh`, the first value given for an option wins.
    func clientArguments(_ server: SSHServer, command: String?, options: [String] = []) -> [String] {
        options + [
            "-F", "/dev/null", "-p", "\(server.localPort)", "-i", keyFile.path, "-o", "IdentitiesOnly=yes",
            "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR",
        ] + (command.map { ["demo@127.0.0.1", $0] } ?? ["-N", "demo@127.0.0.1"])
    }

    /// Runs `ssh host command` to completion (bounded), serving it with `doEvents()` and calling
    /// `tick` on every turn.
    func run(
        _ server: SSHServer, command: String, input: URL? = nil, options: [String] = [], limit: TimeInterval = 120,
        tick: () -> Void = {}
    ) throws -> (status: Int32, output: [UInt8]) {
        let file = directory.appendingPathComponent("out-\(UUID().uuidString)")
        let client = try ChildProcess(
            "/usr/bin/ssh", clientArguments(server, command: command, options: options), outputFile: file, inputFile: input)
        let deadline = Date().addingTimeInterval(limit)
        while client.exitStatusIfExited() == nil, Date() < deadline {
            try server.doEvents()
            tick()
        }
        let status = client.wait(limit: 5)
        return (status, Array((try? Data(contentsOf: file)) ?? Data()))
    }

    /// Serves until `done` or `limit` seconds pass; returns `done()`.
    @discardableResult
    func serve(_ server: SSHServer, limit: TimeInterval, until done: () -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(limit)
        while !done(), Date() < deadline { try server.doEvents() }
        return done()
    }
}

/// Whether two byte arrays are equal, as one Boolean: `#expect(a == b)` on megabytes would make
/// Swift Testing compute a quadratic difference when they are not.
func sameBytes(_ a: [UInt8], _ b: [UInt8]) -> Bool { a == b }
