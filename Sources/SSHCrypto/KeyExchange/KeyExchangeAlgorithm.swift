/// How a key exchange's ephemeral public values travel in the KEX init/reply messages and in the
/// exchange hash.
public enum KeyExchangePublicValueEncoding: Sendable {
    /// As `mpint` (classic Diffie-Hellman, RFC 4253 §8: e and f).
    case mpint
    /// As `string` (ECDH RFC 5656 §4: Q_C and Q_S; curve25519 RFC 8731; hybrid PQ C_INIT/S_REPLY).
    case string
}

/// A key-exchange method descriptor in the registry (DESIGN §4), keyed by its wire name.
///
/// ### Invariants
/// - ``hash`` is the exchange hash and key-derivation hash (RFC 4253 §7.2).
/// - The shared secret both sides return is already wire-encoded as it enters the exchange hash
///   and key derivation: `mpint` for (EC)DH and curve25519 (RFC 8731 §3.1), `string` for the
///   hybrid post-quantum methods.
public protocol KeyExchangeAlgorithm: Sendable {
    /// The wire name, e.g. `curve25519-sha256`.
    var name: String { get }
    var hash: HashFunction { get }
    var publicValueEncoding: KeyExchangePublicValueEncoding { get }
    /// True for methods kept only for old peers (weak groups, SHA-1); the registry leaves them out
    /// of the defaults (DESIGN §4). Defaults to `false`.
    var isLegacy: Bool { get }
    /// Starts the client side: generates the client's ephemeral key.
    func makeClient() throws -> any KeyExchangeClient
    /// The server side: takes the client's public value, returns its own and the shared secret.
    func respond(toClientPublicValue clientValue: [UInt8]) throws -> KeyExchangeServerResult
}

extension KeyExchangeAlgorithm {
    public var isLegacy: Bool { false }
}

/// The client's half of one key exchange.
public protocol KeyExchangeClient: Sendable {
    /// The client's public value (for `.mpint`, the big-endian magnitude without leading zeros).
    var publicValue: [UInt8] { get }
    /// Validates the server's public value and returns the wire-encoded shared secret K.
    func sharedSecret(serverPublicValue: [UInt8]) throws -> SecureBytes
}

/// The server's answer to a client's public value.
public struct KeyExchangeServerResult: Sendable {
    /// The server's public value (for `.mpint`, the big-endian magnitude without leading zeros).
    public var publicValue: [UInt8]
    /// The wire-encoded shared secret K.
    public var sharedSecret: SecureBytes

    public init(publicValue: [UInt8], sharedSecret: SecureBytes) {
        self.publicValue = publicValue
        self.sharedSecret = sharedSecret
    }
}
