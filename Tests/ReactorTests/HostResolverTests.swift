import Reactor
import Testing

@Suite struct HostResolverTests {
    @Test func numericAddressesNeedNoLookup() throws {
        #expect(try HostResolver.resolve("127.0.0.1", port: 22) == [try SocketAddress(host: "127.0.0.1", port: 22)])
        #expect(try HostResolver.resolve("::1", port: 2222).first?.family == .ipv6)
    }

    /// /etc/hosts names localhost on every Linux system.
    @Test func localhostResolvesToLoopback() throws {
        let addresses = try HostResolver.resolve("localhost", port: 80)
        #expect(!addresses.isEmpty)
        #expect(addresses.allSatisfy { ["127.0.0.1", "::1"].contains($0.host) && $0.port == 80 })
        #expect(Set(addresses).count == addresses.count)
    }

    /// RFC 6761 §6.4: ".invalid" names never resolve.
    @Test func invalidNameIsUnresolvable() {
        #expect {
            _ = try HostResolver.resolve("no-such-host.invalid", port: 80)
        } throws: { error in
            if case ReactorError.unresolvable(let text) = error { return text.hasPrefix("no-such-host.invalid") }
            return false
        }
    }
}
