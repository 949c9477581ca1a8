import Foundation
import TestSupport
import Testing

/// A scratch deployment of the built `swift-sshd` for tests: a directory with its config, host
/// key, users file and `RootDirectory`, and the daemon started on an ephemeral loopback port.
struct DaemonFixture {
    let scratch: ScratchDirectory
    var directory: URL { scratch.url }
    let root: URL

    init(_ name: String) throws {
        scratch = try ScratchDirectory(name, in: URL(fileURLWithPath: "/tmp"))
        root = scratch.url.appendingPathComponent("root")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        chmod(directory.path, 0o755)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// OpenSSH client options: no config, no host-key checks, quiet.
    var clientOptions: [String] {
        ["-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"]
    }

    /// Writes the config (users-file accounts and the fixture's root unless told otherwise, and
    /// `extra` lines) and makes the host key; returns the config's path.
    func writeConfig(_ extra: String = "", authMode: String = "users", rootDirectory: String? = nil) throws -> String {
        let config = path("swift-sshd.conf")
        try """
            HostKey = \(path("keys"))/ssh_host_ed25519_key
            AuthMode = \(authMode)
            UsersFile = \(path("users"))
            RootDirectory = \(rootDirectory ?? root.path)
            LocalHost = 127.0.0.1
            LocalPort = 0
            \(extra)
            """.write(toFile: config, atomically: true, encoding: .utf8)
        #expect(try run(DaemonBinary.path, ["keygen", "-f", config]).status == 0)
        return config
    }

    /// Adds a keys-only account `name` with `options`, its key pair `NAME_key` in the fixture, and
    /// the public key in `root/NAME/.ssh/authorized_keys`.
    func addKeyAccount(_ name: String, config: String, options: String) throws {
        #expect(try run(DaemonBinary.path, ["user", "add", name, "-f", config, "--keys-only", "--options", options]).status == 0)
        #expect(try run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path("\(name)_key")]).status == 0)
        try FileManager.default.createDirectory(atPath: root.path + "/\(name)/.ssh", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: path("\(name)_key.pub"), toPath: root.path + "/\(name)/.ssh/authorized_keys")
    }

    /// A new key pair `name` in the fixture whose public key goes into `user`'s authorized_keys
    /// with `options` in front.
    func addAuthorizedKey(_ name: String, for user: String, options: String) throws {
        #expect(try run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path(name)]).status == 0)
        let line = options + " " + (try String(contentsOfFile: path(name + ".pub"), encoding: .utf8))
        let file = root.path + "/\(user)/.ssh/authorized_keys"
        let existing = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        try (existing + line).write(toFile: file, atomically: true, encoding: .utf8)
    }

    /// Gives `paths` (recursively) to `nobody`, when the tests run as root.
    func giveToNobody(_ paths: [String]) throws {
        guard geteuid() == 0 else { return }
        for owned in paths { #expect(try run("/bin/chown", ["-R", "nobody:nogroup", owned]).status == 0) }
    }

    /// Starts the daemon (as `user`, or as this process's user, with `environment` added) and
    /// waits for its listening line.
    func start(_ config: String, as user: String? = nil, environment: [String: String] = [:]) throws -> (daemon: ChildProcess, port: Int) {
        let log = directory.appendingPathComponent("daemon-\(UUID().uuidString).log")
        let command = [DaemonBinary.path, "-f", config, "-D"]
        let daemon = user.map {
            try? ChildProcess("/usr/bin/setpriv", ["--reuid=\($0)", "--regid=nogroup", "--clear-groups"] + command, outputFile: log, environment: environment)
        } ?? (try? ChildProcess(command[0], Array(command.dropFirst()), outputFile: log, environment: environment))
        guard let daemon else { throw InteropError("cannot start the daemon") }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, daemon.exitStatusIfExited() == nil {
            if let range = daemon.output.range(of: "Server listening on 127.0.0.1 port ") {
                let digits = daemon.output[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits), daemon.output[range.upperBound...].dropFirst(digits.count).hasPrefix(".") {
                    return (daemon, port)
                }
            }
            usleep(20_000)
        }
        throw InteropError("the daemon did not start: \(daemon.output)")
    }

    /// `ssh` as `user` with its key (`USER_key`, or the fixture's file `key`) in batch mode; `arguments` follow the
    /// destination; `environment` (`NAME=value …`) is set for ssh. Standard output and standard
    /// error go to separate strings (through a shell).
    func ssh(
        _ port: Int, user: String, key: String? = nil, _ arguments: [String], input: String = "/dev/null", sshOptions: [String] = [],
        environment: String = ""
    )
        throws -> (status: Int32, output: String, errors: String)
    {
        let out = path("ssh-\(UUID().uuidString).out")
        let err = path("ssh-\(UUID().uuidString).err")
        let words = ["/usr/bin/ssh"] + clientOptions + sshOptions
            + ["-i", path(key ?? "\(user)_key"), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-p", "\(port)", "\(user)@127.0.0.1"] + arguments
        let line = environment + " " + words.map(Self.quote).joined(separator: " ") + " <\(Self.quote(input)) >\(Self.quote(out)) 2>\(Self.quote(err))"
        let result = try run("/bin/sh", ["-c", line], limit: 60)
        return (result.status, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "", (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    /// `word` quoted for /bin/sh.
    static func quote(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// `ssh` logging in with `password` by `method` (password or keyboard-interactive), answered
    /// through SSH_ASKPASS (no terminal: setsid), running `command`.
    func sshWithPassword(_ port: Int, user: String, password: String, method: String, command: String) throws -> (status: Int32, output: String) {
        try answeringPassword(password, "/usr/bin/ssh", ["-o", "PreferredAuthentications=\(method)", "-p", "\(port)", "\(user)@127.0.0.1", command], input: nil)
    }

    /// `sftp` with a password from SSH_ASKPASS, commands on standard input.
    func sftpWithPassword(_ port: Int, user: String, password: String, commands: String) throws -> (status: Int32, output: String) {
        let input = path("commands-\(UUID().uuidString)")
        try commands.write(toFile: input, atomically: true, encoding: .utf8)
        return try answeringPassword(password, "/usr/bin/sftp", ["-o", "PreferredAuthentications=password", "-P", "\(port)", "\(user)@127.0.0.1"], input: input)
    }

    /// An OpenSSH client without a terminal (setsid) whose one password prompt SSH_ASKPASS answers.
    private func answeringPassword(_ password: String, _ client: String, _ arguments: [String], input: String?) throws -> (status: Int32, output: String) {
        let askpass = path("askpass-\(UUID().uuidString)")
        try writeExecutable(askpass, "#!/bin/sh\necho '\(password)'\n")
        let process = try ChildProcess(
            "/usr/bin/setsid", ["-w", client] + clientOptions + ["-o", "NumberOfPasswordPrompts=1"] + arguments,
            outputFile: directory.appendingPathComponent("client-\(UUID().uuidString).out"),
            environment: ["SSH_ASKPASS": askpass, "SSH_ASKPASS_REQUIRE": "force"], inputFile: URL(fileURLWithPath: input ?? "/dev/null"))
        return (process.wait(limit: 60), process.output)
    }

    /// Runs fail2ban's stock sshd filter (told our daemon's name, as the jail drop-in tells it)
    /// over `log` and checks that it matches every failure line we wrote and no success line.
    func expectFail2banMatchesFailures(in log: String) throws {
        let lines = log.split(whereSeparator: \.isNewline).map(String.init)
        let failures = lines.filter { $0.contains(": Failed ") || $0.contains(": Invalid user ") }
        #expect(!failures.isEmpty, "\(log)")
        let logFile = path("auth-\(UUID().uuidString).log")
        try log.write(toFile: logFile, atomically: true, encoding: .utf8)
        let regex = try run("/usr/bin/fail2ban-regex", ["--print-all-matched", logFile, "/etc/fail2ban/filter.d/sshd.conf[_daemon=swift-sshd]"])
        // The block after "Matched line(s):" lists them, each indented after "|  ", up to "`-".
        var matched: Set<String> = []
        var inBlock = false
        for line in regex.output.split(separator: "\n") {
            if line.contains("Matched line(s):") { inBlock = true; continue }
            if inBlock, line.hasPrefix("`-") { break }
            if inBlock, line.hasPrefix("|  ") { matched.insert(String(line.dropFirst(3))) }
        }
        for failure in failures { #expect(matched.contains(failure), "fail2ban did not match: \(failure)\n\(regex.output)") }
        for success in lines where success.contains(": Accepted ") { #expect(!matched.contains(success), "\(success)") }
    }

    /// Waits (at most `limit` seconds) until the daemon's log contains `text`.
    func waitForLog(_ daemon: ChildProcess, _ text: String, limit: TimeInterval = 20) -> Bool {
        let deadline = Date().addingTimeInterval(limit)
        while Date() < deadline {
            if daemon.output.contains(text) { return true }
            usleep(20_000)
        }
        return false
    }
}
