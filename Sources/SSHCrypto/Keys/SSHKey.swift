/// A public key as SSH carries it (RFC 4253 §6.6).
///
/// ### Invariants
/// - ``wireBlob`` is the canonical public key blob (`string keyType` followed by the type's fields);
///   parsing it back gives an equal key.
/// - Verification never traps on malformed input: it returns false.
public protocol SSHPublicKey: Sendable {
    /// The key type name: `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, …
    var keyType: String { get }
    /// The public key blob.
    var wireBlob: [UInt8] { get }
    /// Signature algorithms this key can verify, most preferred first (`ssh-rsa` keys: `rsa-sha2-512`,
    /// `rsa-sha2-256`, `ssh-rsa`).
    var signatureAlgorithms: [String] { get }
    /// Whether `signatureBlob` (`string algorithm`, `string signature`, RFC 4253 §6.6) is a valid
    /// signature by this key over `data`, made with one of `allowedAlgorithms`.
    func isValidSignature(_ signatureBlob: [UInt8], for data: [UInt8], allowedAlgorithms: [String]) -> Bool
}

/// A private key that can sign for SSH.
public protocol SSHPrivateKey: Sendable {
    var publicKey: any SSHPublicKey { get }
    /// The signature blob (`string algorithm`, `string signature`) over `data` with `algorithm`,
    /// which must be one of `publicKey.signatureAlgorithms`.
    func signature(for data: [UInt8], algorithm: String) throws -> [UInt8]
}
