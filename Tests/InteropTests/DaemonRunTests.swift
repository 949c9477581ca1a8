import Foundation
import SSHDaemon
import Testing

/// The built `swift-sshd` serving OpenSSH's `sftp` on an ephemeral loopback port, run as an
/// unprivileged user (`nobody`, through setpriv) the way a users-file-only deployment runs.
@Suite(.serialized) struct DaemonRunTests {
    let directory: URL
    let root: URL

    init() throws {
        directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("sshd-run-\(UUID().uuidString)")
        root = directory.appendingPathComponent("root")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        chmod(directory.path, 0o755)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    var clientOptions: [String] {
        ["-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"]
    }

    /// Writes the config, host key, users (alice with a password, bob with a key) and bob's files,
    /// all owned by `nobody` when the tests run as root.
    func prepare() throws -> String {
        let config = path("swift-sshd.conf")
        try """
            HostKey = \(path("keys"))/ssh_host_ed25519_key
            AuthMode = users
            UsersFile = \(path("users"))
            RootDirectory = \(root.path)
            LocalHost = 127.0.0.1
            LocalPort = 0
            """.write(toFile: config, atomically: true, encoding: .utf8)
        #expect(try run(DaemonBinary.path, ["keygen", "-f", config]).status == 0)
        let input = path("password")
        try "alice secret\n".write(toFile: input, atomically: true, encoding: .utf8)
        let add = try ChildProcess(DaemonBinary.path, ["user", "add", "alice", "-f", config, "--password-stdin"],
                                   outputFile: directory.appendingPathComponent("add.out"), inputFile: URL(fileURLWithPath: input))
        #expect(add.wait(limit: 30) == 0, "\(add.output)")
        #expect(try run(DaemonBinary.path, ["user", "add", "bob", "-f", config, "--keys-only", "--options", "sftp"]).status == 0)
        #expect(try run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path("bob_key")]).status == 0)
        try FileManager.default.createDirectory(atPath: root.path + "/bob/.ssh", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: path("bob_key.pub"), toPath: root.path + "/bob/.ssh/authorized_keys")
        try "in bob's root\n".write(toFile: root.path + "/bob/notes.txt", atomically: true, encoding: .utf8)
        try "outside every root\n".write(toFile: path("secret.txt"), atomically: true, encoding: .utf8)
        if geteuid() == 0 {
            for owned in [path("keys"), path("users"), root.path] {
                #expect(try run("/bin/chown", ["-R", "nobody:nogroup", owned]).status == 0)
            }
        }
        return config
    }

    /// Starts the daemon (as `user`, or as this process's user) and waits for its listening line.
    func start(_ config: String, as user: String?) throws -> (daemon: ChildProcess, port: Int, log: URL) {
        let log = directory.appendingPathComponent("daemon-\(UUID().uuidString).log")
        let command = [DaemonBinary.path, "-f", config, "-D"]
        let daemon = user.map {
            try? ChildProcess("/usr/bin/setpriv", ["--reuid=\($0)", "--regid=nogroup", "--clear-groups"] + command, outputFile: log)
        } ?? (try? ChildProcess(command[0], Array(command.dropFirst()), outputFile: log))
        guard let daemon else { throw InteropError("cannot start the daemon") }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, daemon.exitStatusIfExited() == nil {
            if let range = daemon.output.range(of: "Server listening on 127.0.0.1 port ") {
                let digits = daemon.output[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits), daemon.output[range.upperBound...].dropFirst(digits.count).hasPrefix(".") {
                    return (daemon, port, log)
                }
            }
            usleep(20_000)
        }
        throw InteropError("the daemon did not start: \(daemon.output)")
    }

    /// `sftp` with a password from SSH_ASKPASS (no terminal: setsid), commands on standard input.
    func sftpWithPassword(_ port: Int, user: String, password: String, commands: String) throws -> (status: Int32, output: String) {
        let askpass = path("askpass-\(UUID().uuidString)")
        try writeExecutable(askpass, "#!/bin/sh\necho '\(password)'\n")
        let input = path("commands-\(UUID().uuidString)")
        try commands.write(toFile: input, atomically: true, encoding: .utf8)
        let client = try ChildProcess(
            "/usr/bin/setsid", ["-w", "/usr/bin/sftp"] + clientOptions + ["-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=1", "-P", "\(port)", "\(user)@127.0.0.1"],
            outputFile: directory.appendingPathComponent("sftp-\(UUID().uuidString).out"),
            environment: ["SSH_ASKPASS": askpass, "SSH_ASKPASS_REQUIRE": "force"], inputFile: URL(fileURLWithPath: input))
        return (client.wait(limit: 60), client.output)
    }

    @Test func servesUsersFileAccountsConfinedToTheirRoots() throws {
        let config = try prepare()
        // As root, the daemon is started as nobody; otherwise it already runs unprivileged.
        let (daemon, port, _) = try start(config, as: geteuid() == 0 ? "nobody" : nil)
        defer { daemon.terminate() }

        // bob, with his key: list, download, upload; ".." and absolute paths stay in his root.
        let batch = path("bob.batch")
        try """
            ls -l
            get notes.txt \(path("notes.copy"))
            put \(path("swift-sshd.conf")) uploaded.conf
            cd ..
            ls
            -get /../secret.txt \(path("escaped.txt"))
            -get ../../secret.txt \(path("escaped2.txt"))

            """.write(toFile: batch, atomically: true, encoding: .utf8)
        let bob = try run("/usr/bin/sftp", clientOptions + ["-i", path("bob_key"), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-P", "\(port)", "-b", batch, "bob@127.0.0.1"])
        #expect(bob.status == 0, "\(bob.output)")
        #expect(try String(contentsOfFile: path("notes.copy"), encoding: .utf8) == "in bob's root\n")
        #expect(FileManager.default.fileExists(atPath: root.path + "/bob/uploaded.conf"))
        #expect(!FileManager.default.fileExists(atPath: path("escaped.txt")) && !FileManager.default.fileExists(atPath: path("escaped2.txt")))
        let owner = try FileManager.default.attributesOfItem(atPath: root.path + "/bob/uploaded.conf")[.ownerAccountName] as? String
        #expect(owner == (geteuid() == 0 ? "nobody" : NSUserName()))  // written by the daemon's own unprivileged user

        // alice, with her password; her root is made at first login.
        let alice = try sftpWithPassword(port, user: "alice", password: "alice secret", commands: "put \(path("swift-sshd.conf")) mine.conf\nls\n")
        #expect(alice.status == 0, "\(alice.output)")
        #expect(FileManager.default.fileExists(atPath: root.path + "/alice/mine.conf"))
        let wrong = try sftpWithPassword(port, user: "alice", password: "not it", commands: "ls\n")
        #expect(wrong.status != 0)
        let unknown = try sftpWithPassword(port, user: "mallory", password: "guess", commands: "ls\n")
        #expect(unknown.status != 0)

        kill(daemon.pid, SIGTERM)
        #expect(daemon.wait(limit: 20) == 0, "\(daemon.output)")
        let log = daemon.output
        #expect(log.contains("Accepted publickey for bob from 127.0.0.1 port "), "\(log)")
        #expect(log.contains("Accepted password for alice from 127.0.0.1 port "), "\(log)")
        #expect(log.contains("Failed password for alice from 127.0.0.1 port "), "\(log)")
        #expect(log.contains("Invalid user mallory from 127.0.0.1 port "), "\(log)")
        #expect(log.contains("Failed password for invalid user mallory from 127.0.0.1 port "), "\(log)")
        #expect(log.contains("Received signal 15; terminating."), "\(log)")

        // fail2ban's stock sshd filter, told our daemon's name as the jail drop-in tells it,
        // matches every failure line.
        let failures = log.split(whereSeparator: \.isNewline).filter { $0.contains("Failed ") || $0.contains("Invalid user ") }
        #expect(failures.count >= 3, "\(log)")
        let logFile = path("auth.log")
        try log.write(toFile: logFile, atomically: true, encoding: .utf8)
        let regex = try run("/usr/bin/fail2ban-regex", [logFile, "/etc/fail2ban/filter.d/sshd.conf[_daemon=swift-sshd]"])
        // "Lines: N lines, I ignored, M matched, K missed": the successes are ignored (NOFAIL).
        let matched = regex.output.split(separator: "\n").first { $0.hasPrefix("Lines: ") }?
            .split(separator: ",").first { $0.hasSuffix(" matched") }?
            .split(separator: " ").first.flatMap { Int($0) }
        #expect(matched == failures.count, "\(regex.output)")
    }

    /// As root the daemon does not serve users-file SFTP in-process: it refuses and says why.
    @Test(.enabled(if: geteuid() == 0, "needs root"))
    func asRootUsersFileSFTPIsRefusedWithAReason() throws {
        let config = try prepare()
        let (daemon, port, _) = try start(config, as: nil)
        defer { daemon.terminate() }
        let batch = path("root.batch")
        try "ls\n".write(toFile: batch, atomically: true, encoding: .utf8)
        let bob = try run("/usr/bin/sftp", clientOptions + ["-i", path("bob_key"), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-P", "\(port)", "-b", batch, "bob@127.0.0.1"])
        #expect(bob.status != 0)
        kill(daemon.pid, SIGTERM)
        _ = daemon.wait(limit: 20)
        #expect(daemon.output.contains("sftp refused for bob: users-file sessions run as VirtualUser"), "\(daemon.output)")
    }
}
