import Foundation
import SSHCrypto
import SSHDaemon
import TestSupport
import Testing

/// The `swift-sshd` binary as built: the binary beside this test bundle.
enum DaemonBinary {
    static let path: String = {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("swift-sshd").path
        if FileManager.default.isExecutableFile(atPath: besideTests) { return besideTests }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/swift-sshd").path
    }()
}

/// `swift-sshd -t`, `-T`, `-o`, `keygen` and `user …` run as an administrator runs them.
@Suite struct DaemonCommandTests {
    let scratch: ScratchDirectory
    var directory: URL { scratch.url }

    init() throws {
        scratch = try ScratchDirectory("sshd-commands")
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func writeConfig(_ text: String) throws -> String {
        let file = path("swift-sshd.conf")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func sshd(_ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String) {
        guard let input else { return try run(DaemonBinary.path, arguments) }
        let inputFile = path("input-\(UUID().uuidString)")
        try input.write(toFile: inputFile, atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent("out-\(UUID().uuidString)")
        let child = try ChildProcess(DaemonBinary.path, arguments, outputFile: output, inputFile: URL(fileURLWithPath: inputFile))
        return (child.wait(limit: 60), child.output)
    }

    @Test func keygenMakesKeysThatSshKeygenReadsAndCheckPasses() throws {
        let keys = path("keys")
        let config = try writeConfig("""
            HostKey = \(keys)/ssh_host_ed25519_key
            HostKey = \(keys)/ssh_host_ecdsa_key
            HostKey = \(keys)/ssh_host_rsa_key
            AuthMode = users
            UsersFile = \(path("users"))
            """)
        let missing = try sshd(["-t", "-f", config])
        #expect(missing.status == 1 && missing.output.contains("ssh_host_ed25519_key: No such file or directory (run swift-sshd keygen"), "\(missing.output)")

        let made = try sshd(["keygen", "-f", config])
        #expect(made.status == 0, "\(made.output)")
        let lines = made.output.split(whereSeparator: \.isNewline).map(String.init)
        #expect(lines.count == 3, "\(made.output)")
        for (kind, bits) in [("ed25519", "256"), ("ecdsa", "256"), ("rsa", "3072")] {
            let file = "\(keys)/ssh_host_\(kind)_key"
            let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file)")
            let listed = try run("/usr/bin/ssh-keygen", ["-l", "-f", file])
            let fingerprint = try #require(listed.output.split(separator: " ").dropFirst().first.map(String.init), "\(listed.output)")
            #expect(listed.output.hasPrefix("\(bits) "), "\(listed.output)")
            #expect(lines.contains("generated \(file): \(kind) \(fingerprint)"), "\(made.output) vs \(listed.output)")
            // The .pub beside it is the same key.
            let publicListed = try run("/usr/bin/ssh-keygen", ["-l", "-f", file + ".pub"])
            #expect(publicListed.output.contains(fingerprint))
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: "\(keys)/ssh_host_rsa_key"))
        let again = try sshd(["keygen", "-f", config])
        #expect(again.status == 0 && again.output.isEmpty, "\(again.output)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(keys)/ssh_host_rsa_key")) == before)

        #expect(try sshd(["-t", "-f", config]).status == 0)
        chmod("\(keys)/ssh_host_ecdsa_key", 0o644)
        let open = try sshd(["-t", "-f", config])
        #expect(open.status == 1 && open.output.contains("ssh_host_ecdsa_key: permissions 644 are too open"), "\(open.output)")
    }

    @Test func checkReportsEveryBadLineAndPrintsTheEffectiveConfig() throws {
        let bad = try writeConfig("LocalPort = 70000\nAllowTcpForwarding=sometimes\nMaxAuthAttemps=3\n")
        let checked = try sshd(["-t", "-f", bad])
        #expect(checked.status == 1)
        #expect(checked.output.contains("\(bad):1: LocalPort: \"70000\" is not allowed; expected an integer from 0 to 65535"), "\(checked.output)")
        #expect(checked.output.contains("\(bad):2: AllowTcpForwarding: \"sometimes\" is not allowed; expected yes, no, local or remote"), "\(checked.output)")
        #expect(checked.output.contains("\(bad):3: MaxAuthAttemps: unknown key; did you mean MaxAuthAttempts?"), "\(checked.output)")

        let keys = path("k")
        let good = try writeConfig("HostKey=\(keys)/ssh_host_ed25519_key\nLocalPort=2222\nAuthMode=users\nUsersFile=\(path("users"))\n")
        #expect(try sshd(["keygen", "-f", good]).status == 0)
        let printed = try sshd(["-T", "-f", good, "-o", "LocalPort=2300", "-o", "AllowTcpForwarding=remote"])
        #expect(printed.status == 0, "\(printed.output)")
        let lines = Set(printed.output.split(whereSeparator: \.isNewline).map(String.init))
        #expect(lines.isSuperset(of: ["LocalPort=2300", "AllowTcpForwarding=remote", "AuthMode=users", "PAMService=swift-sshd", "HostKey=\(keys)/ssh_host_ed25519_key"]), "\(printed.output)")
        let override = try sshd(["-t", "-f", good, "-o", "Workers=lots"])
        #expect(override.status == 1 && override.output.contains("-o:1: Workers: \"lots\" is not allowed"), "\(override.output)")
    }

    @Test func userCommandsEditTheUsersFile() throws {
        let users = path("users")
        let config = try writeConfig("AuthMode=users\nUsersFile=\(users)\nRootDirectory=\(path("root"))\n")
        #expect(try sshd(["user", "add", "alice", "-f", config, "--password-stdin"], input: "first pass\n").status == 0)
        #expect(try sshd(["user", "add", "bob", "-f", config, "--keys-only", "--options", "sftp", "--root", "shared/bob"]).status == 0)
        let duplicate = try sshd(["user", "add", "alice", "-f", config, "--keys-only"])
        #expect(duplicate.status == 1 && duplicate.output.contains("alice already exists"), "\(duplicate.output)")
        let badRoot = try sshd(["user", "add", "carol", "-f", config, "--keys-only", "--root", "../outside"])
        #expect(badRoot.status == 1, "\(badRoot.output)")
        #expect((try FileManager.default.attributesOfItem(atPath: users)[.posixPermissions] as? Int) == 0o600)

        var file = try UsersFile.load(users)
        let alice = try #require(file.account(named: "alice"))
        #expect(alice.passwordHash.hasPrefix("$y$") && alice.root == "alice" && alice.options == [.shell, .exec, .sftp])
        #expect(PasswordHash.verify("first pass", against: alice.passwordHash))

        // sha512-crypt, checked against OpenSSL's own implementation with the same salt.
        #expect(try sshd(["user", "passwd", "alice", "-f", config, "--password-stdin", "--method", "sha512-crypt"], input: "second pass\n").status == 0)
        file = try UsersFile.load(users)
        let hash = try #require(file.account(named: "alice")?.passwordHash)
        let salt = try #require(hash.split(separator: "$").dropFirst().first.map(String.init))
        let openssl = try run("/usr/bin/openssl", ["passwd", "-6", "-salt", salt, "second pass"])
        #expect(openssl.output.trimmingCharacters(in: .whitespacesAndNewlines) == hash, "\(openssl.output) vs \(hash)")

        let listed = try sshd(["user", "list", "-f", config])
        #expect(listed.output == "alice\troot=alice\toptions=shell,exec,sftp\tpassword\nbob\troot=shared/bob\toptions=sftp\tkeys only\n", "\(listed.output)")
        #expect(try sshd(["user", "del", "bob", "-f", config]).status == 0)
        #expect(try UsersFile.load(users).accounts.map(\.name) == ["alice"])
        let gone = try sshd(["user", "del", "bob", "-f", config])
        #expect(gone.status == 1 && gone.output.contains("bob: no such account"), "\(gone.output)")
    }
}
