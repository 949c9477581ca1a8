import SSHCrypto
import SSHWire
import Testing

@Suite struct KeysPublicKeyTests {
    /// Every `.pub` made by ssh-keygen parses, re-encodes to the same line, and has the
    /// fingerprints ssh-keygen printed (`-E sha256` and `-E md5`).
    @Test(arguments: KeysTestSupport.publicKeyFiles)
    func sshKeygenPublicKeys(_ file: String) throws {
        let text = try KeysTestSupport.fixtureText(file)
        let line = try SSHPublicKeyLine(parsing: text)
        #expect(line.text + "\n" == text)
        let keyFile = String(file.dropLast(".pub".count)) + ".key"
        let sha256 = try #require(try KeysTestSupport.fingerprintRecords("fingerprints-sha256.txt").first { $0.file == keyFile })
        let md5 = try #require(try KeysTestSupport.fingerprintRecords("fingerprints-md5.txt").first { $0.file == keyFile })
        #expect(line.key.sha256Fingerprint == sha256.fingerprint)
        #expect(line.key.md5Fingerprint == md5.fingerprint)
        #expect(line.comment == sha256.comment)
        #expect(line.key.bits == sha256.bits)
        #expect(try KeysTestSupport.fixtureText("fingerprints-sha256.txt").contains("\(keyFile) \(sha256.bits) \(sha256.fingerprint) \(sha256.comment) (\(line.key.displayTypeName))"))
        let reparsed = try SSHKeys.parsePublicKey(blob: line.key.wireBlob)
        #expect(reparsed.wireBlob == line.key.wireBlob)
    }

    @Test func generatedKeysRoundTrip() throws {
        let keys: [any SSHPrivateKey] = [
            try SSHKeyGenerator.generateEd25519(),
            try SSHKeyGenerator.generateECDSA(curve: .p256),
            try SSHKeyGenerator.generateECDSA(curve: .p384),
            try SSHKeyGenerator.generateECDSA(curve: .p521),
        ]
        for key in keys {
            let blob = key.publicKey.wireBlob
            #expect(try SSHKeys.parsePublicKey(blob: blob).wireBlob == blob)
            let line = SSHPublicKeyLine(key: key.publicKey, comment: "user@host with spaces")
            let parsed = try SSHPublicKeyLine(parsing: line.text)
            #expect(parsed.key.wireBlob == blob && parsed.comment == "user@host with spaces")
            #expect(key.publicKey.sha256Fingerprint.hasPrefix("SHA256:"))
            #expect(!key.publicKey.sha256Fingerprint.hasSuffix("="))
            #expect(key.publicKey.sha256Fingerprint.count == 7 + 43)
        }
    }

    @Test func lineTypeMustMatchBlob() throws {
        let key = try SSHKeyGenerator.generateEd25519()
        let base64 = Base64.encode(key.publicKey.wireBlob)
        #expect(throws: CryptoError.self) { try SSHPublicKeyLine(parsing: "ssh-rsa \(base64) comment") }
        #expect(throws: CryptoError.self) { try SSHPublicKeyLine(parsing: "ssh-ed25519 \(base64.dropLast())") }
        #expect(throws: CryptoError.self) { try SSHPublicKeyLine(parsing: "ssh-ed25519") }
        #expect(throws: CryptoError.self) { try SSHPublicKeyLine(parsing: "") }
        #expect(try SSHPublicKeyLine(parsing: "  ssh-ed25519\t\(base64)  \n").comment == "")
    }

    @Test func ecdsaCurveNameMustMatchKeyType() throws {
        let key = try SSHKeyGenerator.generateECDSA(curve: .p256)
        let point = key.ecdsaPublicKey.point
        let mismatched = SSHWriter.encode {
            $0.writeText("ecdsa-sha2-nistp256"); $0.writeText("nistp384"); $0.writeString(point)
        }
        #expect(throws: CryptoError.self) { try SSHKeys.parsePublicKey(blob: mismatched) }
        // A point off the curve.
        var offCurve = point
        offCurve[offCurve.count - 1] ^= 1
        let bad = SSHWriter.encode { $0.writeText("ecdsa-sha2-nistp256"); $0.writeText("nistp256"); $0.writeString(offCurve) }
        #expect(throws: CryptoError.self) { try SSHKeys.parsePublicKey(blob: bad) }
        // A compressed point.
        let compressed = [UInt8(2 + (point[point.count - 1] & 1))] + point[1...32]
        let short = SSHWriter.encode { $0.writeText("ecdsa-sha2-nistp256"); $0.writeText("nistp256"); $0.writeString(compressed) }
        #expect(throws: CryptoError.self) { try SSHKeys.parsePublicKey(blob: short) }
    }

    /// Every truncation of every kind of blob, and trailing bytes, throw; random garbage never traps.
    @Test func truncationsAndGarbageThrow() throws {
        var blobs = try KeysTestSupport.publicKeyFiles.map { try SSHPublicKeyLine(parsing: KeysTestSupport.fixtureText($0)).key.wireBlob }
        blobs.append(try SSHKeyGenerator.generateEd25519().publicKey.wireBlob)
        for blob in blobs {
            for length in 0..<blob.count {
                #expect(throws: CryptoError.self) { try SSHKeys.parsePublicKey(blob: Array(blob.prefix(length))) }
            }
            #expect(throws: CryptoError.self) { try SSHKeys.parsePublicKey(blob: blob + [0]) }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let length = Int.random(in: 0..<200, using: &generator)
            var garbage = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if garbage.count > 20, Bool.random(using: &generator) {
                // Keep a valid type name in front so that the field parsers run.
                let type = ["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256"].randomElement(using: &generator) ?? "ssh-rsa"
                garbage = SSHWriter.encode { $0.writeText(type) } + garbage
            }
            _ = try? SSHKeys.parsePublicKey(blob: garbage)
        }
    }

    /// Random signature blobs, and well-formed envelopes around random signatures, are rejected
    /// by every key type without trapping.
    @Test func garbageSignaturesAreInvalid() throws {
        let keys: [any SSHPrivateKey] = [
            try SSHKeyGenerator.generateEd25519(),
            try SSHKeyGenerator.generateECDSA(curve: .p256),
            try SSHKeyGenerator.generateECDSA(curve: .p521),
        ]
        let allowed = SignatureAlgorithm.all.map(\.name)
        var generator = SystemRandomNumberGenerator()
        for key in keys {
            for _ in 0..<200 {
                let length = Int.random(in: 0..<160, using: &generator)
                let noise = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                #expect(!key.publicKey.isValidSignature(noise, for: [1], allowedAlgorithms: allowed))
                let algorithm = key.publicKey.signatureAlgorithms[0]
                let wrapped = SSHWriter.encode { $0.writeText(algorithm); $0.writeString(noise) }
                #expect(!key.publicKey.isValidSignature(wrapped, for: [1], allowedAlgorithms: allowed))
                // ECDSA: an inner blob of two random mpints.
                let mpints = SSHWriter.encode { $0.writeMPInt(noise.prefix(70)); $0.writeMPInt(noise.suffix(70)) }
                let inner = SSHWriter.encode { $0.writeText(algorithm); $0.writeString(mpints) }
                #expect(!key.publicKey.isValidSignature(inner, for: [1], allowedAlgorithms: allowed))
            }
        }
    }

    @Test func base64() {
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode(Array("fooba".utf8)) == "Zm9vYmE=")
        #expect(Base64.encode(Array("foob".utf8), padding: false) == "Zm9vYg")
        // RFC 4648 §10 test vectors.
        for (plain, encoded) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg==")] {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
        }
        for bad in ["Zg=", "Z===", "Zm=v", "Zm9v=", "Zm9*", "Zg==Zg=="] {
            #expect(Base64.decode(bad) == nil)
        }
    }
}
