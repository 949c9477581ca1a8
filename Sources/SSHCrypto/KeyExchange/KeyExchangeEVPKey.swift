import COpenSSL
import CShims

/// Owns one OpenSSL `EVP_PKEY` used in a key exchange (an ephemeral key pair, or a peer's public
/// key) and frees it on release (STYLE §6).
///
/// ### Invariants
/// - The key is never mutated after creation; OpenSSL keys are safe to use from several threads
///   once built, which is why this class may be `Sendable`.
final class KeyExchangeEVPKey: @unchecked Sendable {
    let pointer: OpaquePointer

    /// Takes ownership of `pointer`, or throws the OpenSSL error for `operation` when it is nil.
    init(taking pointer: OpaquePointer?, operation: String) throws {
        guard let pointer else { throw CryptoError.fromOpenSSL(operation) }
        self.pointer = pointer
    }

    deinit { EVP_PKEY_free(pointer) }

    // MARK: - Key agreement

    /// The raw `EVP_PKEY_derive` output of this private key with `peer`'s public key.
    /// Throws `failure` (with OpenSSL's queue cleared) when OpenSSL refuses the derivation.
    func derive(with peer: KeyExchangeEVPKey, failure: CryptoError) throws -> SecureBytes {
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, pointer, nil) else {
            throw CryptoError.fromOpenSSL("EVP_PKEY_CTX_new_from_pkey")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var length = 0
        guard EVP_PKEY_derive_init(context) == 1, EVP_PKEY_derive_set_peer(context, peer.pointer) == 1,
            EVP_PKEY_derive(context, nil, &length) == 1, length > 0
        else {
            ERR_clear_error()
            throw failure
        }
        let secret = SecureBytes(count: length)
        let ok = secret.withUnsafeMutableBytes { buffer in
            EVP_PKEY_derive(context, buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), &length)
        }
        guard ok == 1 else {
            ERR_clear_error()
            throw failure
        }
        // OpenSSL may return fewer bytes than its first answer (unpadded DH).
        return length == secret.count ? secret : secret.prefix(length)
    }

    // MARK: - Public values

    /// The raw public key (X25519: the 32-byte u-coordinate, RFC 7748 §5).
    func rawPublicKey() throws -> [UInt8] {
        var length = 0
        guard EVP_PKEY_get_raw_public_key(pointer, nil, &length) == 1 else {
            throw CryptoError.fromOpenSSL("EVP_PKEY_get_raw_public_key")
        }
        var bytes = [UInt8](repeating: 0, count: length)
        guard EVP_PKEY_get_raw_public_key(pointer, &bytes, &length) == 1 else {
            throw CryptoError.fromOpenSSL("EVP_PKEY_get_raw_public_key")
        }
        return Array(bytes.prefix(length))
    }

    /// An octet-string parameter, e.g. `OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY` (an EC point).
    func octetStringParameter(_ name: String) throws -> [UInt8] {
        var length = 0
        guard EVP_PKEY_get_octet_string_param(pointer, name, nil, 0, &length) == 1 else {
            throw CryptoError.fromOpenSSL("EVP_PKEY_get_octet_string_param(\(name))")
        }
        var bytes = [UInt8](repeating: 0, count: length)
        guard EVP_PKEY_get_octet_string_param(pointer, name, &bytes, length, &length) == 1 else {
            throw CryptoError.fromOpenSSL("EVP_PKEY_get_octet_string_param(\(name))")
        }
        return Array(bytes.prefix(length))
    }

    /// A big-number parameter (e.g. `OSSL_PKEY_PARAM_PUB_KEY`, `OSSL_PKEY_PARAM_FFC_P`) as its
    /// big-endian magnitude without leading zeros.
    func bigNumberParameter(_ name: String) throws -> [UInt8] {
        var number: OpaquePointer?
        guard EVP_PKEY_get_bn_param(pointer, name, &number) == 1, let number else {
            throw CryptoError.fromOpenSSL("EVP_PKEY_get_bn_param(\(name))")
        }
        defer { BN_clear_free(number) }
        var bytes = [UInt8](repeating: 0, count: (Int(BN_num_bits(number)) + 7) / 8)
        let written = BN_bn2bin(number, &bytes)
        return Array(bytes.prefix(Int(max(0, written))))
    }

    /// The size in bits of a big-number parameter (for checks on private exponents).
    func bigNumberParameterBits(_ name: String) throws -> Int {
        var number: OpaquePointer?
        guard EVP_PKEY_get_bn_param(pointer, name, &number) == 1, let number else {
            throw CryptoError.fromOpenSSL("EVP_PKEY_get_bn_param(\(name))")
        }
        defer { BN_clear_free(number) }
        return Int(BN_num_bits(number))
    }
}
