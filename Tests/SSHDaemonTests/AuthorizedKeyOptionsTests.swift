import Foundation
@testable import SSHDaemon
import Testing

/// authorized_keys options (sshd(8) "AUTHORIZED_KEYS FILE FORMAT"), parsed strictly.
@Suite struct AuthorizedKeyOptionsTests {
    @Test func restrictTurnsEverythingOffAndNamedOptionsTurnThemBackOn() throws {
        let restricted = try AuthorizedKeyOptions(parsing: "restrict")
        #expect(restricted.noPty && restricted.noPortForwarding && restricted.noAgentForwarding && restricted.noX11Forwarding && restricted.noUserRC)
        let reopened = try AuthorizedKeyOptions(parsing: "restrict,pty,port-forwarding")
        #expect(!reopened.noPty && !reopened.noPortForwarding && reopened.noAgentForwarding)
        #expect(try AuthorizedKeyOptions(parsing: "") == AuthorizedKeyOptions())
    }

    @Test func quotedValuesKeepCommasAndEscapedQuotes() throws {
        let options = try AuthorizedKeyOptions(parsing: #"command="echo \"a,b\"",environment="LANG=C.UTF-8",permitopen="db:5432",permitopen="[::1]:*",NO-PTY"#)
        #expect(options.command == #"echo "a,b""#)
        #expect(options.environment.map { "\($0.name)=\($0.value)" } == ["LANG=C.UTF-8"])
        #expect(options.permitOpen == ["db:5432", "[::1]:*"])
        #expect(options.noPty)
    }

    @Test func fromMatchesAddressesWithNegation() throws {
        let options = try AuthorizedKeyOptions(parsing: #"from="10.0.0.0/8,192.168.1.*,!10.9.*""#)
        #expect(options.allows(address: "10.1.2.3"))
        #expect(options.allows(address: "192.168.1.40"))
        #expect(!options.allows(address: "10.9.0.1"))
        #expect(!options.allows(address: "127.0.0.1"))
        #expect(AuthorizedKeyOptions().allows(address: "203.0.113.9"))
    }

    @Test func expiryTimeIsUTC() throws {
        let options = try AuthorizedKeyOptions(parsing: #"expiry-time="202001021530""#)
        #expect(options.expiry == Date(timeIntervalSince1970: 1_577_979_000))
    }

    @Test func badLinesAreRefusedWithTheReason() {
        let cases: [(String, String)] = [
            ("no-such-thing", "unknown option no-such-thing"),
            ("command=echo", "command: the value must be in double quotes"),
            (#"command="echo"#, "command: missing end quote"),
            (#"from="1.2.3.4"x"#, "junk after from"),
            (#"permitopen="nohost""#, #"permitopen: "nohost" is not host:port"#),
            (#"environment="=x""#, #"environment: "=x" is not NAME=value"#),
            (#"expiry-time="2020""#, #"expiry-time: "2020" is not YYYYMMDD[HHMM[SS]]"#),
        ]
        for (text, reason) in cases {
            #expect(throws: AuthorizedKeyOptions.Problem.self, "\(text)") { try AuthorizedKeyOptions(parsing: text) }
            do {
                _ = try AuthorizedKeyOptions(parsing: text)
            } catch {
                #expect(error.description == reason, "\(text)")
            }
        }
    }

    @Test func permitOpenRules() {
        #expect(PermitOpenRule("db:5432")?.allows(host: "DB", port: 5432) == true)
        #expect(PermitOpenRule("db:5432")?.allows(host: "db", port: 5433) == false)
        #expect(PermitOpenRule("*:443")?.allows(host: "anything", port: 443) == true)
        #expect(PermitOpenRule("[fd00::1]:*")?.allows(host: "fd00::1", port: 1) == true)
        #expect(PermitOpenRule("db:99999") == nil && PermitOpenRule(":80") == nil)
        #expect(Daemon.permits(["any"], host: "x", port: 1) && !Daemon.permits(["none"], host: "x", port: 1))
    }
}
