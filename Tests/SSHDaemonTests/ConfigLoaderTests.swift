import Foundation
import SSHDaemon
import SSHKit
import Testing

/// The config file: keys, values, errors with file and line, overrides, and -T's output read back.
@Suite struct ConfigLoaderTests {
    @Test func keysAreCaseInsensitiveAndReachTheirSettings() throws {
        let configuration = try ConfigLoader.parse("""
            # a comment
              # an indented comment

            localport = 2222
            LOCALHOST=127.0.0.1
            SSHEncryptionAlgorithms = aes128-gcm@openssh.com,chacha20-poly1305@openssh.com
            MaxAuthAttempts=3
            AuthMode = users,pam
            HostKey = /k/ssh_host_ed25519_key
            HostKey = /k/ssh_host_rsa_key
            AcceptEnv = LANG LC_*
            AcceptEnv = TZ
            AllowTcpForwarding = local
            PermitOpen = localhost:8080 [::1]:* *:443
            MaxStartups = 5:50:20
            LogLevel = VERBOSE
            ProtocolVersion = 6
            ServerEOL = CrLf
            allowshell = no
            """, file: "test.conf")
        #expect(configuration.server.localPort == 2222)
        #expect(configuration.server.localHost == "127.0.0.1")
        #expect(configuration.server.maxAuthAttempts == 3)
        #expect(configuration.authMode == [.users, .pam])
        #expect(configuration.hostKeys == ["/k/ssh_host_ed25519_key", "/k/ssh_host_rsa_key"])
        #expect(configuration.acceptEnv == ["LANG", "LC_*", "TZ"])
        #expect(configuration.allowTcpForwarding == .local)
        #expect(configuration.permitOpen == ["localhost:8080", "[::1]:*", "*:443"])
        #expect(configuration.maxStartups == StartupLimit(start: 5, rate: 50, full: 20))
        #expect(configuration.logLevel == .verbose && configuration.server.logLevel == 2)
        #expect(configuration.sftpProtocolVersion == 6 && configuration.serverEOL == "\r\n")
        #expect(!configuration.allowShell && configuration.allowExec)
    }

    @Test func defaultsAreWhatTheManualSays() throws {
        let configuration = try ConfigLoader.parse("", file: "empty.conf")
        #expect(configuration.hostKeys == DaemonConfiguration.defaultHostKeys)
        #expect(configuration.authMode == [.pam])
        #expect(configuration.pamService == "swift-sshd")
        #expect(configuration.authorizedKeysFiles == [".ssh/authorized_keys"])
        #expect(configuration.allowTcpForwarding == .no)
        #expect(configuration.server.localPort == 22)
        #expect(configuration.maxStartups.description == "10:30:100")
    }

    /// Every bad line is reported — file, line, key, what is allowed — and the file is refused.
    @Test func everyBadLineIsReportedWithItsLine() {
        let text = """
            LocalPort = 99999
            LocalPort = 22
            Bogus = 1
            LogLevl = DEBUG
            AllowTcpForwarding = maybe
            UseIOCP = true
            no equals sign here
            AuthMode = pam,pam
            = value
            RootDirectory = relative/path
            PAMService = sshd
            PAMService = login
            """
        #expect {
            _ = try ConfigLoader.parse(text, file: "bad.conf")
        } throws: { error in
            guard let errors = error as? ConfigErrors else { return false }
            let lines = errors.errors.map(\.description)
            return lines == [
                "bad.conf:1: LocalPort: \"99999\" is not allowed; expected an integer from 0 to 65535",
                "bad.conf:2: LocalPort: may appear once; it is already set on line 1",
                "bad.conf:3: Bogus: unknown key; swift-sshd.conf(5) lists the keys",
                "bad.conf:4: LogLevl: unknown key; did you mean LogLevel?",
                "bad.conf:5: AllowTcpForwarding: \"maybe\" is not allowed; expected yes, no, local or remote",
                "bad.conf:6: UseIOCP: has no effect on Linux (a Windows, TLS or licensing setting of the class); remove it",
                "bad.conf:7: expected Key=Value, found \"no equals sign here\"",
                "bad.conf:8: AuthMode: \"pam,pam\" is not allowed; expected pam, users, or both in the order to try them (pam,users)",
                "bad.conf:9: a key is missing before \"=\"",
                "bad.conf:10: RootDirectory: \"relative/path\" is not allowed; expected an absolute path",
                "bad.conf:12: PAMService: may appear once; it is already set on line 11",
            ]
        }
    }

    @Test func overridesReplaceTheFileAndReportTheirPosition() throws {
        let text = "LocalPort = 2222\nHostKey = /a/ssh_host_ed25519_key\n"
        let configuration = try ConfigLoader.parse(text, file: "f", overrides: ["LocalPort=3333", "HostKey=/b/ssh_host_rsa_key"])
        #expect(configuration.server.localPort == 3333)
        #expect(configuration.hostKeys == ["/b/ssh_host_rsa_key"])
        #expect(throws: ConfigErrors(errors: [ConfigError(file: "-o", line: 2, key: "Workers", "\"many\" is not allowed; expected 0 (one per core) to 256")])) {
            _ = try ConfigLoader.parse(text, file: "f", overrides: ["LocalPort=1", "Workers=many"])
        }
    }

    /// -T prints every key; read back, its output gives the same configuration.
    @Test func effectiveTextReadsBackToTheSameConfiguration() throws {
        let configuration = try ConfigLoader.parse("""
            LocalPort=2200
            AuthMode=users
            AcceptEnv=LANG TZ
            PermitOpen=db:5432
            UserAuthBanner=line one\\nline two
            MaxStartups=3
            KeyRenegotiationThreshold=512 MB
            """, file: "f")
        let text = ConfigLoader.effectiveText(configuration)
        for name in ConfigLoader.keyNames where !name.hasPrefix("SSHCert") {
            #expect(text.contains("\n\(name)=") || text.hasPrefix("\(name)="), "\(name) missing from -T")
        }
        #expect(try ConfigLoader.parse(text, file: "-T") == configuration)
    }

    /// `config/swift-sshd.conf` lists every key with its default: each appears as `#Key=…`, and
    /// with every such line uncommented the file reads to the default configuration.
    @Test func shippedFileDocumentsEveryKeyWithItsDefault() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/swift-sshd.conf")
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(try ConfigLoader.parse(text, file: url.path) == DaemonConfiguration())
        let defaults = text.split(separator: "\n").filter { line in
            guard line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { return false }
            return line.dropFirst()[..<equals].allSatisfy { $0.isLetter || $0.isNumber }
        }
        for name in ConfigLoader.keyNames where !name.hasPrefix("SSHCert") {
            #expect(defaults.contains { $0.hasPrefix("#\(name)=") }, "\(name) is not in config/swift-sshd.conf")
        }
        let uncommented = defaults.map { $0.dropFirst() }.joined(separator: "\n")
        #expect(try ConfigLoader.parse(uncommented, file: "uncommented") == DaemonConfiguration())
    }
}
