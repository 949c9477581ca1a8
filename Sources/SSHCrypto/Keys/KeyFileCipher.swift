import COpenSSL

/// The ciphers an `openssh-key-v1` file may be encrypted with (PROTOCOL.key: "ciphername"), with
/// the key and IV sizes OpenSSH's cipher.c gives them. The key and IV come from the KDF in one
/// piece, key first.
///
/// Only key files use this (one whole buffer at once, sequence number 0); the transport's
/// ciphers live elsewhere.
struct KeyFileCipher: Sendable {
    enum Mode: Sendable {
        case none, ctr, cbc, gcm, chachaPoly
    }

    let name: String
    let keyLength: Int
    let ivLength: Int
    /// The private section is padded to a multiple of this (PROTOCOL.key; 8 for `none`).
    let blockSize: Int
    /// The AEAD tag that follows the encrypted section (0 for non-AEAD ciphers).
    let tagLength: Int
    let mode: Mode

    static let none = KeyFileCipher(name: "none", keyLength: 0, ivLength: 0, blockSize: 8, tagLength: 0, mode: .none)
    /// ssh-keygen's default for new encrypted keys.
    static let aes256CTR = KeyFileCipher(name: "aes256-ctr", keyLength: 32, ivLength: 16, blockSize: 16, tagLength: 0, mode: .ctr)

    static let all: [KeyFileCipher] = [
        .none,
        KeyFileCipher(name: "aes128-ctr", keyLength: 16, ivLength: 16, blockSize: 16, tagLength: 0, mode: .ctr),
        KeyFileCipher(name: "aes192-ctr", keyLength: 24, ivLength: 16, blockSize: 16, tagLength: 0, mode: .ctr),
        .aes256CTR,
        KeyFileCipher(name: "aes128-cbc", keyLength: 16, ivLength: 16, blockSize: 16, tagLength: 0, mode: .cbc),
        KeyFileCipher(name: "aes192-cbc", keyLength: 24, ivLength: 16, blockSize: 16, tagLength: 0, mode: .cbc),
        KeyFileCipher(name: "aes256-cbc", keyLength: 32, ivLength: 16, blockSize: 16, tagLength: 0, mode: .cbc),
        KeyFileCipher(name: "aes128-gcm@openssh.com", keyLength: 16, ivLength: 12, blockSize: 16, tagLength: 16, mode: .gcm),
        KeyFileCipher(name: "aes256-gcm@openssh.com", keyLength: 32, ivLength: 12, blockSize: 16, tagLength: 16, mode: .gcm),
        // PROTOCOL.chacha20poly1305: a 64-byte key (main key first, then the length key), no IV.
        KeyFileCipher(name: "chacha20-poly1305@openssh.com", keyLength: 64, ivLength: 0, blockSize: 8, tagLength: 16, mode: .chachaPoly),
    ]

    static func named(_ name: String) -> KeyFileCipher? { all.first { $0.name == name } }

    /// The OpenSSL cipher for the CTR, CBC and GCM modes.
    private var evpCipher: OpaquePointer? {
        switch (mode, keyLength) {
        case (.ctr, 16): EVP_aes_128_ctr()
        case (.ctr, 24): EVP_aes_192_ctr()
        case (.ctr, 32): EVP_aes_256_ctr()
        case (.cbc, 16): EVP_aes_128_cbc()
        case (.cbc, 24): EVP_aes_192_cbc()
        case (.cbc, 32): EVP_aes_256_cbc()
        case (.gcm, 16): EVP_aes_128_gcm()
        case (.gcm, 32): EVP_aes_256_gcm()
        default: nil
        }
    }

    /// Decrypts `ciphertext` (a multiple of ``blockSize``) with `keyMaterial` (key then IV).
    /// Throws ``CryptoError/wrongPassphrase`` when the AEAD tag does not verify.
    func decrypt(_ ciphertext: [UInt8], tag: [UInt8], keyMaterial: SecureBytes) throws -> SecureBytes {
        try crypt(ciphertext, tag: tag, keyMaterial: keyMaterial, encrypt: false).output
    }

    /// Encrypts `plaintext` and returns the ciphertext and tag (empty for non-AEAD ciphers).
    func encrypt(_ plaintext: SecureBytes, keyMaterial: SecureBytes) throws -> (ciphertext: [UInt8], tag: [UInt8]) {
        let result = try crypt(plaintext.bytes, tag: [], keyMaterial: keyMaterial, encrypt: true)
        return (result.output.bytes, result.tag)
    }

    private func crypt(_ input: [UInt8], tag: [UInt8], keyMaterial: SecureBytes, encrypt: Bool) throws -> (output: SecureBytes, tag: [UInt8]) {
        guard keyMaterial.count == keyLength + ivLength, input.count % blockSize == 0,
            encrypt || tag.count == tagLength
        else { throw CryptoError.invalidKeyFile("\(name): wrong key, IV or data length") }
        OpenSSL.initialize()
        let key = keyMaterial.prefix(keyLength)
        let iv = Array(keyMaterial.bytes[keyLength...])
        switch mode {
        case .none:
            return (SecureBytes(input), [])
        case .ctr, .cbc, .gcm:
            guard let cipher = evpCipher else { throw CryptoError.unsupported(name) }
            return try evpCrypt(cipher, key: key, iv: iv, input: input, tag: tag, encrypt: encrypt)
        case .chachaPoly:
            return try chachaPolyCrypt(key: key, input: input, tag: tag, encrypt: encrypt)
        }
    }

    private func evpCrypt(
        _ cipher: OpaquePointer, key: SecureBytes, iv: [UInt8], input: [UInt8], tag: [UInt8], encrypt: Bool
    ) throws -> (output: SecureBytes, tag: [UInt8]) {
        guard let context = EVP_CIPHER_CTX_new() else { throw CryptoError.fromOpenSSL("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(context) }
        let initialised = key.withUnsafeBytes { keyBytes in
            iv.withUnsafeBufferPointer { ivBytes in
                EVP_CipherInit_ex(
                    context, cipher, nil, keyBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), ivBytes.baseAddress,
                    encrypt ? 1 : 0)
            }
        }
        guard initialised == 1, EVP_CIPHER_CTX_set_padding(context, 0) == 1 else {
            throw CryptoError.fromOpenSSL("EVP_CipherInit_ex(\(name))")
        }
        let output = SecureBytes(count: input.count + 32)
        var total: Int32 = 0
        let updated = output.withUnsafeMutableBytes { out in
            EVPKey.withNonNullBytes(input) { pointer, count -> Int32 in
                guard let length = Int32(exactly: count) else { return 0 }
                return EVP_CipherUpdate(context, out.baseAddress?.assumingMemoryBound(to: UInt8.self), &total, pointer, length)
            }
        }
        guard updated == 1 else { throw CryptoError.fromOpenSSL("EVP_CipherUpdate(\(name))") }
        if mode == .gcm, !encrypt {
            var tagCopy = tag
            guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, Int32(tagLength), &tagCopy) == 1 else {
                throw CryptoError.fromOpenSSL("EVP_CTRL_AEAD_SET_TAG")
            }
        }
        var finalLength: Int32 = 0
        let finished = output.withUnsafeMutableBytes { out in
            EVP_CipherFinal_ex(context, out.baseAddress?.assumingMemoryBound(to: UInt8.self).advanced(by: Int(total)), &finalLength)
        }
        guard finished == 1 else {
            ERR_clear_error()
            if mode == .gcm { throw CryptoError.wrongPassphrase }
            throw CryptoError.invalidKeyFile("\(name): decryption failed")
        }
        var outputTag: [UInt8] = []
        if mode == .gcm, encrypt {
            outputTag = [UInt8](repeating: 0, count: tagLength)
            guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, Int32(tagLength), &outputTag) == 1 else {
                throw CryptoError.fromOpenSSL("EVP_CTRL_AEAD_GET_TAG")
            }
        }
        return (output.prefix(Int(total + finalLength)), outputTag)
    }

    /// chacha20-poly1305@openssh.com at sequence number 0 with no length field (what key files use,
    /// PROTOCOL.chacha20poly1305): the Poly1305 key is the first 32 bytes of ChaCha20 block 0 under
    /// the main key; the data is encrypted from block 1; the tag covers the ciphertext.
    private func chachaPolyCrypt(key: SecureBytes, input: [UInt8], tag: [UInt8], encrypt: Bool) throws -> (output: SecureBytes, tag: [UInt8]) {
        let mainKey = key.prefix(32)
        let polyKey = try chacha20(key: mainKey, counter: 0, input: [UInt8](repeating: 0, count: 32))
        if encrypt {
            let ciphertext = try chacha20(key: mainKey, counter: 1, input: input)
            return (ciphertext, try poly1305(key: polyKey, message: ciphertext.bytes))
        }
        let expected = try poly1305(key: polyKey, message: input)
        guard constantTimeEquals(expected, tag) else { throw CryptoError.wrongPassphrase }
        return (try chacha20(key: mainKey, counter: 1, input: input), [])
    }

    /// The original ChaCha20 (64-bit counter, 64-bit nonce, here 0) through OpenSSL, whose 16-byte
    /// IV is the last four state words: counter then nonce, little-endian.
    private func chacha20(key: SecureBytes, counter: UInt8, input: [UInt8]) throws -> SecureBytes {
        var iv = [UInt8](repeating: 0, count: 16)
        iv[0] = counter
        guard let cipher = EVP_chacha20(), let context = EVP_CIPHER_CTX_new() else { throw CryptoError.fromOpenSSL("EVP_chacha20") }
        defer { EVP_CIPHER_CTX_free(context) }
        let initialised = key.withUnsafeBytes { keyBytes in
            EVP_EncryptInit_ex(context, cipher, nil, keyBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), &iv)
        }
        guard initialised == 1 else { throw CryptoError.fromOpenSSL("EVP_EncryptInit_ex(chacha20)") }
        let output = SecureBytes(count: input.count)
        var length: Int32 = 0
        let updated = output.withUnsafeMutableBytes { out in
            EVPKey.withNonNullBytes(input) { pointer, count -> Int32 in
                guard let count32 = Int32(exactly: count) else { return 0 }
                return EVP_EncryptUpdate(context, out.baseAddress?.assumingMemoryBound(to: UInt8.self), &length, pointer, count32)
            }
        }
        guard updated == 1, Int(length) == input.count else { throw CryptoError.fromOpenSSL("EVP_EncryptUpdate(chacha20)") }
        return output
    }

    private func poly1305(key: SecureBytes, message: [UInt8]) throws -> [UInt8] {
        guard let mac = EVP_MAC_fetch(nil, "POLY1305", nil) else { throw CryptoError.fromOpenSSL("EVP_MAC_fetch(POLY1305)") }
        defer { EVP_MAC_free(mac) }
        guard let context = EVP_MAC_CTX_new(mac) else { throw CryptoError.fromOpenSSL("EVP_MAC_CTX_new") }
        defer { EVP_MAC_CTX_free(context) }
        let initialised = key.withUnsafeBytes {
            EVP_MAC_init(context, $0.baseAddress?.assumingMemoryBound(to: UInt8.self), $0.count, nil)
        }
        guard initialised == 1, EVPKey.withNonNullBytes(message, { EVP_MAC_update(context, $0, $1) }) == 1 else {
            throw CryptoError.fromOpenSSL("EVP_MAC_update(POLY1305)")
        }
        var tag = [UInt8](repeating: 0, count: 16)
        var length = 0
        guard EVP_MAC_final(context, &tag, &length, tag.count) == 1, length == 16 else {
            throw CryptoError.fromOpenSSL("EVP_MAC_final(POLY1305)")
        }
        return tag
    }
}
