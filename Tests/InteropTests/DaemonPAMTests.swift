import Foundation
import Testing

/// System accounts through a real PAM stack: the shipped `config/pam.d/swift-sshd` installed as a
/// test service, pam_unix checking a user this test creates (useradd, chpasswd), sessions run as
/// that user. Needs root (to create the user, and for the daemon to change to it).
@Suite(.serialized, .enabled(if: geteuid() == 0, "needs root"))
struct DaemonPAMTests {
    let fixture: DaemonFixture
    let user: String
    let service: String
    let password = "pam pass \(UInt32.random(in: 1000...9999))"

    init() throws {
        fixture = try DaemonFixture("sshd-pam")
        let tag = String(UInt32.random(in: 100_000...999_999))
        user = "sshdpam\(tag)"
        service = "swift-sshd-test-\(tag)"
    }

    /// The shipped PAM file as the test's service, and the test user with a password and a key.
    func prepare() throws -> String {
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../config/pam.d/swift-sshd").standardized.path
        try FileManager.default.copyItem(atPath: shipped, toPath: "/etc/pam.d/\(service)")
        #expect(try run("/usr/sbin/useradd", ["-m", "-s", "/bin/sh", user]).status == 0)
        let input = fixture.path("chpasswd.in")
        try "\(user):\(password)\n".write(toFile: input, atomically: true, encoding: .utf8)
        #expect(try run("/bin/sh", ["-c", "/usr/sbin/chpasswd < \(DaemonFixture.quote(input))"]).status == 0)
        #expect(try run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", fixture.path("\(user)_key")]).status == 0)
        let home = "/home/\(user)"
        try FileManager.default.createDirectory(atPath: home + "/.ssh", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixture.path("\(user)_key.pub"), toPath: home + "/.ssh/authorized_keys")
        #expect(try run("/bin/chown", ["-R", "\(user):\(user)", home + "/.ssh"]).status == 0)
        chmod(home + "/.ssh", 0o700)
        return try fixture.writeConfig("PAMService = \(service)\n", authMode: "pam", rootDirectory: "/")
    }

    func cleanUp() {
        _ = try? run("/usr/sbin/userdel", ["-r", user])
        try? FileManager.default.removeItem(atPath: "/etc/pam.d/\(service)")
    }

    @Test func systemAccountsLogInThroughPAMAndRunAsThemselves() throws {
        defer { cleanUp() }
        let config = try prepare()
        let (daemon, port) = try fixture.start(config)
        defer { daemon.terminate() }
        let home = "/home/\(user)"
        let expected = "\(user)\n\(home)\n\(home)\n"

        // Password and keyboard-interactive, both through pam_unix.
        let byPassword = try fixture.sshWithPassword(port, user: user, password: password, method: "password", command: "id -un; pwd; echo $HOME")
        #expect(byPassword.status == 0 && byPassword.output == expected, "\(byPassword)")
        let byConversation = try fixture.sshWithPassword(port, user: user, password: password, method: "keyboard-interactive", command: "id -un; pwd; echo $HOME")
        #expect(byConversation.status == 0 && byConversation.output == expected, "\(byConversation)")

        // A key from ~/.ssh/authorized_keys; the account and session stacks run for it too.
        let byKey = try fixture.ssh(port, user: user, ["id -u \(user) | grep -qx \"$(id -u)\" && id -Gn"])
        #expect(byKey.status == 0 && byKey.output.hasPrefix(user), "\(byKey)")

        // SFTP in a child as the user, starting in the home: the file it writes is the user's.
        let batch = fixture.path("pam.batch")
        try "pwd\nput \(config) uploaded.conf\n".write(toFile: batch, atomically: true, encoding: .utf8)
        let sftp = try run("/usr/bin/sftp", fixture.clientOptions + ["-i", fixture.path("\(user)_key"), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-P", "\(port)", "-b", batch, "\(user)@127.0.0.1"])
        #expect(sftp.status == 0 && sftp.output.contains("Remote working directory: \(home)"), "\(sftp.output)")
        let owner = try FileManager.default.attributesOfItem(atPath: home + "/uploaded.conf")[.ownerAccountName] as? String
        #expect(owner == user)

        // Failures: a wrong password, an unknown user by both methods, a key in a directory others may write.
        #expect(try fixture.sshWithPassword(port, user: user, password: "wrong", method: "password", command: "true").status != 0)
        #expect(try fixture.sshWithPassword(port, user: "nosuch\(user)", password: "x", method: "keyboard-interactive", command: "true").status != 0)
        #expect(try fixture.sshWithPassword(port, user: "nosuch\(user)", password: "x", method: "password", command: "true").status != 0)
        chmod(home + "/.ssh", 0o777)
        #expect(try fixture.ssh(port, user: user, ["true"]).status != 0)
        chmod(home + "/.ssh", 0o700)

        kill(daemon.pid, SIGTERM)
        #expect(daemon.wait(limit: 20) == 0)
        let log = daemon.output
        for line in [
            "Accepted password for \(user) from 127.0.0.1 port ", "Accepted keyboard-interactive/pam for \(user) from 127.0.0.1 port ",
            "Accepted publickey for \(user) from 127.0.0.1 port ", "Failed password for \(user) from 127.0.0.1 port ",
            "Invalid user nosuch\(user) from 127.0.0.1 port ", "Failed keyboard-interactive/pam for invalid user nosuch\(user) from 127.0.0.1 port ",
            "Failed password for invalid user nosuch\(user) from 127.0.0.1 port ",
            "Authentication refused: bad ownership or modes for directory \(home)/.ssh",
        ] {
            #expect(log.contains(line), "\(line) missing in \(log)")
        }
        // fail2ban's stock sshd filter matches every failure line.
        try fixture.expectFail2banMatchesFailures(in: log)
    }

    /// A daemon that is not root cannot run sessions as a system account: it refuses the login
    /// and says why.
    @Test func anUnprivilegedDaemonRefusesSystemAccounts() throws {
        defer { cleanUp() }
        let config = try prepare()
        try fixture.giveToNobody([fixture.path("keys")])
        let (daemon, port) = try fixture.start(config, as: "nobody")
        defer { daemon.terminate() }
        #expect(try fixture.sshWithPassword(port, user: user, password: password, method: "password", command: "true").status != 0)
        kill(daemon.pid, SIGTERM)
        _ = daemon.wait(limit: 20)
        #expect(daemon.output.contains("login refused for system account \(user): its sessions must run as \(user), and the daemon does not run as root"), "\(daemon.output)")
    }
}
