import Testing

@testable import SSHCrypto

/// Seal-then-open for every cipher × MAC combination in the catalog, tampering, sequence
/// numbers and malformed sizes (RFC 4253 §6, OpenSSH PROTOCOL §1.5–1.6,
/// PROTOCOL.chacha20poly1305).
@Suite struct TransportRoundTripTests {
    static let combinations = TransportCombination.all

    /// Payload lengths around block and ChaCha20 key-stream boundaries, up to 32 KiB.
    static let payloadLengths = [0, 1, 2, 3, 7, 8, 11, 15, 16, 17, 31, 32, 33, 55, 63, 64, 65, 100, 127, 128, 255, 256,
        1000, 4096, 16_383, 32_768]

    @Test(arguments: combinations)
    func roundTripsManyLengths(_ combination: TransportCombination) throws {
        let (sealer, opener) = try combination.makePair()
        // One direction's packets in order: the sequence number and any cipher state run on.
        for (index, length) in Self.payloadLengths.enumerated() {
            let sequenceNumber = UInt32(index) &+ 0xFFFF_FFF0  // wraps during the run
            let plaintext = TransportFixtures.plaintextPacket(
                payload: TransportFixtures.payload(count: length, seed: index), for: sealer)
            var packet = plaintext
            try sealer.seal(&packet, sequenceNumber: sequenceNumber)
            #expect(packet.count == plaintext.count)
            #expect(packet.prefix(plaintext.count - sealer.tagLength) != plaintext.prefix(plaintext.count - sealer.tagLength))
            let length = try opener.receive(&packet, sequenceNumber: sequenceNumber)
            #expect(Int(length) == plaintext.count - 4 - sealer.tagLength)
            #expect(packet.prefix(plaintext.count - sealer.tagLength) == plaintext.prefix(plaintext.count - sealer.tagLength))
        }
    }

    @Test(arguments: combinations)
    func describesItself(_ combination: TransportCombination) throws {
        let (sealer, opener) = try combination.makePair()
        for protection in [sealer, opener] {
            #expect(protection.blockSize == combination.cipher.blockSize)
            #expect(protection.tagLength == (combination.mac?.tagLength ?? 16))
            let etm = combination.cipher.isAEAD || combination.mac?.isEncryptThenMAC == true
            #expect(protection.lengthIsAuthenticatedOnly == etm)
            #expect(protection.lengthFieldSpan == (etm ? 4 : combination.cipher.blockSize))
        }
    }

    /// One flipped bit anywhere (length, body, tag) makes `open` throw. For encrypt-and-MAC the
    /// length first decrypts to something else (the engine bounds-checks it); opening the
    /// packet as received must still fail.
    @Test(arguments: combinations)
    func everyFlippedBitIsRejected(_ combination: TransportCombination) throws {
        let (sealer, _) = try combination.makePair()
        let plaintext = TransportFixtures.plaintextPacket(
            payload: TransportFixtures.payload(count: 37, seed: 9), for: sealer)
        var sealed = plaintext
        try sealer.seal(&sealed, sequenceNumber: 3)
        for index in sealed.indices {
            var tampered = sealed
            tampered[index] ^= 1 << UInt8(index % 8)
            let (_, opener) = try combination.makePair()
            #expect(throws: CryptoError.authenticationFailure, "byte \(index)") {
                try opener.receive(&tampered, sequenceNumber: 3)
            }
        }
    }

    /// The packet is bound to its position in the stream: opened as another sequence number
    /// (or, for AES-GCM, at another invocation counter) it is rejected.
    @Test(arguments: combinations)
    func sequenceNumberMatters(_ combination: TransportCombination) throws {
        let (sealer, _) = try combination.makePair()
        var first = TransportFixtures.plaintextPacket(payload: TransportFixtures.payload(count: 40, seed: 1), for: sealer)
        var second = TransportFixtures.plaintextPacket(payload: TransportFixtures.payload(count: 40, seed: 2), for: sealer)
        try sealer.seal(&first, sequenceNumber: 10)
        try sealer.seal(&second, sequenceNumber: 11)

        // The second packet in the first packet's place.
        let (_, opener) = try combination.makePair()
        var out = second
        #expect(throws: CryptoError.authenticationFailure) { try opener.receive(&out, sequenceNumber: 10) }

        // The right packet first, with the wrong number (AES-GCM ignores the number: its nonce
        // is the invocation counter, checked by the reordering case above).
        if !(combination.cipher is AESGCMCipher) {
            let (_, opener) = try combination.makePair()
            var out = first
            #expect(throws: CryptoError.authenticationFailure) { try opener.receive(&out, sequenceNumber: 11) }
        }

        // In order, both open.
        let (_, inOrder) = try combination.makePair()
        try inOrder.receive(&first, sequenceNumber: 10)
        try inOrder.receive(&second, sequenceNumber: 11)
    }

    /// Keys for another connection do not open the packet.
    @Test(arguments: combinations)
    func otherKeysAreRejected(_ combination: TransportCombination) throws {
        let (sealer, _) = try combination.makePair(seed: 1)
        let (_, opener) = try combination.makePair(seed: 50)
        var packet = TransportFixtures.plaintextPacket(payload: TransportFixtures.payload(count: 24, seed: 4), for: sealer)
        try sealer.seal(&packet, sequenceNumber: 0)
        #expect(throws: CryptoError.authenticationFailure) { try opener.receive(&packet, sequenceNumber: 0) }
    }

    /// Buffers too short to hold a length field and a tag, or truncated packets, throw; they
    /// never trap.
    @Test(arguments: combinations)
    func shortAndTruncatedBuffersThrow(_ combination: TransportCombination) throws {
        let (sealer, _) = try combination.makePair()
        var sealed = TransportFixtures.plaintextPacket(payload: TransportFixtures.payload(count: 20, seed: 5), for: sealer)
        try sealer.seal(&sealed, sequenceNumber: 1)

        for count in 0..<sealed.count {
            let (_, opener) = try combination.makePair()
            var truncated = Array(sealed.prefix(count))
            #expect(throws: (any Error).self, "\(count) bytes") { try opener.receive(&truncated, sequenceNumber: 1) }
            var empty = [UInt8](repeating: 0, count: count)
            let (freshSealer, _) = try combination.makePair()
            if count < sealer.lengthFieldSpan + sealer.tagLength {
                #expect(throws: (any Error).self) { try freshSealer.seal(&empty, sequenceNumber: 1) }
            }
        }
        // A longer buffer: the tag is read from the wrong place.
        let (_, opener) = try combination.makePair()
        var longer = sealed + [0, 0, 0, 0, 0, 0, 0, 0]
        #expect(throws: (any Error).self) { try opener.receive(&longer, sequenceNumber: 1) }
    }

    /// A protection is one direction: using it the other way is an error, not a trap. (CTR and
    /// HMAC are symmetric, so only the AEAD protections can tell.)
    @Test(arguments: combinations.filter { $0.cipher.isAEAD })
    func wrongDirectionThrows(_ combination: TransportCombination) throws {
        let (sealer, opener) = try combination.makePair()
        var packet = TransportFixtures.plaintextPacket(payload: [1, 2, 3], for: sealer)
        #expect(throws: (any Error).self) { try opener.seal(&packet, sequenceNumber: 0) }
        #expect(throws: (any Error).self) { try sealer.receive(&packet, sequenceNumber: 0) }
    }

    @Test(arguments: TransportAlgorithms.ciphers.map(\.name))
    func wrongKeyLengthsThrow(_ name: String) throws {
        let cipher = try #require(TransportAlgorithms.cipher(named: name))
        let mac = cipher.isAEAD ? nil : TransportAlgorithms.macs.first
        let macKey = mac.map { SecureBytes(count: $0.keyLength) }
        for keyLength in [0, cipher.keyLength - 1, cipher.keyLength + 1] where keyLength >= 0 {
            #expect(throws: (any Error).self) {
                try cipher.makeProtection(
                    key: SecureBytes(count: keyLength), iv: SecureBytes(count: cipher.ivLength), mac: mac,
                    macKey: macKey, sealing: true)
            }
        }
        if cipher.ivLength > 0 {
            #expect(throws: (any Error).self) {
                try cipher.makeProtection(
                    key: SecureBytes(count: cipher.keyLength), iv: SecureBytes(count: cipher.ivLength - 1), mac: mac,
                    macKey: macKey, sealing: true)
            }
        }
    }

    @Test func catalogLooksUpByWireName() {
        for cipher in TransportAlgorithms.ciphers {
            #expect(TransportAlgorithms.cipher(named: cipher.name)?.name == cipher.name)
        }
        for mac in TransportAlgorithms.macs {
            #expect(TransportAlgorithms.mac(named: mac.name)?.name == mac.name)
        }
        #expect(TransportAlgorithms.cipher(named: "none") == nil)
        #expect(TransportAlgorithms.cipher(named: "AES128-GCM@OPENSSH.COM") == nil)
        #expect(TransportAlgorithms.mac(named: "hmac-sha2-256-etm") == nil)
        #expect(Set(TransportAlgorithms.ciphers.map(\.name)).count == TransportAlgorithms.ciphers.count)
        #expect(Set(TransportAlgorithms.macs.map(\.name)).count == TransportAlgorithms.macs.count)
    }
}
