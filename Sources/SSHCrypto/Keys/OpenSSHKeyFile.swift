import CShims
import SSHWire

/// The `openssh-key-v1` private key container (OpenSSH PROTOCOL.key):
///
///     "openssh-key-v1\0"
///     string ciphername, string kdfname, string kdfoptions
///     uint32 number of keys N
///     string public key 1…N
///     string encrypted private section (then the AEAD tag, if any)
///
/// The private section holds two equal random check integers, each key's private fields and
/// comment, and padding bytes 1, 2, 3, … up to the cipher's block size.
enum OpenSSHKeyFile {
    static let label = "OPENSSH PRIVATE KEY"
    static let magic: [UInt8] = Array("openssh-key-v1".utf8) + [0]
    /// The only KDF PROTOCOL.key defines besides `none`.
    static let bcryptKDF = "bcrypt"
    /// ssh-keygen's salt length.
    static let saltLength = 16
    /// OpenSSH wraps the base64 body at 70 columns.
    static let lineLength = 70

    // MARK: - Reading

    /// Reads the binary container. Throws ``CryptoError/wrongPassphrase`` for an encrypted file
    /// without a passphrase, or when the check integers (or the AEAD tag) show the passphrase is wrong.
    static func parse(_ binary: [UInt8], passphrase: String?) throws -> (key: any SSHPrivateKey, comment: String) {
        do {
            return try parseContainer(binary, passphrase: passphrase)
        } catch let error as SSHWireError {
            throw CryptoError.invalidKeyFile("malformed openssh-key-v1 data: \(error)")
        }
    }

    private static func parseContainer(_ binary: [UInt8], passphrase: String?) throws -> (key: any SSHPrivateKey, comment: String) {
        var reader = SSHReader(binary)
        guard try reader.readBytes(magic.count, "magic") == magic else {
            throw CryptoError.invalidKeyFile("not an openssh-key-v1 key")
        }
        let cipherName = try reader.readText("ciphername", limit: SignatureBlob.maximumAlgorithmNameLength)
        let kdfName = try reader.readText("kdfname", limit: SignatureBlob.maximumAlgorithmNameLength)
        let kdfOptions = try reader.readString("kdfoptions", limit: SSHKeyLimits.maximumBcryptSaltLength + 16)
        let keyCount = try reader.readUInt32("number of keys")
        guard keyCount >= 1, keyCount <= SSHKeyLimits.maximumKeysPerFile else {
            throw CryptoError.invalidKeyFile("openssh-key-v1 files must hold exactly \(SSHKeyLimits.maximumKeysPerFile) key")
        }
        let publicBlob = try reader.readString("public key", limit: SSHKeyLimits.maximumPublicKeyBlobLength)
        guard let cipher = KeyFileCipher.named(cipherName) else { throw CryptoError.unsupported("key file cipher \(cipherName)") }
        let encrypted = try reader.readString("private section", limit: SSHKeyLimits.maximumKeyFileSize)
        let tag = try reader.readBytes(cipher.tagLength, "authentication tag")
        try reader.expectEnd()
        guard !encrypted.isEmpty, encrypted.count % cipher.blockSize == 0 else {
            throw CryptoError.invalidKeyFile("private section is not a multiple of the \(cipher.blockSize)-byte block size")
        }

        let isEncrypted = cipher.mode != .none
        let plaintext: SecureBytes
        if isEncrypted {
            guard kdfName == bcryptKDF else { throw CryptoError.unsupported("key file KDF \(kdfName)") }
            var options = SSHReader(kdfOptions)
            let salt = try options.readString("salt", limit: SSHKeyLimits.maximumBcryptSaltLength)
            let rounds = try options.readUInt32("rounds")
            try options.expectEnd()
            guard let passphrase, !passphrase.isEmpty else { throw CryptoError.wrongPassphrase }
            let keyMaterial = try BcryptPBKDF.derive(
                passphrase: Array(passphrase.utf8), salt: salt, rounds: rounds,
                outputLength: cipher.keyLength + cipher.ivLength)
            plaintext = try cipher.decrypt(encrypted, tag: tag, keyMaterial: keyMaterial)
        } else {
            guard kdfName == "none", kdfOptions.isEmpty else {
                throw CryptoError.invalidKeyFile("unencrypted key with KDF \(kdfName)")
            }
            plaintext = SecureBytes(encrypted)
        }

        var section = SSHReader(plaintext.bytes)
        defer { wipe(section) }
        let check1 = try section.readUInt32("checkint")
        let check2 = try section.readUInt32("checkint")
        guard check1 == check2 else {
            // A wrong key decrypts to noise: the check integers differ (PROTOCOL.key).
            throw isEncrypted ? CryptoError.wrongPassphrase : CryptoError.invalidKeyFile("check integers differ")
        }
        let key = try readPrivateKey(&section)
        let comment = String(decoding: try section.readString("comment", limit: SSHWireLimits.maximumStringLength), as: UTF8.self)
        // Padding: 1, 2, 3, … (PROTOCOL.key; checked as OpenSSH does).
        var expected: UInt8 = 1
        while !section.isAtEnd {
            guard try section.readByte("padding") == expected else { throw CryptoError.invalidKeyFile("bad padding") }
            expected &+= 1
        }
        guard key.publicKey.wireBlob == publicBlob else {
            throw CryptoError.invalidKeyFile("public key does not match the private key")
        }
        return (key, comment)
    }

    /// One key's private fields (OpenSSH sshkey.c `sshkey_private_deserialize`).
    private static func readPrivateKey(_ reader: inout SSHReader) throws -> any SSHPrivateKey {
        let keyType = try reader.readText("key type", limit: SignatureBlob.maximumAlgorithmNameLength)
        switch keyType {
        case "ssh-ed25519":
            // string public (32), string secret (seed || public, 64).
            let publicKey = try reader.readString("ed25519 public", limit: 64)
            let secret = SecureBytes(try reader.readString("ed25519 secret", limit: 128))
            guard publicKey.count == Ed25519PublicKey.publicKeyLength, secret.count == 64,
                Array(secret.bytes[32...]) == publicKey
            else { throw CryptoError.invalidKeyFile("malformed ssh-ed25519 private key") }
            let key = try Ed25519PrivateKey(seed: Array(secret.bytes[..<32]))
            guard key.ed25519PublicKey.rawRepresentation == publicKey else {
                throw CryptoError.invalidKeyFile("ssh-ed25519 secret does not match its public key")
            }
            return key
        case "ssh-rsa":
            let n = try reader.readMPInt("n")
            let e = try reader.readMPInt("e")
            let d = SecureBytes(try reader.readMPInt("d"))
            let iqmp = SecureBytes(try reader.readMPInt("iqmp"))
            let p = SecureBytes(try reader.readMPInt("p"))
            let q = SecureBytes(try reader.readMPInt("q"))
            return try RSAPrivateKey(
                modulus: n, publicExponent: e, privateExponent: d.bytes, coefficient: iqmp.bytes, prime1: p.bytes,
                prime2: q.bytes)
        default:
            guard let curve = ECDSACurve(keyType: keyType) else { throw CryptoError.unsupported("private key type \(keyType)") }
            let identifier = try reader.readText("curve", limit: SignatureBlob.maximumAlgorithmNameLength)
            guard identifier == curve.identifier else {
                throw CryptoError.invalidKeyFile("curve \(identifier) does not match key type \(keyType)")
            }
            let point = try reader.readString("Q", limit: 256)
            let scalar = SecureBytes(try reader.readMPInt("d"))
            return try ECDSAPrivateKey(curve: curve, privateScalar: scalar.bytes, point: point)
        }
    }

    private static func wipe(_ reader: SSHReader) {
        var bytes = reader.bytes
        bytes.withUnsafeMutableBytes { if let base = $0.baseAddress { sshd_cleanse(base, $0.count) } }
    }

    // MARK: - Writing

    /// The binary container for `key`: unencrypted when `passphrase` is nil or empty, otherwise
    /// aes256-ctr with a bcrypt_pbkdf key of `rounds` rounds (ssh-keygen's defaults).
    static func serialize(
        _ key: any SSHPrivateKey, comment: String, passphrase: String?, rounds: UInt32 = SSHPrivateKeyFile.defaultBcryptRounds
    ) throws -> [UInt8] {
        let encrypting = !(passphrase ?? "").isEmpty
        let cipher = encrypting ? KeyFileCipher.aes256CTR : KeyFileCipher.none
        var kdfOptions: [UInt8] = []
        var keyMaterial = SecureBytes([])
        if let passphrase, encrypting {
            let salt = OpenSSL.randomBytes(saltLength)
            kdfOptions = SSHWriter.encode { writer in
                writer.writeString(salt)
                writer.writeUInt32(rounds)
            }
            keyMaterial = try BcryptPBKDF.derive(
                passphrase: Array(passphrase.utf8), salt: salt, rounds: rounds,
                outputLength: cipher.keyLength + cipher.ivLength)
        }

        var section = SSHWriter(capacity: 512)
        let check = UInt32.random(in: .min ... .max)
        section.writeUInt32(check)
        section.writeUInt32(check)
        try writePrivateKey(key, to: &section)
        section.writeText(comment)
        var padding: UInt8 = 1
        while section.bytes.count % cipher.blockSize != 0 {
            section.writeByte(padding)
            padding += 1
        }
        let plaintext = SecureBytes(section.bytes)
        section.bytes.withUnsafeMutableBytes { if let base = $0.baseAddress { sshd_cleanse(base, $0.count) } }
        let (ciphertext, tag) = try cipher.encrypt(plaintext, keyMaterial: keyMaterial)

        var writer = SSHWriter(capacity: ciphertext.count + 256)
        writer.writeBytes(magic)
        writer.writeText(cipher.name)
        writer.writeText(encrypting ? bcryptKDF : "none")
        writer.writeString(kdfOptions)
        writer.writeUInt32(1)
        writer.writeString(key.publicKey.wireBlob)
        writer.writeString(ciphertext)
        writer.writeBytes(tag)
        return writer.bytes
    }

    /// One key's private fields (the inverse of ``readPrivateKey(_:)``).
    private static func writePrivateKey(_ key: any SSHPrivateKey, to writer: inout SSHWriter) throws {
        switch key {
        case let key as Ed25519PrivateKey:
            let publicKey = key.ed25519PublicKey.rawRepresentation
            writer.writeText(key.ed25519PublicKey.keyType)
            writer.writeString(publicKey)
            writer.writeString(try key.seed.bytes + publicKey)
        case let key as ECDSAPrivateKey:
            writer.writeText(key.curve.keyType)
            writer.writeText(key.curve.identifier)
            writer.writeString(key.ecdsaPublicKey.point)
            writer.writeMPInt(try key.privateScalar.bytes)
        case let key as RSAPrivateKey:
            let components = try key.openSSHComponents()
            writer.writeText(key.rsaPublicKey.keyType)
            writer.writeMPInt(key.rsaPublicKey.modulus)
            writer.writeMPInt(key.rsaPublicKey.exponent)
            writer.writeMPInt(components.d.bytes)
            writer.writeMPInt(components.iqmp.bytes)
            writer.writeMPInt(components.p.bytes)
            writer.writeMPInt(components.q.bytes)
        default:
            throw CryptoError.unsupported("writing \(key.publicKey.keyType) keys")
        }
    }
}
