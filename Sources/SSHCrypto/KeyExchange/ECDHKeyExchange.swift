import COpenSSL
import CShims

/// `ecdh-sha2-nistp256`, `ecdh-sha2-nistp384` and `ecdh-sha2-nistp521` (RFC 5656 §4): ephemeral
/// ECDH over the NIST prime curves, with the hash the curve size selects (RFC 5656 §6.2.1).
///
/// ### Invariants
/// - Q_C and Q_S are uncompressed SEC 1 points, 0x04 ‖ X ‖ Y, of exactly
///   ``NISTCurve/uncompressedPointLength`` bytes, sent as `string` (RFC 5656 §4). Compressed points, the
///   point at infinity and points not on the curve are rejected (RFC 5656 §4: "MUST verify").
/// - K is the x coordinate of the shared point as `mpint` (RFC 5656 §4).
public struct ECDHKeyExchange: KeyExchangeAlgorithm {
    /// The NIST curves of RFC 5656 §10.1.
    public typealias Curve = NISTCurve

    /// The first byte of an uncompressed point (SEC 1 §2.3.3).
    public static let uncompressedPointPrefix: UInt8 = 0x04

    public static let nistp256 = ECDHKeyExchange(curve: .p256)
    public static let nistp384 = ECDHKeyExchange(curve: .p384)
    public static let nistp521 = ECDHKeyExchange(curve: .p521)

    public let curve: Curve
    public var name: String { "ecdh-sha2-" + curve.identifier }
    public var hash: HashFunction { curve.hash }
    public var publicValueEncoding: KeyExchangePublicValueEncoding { .string }

    private init(curve: Curve) { self.curve = curve }

    public func makeClient() throws -> any KeyExchangeClient {
        Client(curve: curve, key: try EphemeralKey.generate(curve))
    }

    public func respond(toClientPublicValue clientValue: [UInt8]) throws -> KeyExchangeServerResult {
        try respond(toClientPublicValue: clientValue, key: EphemeralKey.generate(curve))
    }

    // MARK: - Fixed keys (known-answer tests; not public API)

    /// An ephemeral key from a big-endian private scalar and its uncompressed public point;
    /// OpenSSL checks that they belong together.
    func ephemeralKey(privateScalar: [UInt8], publicPoint: [UInt8]) throws -> EphemeralKey {
        try EphemeralKey(curve: curve, privateScalar: privateScalar, publicPoint: publicPoint)
    }

    func makeClient(key: EphemeralKey) -> any KeyExchangeClient { Client(curve: curve, key: key) }

    func respond(toClientPublicValue clientValue: [UInt8], key: EphemeralKey) throws -> KeyExchangeServerResult {
        let secret = try key.sharedSecret(peerPoint: clientValue, curve: curve)
        return KeyExchangeServerResult(publicValue: key.publicPoint, sharedSecret: secret)
    }

    // MARK: - Parts

    /// One side's ephemeral EC key pair.
    struct EphemeralKey: Sendable {
        private let key: KeyExchangeEVPKey
        /// The uncompressed public point Q.
        let publicPoint: [UInt8]

        static func generate(_ curve: Curve) throws -> EphemeralKey {
            OpenSSL.initialize()
            return try EphemeralKey(key: KeyExchangeEVPKey(taking: sshd_kex_generate("EC", curve.opensslGroupName), operation: "EC keygen"), curve: curve)
        }

        init(curve: Curve, privateScalar: [UInt8], publicPoint: [UInt8]) throws {
            OpenSSL.initialize()
            let pointer = privateScalar.withUnsafeBufferPointer { scalar in
                publicPoint.withUnsafeBufferPointer { point in
                    sshd_kex_ec_key_pair(curve.opensslGroupName, scalar.baseAddress, scalar.count, point.baseAddress, point.count)
                }
            }
            try self.init(key: KeyExchangeEVPKey(taking: pointer, operation: "EC key import"), curve: curve)
        }

        private init(key: KeyExchangeEVPKey, curve: Curve) throws {
            self.key = key
            // OpenSSL encodes generated and imported EC keys uncompressed by default.
            publicPoint = try key.octetStringParameter(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY)
            guard publicPoint.count == curve.uncompressedPointLength, publicPoint.first == ECDHKeyExchange.uncompressedPointPrefix else {
                throw CryptoError.invalidKey("EC public key is not an uncompressed \(curve.opensslGroupName) point")
            }
        }

        /// Validates the peer's point (RFC 5656 §4, SEC 1 §3.2.2.1) and returns K as `mpint`.
        func sharedSecret(peerPoint: [UInt8], curve: Curve) throws -> SecureBytes {
            guard peerPoint.count == curve.uncompressedPointLength else {
                throw CryptoError.invalidPublicValue(
                    "\(curve.opensslGroupName) public value must be \(curve.uncompressedPointLength) bytes, got \(peerPoint.count)")
            }
            guard peerPoint.first == ECDHKeyExchange.uncompressedPointPrefix else {
                throw CryptoError.invalidPublicValue("\(curve.opensslGroupName) public value is not an uncompressed point")
            }
            let pointer = peerPoint.withUnsafeBufferPointer {
                sshd_kex_ec_public_key(curve.opensslGroupName, $0.baseAddress, $0.count)
            }
            guard let pointer else {
                ERR_clear_error()
                throw CryptoError.invalidPublicValue("\(curve.opensslGroupName) public value is not a valid point on the curve")
            }
            let peer = try KeyExchangeEVPKey(taking: pointer, operation: "EC public key")
            let x = try key.derive(with: peer, failure: .invalidPublicValue("\(curve.opensslGroupName) key agreement failed"))
            return KeyExchangeSharedSecret.mpint(magnitude: x)
        }
    }

    struct Client: KeyExchangeClient {
        let curve: Curve
        let key: EphemeralKey
        var publicValue: [UInt8] { key.publicPoint }

        func sharedSecret(serverPublicValue: [UInt8]) throws -> SecureBytes {
            try key.sharedSecret(peerPoint: serverPublicValue, curve: curve)
        }
    }
}
