import COpenSSL

/// AES-GCM with a 96-bit IV and a 128-bit tag over one keyed `EVP_CIPHER_CTX` (NIST SP 800-38D).
/// The packet protection (``AESGCMPacketProtection``) drives it per packet; the known-answer
/// tests call the same methods.
///
/// ### Invariants
/// - One direction: a sealing instance only seals, an opening one only opens.
/// - ``open(iv:additionalData:text:tag:)`` decrypts in place before OpenSSL checks the tag; on
///   failure the text is garbage and must be discarded (the error says so).
final class AESGCM {
    /// RFC 5647 §7.1 and NIST SP 800-38D §5.2.1.1: the 96-bit IV.
    static let ivLength = 12
    /// RFC 5647 §5.2: the authentication tag is 16 bytes.
    static let tagLength = 16

    private let context: EVPCipherContext
    let isSealing: Bool

    /// Keys AES-128-GCM or AES-256-GCM by the key's length (16 or 32 bytes).
    init(key: UnsafeRawBufferPointer, sealing: Bool) throws {
        let cipher: OpaquePointer?
        switch key.count {
        case 16: cipher = EVP_aes_128_gcm()
        case 32: cipher = EVP_aes_256_gcm()
        default: throw CryptoError.invalidKey("AES-GCM key must be 16 or 32 bytes, not \(key.count)")
        }
        context = try EVPCipherContext(cipher: cipher, key: key, iv: nil, encrypting: sealing, operation: "AES-GCM")
        isSealing = sealing
    }

    /// Encrypts `text` in place and writes the 16-byte tag to `tag`.
    /// - Parameter iv: 12 bytes.
    func seal(
        iv: UnsafeRawPointer, additionalData: UnsafeRawBufferPointer, text: UnsafeMutableRawBufferPointer,
        tag: UnsafeMutableRawBufferPointer
    ) throws {
        guard isSealing else { throw CryptoError.unsupported("seal on an opening AES-GCM context") }
        guard tag.count == Self.tagLength else { throw CryptoError.unsupported("AES-GCM tag must be 16 bytes") }
        try context.setIV(iv)
        try context.authenticateAdditionalData(additionalData)
        try context.transform(text)
        guard context.finish() else { throw CryptoError.fromOpenSSL("EVP_CipherFinal_ex(AES-GCM)") }
        try context.readTag(into: tag)
    }

    /// ``seal(iv:additionalData:text:tag:)`` with `text[body]` taken from `source` rather than
    /// from `text`: encrypted from there into place in the same pass.
    func seal(
        iv: UnsafeRawPointer, additionalData: UnsafeRawBufferPointer, text: UnsafeMutableRawBufferPointer,
        body: Range<Int>, from source: UnsafeRawBufferPointer, tag: UnsafeMutableRawBufferPointer
    ) throws {
        guard isSealing else { throw CryptoError.unsupported("seal on an opening AES-GCM context") }
        guard tag.count == Self.tagLength else { throw CryptoError.unsupported("AES-GCM tag must be 16 bytes") }
        try context.setIV(iv)
        try context.authenticateAdditionalData(additionalData)
        try context.transform(UnsafeMutableRawBufferPointer(rebasing: text[0..<body.lowerBound]))
        try context.transform(from: source, into: UnsafeMutableRawBufferPointer(rebasing: text[body]))
        try context.transform(UnsafeMutableRawBufferPointer(rebasing: text[body.upperBound...]))
        guard context.finish() else { throw CryptoError.fromOpenSSL("EVP_CipherFinal_ex(AES-GCM)") }
        try context.readTag(into: tag)
    }

    /// Decrypts `text` in place and verifies `tag`; throws ``CryptoError/authenticationFailure``
    /// when the tag does not match (then `text` must not be used).
    func open(
        iv: UnsafeRawPointer, additionalData: UnsafeRawBufferPointer, text: UnsafeMutableRawBufferPointer,
        tag: UnsafeRawBufferPointer
    ) throws {
        guard !isSealing else { throw CryptoError.unsupported("open on a sealing AES-GCM context") }
        guard tag.count == Self.tagLength else { throw CryptoError.authenticationFailure }
        try context.setIV(iv)
        try context.authenticateAdditionalData(additionalData)
        try context.transform(text)
        try context.setExpectedTag(tag)
        guard context.finish() else { throw CryptoError.authenticationFailure }
    }
}
