import Foundation
import SSHDaemon
import Testing

/// The built `swift-sshd` serving OpenSSH's `sftp` on an ephemeral loopback port, run as an
/// unprivileged user (`nobody`, through setpriv) the way a users-file-only deployment runs.
@Suite(.serialized) struct DaemonRunTests {
    let fixture: DaemonFixture
    var root: URL { fixture.root }

    init() throws { fixture = try DaemonFixture("sshd-run") }

    func path(_ name: String) -> String { fixture.path(name) }
    var clientOptions: [String] { fixture.clientOptions }

    /// Writes the config, host key, users (alice with a password, bob with a key) and bob's files,
    /// all owned by `nobody` when the tests run as root.
    func prepare(_ extra: String = "") throws -> String {
        let config = try fixture.writeConfig(extra)
        let input = path("password")
        try "alice secret\n".write(toFile: input, atomically: true, encoding: .utf8)
        let add = try ChildProcess(DaemonBinary.path, ["user", "add", "alice", "-f", config, "--password-stdin"],
                                   outputFile: fixture.directory.appendingPathComponent("add.out"), inputFile: URL(fileURLWithPath: input))
        #expect(add.wait(limit: 30) == 0, "\(add.output)")
        try fixture.addKeyAccount("bob", config: config, options: "sftp")
        try "in bob's root\n".write(toFile: root.path + "/bob/notes.txt", atomically: true, encoding: .utf8)
        try "outside every root\n".write(toFile: path("secret.txt"), atomically: true, encoding: .utf8)
        try fixture.giveToNobody([path("keys"), path("users"), root.path])
        return config
    }

    @Test func servesUsersFileAccountsConfinedToTheirRoots() throws {
        let config = try prepare()
        // As root, the daemon is started as nobody; otherwise it already runs unprivileged.
        let (daemon, port) = try fixture.start(config, as: geteuid() == 0 ? "nobody" : nil)
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
        let alice = try fixture.sftpWithPassword(port, user: "alice", password: "alice secret", commands: "put \(path("swift-sshd.conf")) mine.conf\nls\n")
        #expect(alice.status == 0, "\(alice.output)")
        #expect(FileManager.default.fileExists(atPath: root.path + "/alice/mine.conf"))
        let wrong = try fixture.sftpWithPassword(port, user: "alice", password: "not it", commands: "ls\n")
        #expect(wrong.status != 0)
        let unknown = try fixture.sftpWithPassword(port, user: "mallory", password: "guess", commands: "ls\n")
        #expect(unknown.status != 0)

        // The last client has gone; the daemon sees its end before the signal (then "0 open").
        #expect(fixture.waitForLog(daemon, "Connection closed by invalid user mallory"), "\(daemon.output)")
        kill(daemon.pid, SIGTERM)
        #expect(daemon.wait(limit: 20) == 0, "\(daemon.output)")
        let log = daemon.output
        // OpenSSH's words: the key's type and fingerprint, and how each connection ended.
        let fingerprint = try run("/usr/bin/ssh-keygen", ["-l", "-f", path("bob_key.pub")]).output.split(separator: " ")[1]
        let accepted = log.split(separator: "\n").first { $0.contains("Accepted publickey for bob from 127.0.0.1 port ") }
        #expect(accepted?.hasSuffix(" ssh2: ED25519 \(fingerprint)") == true, "\(log)")
        #expect(log.contains(try Regex("Disconnected from user bob 127.0.0.1 port [0-9]+\n")), "\(log)")
        #expect(log.contains(try Regex("Connection closed by authenticating user alice 127.0.0.1 port [0-9]+ \\[preauth\\]\n")), "\(log)")
        #expect(log.contains(try Regex("Connection closed by invalid user mallory 127.0.0.1 port [0-9]+ \\[preauth\\]\n")), "\(log)")
        #expect(log.contains("Accepted password for alice from 127.0.0.1 port "), "\(log)")
        #expect(log.contains("Failed password for alice from 127.0.0.1 port "), "\(log)")
        #expect(log.contains("Invalid user mallory from 127.0.0.1 port "), "\(log)")
        #expect(log.contains("Failed password for invalid user mallory from 127.0.0.1 port "), "\(log)")
        #expect(log.contains("Received signal 15; no new connections, 0 open"), "\(log)")

        // fail2ban's stock sshd filter matches every failure line.
        try fixture.expectFail2banMatchesFailures(in: log)
    }

    /// As root the daemon serves users-file SFTP from a child run as `VirtualUser`: the files it
    /// writes belong to that user, and the tree is still the account's root.
    @Test(.enabled(if: geteuid() == 0, "needs root"))
    func asRootUsersFileSFTPRunsAsTheVirtualUser() throws {
        let config = try prepare("VirtualUser = nobody")
        let (daemon, port) = try fixture.start(config)
        defer { daemon.terminate() }
        let batch = path("root.batch")
        try "put \(path("swift-sshd.conf")) from-root-daemon.conf\nget notes.txt \(path("notes.root"))\n-get ../../secret.txt \(path("escaped3.txt"))\n"
            .write(toFile: batch, atomically: true, encoding: .utf8)
        let bob = try run("/usr/bin/sftp", clientOptions + ["-i", path("bob_key"), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-P", "\(port)", "-b", batch, "bob@127.0.0.1"])
        #expect(bob.status == 0, "\(bob.output)")
        let owner = try FileManager.default.attributesOfItem(atPath: root.path + "/bob/from-root-daemon.conf")[.ownerAccountName] as? String
        #expect(owner == "nobody")
        #expect(try String(contentsOfFile: path("notes.root"), encoding: .utf8) == "in bob's root\n")
        #expect(!FileManager.default.fileExists(atPath: path("escaped3.txt")))
        kill(daemon.pid, SIGTERM)
        _ = daemon.wait(limit: 20)
        #expect(daemon.output.contains("Starting session: subsystem 'sftp' for bob from 127.0.0.1 port "), "\(daemon.output)")
    }

    /// The README's run command: `swift-sshd demo` prints how to connect and a password that works,
    /// with everything in the state folder; a second start keeps the keys and changes the password.
    @Test func demoPrintsHowToConnectAndItsAccountWorks() throws {
        let state = path("state")
        func startDemo() throws -> (daemon: ChildProcess, port: Int, password: String) {
            let demo = try ChildProcess(DaemonBinary.path, ["demo", "--state", state, "--port", "0"],
                                        outputFile: fixture.directory.appendingPathComponent("demo-\(UUID().uuidString).out"))
            #expect(fixture.waitForLog(demo, "sftp -P "), "\(demo.output)")
            let words = demo.output.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
            let port = words.firstIndex(of: "-p").flatMap { Int(words[$0 + 1]) } ?? 0
            let password = words.firstIndex(of: "password").map { words[$0 + 1] } ?? ""
            #expect(demo.output.contains("ssh -p \(port) demo@localhost") && demo.output.contains("sftp -P \(port) demo@localhost"), "\(demo.output)")
            return (demo, port, password)
        }
        let (first, port, password) = try startDemo()
        let login = try fixture.sshWithPassword(port, user: "demo", password: password, method: "password", command: "pwd; echo made > made.txt")
        #expect(login.status == 0 && login.output == "\(state)/root/demo\n", "\(login)")
        #expect(FileManager.default.fileExists(atPath: state + "/root/demo/made.txt"))
        let key = try String(contentsOfFile: state + "/keys/ssh_host_ed25519_key", encoding: .utf8)
        kill(first.pid, SIGTERM)
        #expect(first.wait(limit: 20) == 0)

        let (second, port2, password2) = try startDemo()
        defer { second.terminate() }
        let keyAgain = try String(contentsOfFile: state + "/keys/ssh_host_ed25519_key", encoding: .utf8)
        #expect(password2 != password && keyAgain == key)
        #expect(try fixture.sshWithPassword(port2, user: "demo", password: password, method: "password", command: "true").status != 0)
        #expect(try fixture.sshWithPassword(port2, user: "demo", password: password2, method: "password", command: "true").status == 0)
    }
}
