/// The algorithm lists one side offers, most preferred first (DESIGN §4). Preference lists live
/// here and nowhere else; the documented settings (`SSHKeyExchangeAlgorithms`,
/// `SSHEncryptionAlgorithms`, `SSHMacAlgorithms`, `SSHPublicKeyAlgorithms`,
/// `SSHCompressionAlgorithms`) select from the registry through ``validated()``.
public struct AlgorithmPreferences: Sendable, Equatable {
    public var keyExchange: [String]
    /// Host key signature algorithms (RFC 4253 §7.1 `server_host_key_algorithms`).
    public var hostKey: [String]
    public var ciphers: [String]
    public var macs: [String]
    public var compression: [String]

    public init(keyExchange: [String], hostKey: [String], ciphers: [String], macs: [String], compression: [String]) {
        self.keyExchange = keyExchange
        self.hostKey = hostKey
        self.ciphers = ciphers
        self.macs = macs
        self.compression = compression
    }

    /// Our defaults: post-quantum first, then curve25519 and ECDH, then large MODP groups;
    /// AEAD and CTR ciphers with encrypt-then-MAC; no SHA-1 and no CBC (DESIGN §4, issue 2 §6).
    public static let secureDefaults = AlgorithmPreferences(
        keyExchange: [
            "mlkem768x25519-sha256",
            "curve25519-sha256", "curve25519-sha256@libssh.org",
            "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521",
            "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512",
            "diffie-hellman-group14-sha256",
        ],
        hostKey: [
            "ssh-ed25519",
            "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
            "rsa-sha2-512", "rsa-sha2-256",
        ],
        ciphers: [
            "chacha20-poly1305@openssh.com",
            "aes128-gcm@openssh.com", "aes256-gcm@openssh.com",
            "aes128-ctr", "aes192-ctr", "aes256-ctr",
        ],
        macs: [
            "hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com",
        ],
        compression: ["none"])

    /// Throws ``CryptoError/unknownAlgorithm(_:)`` naming the first entry the registry does not
    /// implement, or when a list is empty: an unknown name is a configuration error, never a silent drop.
    public func validated() throws -> AlgorithmPreferences {
        func check(_ names: [String], _ family: String, _ known: (String) -> Bool) throws {
            if names.isEmpty { throw CryptoError.unknownAlgorithm("empty \(family) list") }
            for name in names where !known(name) { throw CryptoError.unknownAlgorithm(name) }
        }
        try check(keyExchange, "key exchange") { AlgorithmRegistry.keyExchange(named: $0) != nil }
        try check(hostKey, "host key") { name in SignatureAlgorithm.all.contains { $0.name == name } }
        try check(ciphers, "cipher") { AlgorithmRegistry.cipher(named: $0) != nil }
        try check(macs, "MAC") { AlgorithmRegistry.mac(named: $0) != nil }
        try check(compression, "compression") { AlgorithmRegistry.compression.contains($0) }
        return self
    }
}
