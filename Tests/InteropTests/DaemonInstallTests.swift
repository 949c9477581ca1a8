import Foundation
import SSHDaemon
import TestSupport
import Testing

/// `make install` (its copying part, with the binary the tests built), the manual pages and the
/// systemd units (issue 5 items 8–10).
@Suite struct DaemonInstallTests {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
    func file(_ path: String) -> String { repository.appendingPathComponent(path).path }

    @Test func installPutsEveryFileInPlaceAndKeepsAnEditedConfig() throws {
        let scratch = try ScratchDirectory("sshd-install", in: URL(fileURLWithPath: "/tmp"))
        let stage = scratch.url.path
        let install = ["-C", repository.path, "install-files", "DESTDIR=\(stage)", "BINARY=\(DaemonBinary.path)"]
        let first = try run("/usr/bin/make", install)
        #expect(first.status == 0, "\(first.output)")
        let expected: [(String, Int)] = [
            ("/usr/local/sbin/swift-sshd", 0o755), ("/etc/swift-sshd/swift-sshd.conf", 0o644), ("/etc/pam.d/swift-sshd", 0o644),
            ("/lib/systemd/system/swift-sshd.service", 0o644), ("/lib/systemd/system/swift-sshd-users.service", 0o644),
            ("/usr/local/share/man/man8/swift-sshd.8", 0o644), ("/usr/local/share/man/man5/swift-sshd.conf.5", 0o644),
        ]
        for (path, mode) in expected {
            let attributes = try FileManager.default.attributesOfItem(atPath: stage + path)
            #expect((attributes[.posixPermissions] as? Int) == mode, "\(path)")
        }
        // The installed binary runs; the installed config is the shipped one.
        let config = stage + "/etc/swift-sshd/swift-sshd.conf"
        #expect(try run(stage + "/usr/local/sbin/swift-sshd", ["version"]).output.hasPrefix("swift-sshd "))
        #expect(FileManager.default.contents(atPath: config) == FileManager.default.contents(atPath: file("config/swift-sshd.conf")))
        // An administrator's edit survives a second install.
        try "LocalPort=2200\n".write(toFile: config, atomically: true, encoding: .utf8)
        #expect(try run("/usr/bin/make", install).status == 0)
        #expect(try String(contentsOfFile: config, encoding: .utf8) == "LocalPort=2200\n")

        // Both units verify, the binary and the manual pages they name in place.
        let units = stage + "/verify"
        try FileManager.default.createDirectory(atPath: units, withIntermediateDirectories: true)
        var paths: [String] = []
        for unit in ["swift-sshd.service", "swift-sshd-users.service"] {
            let text = try String(contentsOfFile: stage + "/lib/systemd/system/" + unit, encoding: .utf8)
            try text.replacingOccurrences(of: "/usr/local/sbin/", with: stage + "/usr/local/sbin/").write(toFile: units + "/" + unit, atomically: true, encoding: .utf8)
            paths.append(units + "/" + unit)
        }
        let verify = try run("/usr/bin/env", ["MANPATH=\(stage)/usr/local/share/man", "/usr/bin/systemd-analyze", "verify"] + paths)
        #expect(verify.status == 0 && verify.output.isEmpty, "\(verify.output)")
    }

    @Test func manualPagesPassTheLinterAndListEveryKey() throws {
        for page in ["man/swift-sshd.8", "man/swift-sshd.conf.5"] {
            let lint = try run("/usr/bin/mandoc", ["-Tlint", "-W", "warning", file(page)])
            #expect(lint.status == 0 && lint.output.isEmpty, "\(page): \(lint.output)")
            let rendered = try run("/usr/bin/mandoc", ["-Tutf8", file(page)])
            #expect(rendered.status == 0 && rendered.output.contains("swift-sshd"), "\(page)")
        }
        // The page is generated from config/swift-sshd.conf: it is current, and names every key.
        let scratch = try ScratchDirectory("sshd-conf5")
        let fresh = scratch.path("swift-sshd.conf.5")
        #expect(try run("/usr/bin/python3", [file("man/make-conf5.py"), fresh]).status == 0)
        let committed = try String(contentsOfFile: file("man/swift-sshd.conf.5"), encoding: .utf8)
        #expect(try String(contentsOfFile: fresh, encoding: .utf8) == committed, "run `make man`")
        for key in ConfigLoader.keyNames {
            #expect(committed.contains("\n.It Cm \(key)\n"), "\(key) is missing from swift-sshd.conf(5)")
        }
    }
}
