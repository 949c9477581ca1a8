import SSHCrypto
import SSHWire
import Testing

/// RSA keys are slow to make; the suite shares one per size.
private let sharedRSAKey: RSAPrivateKey? = try? SSHKeyGenerator.generateRSA(bits: 2048)

@Suite struct KeysSignatureTests {
    private let data = Array("session identifier and exchange hash".utf8)

    @Test(arguments: ECDSACurve.allCases)
    func ecdsaRoundTrip(_ curve: ECDSACurve) throws {
        let key = try SSHKeyGenerator.generateECDSA(curve: curve)
        #expect(key.publicKey.keyType == curve.keyType)
        #expect(key.ecdsaPublicKey.point.count == curve.uncompressedPointLength)
        let blob = try key.signature(for: data, algorithm: curve.keyType)
        let publicKey = try SSHKeys.parsePublicKey(blob: key.publicKey.wireBlob)
        #expect(publicKey.isValidSignature(blob, for: data, allowedAlgorithms: SignatureAlgorithm.defaultNames))
        #expect(!publicKey.isValidSignature(blob, for: data + [1], allowedAlgorithms: SignatureAlgorithm.defaultNames))
        #expect(!publicKey.isValidSignature(blob, for: data, allowedAlgorithms: ["ssh-ed25519"]))
        expectFlippedBitsFail(publicKey, blob)

        // RFC 5656 §3.1.2: the blob is string alg, string (mpint r, mpint s).
        var reader = SSHReader(blob)
        #expect(try reader.readText() == curve.keyType)
        var inner = SSHReader(try reader.readString())
        let r = try inner.readMPInt()
        let s = try inner.readMPInt()
        #expect(inner.isAtEnd && reader.isAtEnd)
        #expect(r.count <= curve.fieldLength && s.count <= curve.fieldLength)
    }

    /// A P-256 signature blob relabelled as P-384 (and checked by a P-384 key) fails.
    @Test func ecdsaCurveMismatchFails() throws {
        let p256 = try SSHKeyGenerator.generateECDSA(curve: .p256)
        let p384 = try SSHKeyGenerator.generateECDSA(curve: .p384)
        let blob = try p256.signature(for: data, algorithm: "ecdsa-sha2-nistp256")
        #expect(!p384.publicKey.isValidSignature(blob, for: data, allowedAlgorithms: SignatureAlgorithm.defaultNames))
        var reader = SSHReader(blob)
        _ = try reader.readText()
        let inner = try reader.readString()
        let relabelled = SSHWriter.encode { $0.writeText("ecdsa-sha2-nistp384"); $0.writeString(inner) }
        #expect(!p384.publicKey.isValidSignature(relabelled, for: data, allowedAlgorithms: SignatureAlgorithm.defaultNames))
        #expect(!p256.publicKey.isValidSignature(relabelled, for: data, allowedAlgorithms: SignatureAlgorithm.defaultNames))
    }

    @Test(arguments: ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"])
    func rsaRoundTrip(_ algorithm: String) throws {
        let key = try #require(sharedRSAKey)
        let allowed = SignatureAlgorithm.all.map(\.name)
        let blob = try key.signature(for: data, algorithm: algorithm)
        let publicKey = try SSHKeys.parsePublicKey(blob: key.publicKey.wireBlob)
        #expect(publicKey.isValidSignature(blob, for: data, allowedAlgorithms: allowed))
        #expect(!publicKey.isValidSignature(blob, for: data + [1], allowedAlgorithms: allowed))
        expectFlippedBitsFail(publicKey, blob)
        var reader = SSHReader(blob)
        #expect(try reader.readText() == algorithm)
        #expect(try reader.readString().count == key.rsaPublicKey.modulusLength)
        // Relabelled under another RSA algorithm, the signature no longer verifies.
        for other in ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] where other != algorithm {
            var copy = SSHReader(blob)
            _ = try copy.readText()
            let signature = try copy.readString()
            let relabelled = SSHWriter.encode { $0.writeText(other); $0.writeString(signature) }
            #expect(!publicKey.isValidSignature(relabelled, for: data, allowedAlgorithms: allowed))
        }
    }

    /// Legacy SHA-1 `ssh-rsa` is not in the default list, so a default verifier refuses it.
    @Test func legacyRSAIsNotAllowedByDefault() throws {
        let key = try #require(sharedRSAKey)
        let blob = try key.signature(for: data, algorithm: "ssh-rsa")
        #expect(!key.publicKey.isValidSignature(blob, for: data, allowedAlgorithms: SignatureAlgorithm.defaultNames))
        #expect(SignatureAlgorithm.named("ssh-rsa")?.isLegacy == true)
        #expect(!SignatureAlgorithm.defaultNames.contains("ssh-rsa"))
    }

    @Test func registry() {
        #expect(SignatureAlgorithm.keyType(forSignatureAlgorithm: "rsa-sha2-256") == "ssh-rsa")
        #expect(SignatureAlgorithm.keyType(forSignatureAlgorithm: "rsa-sha2-512") == "ssh-rsa")
        #expect(SignatureAlgorithm.keyType(forSignatureAlgorithm: "ssh-ed25519") == "ssh-ed25519")
        #expect(SignatureAlgorithm.keyType(forSignatureAlgorithm: "ecdsa-sha2-nistp521") == "ecdsa-sha2-nistp521")
        #expect(SignatureAlgorithm.keyType(forSignatureAlgorithm: "ssh-dss") == nil)
        #expect(Set(SignatureAlgorithm.all.map(\.name)).count == SignatureAlgorithm.all.count)
        #expect(SignatureAlgorithm.all.filter(\.isLegacy).map(\.name) == ["ssh-rsa"])
    }

    @Test func rsaSizeLimits() throws {
        #expect(throws: CryptoError.self) { try SSHKeyGenerator.generateRSA(bits: 512) }
        #expect(throws: CryptoError.self) { try SSHKeyGenerator.generateRSA(bits: SSHKeyLimits.maximumRSAModulusBits + 8) }
        // A 1,000-bit modulus in a blob is refused.
        let small = [UInt8](repeating: 0xFF, count: 125)
        let blob = SSHWriter.encode { $0.writeText("ssh-rsa"); $0.writeMPInt([1, 0, 1]); $0.writeMPInt(small) }
        #expect(throws: CryptoError.self) { try SSHKeys.parsePublicKey(blob: blob) }
    }

    /// A signature shorter than the modulus (leading zero bytes stripped by the peer) is left-padded,
    /// as OpenSSH does; a longer one fails.
    @Test func rsaShortSignatureIsPadded() throws {
        let key = try #require(sharedRSAKey)
        let allowed = SignatureAlgorithm.defaultNames
        // Sign until the signature starts with a zero byte (about 1 in 256 tries; deterministic scheme).
        var counter: UInt32 = 0
        var found: (data: [UInt8], signature: [UInt8])?
        while found == nil, counter < 5000 {
            let message = SSHWriter.encode { $0.writeUInt32(counter) }
            var reader = SSHReader(try key.signature(for: message, algorithm: "rsa-sha2-256"))
            _ = try reader.readText()
            let signature = try reader.readString()
            if signature.first == 0 { found = (message, signature) }
            counter += 1
        }
        let (message, signature) = try #require(found)
        let stripped = Array(signature.drop(while: { $0 == 0 }))
        let shortBlob = SSHWriter.encode { $0.writeText("rsa-sha2-256"); $0.writeString(stripped) }
        #expect(key.publicKey.isValidSignature(shortBlob, for: message, allowedAlgorithms: allowed))
        let longBlob = SSHWriter.encode { $0.writeText("rsa-sha2-256"); $0.writeString([0] + signature) }
        #expect(!key.publicKey.isValidSignature(longBlob, for: message, allowedAlgorithms: allowed))
    }

    private func expectFlippedBitsFail(_ publicKey: any SSHPublicKey, _ blob: [UInt8]) {
        let allowed = SignatureAlgorithm.all.map(\.name)
        for bit in [0, 33, 8 * blob.count / 2, 8 * blob.count - 1] {
            var damaged = blob
            damaged[bit / 8] ^= UInt8(1 << (bit % 8))
            #expect(!publicKey.isValidSignature(damaged, for: data, allowedAlgorithms: allowed))
        }
        // Every truncation fails, never traps.
        for length in stride(from: 0, to: blob.count, by: max(1, blob.count / 40)) {
            #expect(!publicKey.isValidSignature(Array(blob.prefix(length)), for: data, allowedAlgorithms: allowed))
        }
        #expect(!publicKey.isValidSignature(blob + [0], for: data, allowedAlgorithms: allowed))
    }
}
