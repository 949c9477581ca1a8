import Foundation
import Testing

/// The example program (`ssh-demo-server`) with the real OpenSSH client: the demo account's
/// password through `SSH_ASKPASS`, exec, and the echo shell on a pty.
@Suite(.serialized) struct DemoServerTests {
    func client(_ server: DemoServerProcess, _ arguments: [String], input: URL? = nil) throws -> (status: Int32, output: String) {
        let askpass = server.stateDirectory.appendingPathComponent("askpass.sh")
        try writeExecutable(askpass.path, "#!/bin/sh\necho demo\n")
        let output = server.stateDirectory.appendingPathComponent("client-\(UUID().uuidString).out")
        let child = try ChildProcess("/usr/bin/ssh", [
            "-F", "/dev/null", "-p", "\(server.port)", "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "PubkeyAuthentication=no", "-o", "LogLevel=ERROR",
            "-o", "ConnectTimeout=20",
        ] + arguments, outputFile: output, environment: [
            "SSH_ASKPASS": askpass.path, "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0",
        ], inputFile: input)
        let status = child.wait(limit: 60)
        return (status, child.output)
    }

    @Test func passwordLoginAndExec() throws {
        let server = try DemoServerProcess()
        let result = try client(server, ["-o", "PreferredAuthentications=password", "demo@127.0.0.1", "hello", "world"])
        #expect(result.status == 0)
        #expect(result.output == "demo: hello world\n")
        #expect(server.log.contains("Accepted password for demo from 127.0.0.1"))
    }

    @Test func echoShellOnAPty() throws {
        let server = try DemoServerProcess()
        let input = server.stateDirectory.appendingPathComponent("typed")
        try Data("first line\rexit\r".utf8).write(to: input)
        let result = try client(server, ["-tt", "-o", "PreferredAuthentications=keyboard-interactive", "demo@127.0.0.1"], input: input)
        #expect(result.status == 0)
        #expect(result.output.contains("first line\r\nfirst line\r\n$ "))
        #expect(server.log.contains("Accepted keyboard-interactive for demo"))
    }

    @Test func wrongPasswordIsRefused() throws {
        let server = try DemoServerProcess()
        let askpass = server.stateDirectory.appendingPathComponent("askpass.sh")
        let result = try client(server, ["-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=1", "nobody@127.0.0.1", "x"])
        #expect(result.status == 255)
        #expect(FileManager.default.fileExists(atPath: askpass.path))
        #expect(server.log.contains("Failed password for nobody"))
    }
}
