import Crypto

/// `mlkem768x25519-sha256` (draft-ietf-sshm-mlkem-hybrid-kex; OpenSSH 9.9 and later): ML-KEM-768
/// (FIPS 203) and X25519 (RFC 7748) run side by side, their secrets hashed together.
///
/// ### Invariants
/// - The client's C_INIT is the ML-KEM-768 encapsulation key ‖ the client's X25519 public key
///   (exactly ``clientValueLength`` bytes); the server's S_REPLY is the ML-KEM-768 ciphertext ‖
///   the server's X25519 public key (exactly ``serverValueLength`` bytes). Both travel as `string`.
/// - K = SHA-256(K_PQ ‖ K_CL), with K_PQ the 32-byte ML-KEM shared secret and K_CL the raw
///   32-byte X25519 output, and K enters the exchange hash as a `string` (not an mpint).
/// - The server rejects an encapsulation key that fails the FIPS 203 §7.2 modulus check; both
///   sides reject an all-zero X25519 output (RFC 7748 §6.1). Any other length is malformed.
/// - ML-KEM keys come from swift-crypto, whose key types free and wipe their own storage.
public struct MLKEM768X25519KeyExchange: KeyExchangeAlgorithm {
    /// ML-KEM-768 encapsulation key: 384·k + 32 bytes with k = 3 (FIPS 203 §8, Table 3).
    public static let encapsulationKeyLength = 1184
    /// ML-KEM-768 ciphertext: 32·(d_u·k + d_v) bytes with d_u = 10, d_v = 4 (FIPS 203 §8, Table 3).
    public static let ciphertextLength = 1088
    /// ML-KEM shared secret K_PQ: 32 bytes (FIPS 203 §7.2, §7.3).
    public static let mlkemSharedSecretLength = 32
    /// C_INIT: encapsulation key ‖ X25519 public key.
    public static let clientValueLength = encapsulationKeyLength + X25519EphemeralKey.keyLength
    /// S_REPLY: ciphertext ‖ X25519 public key.
    public static let serverValueLength = ciphertextLength + X25519EphemeralKey.keyLength

    public static let sha256 = MLKEM768X25519KeyExchange()

    public var name: String { "mlkem768x25519-sha256" }
    public var hash: HashFunction { .sha256 }
    public var publicValueEncoding: KeyExchangePublicValueEncoding { .string }

    private init() {}

    public func makeClient() throws -> any KeyExchangeClient {
        let mlkem: MLKEM768.PrivateKey
        do {
            mlkem = try MLKEM768.PrivateKey()
        } catch {
            throw CryptoError.unsupported("ML-KEM-768 key generation failed: \(error)")
        }
        return try Client(mlkem: mlkem, x25519: X25519EphemeralKey.generate())
    }

    public func respond(toClientPublicValue clientValue: [UInt8]) throws -> KeyExchangeServerResult {
        guard clientValue.count == Self.clientValueLength else {
            throw CryptoError.invalidPublicValue(
                "\(name) client value must be \(Self.clientValueLength) bytes, got \(clientValue.count)")
        }
        let encapsulationKey = clientValue[..<Self.encapsulationKeyLength]
        let clientX25519 = Array(clientValue[Self.encapsulationKeyLength...])
        let publicKey: MLKEM768.PublicKey
        do {
            publicKey = try MLKEM768.PublicKey(rawRepresentation: encapsulationKey)
        } catch {
            throw CryptoError.invalidPublicValue("ML-KEM-768 encapsulation key is not valid")
        }
        let x25519 = try X25519EphemeralKey.generate()
        let classical = try x25519.rawSharedSecret(peerPublicKey: clientX25519)
        let encapsulation: KEM.EncapsulationResult
        do {
            encapsulation = try publicKey.encapsulate()
        } catch {
            throw CryptoError.invalidPublicValue("ML-KEM-768 encapsulation failed")
        }
        let ciphertext = Array(encapsulation.encapsulated)
        guard ciphertext.count == Self.ciphertextLength else {
            throw CryptoError.unsupported("ML-KEM-768 ciphertext has \(ciphertext.count) bytes")
        }
        let secret = try Self.combine(postQuantum: encapsulation.sharedSecret, classical: classical)
        return KeyExchangeServerResult(publicValue: ciphertext + x25519.publicKey, sharedSecret: secret)
    }

    // MARK: - Fixed keys (known-answer tests; not public API)

    /// A client from a FIPS 203 seed d ‖ z (64 bytes) and a given X25519 key.
    func makeClient(mlkemSeed: [UInt8], x25519: X25519EphemeralKey) throws -> any KeyExchangeClient {
        let mlkem: MLKEM768.PrivateKey
        do {
            mlkem = try MLKEM768.PrivateKey(seedRepresentation: mlkemSeed, publicKey: nil)
        } catch {
            throw CryptoError.invalidKey("ML-KEM-768 seed is not valid")
        }
        return try Client(mlkem: mlkem, x25519: x25519)
    }

    // MARK: - Parts

    /// K = SHA-256(K_PQ ‖ K_CL) as a `string`; the intermediate digest lives in SecureBytes.
    static func combine(postQuantum: SymmetricKey, classical: SecureBytes) throws -> SecureBytes {
        var hasher = HashFunction.Hasher(.sha256)
        let pqLength = postQuantum.withUnsafeBytes { bytes in
            hasher.update(bytes)
            return bytes.count
        }
        guard pqLength == mlkemSharedSecretLength else {
            throw CryptoError.unsupported("ML-KEM-768 shared secret has \(pqLength) bytes")
        }
        classical.withUnsafeBytes { hasher.update($0) }
        let digest = SecureBytes(hasher.finalize())
        return KeyExchangeSharedSecret.string(digest)
    }

    struct Client: KeyExchangeClient {
        let mlkem: MLKEM768.PrivateKey
        let x25519: X25519EphemeralKey
        let publicValue: [UInt8]

        init(mlkem: MLKEM768.PrivateKey, x25519: X25519EphemeralKey) throws {
            let encapsulationKey = Array(mlkem.publicKey.rawRepresentation)
            guard encapsulationKey.count == MLKEM768X25519KeyExchange.encapsulationKeyLength else {
                throw CryptoError.unsupported("ML-KEM-768 encapsulation key has \(encapsulationKey.count) bytes")
            }
            self.mlkem = mlkem
            self.x25519 = x25519
            publicValue = encapsulationKey + x25519.publicKey
        }

        func sharedSecret(serverPublicValue: [UInt8]) throws -> SecureBytes {
            guard serverPublicValue.count == MLKEM768X25519KeyExchange.serverValueLength else {
                throw CryptoError.invalidPublicValue(
                    "mlkem768x25519-sha256 server value must be \(MLKEM768X25519KeyExchange.serverValueLength) bytes, got \(serverPublicValue.count)")
            }
            let ciphertext = serverPublicValue[..<MLKEM768X25519KeyExchange.ciphertextLength]
            let serverX25519 = Array(serverPublicValue[MLKEM768X25519KeyExchange.ciphertextLength...])
            // FIPS 203 §7.3: decapsulation of a well-sized ciphertext never fails (a bad one yields
            // the implicit-rejection key, so the exchange hash check fails later).
            let postQuantum: SymmetricKey
            do {
                postQuantum = try mlkem.decapsulate(ciphertext)
            } catch {
                throw CryptoError.invalidPublicValue("ML-KEM-768 ciphertext is not valid")
            }
            let classical = try x25519.rawSharedSecret(peerPublicKey: serverX25519)
            return try MLKEM768X25519KeyExchange.combine(postQuantum: postQuantum, classical: classical)
        }
    }
}
