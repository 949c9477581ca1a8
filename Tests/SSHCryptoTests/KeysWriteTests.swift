import Foundation
import SSHCrypto
import Testing

/// Keys we write in OpenSSH format read back here and in the real ssh-keygen.
@Suite struct KeysWriteTests {
    /// `ssh-keygen` from `PATH`, or nil when it is not installed.
    static let keygenPath: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":").map { "\($0)/ssh-keygen" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static func makeKeys() throws -> [(name: String, key: any SSHPrivateKey)] {
        [
            ("ed25519", try SSHKeyGenerator.generateEd25519()),
            ("ecdsa256", try SSHKeyGenerator.generateECDSA(curve: .p256)),
            ("ecdsa384", try SSHKeyGenerator.generateECDSA(curve: .p384)),
            ("ecdsa521", try SSHKeyGenerator.generateECDSA(curve: .p521)),
            ("rsa2048", try SSHKeyGenerator.generateRSA(bits: 2048)),
        ]
    }

    @Test func plainRoundTrip() throws {
        for (name, key) in try Self.makeKeys() {
            let text = try SSHPrivateKeyFile.openSSHFormat(key, comment: "written \(name)", passphrase: nil)
            #expect(text.hasPrefix("-----BEGIN OPENSSH PRIVATE KEY-----\n"))
            #expect(text.hasSuffix("-----END OPENSSH PRIVATE KEY-----\n"))
            #expect(text.split(separator: "\n").allSatisfy { $0.count <= 70 })
            let (read, comment) = try SSHPrivateKeyFile.parse(text, passphrase: nil)
            #expect(read.publicKey.wireBlob == key.publicKey.wireBlob)
            #expect(comment == "written \(name)")
            try expectSSHKeygenReads(text, passphrase: nil, expected: key.publicKey, name: name)
        }
    }

    @Test func encryptedRoundTrip() throws {
        let key = try SSHKeyGenerator.generateEd25519()
        let passphrase = "correct horse battery staple"
        let text = try SSHPrivateKeyFile.openSSHFormat(key, comment: "encrypted", passphrase: passphrase, rounds: 4)
        let (read, comment) = try SSHPrivateKeyFile.parse(text, passphrase: passphrase)
        #expect(read.publicKey.wireBlob == key.publicKey.wireBlob)
        #expect(comment == "encrypted")
        #expect(throws: CryptoError.wrongPassphrase) { try SSHPrivateKeyFile.parse(text, passphrase: "wrong") }
        try expectSSHKeygenReads(text, passphrase: passphrase, expected: key.publicKey, name: "encrypted ed25519")
    }

    @Test func encryptedRSAWithDefaultRounds() throws {
        let key = try SSHKeyGenerator.generateRSA(bits: 2048)
        let text = try SSHPrivateKeyFile.openSSHFormat(key, comment: "rsa", passphrase: "pass phrase")
        #expect(try SSHPrivateKeyFile.parse(text, passphrase: "pass phrase").key.publicKey.wireBlob == key.publicKey.wireBlob)
        try expectSSHKeygenReads(text, passphrase: "pass phrase", expected: key.publicKey, name: "encrypted rsa")
    }

    /// Keys read from every fixture can be written again and read back with the same public key.
    @Test func fixturesRewrite() throws {
        let records = try KeysTestSupport.fingerprintRecords("fingerprints-sha256.txt")
        let encrypted = try KeysTestSupport.encryptedFixtures()
        for record in records where !encrypted.contains(record.file) {
            let (key, comment) = try SSHPrivateKeyFile.parse(try KeysTestSupport.fixtureText(record.file), passphrase: nil)
            let text = try SSHPrivateKeyFile.openSSHFormat(key, comment: comment, passphrase: nil)
            let (again, againComment) = try SSHPrivateKeyFile.parse(text, passphrase: nil)
            #expect(again.publicKey.sha256Fingerprint == record.fingerprint)
            #expect(againComment == comment)
        }
    }

    /// Runs `ssh-keygen -y -f file [-P passphrase]` and compares the public key it prints.
    private func expectSSHKeygenReads(_ text: String, passphrase: String?, expected: any SSHPublicKey, name: String) throws {
        guard let keygenPath = Self.keygenPath else {
            print("ssh-keygen is not on PATH: skipped the ssh-keygen check for \(name)")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keys-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("key")
        try Data(text.utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: keygenPath)
        // -P "" for a plain key makes ssh-keygen fail instead of prompting if it thinks it is encrypted.
        process.arguments = ["-y", "-P", passphrase ?? "", "-f", file.path]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let complaint = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "ssh-keygen -y failed for \(name): \(complaint)")
        let line = try SSHPublicKeyLine(parsing: printed)
        #expect(line.key.wireBlob == expected.wireBlob, "ssh-keygen read a different key for \(name)")
    }
}
