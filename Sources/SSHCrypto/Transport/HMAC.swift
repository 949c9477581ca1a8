import COpenSSL

/// HMAC (RFC 2104) over `EVP_MAC` "HMAC", keyed once for a connection direction.
///
/// ### Invariants
/// - The key is set once at initialisation. ``start()`` re-initialises with
///   `EVP_MAC_init(ctx, NULL, 0, NULL)`, which in OpenSSL 3 restarts the MAC under the key
///   already set (the known-answer tests run every vector twice through one context to hold
///   OpenSSL to that).
/// - ``finish(into:)`` writes the full digest; truncated MACs (`-96`) compare a prefix.
final class HMAC {
    private let context: OpaquePointer
    /// The digest (and untruncated MAC) length in bytes.
    let digestLength: Int

    /// - Parameter digest: an OpenSSL digest name (`SHA256`, `SHA512`, `SHA1`, `MD5`).
    init(digest: String, key: UnsafeRawBufferPointer) throws {
        OpenSSL.initialize()
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil) else { throw CryptoError.fromOpenSSL("EVP_MAC_fetch(HMAC)") }
        defer { EVP_MAC_free(mac) }
        guard let context = EVP_MAC_CTX_new(mac) else { throw CryptoError.fromOpenSSL("EVP_MAC_CTX_new(HMAC)") }
        var name = Array(digest.utf8CString)
        let keyed = name.withUnsafeMutableBufferPointer { name in
            var params = [
                OSSL_PARAM_construct_utf8_string("digest", name.baseAddress, 0),
                OSSL_PARAM_construct_end(),
            ]
            // A zero-length key is legal HMAC; give OpenSSL a valid pointer for it.
            var empty: UInt8 = 0
            return withUnsafeMutablePointer(to: &empty) { empty in
                EVP_MAC_init(
                    context, key.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(empty), key.count,
                    &params)
            }
        }
        let size = EVP_MAC_CTX_get_mac_size(context)
        guard keyed == 1, size > 0 else {
            let error = CryptoError.fromOpenSSL("EVP_MAC_init(HMAC \(digest))")
            EVP_MAC_CTX_free(context)
            throw error
        }
        self.context = context
        self.digestLength = size
    }

    deinit { EVP_MAC_CTX_free(context) }

    /// Starts a new message under the same key.
    func start() throws {
        guard EVP_MAC_init(context, nil, 0, nil) == 1 else { throw CryptoError.fromOpenSSL("EVP_MAC_init(HMAC)") }
    }

    func update(_ data: UnsafeRawBufferPointer) throws {
        guard data.count > 0 else { return }
        guard EVP_MAC_update(context, data.baseAddress?.assumingMemoryBound(to: UInt8.self), data.count) == 1 else {
            throw CryptoError.fromOpenSSL("EVP_MAC_update(HMAC)")
        }
    }

    /// Writes the MAC to the first ``digestLength`` bytes of `output`.
    func finish(into output: UnsafeMutableRawBufferPointer) throws {
        guard output.count >= digestLength else { throw CryptoError.unsupported("HMAC output buffer too small") }
        var written = 0
        guard EVP_MAC_final(context, output.baseAddress?.assumingMemoryBound(to: UInt8.self), &written, output.count)
            == 1, written == digestLength
        else { throw CryptoError.fromOpenSSL("EVP_MAC_final(HMAC)") }
    }
}
