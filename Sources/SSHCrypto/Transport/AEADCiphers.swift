/// `aes128-gcm@openssh.com` and `aes256-gcm@openssh.com` (RFC 5647, OpenSSH PROTOCOL §1.6).
///
/// ### Invariants
/// - AEAD: the MAC negotiated next to it is ignored (OpenSSH PROTOCOL §1.6).
/// - RFC 5647 §7.1: the key derivation supplies 12 IV bytes (fixed field ‖ invocation counter).
public struct AESGCMCipher: CipherAlgorithm {
    public let name: String
    public let keyLength: Int
    public var ivLength: Int { AESGCM.ivLength }
    /// RFC 5647 §7.2: the AES block size.
    public var blockSize: Int { 16 }
    public var isAEAD: Bool { true }

    /// `aes128-gcm@openssh.com`: a 128-bit key.
    public static let aes128 = AESGCMCipher(name: "aes128-gcm@openssh.com", keyLength: 16)
    /// `aes256-gcm@openssh.com`: a 256-bit key.
    public static let aes256 = AESGCMCipher(name: "aes256-gcm@openssh.com", keyLength: 32)

    public func makeProtection(
        key: SecureBytes, iv: SecureBytes, mac: (any MACAlgorithm)?, macKey: SecureBytes?, sealing: Bool
    ) throws -> any PacketProtection {
        guard key.count == keyLength else {
            throw CryptoError.invalidKey("\(name) key must be \(keyLength) bytes, not \(key.count)")
        }
        return try AESGCMPacketProtection(key: key, iv: iv, sealing: sealing)
    }
}

/// `chacha20-poly1305@openssh.com` (OpenSSH PROTOCOL.chacha20poly1305).
///
/// ### Invariants
/// - AEAD: the MAC negotiated next to it is ignored; no IV is derived (the nonce is the
///   sequence number).
/// - The 64-byte key is K_2 (first 32 bytes) ‖ K_1 (last 32 bytes).
public struct ChaCha20Poly1305Cipher: CipherAlgorithm {
    public var name: String { "chacha20-poly1305@openssh.com" }
    public var keyLength: Int { ChaCha20Poly1305PacketProtection.keyLength }
    public var ivLength: Int { 0 }
    /// OpenSSH PROTOCOL.chacha20poly1305: padding as for an 8-byte block cipher.
    public var blockSize: Int { 8 }
    public var isAEAD: Bool { true }

    public init() {}

    public func makeProtection(
        key: SecureBytes, iv: SecureBytes, mac: (any MACAlgorithm)?, macKey: SecureBytes?, sealing: Bool
    ) throws -> any PacketProtection {
        try ChaCha20Poly1305PacketProtection(key: key, sealing: sealing)
    }
}
