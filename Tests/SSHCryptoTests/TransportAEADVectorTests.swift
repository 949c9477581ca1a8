import Testing

@testable import SSHCrypto

/// Known answers for the AEAD building blocks, through the same internal types the packet
/// protections use (``AESGCM``, ``ChaCha20``, ``Poly1305``).
@Suite struct TransportAEADVectorTests {
    struct GCMVector: Decodable, Sendable, CustomTestStringConvertible {
        var name, key, iv, aad, plaintext, ciphertext, tag: String
        var testDescription: String { name }
    }

    /// McGrew and Viega, "The Galois/Counter Mode of Operation (GCM)", Appendix B, test cases
    /// 2–4 (AES-128) and 14–16 (AES-256): the ones with a 96-bit IV.
    static let gcmVectors = TransportFixtures.vectors(GCMVector.self, "aes-gcm")

    @Test func fixturesPresent() throws {
        #expect(Self.gcmVectors.count == 6)
        #expect(Self.chachaFile.chacha20.count == 1)
        #expect(Self.chachaFile.poly1305.count == 1)
    }

    @Test(arguments: gcmVectors)
    func aesGCMSeal(vector: GCMVector) throws {
        let key = TransportFixtures.bytes(hex: vector.key)
        let iv = TransportFixtures.bytes(hex: vector.iv)
        let aad = TransportFixtures.bytes(hex: vector.aad)
        var text = TransportFixtures.bytes(hex: vector.plaintext)
        var tag = [UInt8](repeating: 0, count: AESGCM.tagLength)
        let gcm = try key.withUnsafeBytes { try AESGCM(key: $0, sealing: true) }
        try iv.withUnsafeBytes { iv in
            try aad.withUnsafeBytes { aad in
                try text.withUnsafeMutableBytes { text in
                    try tag.withUnsafeMutableBytes { tag in
                        try gcm.seal(iv: iv.baseAddress.unsafelyUnwrapped, additionalData: aad, text: text, tag: tag)
                    }
                }
            }
        }
        #expect(text == TransportFixtures.bytes(hex: vector.ciphertext))
        #expect(tag == TransportFixtures.bytes(hex: vector.tag))
    }

    @Test(arguments: gcmVectors)
    func aesGCMOpen(vector: GCMVector) throws {
        let key = TransportFixtures.bytes(hex: vector.key)
        let iv = TransportFixtures.bytes(hex: vector.iv)
        let aad = TransportFixtures.bytes(hex: vector.aad)
        let gcm = try key.withUnsafeBytes { try AESGCM(key: $0, sealing: false) }
        func open(_ text: inout [UInt8], tag: [UInt8]) throws {
            try iv.withUnsafeBytes { iv in
                try aad.withUnsafeBytes { aad in
                    try text.withUnsafeMutableBytes { text in
                        try tag.withUnsafeBytes { tag in
                            try gcm.open(iv: iv.baseAddress.unsafelyUnwrapped, additionalData: aad, text: text, tag: tag)
                        }
                    }
                }
            }
        }
        var text = TransportFixtures.bytes(hex: vector.ciphertext)
        let tag = TransportFixtures.bytes(hex: vector.tag)
        try open(&text, tag: tag)
        #expect(text == TransportFixtures.bytes(hex: vector.plaintext))

        var forged = tag
        forged[forged.count - 1] ^= 1
        var again = TransportFixtures.bytes(hex: vector.ciphertext)
        #expect(throws: CryptoError.authenticationFailure) { try open(&again, tag: forged) }
        #expect(throws: CryptoError.authenticationFailure) { try open(&again, tag: Array(tag.prefix(12))) }
    }

    struct ChaCha20Vector: Decodable, Sendable {
        var name, key, nonce, plaintext, ciphertext: String
        var counter: UInt32
    }

    struct Poly1305Vector: Decodable, Sendable {
        var name, key, message, tag: String
    }

    struct ChaChaFile: Decodable, Sendable {
        var source: String
        var chacha20: [ChaCha20Vector]
        var poly1305: [Poly1305Vector]
    }

    /// RFC 8439 §2.4.2 (ChaCha20) and §2.5.2 (Poly1305).
    static let chachaFile =
        (try? TransportFixtures.load(ChaChaFile.self, "chacha20-poly1305"))
        ?? ChaChaFile(source: "", chacha20: [], poly1305: [])

    @Test func chaCha20RFC8439() throws {
        for vector in Self.chachaFile.chacha20 {
            let key = TransportFixtures.bytes(hex: vector.key)
            let nonce = TransportFixtures.bytes(hex: vector.nonce)
            var text = TransportFixtures.bytes(hex: vector.plaintext)
            let chacha = try key.withUnsafeBytes { try ChaCha20(key: $0) }
            try nonce.withUnsafeBytes { try chacha.setNonce($0, counter: vector.counter) }
            try text.withUnsafeMutableBytes { try chacha.apply($0) }
            #expect(text == TransportFixtures.bytes(hex: vector.ciphertext), "\(vector.name)")
        }
    }

    @Test func poly1305RFC8439() throws {
        let poly = try Poly1305()
        for vector in Self.chachaFile.poly1305 {
            let key = TransportFixtures.bytes(hex: vector.key)
            let message = TransportFixtures.bytes(hex: vector.message)
            // Twice through one context: re-keying per message must not leave state behind.
            for _ in 0..<2 {
                var tag = [UInt8](repeating: 0, count: Poly1305.tagLength)
                try key.withUnsafeBytes { key in
                    try message.withUnsafeBytes { message in
                        try tag.withUnsafeMutableBytes { try poly.authenticate(key: key, message: message, tag: $0) }
                    }
                }
                #expect(tag == TransportFixtures.bytes(hex: vector.tag), "\(vector.name)")
            }
        }
    }
}
