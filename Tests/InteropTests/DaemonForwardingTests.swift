import Foundation
import Testing

/// authorized_keys options and TCP forwarding of the built `swift-sshd`, with OpenSSH's `ssh`
/// (issue 5 items 4 and 2): what a key's line allows, and what AllowTcpForwarding, PermitOpen and
/// the account's options allow.
@Suite(.serialized) struct DaemonForwardingTests {
    let fixture: DaemonFixture
    let asRoot = geteuid() == 0

    init() throws { fixture = try DaemonFixture("sshd-forward") }

    /// carol may use everything, forwarding included; dave has no `forward`.
    func startDaemon(_ extra: String) throws -> (daemon: ChildProcess, port: Int) {
        let config = try fixture.writeConfig("AcceptEnv = LANG LC_* SWIFT_SSHD_*\n" + (asRoot ? "VirtualUser = nobody\n" : "") + extra)
        if !FileManager.default.fileExists(atPath: fixture.root.path + "/carol") {
            try fixture.addKeyAccount("carol", config: config, options: "shell,exec,sftp,forward")
            try fixture.addKeyAccount("dave", config: config, options: "shell,exec,sftp")
        }
        try fixture.giveToNobody([fixture.root.path])
        return try fixture.start(config)
    }

    @Test func keyOptionsRestrictWhatTheKeyMayDo() throws {
        let (daemon, port) = try startDaemon("")
        defer { daemon.terminate() }
        try fixture.addAuthorizedKey(
            "forced_key", for: "carol", options: #"command="echo forced:$SSH_ORIGINAL_COMMAND:$SWIFT_SSHD_KEY",no-pty,environment="SWIFT_SSHD_KEY=from-key""#)
        try fixture.addAuthorizedKey("elsewhere_key", for: "carol", options: #"from="10.0.0.0/8,192.168.*""#)
        try fixture.addAuthorizedKey("here_key", for: "carol", options: #"from="127.0.0.1,!10.*",restrict,pty"#)
        try fixture.addAuthorizedKey("bad_key", for: "carol", options: "no-pty,no-such-option")
        try fixture.addAuthorizedKey("expired_key", for: "carol", options: #"expiry-time="20200101""#)
        try fixture.giveToNobody([fixture.root.path])

        // command=: runs instead of what is asked, which it sees in SSH_ORIGINAL_COMMAND; environment=.
        let forced = try fixture.ssh(port, user: "carol", key: "forced_key", ["ls /"])
        #expect(forced.status == 0 && forced.output == "forced:ls /:from-key\n", "\(forced)")
        // A forced command holds for SFTP too: the command runs, not the SFTP server.
        let batch = fixture.path("ls.batch")
        try "ls\n".write(toFile: batch, atomically: true, encoding: .utf8)
        let sftp = try run("/usr/bin/sftp", fixture.clientOptions + ["-i", fixture.path("forced_key"), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-P", "\(port)", "-b", batch, "carol@127.0.0.1"])
        #expect(sftp.status != 0, "\(sftp.output)")
        // no-pty: the pty is refused (ssh -tt insists on one, and gives up).
        let noPty = try fixture.ssh(port, user: "carol", key: "forced_key", ["-tt"])
        #expect(noPty.status != 0 && noPty.errors.contains("PTY allocation request failed"), "\(noPty)")

        // from=: a key bound to other networks does not log in from here; one bound here does.
        #expect(try fixture.ssh(port, user: "carol", key: "elsewhere_key", ["true"]).status == 255)
        let here = try fixture.ssh(port, user: "carol", key: "here_key", ["echo here"])
        #expect(here.status == 0 && here.output == "here\n", "\(here)")
        // restrict,pty: a pty again, forwarding not.
        let script = fixture.path("tty.txt")
        try "tty\nexit 3\n".write(toFile: script, atomically: true, encoding: .utf8)
        let herePty = try fixture.ssh(port, user: "carol", key: "here_key", ["-tt"], input: script)
        #expect(herePty.status == 3 && herePty.output.contains("/dev/pts/"), "\(herePty)")

        // A line with an option the daemon does not know gives no login; nor does an expired key.
        #expect(try fixture.ssh(port, user: "carol", key: "bad_key", ["true"]).status == 255)
        #expect(try fixture.ssh(port, user: "carol", key: "expired_key", ["true"]).status == 255)

        kill(daemon.pid, SIGTERM)
        #expect(daemon.wait(limit: 20) == 0)
        let log = daemon.output
        #expect(log.contains("Authentication tried for carol with correct key but not from a permitted host (ip=127.0.0.1)."), "\(log)")
        #expect(log.contains("bad options for a key of carol: unknown option no-such-option"), "\(log)")
        #expect(log.contains("pty refused for carol: the key's no-pty"), "\(log)")
        #expect(log.contains("Starting session: forced-command for carol"), "\(log)")
    }

    @Test func forwardingFollowsTheConfigurationAndTheAccount() throws {
        let echo = try EchoService()
        let other = try EchoService()
        var (daemon, port) = try startDaemon("AllowTcpForwarding = yes\nPermitOpen = 127.0.0.1:\(echo.port)\n")
        let payload = fixture.path("payload.bin")
        let sent = (0..<60_000).map { "line \($0) through the tunnel\n" }.joined()
        try sent.write(toFile: payload, atomically: true, encoding: .utf8)

        // ssh -W (a direct-tcpip channel) to the echo service PermitOpen names: 1.7 MB there and back.
        let local = try fixture.ssh(port, user: "carol", ["-W", "127.0.0.1:\(echo.port)"], input: payload)
        #expect(local.status == 0 && local.output == sent, "\(local.errors)")
        // Another target is not in PermitOpen; dave's account has no forward.
        let elsewhere = try fixture.ssh(port, user: "carol", ["-W", "127.0.0.1:\(other.port)"], input: payload)
        #expect(elsewhere.status != 0 && elsewhere.errors.contains("stdio forwarding failed"), "\(elsewhere.errors)")
        let dave = try fixture.ssh(port, user: "dave", ["-W", "127.0.0.1:\(echo.port)"], input: payload)
        #expect(dave.status != 0 && dave.errors.contains("stdio forwarding failed"), "\(dave.errors)")

        // ssh -R: a listener on the server's loopback, reached from the session, relays to the echo service.
        let listenPort = try freeLoopbackPort()
        let probe = "import socket; s = socket.create_connection(('127.0.0.1', \(listenPort))); s.sendall(b'through -R'); "
            + "s.shutdown(1); print(s.recv(100).decode())"
        let remote = try fixture.ssh(port, user: "carol", ["python3", "-c", DaemonFixture.quote(probe)],
                                     sshOptions: ["-o", "ExitOnForwardFailure=yes", "-R", "127.0.0.1:\(listenPort):127.0.0.1:\(echo.port)"])
        #expect(remote.status == 0 && remote.output == "through -R\n", "\(remote)")
        kill(daemon.pid, SIGTERM)
        _ = daemon.wait(limit: 20)
        #expect(daemon.output.contains("refused local port forward to 127.0.0.1 port \(other.port) for carol: not in PermitOpen"), "\(daemon.output)")
        #expect(daemon.output.contains("refused local port forward to 127.0.0.1 port \(echo.port) for dave: the account's options have no forward"), "\(daemon.output)")

        // The default, AllowTcpForwarding=no: both directions refused.
        (daemon, port) = try startDaemon("")
        defer { daemon.terminate() }
        let refusedLocal = try fixture.ssh(port, user: "carol", ["-W", "127.0.0.1:\(echo.port)"], input: payload)
        #expect(refusedLocal.status != 0 && refusedLocal.errors.contains("stdio forwarding failed"), "\(refusedLocal.errors)")
        let refusedRemote = try fixture.ssh(port, user: "carol", ["true"], sshOptions: ["-o", "ExitOnForwardFailure=yes", "-R", "127.0.0.1:\(listenPort):127.0.0.1:\(echo.port)"])
        #expect(refusedRemote.status != 0 && refusedRemote.errors.contains("remote port forwarding failed"), "\(refusedRemote.errors)")
    }
}
