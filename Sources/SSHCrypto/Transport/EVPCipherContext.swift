import COpenSSL

/// One `EVP_CIPHER_CTX`, keyed once and then driven in place, packet after packet (DESIGN §9).
///
/// ### Invariants
/// - The context is keyed at initialisation; per packet only the IV is re-set
///   (``setIV(_:)``) and data is transformed in place, so the hot path does not allocate.
/// - Padding is off: callers pass whole blocks to block modes (CBC) and any length to stream
///   modes (CTR, GCM, ChaCha20), and the context never holds bytes back.
/// - Freed in `deinit` (STYLE §6).
final class EVPCipherContext {
    private let context: OpaquePointer

    /// The largest length one EVP call takes (its length parameters are `int`).
    static let maximumChunk = Int(Int32.max)

    /// Keys a new context for `cipher` (a static `EVP_CIPHER`, e.g. `EVP_aes_128_ctr()`).
    /// - Parameters:
    ///   - iv: the IV, or nil when it is set per packet with ``setIV(_:)``.
    ///   - encrypting: the direction; for CTR and ChaCha20 both directions are the same
    ///     transform, for GCM and CBC it matters.
    init(
        cipher: OpaquePointer?, key: UnsafeRawBufferPointer, iv: UnsafeRawBufferPointer?, encrypting: Bool,
        operation: String
    ) throws {
        OpenSSL.initialize()
        guard let cipher, let context = EVP_CIPHER_CTX_new() else { throw CryptoError.fromOpenSSL(operation) }
        self.context = context
        if let iv, iv.count != Int(EVP_CIPHER_get_iv_length(cipher)) {
            throw CryptoError.invalidKey("\(operation): IV must be \(EVP_CIPHER_get_iv_length(cipher)) bytes")
        }
        // Cipher first, then the key length where it is not the cipher's default (RC4, Blowfish and
        // CAST5 take several; fixed-key ciphers such as AES refuse), then key and IV.
        let direction: Int32 = encrypting ? 1 : 0
        guard EVP_CipherInit_ex(context, cipher, nil, nil, nil, direction) == 1 else {
            throw CryptoError.fromOpenSSL(operation)
        }
        if Int(EVP_CIPHER_CTX_get_key_length(context)) != key.count {
            guard key.count <= Int(Int32.max), EVP_CIPHER_CTX_set_key_length(context, Int32(key.count)) == 1 else {
                ERR_clear_error()
                throw CryptoError.invalidKey("\(operation): key must be \(EVP_CIPHER_get_key_length(cipher)) bytes")
            }
        }
        guard EVP_CipherInit_ex(
                context, nil, nil, key.baseAddress?.assumingMemoryBound(to: UInt8.self),
                iv.flatMap { $0.count > 0 ? $0.baseAddress?.assumingMemoryBound(to: UInt8.self) : nil }, direction) == 1,
            EVP_CIPHER_CTX_set_padding(context, 0) == 1
        else { throw CryptoError.fromOpenSSL(operation) }
    }

    deinit { EVP_CIPHER_CTX_free(context) }

    /// Re-sets the IV (nonce) and keeps key and direction.
    func setIV(_ iv: UnsafeRawPointer) throws {
        guard EVP_CipherInit_ex(context, nil, nil, nil, iv.assumingMemoryBound(to: UInt8.self), -1) == 1 else {
            throw CryptoError.fromOpenSSL("EVP_CipherInit_ex(iv)")
        }
    }

    /// Feeds additional authenticated data to an AEAD mode (GCM).
    func authenticateAdditionalData(_ data: UnsafeRawBufferPointer) throws {
        guard data.count > 0 else { return }
        guard data.count <= Self.maximumChunk else { throw CryptoError.unsupported("AAD too long") }
        var written: Int32 = 0
        let ok = EVP_CipherUpdate(
            context, nil, &written, data.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(data.count))
        guard ok == 1 else { throw CryptoError.fromOpenSSL("EVP_CipherUpdate(aad)") }
    }

    /// Encrypts or decrypts `buffer` in place. For CBC, `buffer.count` must be a multiple of
    /// the block size (the caller checks; with padding off EVP would otherwise hold bytes back).
    func transform(_ buffer: UnsafeMutableRawBufferPointer) throws {
        try transform(from: UnsafeRawBufferPointer(buffer), into: buffer)
    }

    /// Encrypts or decrypts `source` into `destination` (same length; the same bytes, or not
    /// overlapping): a stream or AEAD mode continues where the last call left off, so a packet
    /// may be transformed in parts, some in place and some from elsewhere.
    func transform(from source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws {
        guard source.count > 0, let input = source.baseAddress, let output = destination.baseAddress else { return }
        guard source.count == destination.count else { throw CryptoError.unsupported("transform of unequal lengths") }
        guard source.count <= Self.maximumChunk else { throw CryptoError.unsupported("packet too long") }
        var written: Int32 = 0
        guard EVP_CipherUpdate(
            context, output.assumingMemoryBound(to: UInt8.self), &written, input.assumingMemoryBound(to: UInt8.self),
            Int32(source.count)) == 1,
            Int(written) == source.count
        else { throw CryptoError.fromOpenSSL("EVP_CipherUpdate") }
    }

    /// Finishes an AEAD operation. When decrypting GCM this checks the tag set by
    /// ``setExpectedTag(_:)`` (OpenSSL compares with `CRYPTO_memcmp`) and returns false on mismatch.
    func finish() -> Bool {
        var scratch: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var written: Int32 = 0
        let ok = withUnsafeMutableBytes(of: &scratch) { out in
            EVP_CipherFinal_ex(context, out.baseAddress?.assumingMemoryBound(to: UInt8.self), &written) == 1
        }
        // A tag mismatch may queue an error; the caller reports it as an authentication failure.
        if !ok { ERR_clear_error() }
        return ok
    }

    /// Reads the tag after an encrypting AEAD ``finish()`` into `tag` (its whole length).
    func readTag(into tag: UnsafeMutableRawBufferPointer) throws {
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, Int32(tag.count), tag.baseAddress) == 1 else {
            throw CryptoError.fromOpenSSL("EVP_CTRL_AEAD_GET_TAG")
        }
    }

    /// Sets the tag a decrypting AEAD ``finish()`` checks against.
    func setExpectedTag(_ tag: UnsafeRawBufferPointer) throws {
        guard let base = tag.baseAddress,
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, Int32(tag.count), UnsafeMutableRawPointer(mutating: base))
                == 1
        else { throw CryptoError.fromOpenSSL("EVP_CTRL_AEAD_SET_TAG") }
    }
}
