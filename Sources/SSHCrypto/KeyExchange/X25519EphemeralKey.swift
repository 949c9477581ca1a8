import COpenSSL
import CShims

/// An X25519 key pair for one key exchange (RFC 7748 §5, §6.1), over OpenSSL's `X25519` keys.
/// Shared by curve25519-sha256 and the X25519 half of mlkem768x25519-sha256.
struct X25519EphemeralKey: Sendable {
    /// Length of an X25519 private key, public key (u-coordinate) and raw shared secret
    /// (RFC 7748 §5: 32-byte strings for X25519).
    static let keyLength = 32

    private let key: KeyExchangeEVPKey
    /// The 32-byte public key.
    let publicKey: [UInt8]

    /// A fresh random key pair.
    static func generate() throws -> X25519EphemeralKey {
        OpenSSL.initialize()
        return try X25519EphemeralKey(key: KeyExchangeEVPKey(taking: sshd_kex_generate("X25519", nil), operation: "X25519 keygen"))
    }

    /// A key pair from a fixed 32-byte private key (known-answer tests). Not public API.
    init(privateKey: [UInt8]) throws {
        guard privateKey.count == Self.keyLength else {
            throw CryptoError.invalidKey("X25519 private key must be \(Self.keyLength) bytes")
        }
        OpenSSL.initialize()
        let pointer = privateKey.withUnsafeBufferPointer {
            EVP_PKEY_new_raw_private_key_ex(nil, "X25519", nil, $0.baseAddress, $0.count)
        }
        try self.init(key: KeyExchangeEVPKey(taking: pointer, operation: "EVP_PKEY_new_raw_private_key_ex"))
    }

    private init(key: KeyExchangeEVPKey) throws {
        self.key = key
        publicKey = try key.rawPublicKey()
        guard publicKey.count == Self.keyLength else {
            throw CryptoError.invalidKey("X25519 public key is not \(Self.keyLength) bytes")
        }
    }

    /// The raw 32-byte X25519 output with the peer's public key.
    ///
    /// Throws ``CryptoError/invalidPublicValue(_:)`` when the peer's key is not exactly 32 bytes,
    /// or when the output is all zero (a small-order peer point): RFC 7748 §6.1 and RFC 8731 §3
    /// require aborting then. OpenSSL already refuses an all-zero result; the check is repeated
    /// here so the rule does not rest on that.
    func rawSharedSecret(peerPublicKey: [UInt8]) throws -> SecureBytes {
        guard peerPublicKey.count == Self.keyLength else {
            throw CryptoError.invalidPublicValue("X25519 public value must be \(Self.keyLength) bytes, got \(peerPublicKey.count)")
        }
        let allZero = CryptoError.invalidPublicValue("X25519 shared secret is all zero")
        let pointer = peerPublicKey.withUnsafeBufferPointer {
            EVP_PKEY_new_raw_public_key_ex(nil, "X25519", nil, $0.baseAddress, $0.count)
        }
        let peer = try KeyExchangeEVPKey(taking: pointer, operation: "EVP_PKEY_new_raw_public_key_ex")
        let secret = try key.derive(with: peer, failure: allZero)
        guard secret.count == Self.keyLength else {
            throw CryptoError.openssl(operation: "X25519 derive", detail: "unexpected length \(secret.count)")
        }
        let zeros = [UInt8](repeating: 0, count: Self.keyLength)
        let isZero = secret.withUnsafeBytes { s in zeros.withUnsafeBytes { z in constantTimeEquals(s, z) } }
        guard !isZero else { throw allZero }
        return secret
    }
}
