import Foundation
import SSHCrypto
import Testing

private let sha256Records: [KeysTestSupport.FingerprintRecord] =
    (try? KeysTestSupport.fingerprintRecords("fingerprints-sha256.txt")) ?? []

@Suite struct KeysFileTests {
    @Test func fixturesArePresent() throws {
        #expect(sha256Records.count >= 20)
        #expect(try KeysTestSupport.encryptedFixtures().count >= 10)
    }

    /// Every private key ssh-keygen wrote (OpenSSH format plain and encrypted with each cipher,
    /// PKCS#1, SEC1, PKCS#8, encrypted PKCS#8 and encrypted legacy PEM) reads, with the passphrase
    /// where it has one, giving the `.pub` file's blob and the fingerprint ssh-keygen printed.
    @Test(arguments: sha256Records)
    func readsSSHKeygenFixture(_ record: KeysTestSupport.FingerprintRecord) throws {
        let encrypted = try KeysTestSupport.encryptedFixtures().contains(record.file)
        let text = try KeysTestSupport.fixtureText(record.file)
        let (key, comment) = try SSHPrivateKeyFile.parse(text, passphrase: encrypted ? KeysTestSupport.fixturePassphrase : nil)
        #expect(key.publicKey.sha256Fingerprint == record.fingerprint)
        let publicLine = try SSHPublicKeyLine(parsing: KeysTestSupport.fixtureText(KeysTestSupport.publicKeyFile(for: record.file)))
        #expect(key.publicKey.wireBlob == publicLine.key.wireBlob)
        if text.hasPrefix("-----BEGIN OPENSSH PRIVATE KEY-----") {
            #expect(comment == record.comment)
        } else {
            #expect(comment == "")
        }
        // The key signs, and its public half verifies.
        let data = Array("data".utf8)
        let algorithm = key.publicKey.signatureAlgorithms[0]
        let signature = try key.signature(for: data, algorithm: algorithm)
        #expect(publicLine.key.isValidSignature(signature, for: data, allowedAlgorithms: [algorithm]))

        if encrypted {
            #expect(throws: CryptoError.wrongPassphrase) { try SSHPrivateKeyFile.parse(text, passphrase: nil) }
            // bcrypt_pbkdf is slow in debug builds: try a wrong passphrase on every PEM file and on
            // one OpenSSH file per cipher family (CTR, CBC, GCM, ChaCha20-Poly1305).
            let openSSHSample: Set = ["ed25519-enc.key", "ed25519-aes256-cbc.key", "ed25519-aes256-gcm.key", "ed25519-chacha20.key"]
            if !text.hasPrefix("-----BEGIN OPENSSH PRIVATE KEY-----") || openSSHSample.contains(record.file) {
                #expect(throws: CryptoError.wrongPassphrase) { try SSHPrivateKeyFile.parse(text, passphrase: "wrong passphrase") }
            }
        }
    }

    @Test func ed25519PKCS8FromOpenSSL() throws {
        let (key, comment) = try SSHPrivateKeyFile.parse(try KeysTestSupport.fixtureText("ed25519-pkcs8.key"), passphrase: nil)
        let expected = try KeysTestSupport.fixtureText("ed25519-pkcs8-public.hex").trimmingCharacters(in: .whitespacesAndNewlines)
        let ed25519 = try #require(key as? Ed25519PrivateKey)
        #expect(KeysTestSupport.hex(ed25519.ed25519PublicKey.rawRepresentation) == expected)
        #expect(comment == "")
    }

    /// openssl's RSASSA-PKCS1-v1_5 SHA-256 signature over the fixture message verifies, and ours is
    /// byte-for-byte the same (the scheme is deterministic, RFC 8017 §8.2.1).
    @Test func rsaMatchesOpenSSLSignature() throws {
        let (key, _) = try SSHPrivateKeyFile.parse(try KeysTestSupport.fixtureText("rsa-pem.key"), passphrase: nil)
        let message = [UInt8](try KeysTestSupport.fixtureData("rsa-signature-message.bin"))
        let opensslSignature = [UInt8](try KeysTestSupport.fixtureData("rsa-signature-sha256.bin"))
        let blob = SSHSignatureBlobForTests.encode("rsa-sha2-256", opensslSignature)
        #expect(key.publicKey.isValidSignature(blob, for: message, allowedAlgorithms: ["rsa-sha2-256"]))
        #expect(try key.signature(for: message, algorithm: "rsa-sha2-256") == blob)
        var damaged = opensslSignature
        damaged[10] ^= 0x40
        #expect(!key.publicKey.isValidSignature(
            SSHSignatureBlobForTests.encode("rsa-sha2-256", damaged), for: message, allowedAlgorithms: ["rsa-sha2-256"]))
    }

    /// Truncations and corruptions of a key file throw (never trap), in both container formats.
    @Test(arguments: ["ed25519.key", "ecdsa256.key", "rsa1024.key", "rsa-pem.key", "ecdsa256-pem.key"])
    func truncatedAndCorruptFilesThrow(_ file: String) throws {
        let text = try KeysTestSupport.fixtureText(file)
        let bytes = Array(text.utf8)
        let significant = bytes.count - 1  // the final newline may go
        for length in stride(from: 0, to: significant, by: 7) {
            let truncated = String(decoding: bytes.prefix(length), as: UTF8.self)
            #expect(throws: CryptoError.self) { try SSHPrivateKeyFile.parse(truncated, passphrase: nil) }
        }
        // Corrupt the decoded binary at many offsets and re-armor it.
        let lines = text.split(separator: "\n")
        let label = String(lines[0].dropFirst("-----BEGIN ".count).dropLast(5))
        let body = try #require(Base64.decode(lines.dropFirst().dropLast().joined()))
        for offset in stride(from: 0, to: body.count, by: max(1, body.count / 97)) {
            var corrupt = body
            corrupt[offset] ^= 0xA5
            let armored = "-----BEGIN \(label)-----\n\(Base64.encode(corrupt))\n-----END \(label)-----\n"
            // Some flips land in a comment or padding-free spot and still parse; none may trap.
            _ = try? SSHPrivateKeyFile.parse(armored, passphrase: nil)
        }
        #expect(throws: CryptoError.self) { try SSHPrivateKeyFile.parse("garbage", passphrase: nil) }
        #expect(throws: CryptoError.self) {
            try SSHPrivateKeyFile.parse("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n", passphrase: nil)
        }
    }

    /// OpenSSH-format files are checked strictly: the container's pieces can't be changed silently.
    @Test func openSSHContainerChecks() throws {
        let text = try KeysTestSupport.fixtureText("ed25519.key")
        let lines = text.split(separator: "\n")
        let body = try #require(Base64.decode(lines.dropFirst().dropLast().joined()))
        func armor(_ bytes: [UInt8]) -> String {
            "-----BEGIN OPENSSH PRIVATE KEY-----\n\(Base64.encode(bytes))\n-----END OPENSSH PRIVATE KEY-----\n"
        }
        #expect(throws: CryptoError.self) { try SSHPrivateKeyFile.parse(armor(body + [0]), passphrase: nil) }
        var badMagic = body
        badMagic[0] ^= 1
        #expect(throws: CryptoError.self) { try SSHPrivateKeyFile.parse(armor(badMagic), passphrase: nil) }
        // Key count 2 (offset: magic 15 + "none" 8 + "none" 8 + empty kdfoptions 4 = 35).
        var twoKeys = body
        twoKeys[38] = 2
        #expect(throws: CryptoError.self) { try SSHPrivateKeyFile.parse(armor(twoKeys), passphrase: nil) }
    }

    /// Files with CRLF line ends (copied through Windows) read the same.
    @Test func crlfLineEnds() throws {
        for file in ["ed25519.key", "rsa-pem.key"] {
            let text = try KeysTestSupport.fixtureText(file)
            let crlf = text.replacingOccurrences(of: "\n", with: "\r\n")
            let expected = try SSHPrivateKeyFile.parse(text, passphrase: nil).key.publicKey.wireBlob
            #expect(try SSHPrivateKeyFile.parse(crlf, passphrase: nil).key.publicKey.wireBlob == expected)
        }
    }

    @Test func unknownAndOversizedFilesThrow() {
        #expect(throws: CryptoError.self) {
            try SSHPrivateKeyFile.parse("-----BEGIN DSA PRIVATE KEY-----\nAAAA\n-----END DSA PRIVATE KEY-----\n", passphrase: nil)
        }
        let huge = String(repeating: "A", count: SSHKeyLimits.maximumKeyFileSize + 1)
        #expect(throws: CryptoError.self) { try SSHPrivateKeyFile.parse(huge, passphrase: nil) }
    }
}

/// Builds `string algorithm, string signature` for tests.
enum SSHSignatureBlobForTests {
    static func encode(_ algorithm: String, _ signature: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        func append(_ field: [UInt8]) {
            let count = UInt32(field.count)
            bytes += [UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)] + field
        }
        append(Array(algorithm.utf8))
        append(signature)
        return bytes
    }
}
