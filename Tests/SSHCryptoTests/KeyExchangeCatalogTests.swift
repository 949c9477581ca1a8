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

    @Test(arguments: ["curve25519-sha256", "curve25519-sha256@libssh.org"])
    func methodIsInTheCatalog(name: String) {
        #expect(KeyExchangeAlgorithms.named(name) != nil)
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
