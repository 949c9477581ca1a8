import Testing
@testable import SSHKit

@Suite struct ClientMatchingTests {
    @Test(arguments: [
        ("*SSH-2.0-*", "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u6", true),
        ("*SSH-1.99-*", "SSH-1.99-Compat", true),
        ("*SSH-2.0-*", "SSH-1.5-old", false),
        ("SSH-2.0-PuTTY*", "SSH-2.0-PuTTY_Release_0.81", true),
        ("SSH-2.0-PuTTY*", "SSH-2.0-OpenSSH_9.2", false),
        ("SSH-2.0-?", "SSH-2.0-x", true),
        ("SSH-2.0-?", "SSH-2.0-xy", false),
        ("*a*b*c*", "xxaxxbxxcxx", true),
        ("*a*b*c*", "xxaxxcxxbxx", false),
        ("", "", true),
        ("*", "", true),
    ])
    func globs(pattern: String, text: String, expected: Bool) {
        #expect(GlobPattern(pattern).matches(text) == expected)
    }

    @Test func documentedVersionPatternDefault() {
        let list = VersionPatternList(["*SSH-1.99-*", "*SSH-2.0-*"])
        #expect(list.accepts("SSH-2.0-OpenSSH_9.2p1"))
        #expect(list.accepts("SSH-1.99-Cisco-1.25"))
        #expect(!list.accepts("SSH-1.5-Old"))
        #expect(!list.accepts("SSH-2.99-Future"))
    }

    @Test(arguments: [
        ("*", "203.0.113.7", true),
        ("127.0.0.1", "127.0.0.1", true),
        ("127.0.0.1", "::ffff:127.0.0.1", true),
        ("127.0.0.1", "127.0.0.2", false),
        ("10.0.0.0/8", "10.200.3.4", true),
        ("10.0.0.0/8", "11.0.0.1", false),
        ("10.0.0.0/8", "::ffff:10.1.2.3", true),
        ("192.168.1.*", "192.168.1.77", true),
        ("192.168.1.*", "192.168.10.1", false),
        ("::1", "::1", true),
        ("::1", "0:0:0:0:0:0:0:1", true),
        ("fd00::/8", "fd12:3456::1", true),
        ("fd00::/8", "fe80::1", false),
        ("2001:db8::/32", "2001:db8:ffff::5", true),
        ("0.0.0.0/0", "198.51.100.1", true),
    ])
    func addressPatterns(pattern: String, peer: String, expected: Bool) throws {
        let parsed = try #require(ClientAddressPattern(pattern))
        #expect(parsed.matches(peer) == expected)
    }

    @Test(arguments: ["example.com", "10.0.0.0/33", "::1/129", "1.2.3.4/x", "evil;rm", ""])
    func rejectedPatterns(pattern: String) {
        #expect(ClientAddressPattern(pattern) == nil)
    }

    @Test func blockedWinsOverAllowed() throws {
        let list = try ClientAccessList(allowed: ["10.0.0.0/8", "::1"], blocked: ["10.0.0.5"])
        #expect(list.permits("10.0.0.4"))
        #expect(!list.permits("10.0.0.5"))
        #expect(!list.permits("192.0.2.1"))
        #expect(list.permits("::1"))
    }

    @Test func settingsRefuseUnusableEntriesWithTheForms() {
        var settings = SSHServerSettings()
        let error = #expect(throws: SSHServerError.self) { try settings.config("AllowedClients=10.0.0.0/8,example.com") }
        #expect(error?.diagnostics.contains("CIDR") == true)
        #expect(throws: Never.self) { try settings.config("BlockedClients=203.0.113.*, 2001:db8::/32") }
        #expect(throws: SSHServerError.self) { try ClientAccessList(allowed: ["*"], blocked: ["host.example"]) }
    }
}
