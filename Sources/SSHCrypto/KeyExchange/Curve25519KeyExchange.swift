/// `curve25519-sha256` (RFC 8731) and its earlier name `curve25519-sha256@libssh.org`: ECDH over
/// X25519 (RFC 7748) with SHA-256 as the exchange hash.
///
/// ### Invariants
/// - Public values Q_C and Q_S are exactly ``publicValueLength`` raw bytes, sent as `string`
///   (RFC 8731 §3).
/// - K is the 32-byte X25519 output read as a big-endian unsigned integer and encoded as `mpint`
///   (RFC 8731 §3.1); an all-zero output aborts the exchange (RFC 8731 §3, RFC 7748 §6.1).
public struct Curve25519KeyExchange: KeyExchangeAlgorithm {
    /// Length of Q_C and Q_S (RFC 8731 §3: 32 bytes, the X25519 public key of RFC 7748 §5).
    public static let publicValueLength = X25519EphemeralKey.keyLength

    /// `curve25519-sha256` (RFC 8731 §3).
    public static let sha256 = Curve25519KeyExchange(name: "curve25519-sha256")
    /// `curve25519-sha256@libssh.org`, the same method under its pre-RFC name (RFC 8731 §1).
    public static let sha256LibSSH = Curve25519KeyExchange(name: "curve25519-sha256@libssh.org")

    public let name: String
    public var hash: HashFunction { .sha256 }
    public var publicValueEncoding: KeyExchangePublicValueEncoding { .string }

    private init(name: String) { self.name = name }

    public func makeClient() throws -> any KeyExchangeClient {
        Client(key: try X25519EphemeralKey.generate())
    }

    public func respond(toClientPublicValue clientValue: [UInt8]) throws -> KeyExchangeServerResult {
        try respond(toClientPublicValue: clientValue, key: X25519EphemeralKey.generate())
    }

    /// The server side with a given ephemeral key (known-answer tests).
    func respond(toClientPublicValue clientValue: [UInt8], key: X25519EphemeralKey) throws -> KeyExchangeServerResult {
        let secret = try key.rawSharedSecret(peerPublicKey: clientValue)
        return KeyExchangeServerResult(publicValue: key.publicKey, sharedSecret: KeyExchangeSharedSecret.mpint(magnitude: secret))
    }

    /// The client side with a given ephemeral key (known-answer tests).
    func makeClient(key: X25519EphemeralKey) -> any KeyExchangeClient { Client(key: key) }

    /// The client's ephemeral X25519 key.
    struct Client: KeyExchangeClient {
        let key: X25519EphemeralKey
        var publicValue: [UInt8] { key.publicKey }

        func sharedSecret(serverPublicValue: [UInt8]) throws -> SecureBytes {
            KeyExchangeSharedSecret.mpint(magnitude: try key.rawSharedSecret(peerPublicKey: serverPublicValue))
        }
    }
}
