import COpenSSL

/// Block ciphers in CTR (RFC 4344 §4) or CBC (RFC 4253 §6.3) mode, and the RC4 stream ciphers
/// (RFC 4253 §6.3, RFC 4345), paired with an ``HMACAlgorithm``.
///
/// ### Invariants
/// - Not AEAD: `makeProtection` requires an ``HMACAlgorithm`` and its key.
/// - RFC 4253 §6.3 / RFC 4344 §4: the cipher state runs on from packet to packet (the CTR
///   counter, the CBC chaining value); it is never reset inside a connection direction.
public struct BlockModeCipher: CipherAlgorithm {
    /// How the block cipher is chained.
    public enum Mode: Sendable, Equatable {
        /// RFC 4344 §4: a stream; the IV is the initial counter, incremented as a big-endian integer.
        case ctr
        /// RFC 4253 §6.3: cipher block chaining; every encrypted range is whole blocks.
        case cbc
        /// RC4 with no IV; RFC 4345 §4 discards the first `discardedKeyStream` bytes of key stream.
        case arcfour(discardedKeyStream: Int)
    }

    public let name: String
    public let keyLength: Int
    public let ivLength: Int
    public let blockSize: Int
    public let mode: Mode
    /// The OpenSSL cipher name for `EVP_CIPHER_fetch`.
    let openSSLName: String
    public var isAEAD: Bool { false }

    private init(_ name: String, openSSL: String, keyLength: Int, blockSize: Int, mode: Mode) {
        self.name = name
        self.openSSLName = openSSL
        self.keyLength = keyLength
        if case .arcfour = mode { self.ivLength = 0 } else { self.ivLength = blockSize }
        self.blockSize = blockSize
        self.mode = mode
    }

    // MARK: - RFC 4344 §4 CTR

    public static let aes128CTR = BlockModeCipher("aes128-ctr", openSSL: "AES-128-CTR", keyLength: 16, blockSize: 16, mode: .ctr)
    public static let aes192CTR = BlockModeCipher("aes192-ctr", openSSL: "AES-192-CTR", keyLength: 24, blockSize: 16, mode: .ctr)
    public static let aes256CTR = BlockModeCipher("aes256-ctr", openSSL: "AES-256-CTR", keyLength: 32, blockSize: 16, mode: .ctr)

    // MARK: - Legacy CBC (RFC 4253 §6.3): implemented, off by default (DESIGN §4)

    public static let insecureAES128CBC = BlockModeCipher(
        "aes128-cbc", openSSL: "AES-128-CBC", keyLength: 16, blockSize: 16, mode: .cbc)
    public static let insecureAES192CBC = BlockModeCipher(
        "aes192-cbc", openSSL: "AES-192-CBC", keyLength: 24, blockSize: 16, mode: .cbc)
    public static let insecureAES256CBC = BlockModeCipher(
        "aes256-cbc", openSSL: "AES-256-CBC", keyLength: 32, blockSize: 16, mode: .cbc)
    /// RFC 4253 §6.3: three-key 3DES-EDE in CBC mode (REQUIRED there).
    public static let insecureTripleDESCBC = BlockModeCipher(
        "3des-cbc", openSSL: "DES-EDE3-CBC", keyLength: 24, blockSize: 8, mode: .cbc)

    /// Blowfish in CBC mode with a 128-bit key (RFC 4253 §6.3).
    public static let insecureBlowfishCBC = BlockModeCipher(
        "blowfish-cbc", openSSL: "BF-CBC", keyLength: 16, blockSize: 8, mode: .cbc)
    /// CAST-128 in CBC mode with a 128-bit key (RFC 4253 §6.3).
    public static let insecureCAST128CBC = BlockModeCipher(
        "cast128-cbc", openSSL: "CAST5-CBC", keyLength: 16, blockSize: 8, mode: .cbc)

    // MARK: - Legacy RC4 (RFC 4253 §6.3, RFC 4345): implemented, off by default (DESIGN §4)

    /// RFC 4345 §4: 1536 bytes of RC4 key stream are discarded before use.
    static let arcfourDiscard = 1536

    /// RFC 4253 §6.3: RC4 with a 128-bit key and nothing discarded.
    public static let insecureArcfour = BlockModeCipher(
        "arcfour", openSSL: "RC4", keyLength: 16, blockSize: 8, mode: .arcfour(discardedKeyStream: 0))
    public static let insecureArcfour128 = BlockModeCipher(
        "arcfour128", openSSL: "RC4", keyLength: 16, blockSize: 8, mode: .arcfour(discardedKeyStream: arcfourDiscard))
    public static let insecureArcfour256 = BlockModeCipher(
        "arcfour256", openSSL: "RC4", keyLength: 32, blockSize: 8, mode: .arcfour(discardedKeyStream: arcfourDiscard))

    public func makeProtection(
        key: SecureBytes, iv: SecureBytes, mac: (any MACAlgorithm)?, macKey: SecureBytes?, sealing: Bool
    ) throws -> any PacketProtection {
        guard let hmac = mac as? HMACAlgorithm, let macKey else {
            throw CryptoError.unsupported("\(name) needs an HMAC and its key")
        }
        guard key.count == keyLength, iv.count == ivLength else {
            throw CryptoError.invalidKey("\(name) takes a \(keyLength)-byte key and a \(ivLength)-byte IV")
        }
        guard macKey.count == hmac.keyLength else {
            throw CryptoError.invalidKey("\(hmac.name) key must be \(hmac.keyLength) bytes, not \(macKey.count)")
        }
        OpenSSL.initialize()
        guard let evpCipher = EVP_CIPHER_fetch(nil, openSSLName, nil) else {
            throw CryptoError.fromOpenSSL("EVP_CIPHER_fetch(\(openSSLName))")
        }
        defer { EVP_CIPHER_free(evpCipher) }
        let context = try key.withUnsafeBytes { key in
            try iv.withUnsafeBytes { iv in
                try EVPCipherContext(cipher: evpCipher, key: key, iv: iv, encrypting: sealing, operation: name)
            }
        }
        if case .arcfour(let discarded) = mode, discarded > 0 {
            var keyStream = [UInt8](repeating: 0, count: discarded)
            try keyStream.withUnsafeMutableBytes { try context.transform($0) }
        }
        let authenticator = try macKey.withUnsafeBytes { try HMAC(digest: hmac.digest, key: $0) }
        return CipherMACPacketProtection(
            cipher: context, blockSize: blockSize, wholeBlocksOnly: mode == .cbc, mac: authenticator,
            tagLength: hmac.tagLength, encryptThenMAC: hmac.isEncryptThenMAC)
    }
}
