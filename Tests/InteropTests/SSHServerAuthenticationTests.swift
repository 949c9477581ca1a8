import Foundation
import SSHCrypto
import SSHKit
import TestSupport
import Testing

/// `SSHUserAuthRequest` through the class, driven by the real OpenSSH client. Passwords and
/// keyboard-interactive answers come from an `SSH_ASKPASS` script (no extra packages).
@Suite(.serialized) struct SSHServerAuthenticationTests {
    final class Log {
        var requests: [(method: String, param: [UInt8], keyAlgorithm: String, hasSignature: Bool)] = []
        var errors: [Int] = []
        var logLines: [String] = []
    }

    let scratch: ScratchDirectory
    var directory: URL { scratch.url }

    init() throws {
        scratch = try ScratchDirectory("sshauth")
        // Answers by prompt: the password prompt gets $TEST_PASSWORD; the two keyboard-interactive prompts fixed words.
        let script = directory.appendingPathComponent("askpass.sh")
        try writeExecutable(script.path, """
        #!/bin/sh
        case "$1" in
          *Code*) echo 1234 ;;
          *Colour*) echo blue ;;
          *) echo "$TEST_PASSWORD" ;;
        esac

        """)
    }

    func makeServer(_ log: Log, _ configure: (SSHServer) throws -> Void) throws -> SSHServer {
        let server = try SSHServer()
        server.hostKeys = [try SSHKeyGenerator.generateEd25519()]
        try server.config("LocalHost=127.0.0.1")
        try server.config("LocalPort=0")
        server.onLog = { log.logLines.append($0.message) }
        server.onError = { log.errors.append($0.errorCode) }
        try configure(server)
        try server.startListening()
        return server
    }

    /// Runs `ssh -N` until it authenticates (then ends it) or exits; returns its status and output.
    func runClient(_ server: SSHServer, _ arguments: [String], password: String = "", whileWaiting: () throws -> Void = {}) throws -> (authenticated: Bool, status: Int32, output: String) {
        let file = directory.appendingPathComponent("ssh-\(UUID().uuidString).out")
        let client = try ChildProcess("/usr/bin/ssh", [
            "-v", "-N", "-F", "/dev/null", "-p", "\(server.localPort)", "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=20",
        ] + arguments + ["demo@127.0.0.1"], outputFile: file, environment: [
            "SSH_ASKPASS": directory.appendingPathComponent("askpass.sh").path, "SSH_ASKPASS_REQUIRE": "force",
            "DISPLAY": ":0", "TEST_PASSWORD": password,
        ])
        let deadline = Date().addingTimeInterval(60)
        var authenticated = false
        while client.exitStatusIfExited() == nil, Date() < deadline {
            try server.doEvents()
            try whileWaiting()
            if client.output.contains("Authenticated to 127.0.0.1") {
                authenticated = true
                break
            }
        }
        client.terminate()
        return (authenticated, client.wait(limit: 5), client.output)
    }

    @Test func passwordAcceptedAndWrongPasswordRejectedUntilMaxAuthAttempts() throws {
        let log = Log()
        let server = try makeServer(log) { server in
            try server.config("MaxAuthAttempts=2")
            server.onUserAuthRequest = { event in
                log.requests.append((event.authMethod, event.authParam, event.keyAlgorithm, event.hasSignature))
                event.accept = event.authMethod == "password" && event.user == "demo" && event.authParam == Array("s3cret pass".utf8)
            }
        }
        let good = try runClient(server, ["-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=1"], password: "s3cret pass")
        #expect(good.authenticated, "\(good.output)")
        #expect(log.requests.map(\.method) == ["none", "password"])
        #expect(log.logLines.contains { $0.hasPrefix("Accepted password for demo from 127.0.0.1 port ") && $0.hasSuffix(" ssh2") })

        log.requests.removeAll()
        let bad = try runClient(server, ["-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=5"], password: "wrong")
        #expect(!bad.authenticated)
        #expect(bad.status == 255)
        #expect(log.requests.filter { $0.method == "password" }.count == 2)
        #expect(bad.output.contains("Received disconnect") || bad.output.contains("Too many authentication failures"), "\(bad.output)")
        #expect(log.errors.contains(SSHServerError.authenticationFailed))
        #expect(log.logLines.contains { $0.hasPrefix("Failed password for demo from 127.0.0.1 port ") })
    }

    @Test(arguments: ["ed25519", "ecdsa", "rsa"])
    func publicKeyAcceptedAfterQueryAndSignature(kind: String) throws {
        let key: any SSHPrivateKey = switch kind {
        case "ed25519": try SSHKeyGenerator.generateEd25519()
        case "ecdsa": try SSHKeyGenerator.generateECDSA(curve: .p256)
        default: try SSHKeyGenerator.generateRSA(bits: 2048)
        }
        let keyFile = directory.appendingPathComponent("id_\(kind)")
        try #require(FileManager.default.createFile(atPath: keyFile.path, contents: Data(try SSHPrivateKeyFile.openSSHFormat(key, comment: "test", passphrase: nil).utf8), attributes: [.posixPermissions: 0o600]))
        let log = Log()
        let blob = key.publicKey.wireBlob
        let server = try makeServer(log) { server in
            try server.config("DefaultAuthMethods=publickey")
            server.onUserAuthRequest = { event in
                log.requests.append((event.authMethod, event.authParam, event.keyAlgorithm, event.hasSignature))
                event.accept = event.authMethod == "publickey" && event.authParam == blob
            }
        }
        let result = try runClient(server, ["-i", keyFile.path, "-o", "IdentitiesOnly=yes", "-o", "PreferredAuthentications=publickey", "-o", "BatchMode=yes"])
        #expect(result.authenticated, "\(result.output)")
        let publicKeySteps = log.requests.filter { $0.method == "publickey" }
        #expect(publicKeySteps.map(\.hasSignature) == [false, true])
        #expect(publicKeySteps.allSatisfy { $0.param == blob })
        if kind == "rsa" { #expect(publicKeySteps.allSatisfy { $0.keyAlgorithm == "rsa-sha2-512" }) }
        #expect(log.logLines.contains { $0.hasPrefix("Accepted publickey for demo") })
    }

    @Test func keyboardInteractiveWithTwoPromptsFiresPerResponseThenFinal() throws {
        let log = Log()
        let server = try makeServer(log) { server in
            try server.config("DefaultAuthMethods=keyboard-interactive")
            try server.config("KeyboardInteractiveMessage=Two factors, please")
            server.keyboardInteractivePrompts = [
                .init(prompt: "Code: ", echo: false), .init(prompt: "Colour: ", echo: true),
            ]
            server.onUserAuthRequest = { event in
                log.requests.append((event.authMethod, event.authParam, event.keyAlgorithm, event.hasSignature))
                switch event.authMethod {
                case "keyboard-interactive-1": event.accept = event.authParam == Array("1234".utf8)
                case "keyboard-interactive-2": event.accept = event.authParam == Array("blue".utf8)
                case "keyboard-interactive": event.accept = true
                default: event.accept = false
                }
            }
        }
        let result = try runClient(server, ["-o", "PreferredAuthentications=keyboard-interactive", "-o", "KbdInteractiveAuthentication=yes"])
        #expect(result.authenticated, "\(result.output)")
        #expect(log.requests.map(\.method) == ["none", "keyboard-interactive-1", "keyboard-interactive-2", "keyboard-interactive"])
        // KeyboardInteractiveMessage is the INFO_REQUEST instruction, which the client shows.
        #expect(result.output.contains("Two factors, please"), "\(result.output)")
    }

    /// SSHPubKeyAuthSigAlgorithms: the client learns the list from server-sig-algs and signs with
    /// rsa-sha2-256 when rsa-sha2-512 is not on it; with no RSA algorithm, its RSA key is refused.
    @Test(arguments: [("rsa-sha2-256,ssh-ed25519", true), ("ssh-ed25519", false)])
    func publicKeySignatureAlgorithmsFollowTheSetting(allowed: String, succeeds: Bool) throws {
        let key = try SSHKeyGenerator.generateRSA(bits: 2048)
        let keyFile = directory.appendingPathComponent("id_rsa_\(succeeds)")
        try #require(FileManager.default.createFile(atPath: keyFile.path, contents: Data(try SSHPrivateKeyFile.openSSHFormat(key, comment: "test", passphrase: nil).utf8), attributes: [.posixPermissions: 0o600]))
        let log = Log()
        let blob = key.publicKey.wireBlob
        let server = try makeServer(log) { server in
            try server.config("DefaultAuthMethods=publickey")
            try server.config("SSHPubKeyAuthSigAlgorithms=\(allowed)")
            server.onUserAuthRequest = { event in
                log.requests.append((event.authMethod, event.authParam, event.keyAlgorithm, event.hasSignature))
                event.accept = event.authMethod == "publickey" && event.authParam == blob
            }
        }
        let result = try runClient(server, ["-i", keyFile.path, "-o", "IdentitiesOnly=yes", "-o", "PreferredAuthentications=publickey", "-o", "BatchMode=yes"])
        #expect(result.authenticated == succeeds, "\(result.output)")
        let signed = log.requests.filter { $0.method == "publickey" && $0.hasSignature }
        if succeeds {
            #expect(signed.map(\.keyAlgorithm) == ["rsa-sha2-256"])
        } else {
            #expect(signed.isEmpty)
        }
    }

    @Test func perConnectionPromptsSetDuringNone() throws {
        let log = Log()
        var server: SSHServer?
        server = try makeServer(log) { s in
            try s.config("DefaultAuthMethods=keyboard-interactive")
            s.onUserAuthRequest = { event in
                log.requests.append((event.authMethod, event.authParam, "", false))
                if event.authMethod == "none" {
                    _ = try? server?.config("KeyboardInteractivePrompts[\(event.connectionId)]=Only Code here,echo=false")
                }
                event.accept = event.authMethod == "keyboard-interactive-1" ? event.authParam == Array("1234".utf8) : event.authMethod == "keyboard-interactive"
            }
        }
        let result = try runClient(try #require(server), ["-o", "PreferredAuthentications=keyboard-interactive"])
        #expect(result.authenticated, "\(result.output)")
        #expect(log.requests.map(\.method) == ["none", "keyboard-interactive-1", "keyboard-interactive"])
    }

    @Test func deferredDecisionCompletedLater() throws {
        let log = Log()
        var deferred: Int?
        var turnsWaited = 0
        let server = try makeServer(log) { server in
            server.onUserAuthRequest = { event in
                log.requests.append((event.authMethod, event.authParam, "", false))
                if event.authMethod == "password" {
                    event.deferDecision = true
                    deferred = event.connectionId
                }
            }
        }
        let result = try runClient(server, ["-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=1"], password: "any") {
            // A slow check elsewhere: the loop keeps turning, then the answer comes by method call.
            guard let id = deferred else { return }
            turnsWaited += 1
            if turnsWaited == 5 {
                try server.completeUserAuth(connectionId: id, accept: true)
                deferred = nil
            }
        }
        #expect(turnsWaited >= 5)
        #expect(result.authenticated, "\(result.output)")
        #expect(throws: SSHServerError.self) { try server.completeUserAuth(connectionId: 999, accept: true) }
    }

    @Test func refusedServiceDisconnects() throws {
        let log = Log()
        let server = try makeServer(log) { server in
            server.onServiceRequest = { $0.accept = false }
        }
        let result = try runClient(server, ["-o", "BatchMode=yes"])
        #expect(!result.authenticated)
        #expect(result.output.contains("Received disconnect") || result.output.contains("service"), "\(result.output)")
    }
}
