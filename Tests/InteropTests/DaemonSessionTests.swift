import Foundation
import Testing

/// Shell, exec, pty and scp sessions of the built `swift-sshd` with OpenSSH's `ssh` and `scp`
/// (issue 5 item 5). Run as root, the daemon changes to `VirtualUser` = nobody for each session;
/// otherwise sessions run as the daemon's own user. Either way Landlock confines users-file
/// sessions to the account's root.
@Suite(.serialized) struct DaemonSessionTests {
    let fixture: DaemonFixture
    let asRoot = geteuid() == 0

    init() throws { fixture = try DaemonFixture("sshd-session") }

    /// carol may use everything; dave only SFTP. A world-readable file lies outside every root.
    func startDaemon(_ extra: String = "") throws -> (daemon: ChildProcess, port: Int) {
        let config = try fixture.writeConfig("AcceptEnv = LANG LC_* SWIFT_SSHD_TEST\n" + (asRoot ? "VirtualUser = nobody\n" : "") + extra)
        try fixture.addKeyAccount("carol", config: config, options: "shell,exec,sftp")
        try fixture.addKeyAccount("dave", config: config, options: "sftp")
        try "outside every root\n".write(toFile: fixture.path("secret.txt"), atomically: true, encoding: .utf8)
        chmod(fixture.path("secret.txt"), 0o644)
        try fixture.giveToNobody([fixture.root.path])
        return try fixture.start(config)
    }

    @Test func execRunsCommandsWithTheirExitCodesStreamsAndEnvironment() throws {
        let (daemon, port) = try startDaemon()
        defer { daemon.terminate() }
        let carolRoot = fixture.root.path + "/carol"

        #expect(try fixture.ssh(port, user: "carol", ["exit 7"]).status == 7)
        #expect(try fixture.ssh(port, user: "carol", ["true"]).status == 0)
        // Killed by a signal: exit-signal, which ssh reports as status 255.
        #expect(try fixture.ssh(port, user: "carol", ["kill -TERM $$"]).status == 255)

        let streams = try fixture.ssh(port, user: "carol", ["echo out; echo err >&2; pwd"])
        #expect(streams.output == "out\n\(carolRoot)\n" && streams.errors == "err\n", "\(streams)")

        // 4 MiB through stdin and back as a digest: the window reopens as the pipe takes them.
        let input = fixture.path("input.bin")
        _ = FileManager.default.createFile(atPath: input, contents: Data((0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 13) }))
        let local = try run("/usr/bin/sha256sum", [input]).output.prefix(64)
        let remote = try fixture.ssh(port, user: "carol", ["sha256sum"], input: input)
        #expect(remote.status == 0 && remote.output.prefix(64) == local, "\(remote)")

        // The environment: OpenSSH's variables, what AcceptEnv allows, nothing of the daemon's.
        let env = try fixture.ssh(port, user: "carol", ["env"], sshOptions: ["-o", "SetEnv=SWIFT_SSHD_TEST=yes NOT_ACCEPTED=no"])
        let variables = Dictionary(env.output.split(separator: "\n").compactMap { line -> (String, String)? in
            guard let equals = line.firstIndex(of: "=") else { return nil }
            return (String(line[..<equals]), String(line[line.index(after: equals)...]))
        }, uniquingKeysWith: { first, _ in first })
        #expect(variables["HOME"] == carolRoot && variables["USER"] == "carol" && variables["LOGNAME"] == "carol", "\(env)")
        #expect(variables["MAIL"] == "/var/mail/carol" && variables["PATH"] == "/usr/local/bin:/usr/bin:/bin:/usr/games", "\(env)")
        #expect(variables["SHELL"]?.hasPrefix("/") == true, "\(env)")
        #expect(variables["SSH_CONNECTION"]?.hasPrefix("127.0.0.1 ") == true && variables["SSH_CONNECTION"]?.hasSuffix(" 127.0.0.1 \(port)") == true, "\(env)")
        #expect(variables["SSH_CLIENT"]?.hasSuffix(" \(port)") == true, "\(env)")
        #expect(variables["SWIFT_SSHD_TEST"] == "yes" && variables["NOT_ACCEPTED"] == nil && variables["SSH_TTY"] == nil, "\(env)")
        #expect(variables["JOURNAL_STREAM"] == nil && variables["NOTIFY_SOCKET"] == nil, "\(env)")

        // Who it runs as, and no descriptor of the daemon's leaks in (3 is ls's own directory).
        if asRoot {
            let id = try fixture.ssh(port, user: "carol", ["id -u; id -G"])
            #expect(id.output == "65534\n65534\n", "\(id)")
        }
        let fds = try fixture.ssh(port, user: "carol", ["ls /proc/self/fd"])
        #expect(fds.output == "0\n1\n2\n3\n", "\(fds)")

        // Confined to the account's root: it writes there, reads no file outside it, writes nowhere else.
        let confined = try fixture.ssh(port, user: "carol", ["echo made > made.txt; cat \(fixture.path("secret.txt")); touch /tmp/escape-\(UUID().uuidString)"])
        #expect(try String(contentsOfFile: carolRoot + "/made.txt", encoding: .utf8) == "made\n")
        #expect(!confined.output.contains("outside every root"), "\(confined)")
        #expect(confined.errors.components(separatedBy: "Permission denied").count == 3, "\(confined)")

        // dave's account has no exec or shell.
        let refused = try fixture.ssh(port, user: "dave", ["true"])
        #expect(refused.status != 0 && refused.errors.contains("exec request failed"), "\(refused)")

        kill(daemon.pid, SIGTERM)
        #expect(daemon.wait(limit: 20) == 0)
        #expect(daemon.output.contains("Starting session: command for carol from 127.0.0.1 port "), "\(daemon.output)")
        #expect(daemon.output.contains("exec refused for dave: not allowed by AllowExec or the account's options"), "\(daemon.output)")
    }

    @Test func ptyShellsFollowTheTerminal() throws {
        let (daemon, port) = try startDaemon()
        defer { daemon.terminate() }

        // A shell on a pty driven by a script through `ssh -tt`.
        let script = fixture.path("script.txt")
        try "tty\necho TERM=$TERM\necho SSH_TTY=$SSH_TTY\nexit 4\n".write(toFile: script, atomically: true, encoding: .utf8)
        let scripted = try fixture.ssh(port, user: "carol", ["-tt"], input: script, environment: "TERM=vt220")
        #expect(scripted.status == 4, "\(scripted)")
        #expect(scripted.output.contains("TERM=vt220") && scripted.output.contains("SSH_TTY=/dev/pts/"), "\(scripted)")

        // A person at a real terminal: the remote size follows the local one (window-change).
        let driver = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/pty_session.py").path
        let ssh = ["/usr/bin/ssh"] + fixture.clientOptions
            + ["-i", fixture.path("carol_key"), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-p", "\(port)", "-tt", "carol@127.0.0.1"]
        let session = try run("/usr/bin/python3", [driver, "31", "97", "42", "123", "--"] + ssh, limit: 60)
        #expect(session.output.contains("31 97") && session.output.contains("42 123"), "\(session.output)")
        #expect(session.output.hasSuffix("exit=6\n"), "\(session.output)")

        // dave may not have a shell.
        let refused = try fixture.ssh(port, user: "dave", ["-tt"], input: script)
        #expect(refused.status != 0, "\(refused)")

        kill(daemon.pid, SIGTERM)
        #expect(daemon.wait(limit: 20) == 0)
        #expect(daemon.output.contains("Starting session: shell on pts/"), "\(daemon.output)")
    }

    @Test func scpCopiesBothWaysInBothProtocols() throws {
        let (daemon, port) = try startDaemon()
        defer { daemon.terminate() }
        let original = fixture.path("original.bin")
        _ = FileManager.default.createFile(atPath: original, contents: Data((0..<700_001).map { UInt8(truncatingIfNeeded: $0 &* 31 >> 3) }))
        let key = ["-i", fixture.path("carol_key"), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-P", "\(port)"]
        // The SFTP protocol (scp's default since OpenSSH 9.0), and the legacy one (`scp -O`,
        // which runs `scp -t` / `scp -f` through exec in the account's root).
        for (legacy, name) in [(false, "sftp.bin"), (true, "legacy.bin")] {
            let flags = fixture.clientOptions + (legacy ? ["-O"] : []) + key
            let up = try run("/usr/bin/scp", flags + [original, "carol@127.0.0.1:\(name)"])
            #expect(up.status == 0, "\(up.output)")
            #expect(sameFile(original, fixture.root.path + "/carol/\(name)"))
            let back = fixture.path("back-\(name)")
            let down = try run("/usr/bin/scp", flags + ["carol@127.0.0.1:\(name)", back])
            #expect(down.status == 0, "\(down.output)")
            #expect(sameFile(original, back))
        }
    }

    private func sameFile(_ a: String, _ b: String) -> Bool {
        guard let left = FileManager.default.contents(atPath: a), let right = FileManager.default.contents(atPath: b) else { return false }
        return left == right
    }

    /// RFC 4254 §6.9 `signal` requests (sent through asyncssh; OpenSSH's ssh has no way to): USR1
    /// reaches the command, which traps it; TERM ends it, and exit-signal says so.
    @Test func signalRequestsReachTheCommand() throws {
        let (daemon, port) = try startDaemon()
        defer { daemon.terminate() }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/asyncssh_signal.py").path
        let result = try run("/usr/bin/env", ["PYTHONWARNINGS=ignore", "python3", script, "\(port)", "carol", fixture.path("carol_key")], limit: 60)
        #expect(result.output == "ready\ngot USR1\nexit-signal TERM\n", "\(result.output)")
    }

    /// What one login may do to others of the same account, which run as the same user: not open
    /// their terminal, not signal their processes (Landlock), and not outlive its connection.
    @Test func sessionsAreKeptApartAndEndWithTheirConnection() throws {
        let (daemon, port) = try startDaemon()
        defer { daemon.terminate() }
        // A long-running pty session prints its terminal and its pid.
        let script = fixture.path("hold.txt")
        try "tty; echo pid=$$ ready$((40 + 2)); sleep 20\n".write(toFile: script, atomically: true, encoding: .utf8)
        let holder = try ChildProcess(
            "/usr/bin/ssh", fixture.clientOptions + ["-i", fixture.path("carol_key"), "-o", "BatchMode=yes", "-tt", "-p", "\(port)", "carol@127.0.0.1"],
            outputFile: fixture.directory.appendingPathComponent("holder.out"), inputFile: URL(fileURLWithPath: script))
        // The whole line, and not the terminal's echo of the command (which shows "$((40 + 2))").
        #expect(fixture.waitForLog(holder, "ready42"), "\(holder.output)")
        let lines = holder.output.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        let tty = lines.first { $0.hasPrefix("/dev/pts/") } ?? "/dev/pts/none"
        let pid = lines.first { $0.hasPrefix("pid=") }.map { String($0.dropFirst(4).prefix { $0.isNumber }) } ?? "0"
        let intrusion = try fixture.ssh(port, user: "carol", ["echo boo > \(tty); kill -0 \(pid)"])
        #expect(intrusion.errors.components(separatedBy: "Permission denied").count == 2, "\(intrusion)")
        #expect(intrusion.errors.contains("Operation not permitted") && intrusion.status != 0, "\(intrusion)")
        #expect(!holder.output.contains("boo"))

        // The client goes away without a word: its session's process group is hung up.
        kill(holder.pid, SIGKILL)
        _ = holder.wait(limit: 10)
        let deadline = Date().addingTimeInterval(10)
        var alive = true
        while alive, Date() < deadline {
            alive = kill(pid_t(pid) ?? 0, 0) == 0
            if alive { usleep(50_000) }
        }
        #expect(!alive, "the session's shell outlived its connection")
    }

    /// MaxSessions: ten session channels on one connection, not eleven.
    @Test func oneConnectionHoldsAtMostTenSessions() throws {
        let (daemon, port) = try startDaemon()
        defer { daemon.terminate() }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/asyncssh_sessions.py").path
        let result = try run("/usr/bin/env", ["PYTHONWARNINGS=ignore", "python3", script, "\(port)", "carol", fixture.path("carol_key"), "12"], limit: 60)
        #expect(result.output == "opened 10\nrefused 2\n", "\(result.output)")
    }

    /// An account whose root holds the daemon's host keys gets no session at all.
    @Test func aRootHoldingTheDaemonsSecretsIsRefused() throws {
        let config = try fixture.writeConfig((asRoot ? "VirtualUser = nobody\n" : ""), rootDirectory: fixture.directory.path)
        #expect(try run(DaemonBinary.path, ["user", "add", "frank", "-f", config, "--keys-only", "--root", "", "--options", "shell,exec,sftp"]).status == 0)
        #expect(try run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", fixture.path("frank_key")]).status == 0)
        try FileManager.default.createDirectory(atPath: fixture.path(".ssh"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixture.path("frank_key.pub"), toPath: fixture.path(".ssh/authorized_keys"))
        let (daemon, port) = try fixture.start(config)
        defer { daemon.terminate() }
        let attempt = try fixture.ssh(port, user: "frank", ["cat keys/ssh_host_ed25519_key"])
        #expect(attempt.status != 0 && !attempt.output.contains("PRIVATE KEY"), "\(attempt)")
        #expect(fixture.waitForLog(daemon, "sessions refused for frank: its root \(fixture.directory.path) holds the daemon's host keys or users file"), "\(daemon.output)")
    }
}
