import SSHWire

/// A public-key signature algorithm descriptor in the registry (DESIGN §4), keyed by its wire name.
///
/// The signature algorithm name is what travels in a signature blob (RFC 4253 §6.6) and in
/// `server-sig-algs` (RFC 8308 §3.1); the key type is the name inside the public key blob. They
/// differ only for RSA, where one `ssh-rsa` key signs with `rsa-sha2-512`, `rsa-sha2-256` or the
/// legacy SHA-1 `ssh-rsa` (RFC 8332 §3).
public struct SignatureAlgorithm: Sendable, Hashable {
    /// The wire name, e.g. `rsa-sha2-256`.
    public let name: String
    /// The key type that makes these signatures, e.g. `ssh-rsa`.
    public let keyType: String
    /// The hash applied to the data before signing; nil for Ed25519, whose hashing (SHA-512) is
    /// part of the signature scheme itself (RFC 8032 §5.1.6).
    public let hash: HashFunction?
    /// A legacy algorithm (SHA-1): kept so that we can verify for, and sign towards, old peers, but
    /// never in a default list (STYLE §5).
    public let isLegacy: Bool

    /// `ssh-ed25519`, RFC 8709 §3.
    public static let ed25519 = SignatureAlgorithm(name: "ssh-ed25519", keyType: "ssh-ed25519", hash: nil, isLegacy: false)
    /// `ecdsa-sha2-nistp256`, RFC 5656 §3.1.2 (SHA-256).
    public static let ecdsaP256 = SignatureAlgorithm(
        name: "ecdsa-sha2-nistp256", keyType: "ecdsa-sha2-nistp256", hash: .sha256, isLegacy: false)
    /// `ecdsa-sha2-nistp384`, RFC 5656 §3.1.2 (SHA-384).
    public static let ecdsaP384 = SignatureAlgorithm(
        name: "ecdsa-sha2-nistp384", keyType: "ecdsa-sha2-nistp384", hash: .sha384, isLegacy: false)
    /// `ecdsa-sha2-nistp521`, RFC 5656 §3.1.2 (SHA-512).
    public static let ecdsaP521 = SignatureAlgorithm(
        name: "ecdsa-sha2-nistp521", keyType: "ecdsa-sha2-nistp521", hash: .sha512, isLegacy: false)
    /// `rsa-sha2-512`, RFC 8332 §3 (RSASSA-PKCS1-v1_5 with SHA-512).
    public static let rsaSHA512 = SignatureAlgorithm(name: "rsa-sha2-512", keyType: "ssh-rsa", hash: .sha512, isLegacy: false)
    /// `rsa-sha2-256`, RFC 8332 §3 (RSASSA-PKCS1-v1_5 with SHA-256).
    public static let rsaSHA256 = SignatureAlgorithm(name: "rsa-sha2-256", keyType: "ssh-rsa", hash: .sha256, isLegacy: false)
    /// `ssh-rsa`, RFC 4253 §6.6 (RSASSA-PKCS1-v1_5 with SHA-1). Legacy: SHA-1 is broken for
    /// collision resistance; OpenSSH disabled it by default in 8.8.
    public static let insecureSSHRSA = SignatureAlgorithm(name: "ssh-rsa", keyType: "ssh-rsa", hash: .sha1, isLegacy: true)

    /// Every signature algorithm we implement, most preferred first.
    public static let all: [SignatureAlgorithm] = [
        .ed25519, .ecdsaP256, .ecdsaP384, .ecdsaP521, .rsaSHA512, .rsaSHA256, .insecureSSHRSA,
    ]

    /// The default list: ``all`` without the legacy algorithms.
    public static let defaults: [SignatureAlgorithm] = all.filter { !$0.isLegacy }

    /// The names in ``defaults``, ready to use as `allowedAlgorithms` or `server-sig-algs`.
    public static let defaultNames: [String] = defaults.map(\.name)

    /// The descriptor for a wire name, or nil if we do not implement it.
    public static func named(_ name: String) -> SignatureAlgorithm? { all.first { $0.name == name } }

    /// The key type that makes signatures named `signatureAlgorithm` (`rsa-sha2-256` → `ssh-rsa`),
    /// or nil for an unknown name.
    public static func keyType(forSignatureAlgorithm signatureAlgorithm: String) -> String? {
        named(signatureAlgorithm)?.keyType
    }

    /// The signature algorithms a key of `keyType` can make, most preferred first.
    public static func algorithms(forKeyType keyType: String) -> [SignatureAlgorithm] {
        all.filter { $0.keyType == keyType }
    }
}

// MARK: - Signature blobs

/// The `string algorithm, string signature` envelope of RFC 4253 §6.6.
enum SignatureBlob {
    static func encode(algorithm: String, signature: [UInt8]) -> [UInt8] {
        SSHWriter.encode { writer in
            writer.writeText(algorithm)
            writer.writeString(signature)
        }
    }

    /// The algorithm name and signature bytes, or nil when the blob is malformed or has trailing
    /// bytes.
    static func decode(_ blob: [UInt8]) -> (algorithm: String, signature: [UInt8])? {
        var reader = SSHReader(blob)
        guard let algorithm = try? reader.readText("signature algorithm", limit: maximumAlgorithmNameLength),
            let signature = try? reader.readString("signature"),
            (try? reader.expectEnd()) != nil
        else { return nil }
        return (algorithm, signature)
    }

    /// The longest algorithm name we read. RFC 4251 §6: names are at most 64 characters.
    static let maximumAlgorithmNameLength = 64

    /// Unpacks `blob` and checks that its algorithm is `expected` and allowed. Returns the raw
    /// signature, or nil.
    static func signature(
        in blob: [UInt8], expecting expected: [String], allowedAlgorithms: [String]
    ) -> (algorithm: String, signature: [UInt8])? {
        guard let (algorithm, signature) = decode(blob), expected.contains(algorithm),
            allowedAlgorithms.contains(algorithm)
        else { return nil }
        return (algorithm, signature)
    }
}
