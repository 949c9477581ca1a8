import Testing
@testable import SSHCrypto

@Suite struct KeyExchangeCatalogTests {
    @Test func namesAreUniqueAndFound() throws {
        let names = KeyExchangeAlgorithms.all.map(\.name)
        #expect(Set(names).count == names.count)
        for name in names {
            #expect(KeyExchangeAlgorithms.named(name)?.name == name)
        }
        #expect(KeyExchangeAlgorithms.named("no-such-kex") == nil)
    }

    @Test(arguments: [
        "mlkem768x25519-sha256", "curve25519-sha256", "curve25519-sha256@libssh.org",
        "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521",
        "diffie-hellman-group14-sha256", "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512",
        "diffie-hellman-group14-sha1", "diffie-hellman-group1-sha1",
    ])
    func methodIsInTheCatalog(name: String) {
        #expect(KeyExchangeAlgorithms.named(name)?.name == name)
    }

    /// Only the SHA-1 methods are legacy (RFC 9142 §4).
    @Test func legacyMethods() {
        let legacy = KeyExchangeAlgorithms.all.filter(\.isLegacy).map(\.name)
        #expect(Set(legacy) == ["diffie-hellman-group14-sha1", "diffie-hellman-group1-sha1"])
        #expect(KeyExchangeAlgorithms.all.count == 11)
    }

    /// Public values are encoded as the method family requires (RFC 4253 §8, RFC 5656 §4,
    /// RFC 8731 §3, the hybrid draft).
    @Test func publicValueEncodings() {
        for method in KeyExchangeAlgorithms.all {
            let expected: KeyExchangePublicValueEncoding = method.name.hasPrefix("diffie-hellman-") ? .mpint : .string
            #expect(method.publicValueEncoding == expected, "\(method.name)")
        }
    }

    /// Every method completes an exchange through the existential interface the engine uses.
    @Test func everyMethodAgreesWithItself() throws {
        for method in KeyExchangeAlgorithms.all {
            let client = try method.makeClient()
            let server = try method.respond(toClientPublicValue: client.publicValue)
            #expect(try client.sharedSecret(serverPublicValue: server.publicValue).bytes == server.sharedSecret.bytes, "\(method.name)")
        }
    }

    // MARK: - Shared-secret encodings

    /// RFC 4251 §5 mpint rules on magnitudes with leading zeros and top bits set.
    @Test(arguments: [
        [UInt8](), [0], [0, 0, 0], [1], [0x7f], [0x80], [0, 0x80], [0, 0, 0x7f, 0xff], [0xff, 0, 0],
    ])
    func mpintEncoding(magnitude: [UInt8]) {
        let encoded = KeyExchangeSharedSecret.mpint(magnitude: SecureBytes(magnitude)).bytes
        #expect(encoded == KEXTestData.mpint(magnitude))
        #expect(KEXTestData.isCanonicalMPInt(encoded))
    }

    @Test func stringEncoding() {
        let body: [UInt8] = [0x00, 0x80, 0xff]
        #expect(KeyExchangeSharedSecret.string(SecureBytes(body)).bytes == [0, 0, 0, 3, 0x00, 0x80, 0xff])
        #expect(KeyExchangeSharedSecret.string(SecureBytes([])).bytes == [0, 0, 0, 0])
    }
}
