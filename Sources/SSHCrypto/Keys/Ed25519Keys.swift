import COpenSSL
import SSHWire

/// An Ed25519 public key (`ssh-ed25519`, RFC 8709 §4: blob `string "ssh-ed25519", string key`
/// with a 32-byte key).
public struct Ed25519PublicKey: SSHPublicKey, Hashable {
    /// RFC 8032 §5.1.5: public keys are 32 bytes.
    public static let publicKeyLength = 32
    /// RFC 8032 §5.1.6: signatures are 64 bytes.
    public static let signatureLength = 64

    let key: EVPKey
    /// The 32-byte encoded point (RFC 8032 §5.1.2).
    public let rawRepresentation: [UInt8]

    /// A key from its 32-byte encoding; throws for any other length.
    public init(rawRepresentation: [UInt8]) throws {
        guard rawRepresentation.count == Self.publicKeyLength else {
            throw CryptoError.invalidKey("ssh-ed25519 public key must be 32 bytes")
        }
        OpenSSL.initialize()
        let pointer = rawRepresentation.withUnsafeBufferPointer {
            EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0.baseAddress, $0.count)
        }
        guard let pointer else { throw CryptoError.fromOpenSSL("EVP_PKEY_new_raw_public_key") }
        self.key = EVPKey(taking: pointer)
        self.rawRepresentation = rawRepresentation
    }

    public var keyType: String { SignatureAlgorithm.ed25519.keyType }

    public var wireBlob: [UInt8] {
        SSHWriter.encode { writer in
            writer.writeText(keyType)
            writer.writeString(rawRepresentation)
        }
    }

    public var signatureAlgorithms: [String] { [SignatureAlgorithm.ed25519.name] }

    /// RFC 8709 §6: the signature blob is `string "ssh-ed25519", string signature` with a 64-byte
    /// signature.
    public func isValidSignature(_ signatureBlob: [UInt8], for data: [UInt8], allowedAlgorithms: [String]) -> Bool {
        guard let (_, signature) = SignatureBlob.signature(
            in: signatureBlob, expecting: signatureAlgorithms, allowedAlgorithms: allowedAlgorithms),
            signature.count == Self.signatureLength
        else { return false }
        return key.verify(signature, data: data, digest: nil)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.rawRepresentation == rhs.rawRepresentation }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawRepresentation) }
}

/// An Ed25519 private key (RFC 8032 §5.1.5), signing with `ssh-ed25519` (RFC 8709 §6).
public struct Ed25519PrivateKey: SSHPrivateKey {
    /// RFC 8032 §5.1.5: the secret key is a 32-byte seed.
    public static let seedLength = 32

    let key: EVPKey
    public let ed25519PublicKey: Ed25519PublicKey

    /// A key from its 32-byte seed (RFC 8032's "secret key").
    public init(seed: [UInt8]) throws {
        guard seed.count == Self.seedLength else { throw CryptoError.invalidKey("ssh-ed25519 seed must be 32 bytes") }
        OpenSSL.initialize()
        let pointer = seed.withUnsafeBufferPointer {
            EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, $0.baseAddress, $0.count)
        }
        guard let pointer else { throw CryptoError.fromOpenSSL("EVP_PKEY_new_raw_private_key") }
        try self.init(key: EVPKey(taking: pointer))
    }

    /// Wraps an OpenSSL Ed25519 key (from a PEM file or the generator).
    init(key: EVPKey) throws {
        guard key.isA("ED25519"), let raw = key.rawPublicKey() else {
            throw CryptoError.invalidKey("not an Ed25519 private key")
        }
        self.key = key
        self.ed25519PublicKey = try Ed25519PublicKey(rawRepresentation: raw)
    }

    public var publicKey: any SSHPublicKey { ed25519PublicKey }

    /// The 32-byte seed, as a secret.
    public var seed: SecureBytes {
        get throws {
            guard let seed = key.rawPrivateKey(), seed.count == Self.seedLength else {
                throw CryptoError.fromOpenSSL("EVP_PKEY_get_raw_private_key")
            }
            return seed
        }
    }

    public func signature(for data: [UInt8], algorithm: String) throws -> [UInt8] {
        guard algorithm == SignatureAlgorithm.ed25519.name else { throw CryptoError.unknownAlgorithm(algorithm) }
        let signature = try key.sign(data, digest: nil)
        return SignatureBlob.encode(algorithm: algorithm, signature: signature)
    }

    /// The raw 64-byte signature (RFC 8032 §5.1.6), without the SSH envelope.
    public func rawSignature(for data: [UInt8]) throws -> [UInt8] { try key.sign(data, digest: nil) }
}
