import COpenSSL
import CShims

/// Finite-field Diffie-Hellman key exchange over a fixed group (RFC 4253 §8): the RFC 3526 MODP
/// groups of RFC 8268 by their OpenSSL names, or explicit (p, g) for diffie-hellman-group1-sha1
/// and, later, group exchange (RFC 4419).
///
/// ### Invariants
/// - e and f travel as `mpint`; ``KeyExchangeClient/publicValue`` and
///   ``KeyExchangeServerResult/publicValue`` are their big-endian magnitudes without leading zeros.
/// - A peer value outside 1 < e < p − 1 is rejected (RFC 4253 §8: "Values of 'e' or 'f' that
///   are not in the range [1, p-1] MUST NOT be sent or accepted"; 1 and p − 1 are refused too
///   because they force K into {1, p − 1}). For the named groups OpenSSL knows q = (p − 1)/2 and
///   also refuses values outside the order-q subgroup (NIST SP 800-56A rev 3 §5.6.2.3.1); every
///   honest g^x with g = 2 lies in it, as 2 is a quadratic residue modulo these primes.
/// - K is g^xy mod p as `mpint` (RFC 4253 §8), whatever padding OpenSSL returns.
/// - Private exponents have ``privateExponentBits`` random bits (fewer only for primes too small
///   to allow it), set explicitly rather than left to OpenSSL's default so that the size does not
///   change with the OpenSSL version.
public struct DiffieHellmanGroupKeyExchange: KeyExchangeAlgorithm {
    /// The private exponent length: 512 bits, twice the 256-bit strength of the strongest
    /// ciphers SSH negotiates (RFC 3526 §1 and RFC 4419 §6.2: the exponent needs twice the
    /// entropy of the system's strength). It is also at least twice the strength of every group
    /// here (NIST SP 800-56A rev 3 §5.6.1.1.4: 2·s bits; s = 200 for 8192-bit p, SP 800-56B rev 2
    /// App. D), which is what OpenSSL 3 would pick by default. For an explicit prime of 512 bits
    /// or fewer, p's size − 1 is used instead (OpenSSL requires fewer bits than p).
    public static let privateExponentBits = 512

    enum Group: Sendable {
        /// An OpenSSL named group (`OSSL_PKEY_PARAM_GROUP_NAME`).
        case named(String)
        /// Explicit big-endian prime and generator.
        case explicit(prime: [UInt8], generator: [UInt8])
    }

    /// `diffie-hellman-group1-sha1` (RFC 4253 §8.1): the 1024-bit Oakley group 2 of RFC 2409 §6.2.
    /// Legacy: RFC 9142 §4 says it SHOULD NOT be used.
    public static let group1SHA1 = DiffieHellmanGroupKeyExchange(
        name: "diffie-hellman-group1-sha1", prime: oakleyGroup2Prime, generator: [2], hash: .sha1, isLegacy: true)
    /// `diffie-hellman-group14-sha1` (RFC 4253 §8.2). Legacy: SHA-1 exchange hash (RFC 9142 §4).
    public static let group14SHA1 = DiffieHellmanGroupKeyExchange(
        name: "diffie-hellman-group14-sha1", group: .named("modp_2048"), hash: .sha1, isLegacy: true)
    /// `diffie-hellman-group14-sha256` (RFC 8268 §3): RFC 3526 group 14, 2048-bit.
    public static let group14SHA256 = DiffieHellmanGroupKeyExchange(
        name: "diffie-hellman-group14-sha256", group: .named("modp_2048"), hash: .sha256, isLegacy: false)
    /// `diffie-hellman-group16-sha512` (RFC 8268 §3): RFC 3526 group 16, 4096-bit.
    public static let group16SHA512 = DiffieHellmanGroupKeyExchange(
        name: "diffie-hellman-group16-sha512", group: .named("modp_4096"), hash: .sha512, isLegacy: false)
    /// `diffie-hellman-group18-sha512` (RFC 8268 §3): RFC 3526 group 18, 8192-bit.
    public static let group18SHA512 = DiffieHellmanGroupKeyExchange(
        name: "diffie-hellman-group18-sha512", group: .named("modp_8192"), hash: .sha512, isLegacy: false)

    public let name: String
    public let hash: HashFunction
    public let isLegacy: Bool
    let group: Group
    public var publicValueEncoding: KeyExchangePublicValueEncoding { .mpint }

    /// A method over explicit domain parameters: big-endian `prime` p (a safe prime) and
    /// `generator` g. Used for group1 and for the groups the server picks in group exchange
    /// (RFC 4419 §3). The parameters are checked by OpenSSL when a key is generated.
    public init(name: String, prime: [UInt8], generator: [UInt8], hash: HashFunction, isLegacy: Bool = false) {
        self.init(
            name: name, group: .explicit(prime: Array(prime.drop(while: { $0 == 0 })), generator: generator),
            hash: hash, isLegacy: isLegacy)
    }

    init(name: String, group: Group, hash: HashFunction, isLegacy: Bool) {
        self.name = name
        self.group = group
        self.hash = hash
        self.isLegacy = isLegacy
    }

    public func makeClient() throws -> any KeyExchangeClient {
        Client(key: try EphemeralKey.generate(group))
    }

    public func respond(toClientPublicValue clientValue: [UInt8]) throws -> KeyExchangeServerResult {
        let key = try EphemeralKey.generate(group)
        return KeyExchangeServerResult(publicValue: key.publicValue, sharedSecret: try key.sharedSecret(peerValue: clientValue))
    }

    // MARK: - Parts

    /// One side's ephemeral DH key pair, with the group's prime for range checks.
    struct EphemeralKey: Sendable {
        let key: KeyExchangeEVPKey
        /// The big-endian magnitude of our public value (g^x mod p).
        let publicValue: [UInt8]
        /// p, big-endian without leading zeros.
        let prime: [UInt8]

        static func generate(_ group: Group) throws -> EphemeralKey {
            OpenSSL.initialize()
            let pointer: OpaquePointer?
            switch group {
            case .named(let groupName):
                pointer = sshd_kex_dh_generate_named(groupName, Int32(DiffieHellmanGroupKeyExchange.privateExponentBits))
            case .explicit(let prime, let generator):
                let primeBits = DiffieHellmanMagnitude.bitCount(prime)
                let exponentBits = min(DiffieHellmanGroupKeyExchange.privateExponentBits, primeBits - 1)
                pointer = prime.withUnsafeBufferPointer { p in
                    generator.withUnsafeBufferPointer { g in
                        sshd_kex_dh_generate_explicit(p.baseAddress, p.count, g.baseAddress, g.count, Int32(max(0, exponentBits)))
                    }
                }
            }
            let key = try KeyExchangeEVPKey(taking: pointer, operation: "DH keygen")
            return EphemeralKey(
                key: key, publicValue: try key.bigNumberParameter(OSSL_PKEY_PARAM_PUB_KEY),
                prime: try key.bigNumberParameter(OSSL_PKEY_PARAM_FFC_P))
        }

        /// Checks the peer's value against 1 < value < p − 1 (RFC 4253 §8) and returns K as mpint.
        func sharedSecret(peerValue: [UInt8]) throws -> SecureBytes {
            let value = Array(peerValue.drop(while: { $0 == 0 }))
            guard DiffieHellmanMagnitude.isInOpenRange(value, prime: prime) else {
                throw CryptoError.invalidPublicValue("DH public value is not in the range 1 < e < p - 1")
            }
            let pointer = value.withUnsafeBufferPointer { sshd_kex_dh_peer_key(key.pointer, $0.baseAddress, $0.count) }
            guard let pointer else {
                ERR_clear_error()
                throw CryptoError.invalidPublicValue("DH public value was refused")
            }
            let peer = try KeyExchangeEVPKey(taking: pointer, operation: "DH public key")
            let secret = try key.derive(with: peer, failure: .invalidPublicValue("DH key agreement failed"))
            return KeyExchangeSharedSecret.mpint(magnitude: secret)
        }
    }

    struct Client: KeyExchangeClient {
        let key: EphemeralKey
        var publicValue: [UInt8] { key.publicValue }

        func sharedSecret(serverPublicValue: [UInt8]) throws -> SecureBytes {
            try key.sharedSecret(peerValue: serverPublicValue)
        }
    }
}

/// Comparisons on unsigned big-endian magnitudes without leading zeros.
enum DiffieHellmanMagnitude {
    /// The number of significant bits.
    static func bitCount(_ magnitude: [UInt8]) -> Int {
        guard let first = magnitude.first(where: { $0 != 0 }), let index = magnitude.firstIndex(of: first) else { return 0 }
        return (magnitude.count - index - 1) * 8 + (8 - first.leadingZeroBitCount)
    }

    /// Whether 1 < `value` < `prime` − 1, for an odd `prime` > 3 (both without leading zeros).
    static func isInOpenRange(_ value: [UInt8], prime: [UInt8]) -> Bool {
        guard let last = prime.last, last & 1 == 1, value.count <= prime.count else { return false }
        // Greater than 1: more than one byte, or one byte above 1.
        guard value.count > 1 || (value.first ?? 0) > 1 else { return false }
        // p is odd, so p − 1 differs from p only in the low bit of its last byte.
        var primeMinusOne = prime
        primeMinusOne[primeMinusOne.count - 1] = last & 0xFE
        return isLess(value, primeMinusOne)
    }

    /// `a` < `b` for magnitudes without leading zeros.
    static func isLess(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        if a.count != b.count { return a.count < b.count }
        for (x, y) in zip(a, b) where x != y { return x < y }
        return false
    }
}
