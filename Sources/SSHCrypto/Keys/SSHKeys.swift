import COpenSSL
import SSHWire

/// Parsing public key blobs and wrapping OpenSSL keys in the SSH key types.
public enum SSHKeys {
    /// The key types we implement, in preference order (RFC 8709, RFC 5656, RFC 4253 §6.6).
    public static let keyTypes: [String] = [
        "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa",
    ]

    /// Parses a public key blob (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4). Strict: unknown key
    /// types, wrong field lengths, points off the curve, a curve name that does not match the key
    /// type, non-minimal mpints and trailing bytes all throw.
    public static func parsePublicKey(blob: [UInt8]) throws -> any SSHPublicKey {
        guard blob.count <= SSHKeyLimits.maximumPublicKeyBlobLength else {
            throw CryptoError.invalidKey("public key blob longer than \(SSHKeyLimits.maximumPublicKeyBlobLength) bytes")
        }
        do {
            var reader = SSHReader(blob)
            let keyType = try reader.readText("key type", limit: SignatureBlob.maximumAlgorithmNameLength)
            let key: any SSHPublicKey
            switch keyType {
            case "ssh-ed25519":
                key = try Ed25519PublicKey(rawRepresentation: try reader.readString("ed25519 key", limit: 64))
            case "ssh-rsa":
                let exponent = try reader.readMPInt("e")
                let modulus = try reader.readMPInt("n")
                key = try RSAPublicKey(exponent: exponent, modulus: modulus)
            default:
                guard let curve = ECDSACurve(keyType: keyType) else { throw CryptoError.unknownAlgorithm(keyType) }
                let identifier = try reader.readText("curve", limit: SignatureBlob.maximumAlgorithmNameLength)
                // RFC 5656 §3.1: the identifier must match the curve the key type names.
                guard identifier == curve.identifier else {
                    throw CryptoError.invalidKey("curve \(identifier) does not match key type \(keyType)")
                }
                key = try ECDSAPublicKey(curve: curve, point: try reader.readString("Q", limit: 256))
            }
            try reader.expectEnd()
            return key
        } catch let error as SSHWireError {
            throw CryptoError.invalidKey("malformed public key blob: \(error)")
        }
    }

    /// Wraps an OpenSSL private key in the matching SSH key type.
    static func privateKey(wrapping key: EVPKey) throws -> any SSHPrivateKey {
        if key.isA("ED25519") { return try Ed25519PrivateKey(key: key) }
        if key.isA("EC") { return try ECDSAPrivateKey(key: key) }
        if key.isA("RSA") { return try RSAPrivateKey(key: key) }
        throw CryptoError.unsupported("private key type")
    }
}

/// Makes new private keys.
public enum SSHKeyGenerator {
    /// The RSA size ssh-keygen uses by default (OpenSSH 8.x and later).
    public static let defaultRSABits = 3072

    /// A new Ed25519 key from 32 random bytes (RFC 8032 §5.1.5).
    public static func generateEd25519() throws -> Ed25519PrivateKey {
        let seed = SecureBytes(OpenSSL.randomBytes(Ed25519PrivateKey.seedLength))
        return try Ed25519PrivateKey(seed: seed.bytes)
    }

    /// A new ECDSA key on `curve`.
    public static func generateECDSA(curve: ECDSACurve) throws -> ECDSAPrivateKey {
        let key = try EVPKey.generate("EC") { context in
            EVP_PKEY_CTX_set_group_name(context, curve.opensslGroupName) == 1
        }
        return try ECDSAPrivateKey(key: key)
    }

    /// A new RSA key of `bits` bits (between ``SSHKeyLimits/minimumRSAModulusBits`` and
    /// ``SSHKeyLimits/maximumRSAModulusBits``) with e = 65537.
    public static func generateRSA(bits: Int = defaultRSABits) throws -> RSAPrivateKey {
        guard bits >= SSHKeyLimits.minimumRSAModulusBits, bits <= SSHKeyLimits.maximumRSAModulusBits else {
            throw CryptoError.invalidKey("RSA size \(bits) is outside \(SSHKeyLimits.minimumRSAModulusBits)…\(SSHKeyLimits.maximumRSAModulusBits) bits")
        }
        let key = try EVPKey.generate("RSA") { context in
            var size = UInt32(bits)
            return "bits".withCString { name in
                var params = [OSSL_PARAM_construct_uint(name, &size), OSSL_PARAM_construct_end()]
                return EVP_PKEY_CTX_set_params(context, &params) == 1
            }
        }
        return try RSAPrivateKey(key: key)
    }
}
