/// bcrypt_pbkdf, the key derivation OpenSSH uses for passphrase-protected private keys
/// (PROTOCOL.key: kdfname `bcrypt`). It is PBKDF2's structure (a counter per output block, `rounds`
/// iterations XORed together) with SHA-512 feeding a bcrypt-style hash instead of an HMAC, and
/// the output bytes spread across blocks ("striped") so that every byte costs all rounds.
public enum BcryptPBKDF {
    /// The bcrypt hash's output size in bytes (eight 32-bit words).
    static let hashLength = 32

    /// The longest output: OpenSSH's implementation refuses more than 32 × 32 bytes.
    public static let maximumOutputLength = hashLength * hashLength

    /// The block that each bcrypt hash encrypts 64 times.
    private static let magic = Array("OxychromaticBlowfishSwatDynamite".utf8)

    /// Derives `outputLength` bytes from `passphrase` and `salt` with `rounds` iterations.
    /// Throws for an empty passphrase or salt, zero rounds, more than
    /// ``SSHKeyLimits/maximumBcryptRounds`` rounds, a salt longer than
    /// ``SSHKeyLimits/maximumBcryptSaltLength``, or an output length outside 1…``maximumOutputLength``.
    public static func derive(passphrase: [UInt8], salt: [UInt8], rounds: UInt32, outputLength: Int) throws -> SecureBytes {
        guard !passphrase.isEmpty else { throw CryptoError.invalidKey("bcrypt_pbkdf needs a non-empty passphrase") }
        guard !salt.isEmpty, salt.count <= SSHKeyLimits.maximumBcryptSaltLength else {
            throw CryptoError.invalidKey("bcrypt_pbkdf salt must be 1…\(SSHKeyLimits.maximumBcryptSaltLength) bytes")
        }
        guard rounds >= 1, rounds <= SSHKeyLimits.maximumBcryptRounds else {
            throw CryptoError.invalidKey("bcrypt_pbkdf rounds must be 1…\(SSHKeyLimits.maximumBcryptRounds)")
        }
        guard outputLength >= 1, outputLength <= maximumOutputLength else {
            throw CryptoError.invalidKey("bcrypt_pbkdf output must be 1…\(maximumOutputLength) bytes")
        }

        let stride = (outputLength + hashLength - 1) / hashLength
        let perBlock = (outputLength + stride - 1) / stride
        let hashedPassphrase = SecureBytes(HashFunction.sha512.hash(passphrase))
        let key = SecureBytes(count: outputLength)
        var remaining = outputLength
        var counter: UInt32 = 1
        while remaining > 0 {
            let counterBytes = (0..<4).map { UInt8(truncatingIfNeeded: counter >> (24 - 8 * $0)) }
            var hashedSalt = HashFunction.sha512.hash(salt + counterBytes)
            var block = bcryptHash(hashedPassphrase: hashedPassphrase.bytes, hashedSalt: hashedSalt)
            let output = SecureBytes(block)
            for _ in 1..<rounds {
                hashedSalt = HashFunction.sha512.hash(block)
                block = bcryptHash(hashedPassphrase: hashedPassphrase.bytes, hashedSalt: hashedSalt)
                output.withUnsafeMutableBytes { out in
                    for index in 0..<hashLength { out[index] ^= block[index] }
                }
            }
            // Stripe: output byte i of block `counter` lands at i × stride + (counter − 1).
            var stored = 0
            key.withUnsafeMutableBytes { destination in
                output.withUnsafeBytes { source in
                    while stored < min(perBlock, remaining) {
                        let index = stored * stride + Int(counter - 1)
                        guard index < outputLength else { break }
                        destination[index] = source[stored]
                        stored += 1
                    }
                }
            }
            remaining -= stored
            counter += 1
            // Every block stores at least one byte while bytes remain, so this ends; guard anyway.
            if stored == 0 { break }
        }
        return key
    }

    /// bcrypt's core over SHA-512 digests: EksBlowfish set-up with 64 alternating expansions, then
    /// 64 encryptions of ``magic``; the words are output little-endian (as OpenSSH does).
    static func bcryptHash(hashedPassphrase: [UInt8], hashedSalt: [UInt8]) -> [UInt8] {
        var state = Blowfish()
        defer { state.wipe() }
        state.expand(key: hashedPassphrase, salt: hashedSalt)
        for _ in 0..<64 {
            state.expand(key: hashedSalt, salt: nil)
            state.expand(key: hashedPassphrase, salt: nil)
        }
        var words = (0..<8).map { index in
            (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(magic[index * 4 + $1]) }
        }
        for _ in 0..<64 {
            for pair in 0..<4 {
                var left = words[2 * pair]
                var right = words[2 * pair + 1]
                state.encrypt(&left, &right)
                words[2 * pair] = left
                words[2 * pair + 1] = right
            }
        }
        return words.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } }
    }
}
