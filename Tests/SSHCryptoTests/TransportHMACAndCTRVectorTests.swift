import Testing

@testable import SSHCrypto

/// Known answers for HMAC (through the internal ``HMAC`` the packet protections use) and for
/// AES-CTR (through a whole encrypt-and-MAC packet protection, whose ciphertext is the plain
/// CTR key stream applied to the packet).
@Suite struct TransportHMACAndCTRVectorTests {
    struct HMACVector: Decodable, Sendable, CustomTestStringConvertible {
        var name, digest, key, data, mac: String
        var testDescription: String { name }
    }

    /// RFC 4231 §4 test cases 1–7 for HMAC-SHA-256 and HMAC-SHA-512 (case 5 truncated to 128
    /// bits, as it specifies), RFC 2202 §3 (HMAC-SHA-1) and §2 (HMAC-MD5), RFC 2286 §2
    /// (HMAC-RIPEMD160) test cases 1–7.
    static let hmacVectors = TransportFixtures.vectors(HMACVector.self, "hmac")

    struct CTRVector: Decodable, Sendable, CustomTestStringConvertible {
        var name, key, counter, plaintext, ciphertext: String
        var testDescription: String { name }
    }

    /// NIST SP 800-38A Appendix F.5.1, F.5.3, F.5.5 (CTR-AES128/192/256.Encrypt).
    static let ctrVectors = TransportFixtures.vectors(CTRVector.self, "aes-ctr")

    @Test func fixturesPresent() {
        #expect(Self.hmacVectors.count == 35)
        #expect(Self.ctrVectors.count == 3)
    }

    /// Each vector twice through one context: the second run takes the per-packet path that
    /// re-initialises with `EVP_MAC_init(ctx, NULL, 0, NULL)` and must still use the key.
    @Test(arguments: hmacVectors)
    func hmac(vector: HMACVector) throws {
        let key = TransportFixtures.bytes(hex: vector.key)
        let data = TransportFixtures.bytes(hex: vector.data)
        let expected = TransportFixtures.bytes(hex: vector.mac)
        let hmac = try key.withUnsafeBytes { try HMAC(digest: vector.digest, key: $0) }
        for _ in 0..<2 {
            try hmac.start()
            // In two pieces, as the packet code feeds sequence number and packet.
            let split = data.count / 3
            try data.withUnsafeBytes { data in
                try hmac.update(UnsafeRawBufferPointer(rebasing: data[..<split]))
                try hmac.update(UnsafeRawBufferPointer(rebasing: data[split...]))
            }
            var out = [UInt8](repeating: 0, count: hmac.digestLength)
            try out.withUnsafeMutableBytes { try hmac.finish(into: $0) }
            #expect(Array(out.prefix(expected.count)) == expected)
        }
    }

    /// The SSH MAC is `HMAC(key, uint32 seq ‖ packet)`: the protection's tag equals an HMAC
    /// computed here over those bytes, for the plain and the `-96` MACs.
    @Test(arguments: TransportAlgorithms.macs.compactMap { $0 as? HMACAlgorithm })
    func packetTagIsHMACOfSequenceAndPacket(mac: HMACAlgorithm) throws {
        let combination = TransportCombination(cipher: BlockModeCipher.aes128CTR, mac: mac)
        let (sealer, _) = try combination.makePair(seed: 7)
        let macKey = TransportFixtures.key(mac.keyLength, seed: 9)
        let plaintext = TransportFixtures.plaintextPacket(payload: Array("tag check".utf8), for: sealer)
        var packet = plaintext
        try sealer.seal(&packet, sequenceNumber: 0x0102_0304)
        let end = packet.count - mac.tagLength

        let reference = try macKey.withUnsafeBytes { try HMAC(digest: mac.digest, key: $0) }
        try reference.start()
        try [UInt8]([1, 2, 3, 4]).withUnsafeBytes { try reference.update($0) }
        // Encrypt-and-MAC covers the plaintext, encrypt-then-MAC the sealed bytes.
        let covered = mac.isEncryptThenMAC ? Array(packet[..<end]) : Array(plaintext[..<end])
        try covered.withUnsafeBytes { try reference.update($0) }
        var full = [UInt8](repeating: 0, count: reference.digestLength)
        try full.withUnsafeMutableBytes { try reference.finish(into: $0) }
        #expect(Array(packet[end...]) == Array(full.prefix(mac.tagLength)))
        if mac.isEncryptThenMAC { #expect(packet.prefix(4) == plaintext.prefix(4)) }
    }

    @Test(arguments: ctrVectors)
    func aesCTRPacket(vector: CTRVector) throws {
        let key = TransportFixtures.bytes(hex: vector.key)
        let cipher = try #require(
            TransportAlgorithms.ciphers.first { $0.name == "aes\(key.count * 8)-ctr" })
        let mac = HMACAlgorithm.sha256
        let macKey = SecureBytes(count: mac.keyLength)
        func make(_ sealing: Bool) throws -> any PacketProtection {
            try cipher.makeProtection(
                key: SecureBytes(key), iv: SecureBytes(TransportFixtures.bytes(hex: vector.counter)), mac: mac,
                macKey: macKey, sealing: sealing)
        }
        let plaintext = TransportFixtures.bytes(hex: vector.plaintext)
        var packet = plaintext + [UInt8](repeating: 0, count: mac.tagLength)
        try make(true).seal(&packet, sequenceNumber: 0)
        #expect(Array(packet.prefix(plaintext.count)) == TransportFixtures.bytes(hex: vector.ciphertext))

        // Opening runs the same stream: first block by decryptLength, the rest by open.
        try make(false).receive(&packet, sequenceNumber: 0)
        #expect(Array(packet.prefix(plaintext.count)) == plaintext)
    }
}
