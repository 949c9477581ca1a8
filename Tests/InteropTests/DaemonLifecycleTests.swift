import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The running daemon's life (issue 5 item 8): SIGHUP reloads while sessions go on, SIGTERM lets
/// what runs finish, and systemd hears READY, RELOADING and STOPPING on its notify socket.
@Suite(.serialized) struct DaemonLifecycleTests {
    let fixture: DaemonFixture
    let asRoot = geteuid() == 0

    init() throws { fixture = try DaemonFixture("sshd-life") }

    func prepare() throws -> String {
        let config = try fixture.writeConfig(asRoot ? "VirtualUser = nobody\n" : "")
        try fixture.addKeyAccount("carol", config: config, options: "shell,exec,sftp")
        try fixture.giveToNobody([fixture.root.path])
        return config
    }

    @Test func sighupAddsAUserWhileAnOpenSessionKeepsWorking() throws {
        let config = try prepare()
        let (daemon, port) = try fixture.start(config)
        defer { daemon.terminate() }
        // A session that stays open across the reloads.
        let open = try ChildProcess(
            "/usr/bin/ssh", fixture.clientOptions + ["-i", fixture.path("carol_key"), "-o", "BatchMode=yes", "-p", "\(port)", "carol@127.0.0.1", "sleep 3; echo still here"],
            outputFile: fixture.directory.appendingPathComponent("open.out"))
        #expect(fixture.waitForLog(daemon, "Starting session: command for carol"))

        // erin is added to the file: unknown until the reload, then in.
        let text = try String(contentsOfFile: config, encoding: .utf8)
        try fixture.addKeyAccount("erin", config: config, options: "exec")
        try fixture.giveToNobody([fixture.root.path])
        #expect(try fixture.ssh(port, user: "erin", ["echo in"]).status == 255)
        kill(daemon.pid, SIGHUP)
        #expect(fixture.waitForLog(daemon, "configuration reloaded (2 users-file accounts)"), "\(daemon.output)")
        let erin = try fixture.ssh(port, user: "erin", ["echo in"])
        #expect(erin.status == 0 && erin.output == "in\n", "\(erin)")

        // A broken file is refused as a whole: the running configuration stays.
        try (text + "AllowShell = perhaps\n").write(toFile: config, atomically: true, encoding: .utf8)
        kill(daemon.pid, SIGHUP)
        #expect(fixture.waitForLog(daemon, "Reload failed, keeping the running configuration: \(config):"), "\(daemon.output)")
        #expect(daemon.output.contains(#"AllowShell: "perhaps" is not allowed; expected yes or no"#), "\(daemon.output)")
        #expect(try fixture.ssh(port, user: "erin", ["echo still in"]).output == "still in\n")

        #expect(open.wait(limit: 30) == 0 && open.output == "still here\n", "\(open.output)")
    }

    @Test func sigtermLetsARunningTransferFinish() throws {
        let config = try prepare()
        let (daemon, port) = try fixture.start(config)
        defer { daemon.terminate() }
        let big = fixture.root.path + "/carol/big.bin"
        _ = FileManager.default.createFile(atPath: big, contents: Data((0..<(6 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 131 >> 5) }))
        try fixture.giveToNobody([fixture.root.path])
        // About 3 s at 16 Mbit/s: long enough that SIGTERM arrives in the middle.
        let copy = fixture.path("big.copy")
        let batch = fixture.path("get.batch")
        try "get big.bin \(copy)\n".write(toFile: batch, atomically: true, encoding: .utf8)
        let transfer = try ChildProcess(
            "/usr/bin/sftp", fixture.clientOptions + ["-i", fixture.path("carol_key"), "-o", "BatchMode=yes", "-l", "16000", "-P", "\(port)", "-b", batch, "carol@127.0.0.1"],
            outputFile: fixture.directory.appendingPathComponent("transfer.out"))
        #expect(fixture.waitForLog(daemon, "Accepted publickey for carol"))
        usleep(500_000)
        kill(daemon.pid, SIGTERM)
        #expect(fixture.waitForLog(daemon, "no new connections, 1 open"), "\(daemon.output)")
        // Not listening any more: a new client cannot connect.
        #expect(try fixture.ssh(port, user: "carol", ["true"]).status == 255)
        #expect(transfer.wait(limit: 60) == 0, "\(transfer.output)")
        #expect(FileManager.default.contents(atPath: copy) == FileManager.default.contents(atPath: big))
        #expect(daemon.wait(limit: 20) == 0, "\(daemon.output)")
    }

    @Test func systemdHearsReadyReloadingAndStopping() throws {
        let config = try prepare()
        let socketPath = fixture.path("notify.sock")
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            for (index, byte) in socketPath.utf8.enumerated() { path[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        chmod(socketPath, 0o777)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        func nextMessage() -> String {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : ""
        }
        let (daemon, port) = try fixture.start(config, environment: ["NOTIFY_SOCKET": socketPath])
        defer { daemon.terminate() }
        #expect(nextMessage() == "READY=1\nSTATUS=Listening on port \(port)")
        kill(daemon.pid, SIGHUP)
        #expect(nextMessage().hasPrefix("RELOADING=1\nMONOTONIC_USEC="))
        #expect(nextMessage() == "READY=1")
        kill(daemon.pid, SIGTERM)
        #expect(nextMessage() == "STOPPING=1")
        #expect(daemon.wait(limit: 20) == 0)
    }

    @Test func maxStartupsRefusesConnectionsPastUnauthenticatedOnes() throws {
        let config = try prepare()
        try (try String(contentsOfFile: config, encoding: .utf8) + "MaxStartups = 2\n").write(toFile: config, atomically: true, encoding: .utf8)
        let (daemon, port) = try fixture.start(config)
        defer { daemon.terminate() }
        // Two connections that never log in; each reads the server's identification first.
        var idle: [Int32] = []
        for _ in 0..<2 {
            guard let fd = connectLoopback(port: port, until: Date().addingTimeInterval(10)) else { break }
            var buffer = [UInt8](repeating: 0, count: 256)
            _ = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            idle.append(fd)
        }
        #expect(idle.count == 2)
        #expect(try fixture.ssh(port, user: "carol", ["true"]).status == 255)
        #expect(daemon.output.contains("unauthenticated, past MaxStartups 2"), "\(daemon.output)")
        for fd in idle { close(fd) }
        #expect(fixture.waitForLog(daemon, "[preauth]\n"))
        let deadline = Date().addingTimeInterval(10)
        var status: Int32 = 255
        while status != 0, Date() < deadline {
            status = try fixture.ssh(port, user: "carol", ["true"]).status
        }
        #expect(status == 0, "\(daemon.output)")
    }

    /// `Workers = 3`: three servers listen on the one port (the kernel spreads connections over
    /// them); sessions in any of them get their own exit status back, though SIGCHLD reaches
    /// worker 0 only.
    @Test func workersShareThePortAndEachSessionGetsItsOwnStatus() throws {
        let config = try prepare()
        try (try String(contentsOfFile: config, encoding: .utf8) + "Workers = 3\n").write(toFile: config, atomically: true, encoding: .utf8)
        let (daemon, port) = try fixture.start(config)
        defer { daemon.terminate() }
        #expect(fixture.waitForLog(daemon, "Server listening"))
        // Worker 0 logs that line before it starts the others: give them a moment to listen.
        var listeners = try run("/usr/bin/ss", ["-Hltn", "sport = :\(port)"])
        for _ in 0..<50 where listeners.output.split(separator: "\n").count < 3 {
            usleep(100_000)
            listeners = try run("/usr/bin/ss", ["-Hltn", "sport = :\(port)"])
        }
        #expect(listeners.output.split(separator: "\n").count == 3, "\(listeners.output)")
        let statuses = try (0..<12).map { try fixture.ssh(port, user: "carol", ["exit \($0 + 10)"]).status }
        #expect(statuses == (0..<12).map { Int32($0 + 10) })
        kill(daemon.pid, SIGTERM)
        #expect(daemon.wait(limit: 20) == 0, "\(daemon.output)")
    }

    /// Two workers logging users in at the same moment share no unguarded state: 300 logins, 50
    /// at a time, all succeed and the daemon stays up. (getusershell(3) used to be called at each
    /// login; its global state broke the heap within a few dozen concurrent logins.)
    @Test func concurrentLoginsAcrossWorkers() throws {
        let config = try prepare()
        // MaxStartups above the burst: here every login must get through.
        try (try String(contentsOfFile: config, encoding: .utf8) + "Workers = 2\nMaxStartups = 200\n").write(toFile: config, atomically: true, encoding: .utf8)
        let (daemon, port) = try fixture.start(config)
        defer { daemon.terminate() }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/asyncssh_logins.py").path
        let result = try run("/usr/bin/env", ["PYTHONWARNINGS=ignore", "python3", script, "\(port)", "carol", fixture.path("carol_key"), "300"], limit: 120)
        #expect(result.output == "logged in 300\n", "\(result.output)")
        #expect(daemon.exitStatusIfExited() == nil, "\(daemon.output)")
        kill(daemon.pid, SIGTERM)
        #expect(daemon.wait(limit: 30) == 0, "\(daemon.output)")
    }
}
