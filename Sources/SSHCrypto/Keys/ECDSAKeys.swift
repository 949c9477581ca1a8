import COpenSSL
import SSHWire

/// ECDSA keys name their curve by the same enum.
public typealias ECDSACurve = NISTCurve

extension NISTCurve {
    /// The key type and signature algorithm name, `ecdsa-sha2-` + identifier (RFC 5656 §6.2).
    public var keyType: String { "ecdsa-sha2-" + identifier }

    /// The signature algorithm descriptor.
    public var signatureAlgorithm: SignatureAlgorithm {
        switch self {
        case .p256: .ecdsaP256
        case .p384: .ecdsaP384
        case .p521: .ecdsaP521
        }
    }

    /// The curve for an SSH key type (`ecdsa-sha2-nistp256`), or nil.
    public init?(keyType: String) {
        guard let curve = Self.allCases.first(where: { $0.keyType == keyType }) else { return nil }
        self = curve
    }


}

/// An ECDSA public key on a NIST curve (RFC 5656 §3.1: blob `string "ecdsa-sha2-[id]",
/// string [id], string Q`).
public struct ECDSAPublicKey: SSHPublicKey, Hashable {
    let key: EVPKey
    public let curve: ECDSACurve
    /// The uncompressed point Q (SEC 1 §2.3.3).
    public let point: [UInt8]

    /// A key from its uncompressed point. Throws unless the point has the exact length, the
    /// uncompressed form (as OpenSSH requires) and lies on the curve (RFC 5656 §3.1, SEC 1 §3.2.2).
    public init(curve: ECDSACurve, point: [UInt8]) throws {
        guard point.count == curve.uncompressedPointLength, point.first == 0x04 else {
            throw CryptoError.invalidPublicValue("\(curve.keyType) point must be uncompressed and \(curve.uncompressedPointLength) bytes")
        }
        let key: EVPKey
        do {
            key = try EVPKey.fromData("EC", includingPrivateKey: false) { builder in
                try builder.addText("group", curve.opensslGroupName)
                try builder.addOctets("pub", point)
            }
        } catch {
            throw CryptoError.invalidPublicValue("\(curve.keyType) point is not on the curve")
        }
        guard key.publicCheck() else { throw CryptoError.invalidPublicValue("\(curve.keyType) point is not on the curve") }
        self.key = key
        self.curve = curve
        self.point = point
    }

    /// Wraps an OpenSSL EC key whose curve and point have been checked.
    init(key: EVPKey, curve: ECDSACurve, point: [UInt8]) {
        self.key = key
        self.curve = curve
        self.point = point
    }

    public var keyType: String { curve.keyType }

    public var wireBlob: [UInt8] {
        SSHWriter.encode { writer in
            writer.writeText(curve.keyType)
            writer.writeText(curve.identifier)
            writer.writeString(point)
        }
    }

    public var signatureAlgorithms: [String] { [curve.signatureAlgorithm.name] }

    /// RFC 5656 §3.1.2: the signature is `string (mpint r, mpint s)` under the key's own
    /// algorithm name; r and s are at most the group order's size.
    public func isValidSignature(_ signatureBlob: [UInt8], for data: [UInt8], allowedAlgorithms: [String]) -> Bool {
        guard let (_, signature) = SignatureBlob.signature(
            in: signatureBlob, expecting: signatureAlgorithms, allowedAlgorithms: allowedAlgorithms)
        else { return false }
        var reader = SSHReader(signature)
        guard let r = try? reader.readMPInt("r"), let s = try? reader.readMPInt("s"), (try? reader.expectEnd()) != nil,
            !r.isEmpty, !s.isEmpty, r.count <= curve.fieldLength, s.count <= curve.fieldLength,
            let der = ECDSASignatureDER.encode(r: r, s: s)
        else { return false }
        return key.verify(der, data: data, digest: curve.hash)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.curve == rhs.curve && lhs.point == rhs.point }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(curve)
        hasher.combine(point)
    }
}

/// An ECDSA private key on a NIST curve, signing per RFC 5656 §3.1.2.
public struct ECDSAPrivateKey: SSHPrivateKey {
    let key: EVPKey
    public let ecdsaPublicKey: ECDSAPublicKey

    /// A key from its private scalar and public point; throws unless they belong together.
    public init(curve: ECDSACurve, privateScalar: [UInt8], point: [UInt8]) throws {
        _ = try ECDSAPublicKey(curve: curve, point: point)
        guard !privateScalar.isEmpty, privateScalar.count <= curve.fieldLength else {
            throw CryptoError.invalidKey("\(curve.keyType) private scalar has the wrong size")
        }
        let key = try EVPKey.fromData("EC", includingPrivateKey: true) { builder in
            try builder.addText("group", curve.opensslGroupName)
            try builder.addOctets("pub", point)
            try builder.addBigNumber("priv", privateScalar)
        }
        guard key.pairwiseCheck() else { throw CryptoError.invalidKey("\(curve.keyType) private and public key do not match") }
        try self.init(key: key)
    }

    /// Wraps an OpenSSL EC private key (from a PEM file or the generator) on one of our curves.
    init(key: EVPKey) throws {
        guard key.isA("EC"), let group = key.utf8String("group"), let curve = ECDSACurve(opensslGroupName: group) else {
            throw CryptoError.unsupported("EC key on a curve SSH does not use")
        }
        guard let point = key.octetString("pub"), point.count == curve.uncompressedPointLength, point.first == 0x04 else {
            throw CryptoError.invalidKey("EC key without an uncompressed public point")
        }
        self.key = key
        self.ecdsaPublicKey = ECDSAPublicKey(key: key, curve: curve, point: point)
    }

    public var publicKey: any SSHPublicKey { ecdsaPublicKey }
    public var curve: ECDSACurve { ecdsaPublicKey.curve }

    /// The private scalar d as a big-endian magnitude, as a secret.
    public var privateScalar: SecureBytes {
        get throws {
            guard let scalar = key.bigNumber("priv") else { throw CryptoError.fromOpenSSL("EVP_PKEY_get_bn_param(priv)") }
            return SecureBytes(scalar)
        }
    }

    public func signature(for data: [UInt8], algorithm: String) throws -> [UInt8] {
        guard algorithm == curve.signatureAlgorithm.name else { throw CryptoError.unknownAlgorithm(algorithm) }
        let der = try key.sign(data, digest: curve.hash)
        guard let (r, s) = ECDSASignatureDER.decode(der) else { throw CryptoError.fromOpenSSL("d2i_ECDSA_SIG") }
        let inner = SSHWriter.encode { writer in
            writer.writeMPInt(r)
            writer.writeMPInt(s)
        }
        return SignatureBlob.encode(algorithm: algorithm, signature: inner)
    }
}

/// Converts between OpenSSL's DER `ECDSA-Sig-Value` (SEQUENCE { r INTEGER, s INTEGER }, RFC 3279
/// §2.2.3) and the r and s magnitudes SSH carries as mpints.
enum ECDSASignatureDER {
    static func decode(_ der: [UInt8]) -> (r: [UInt8], s: [UInt8])? {
        der.withUnsafeBufferPointer { buffer -> ([UInt8], [UInt8])? in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            guard let signature = d2i_ECDSA_SIG(nil, &cursor, buffer.count) else {
                ERR_clear_error()
                return nil
            }
            defer { ECDSA_SIG_free(signature) }
            guard let r = ECDSA_SIG_get0_r(signature), let s = ECDSA_SIG_get0_s(signature) else { return nil }
            return (magnitude(r), magnitude(s))
        }
    }

    static func encode(r: [UInt8], s: [UInt8]) -> [UInt8]? {
        guard let rLength = Int32(exactly: r.count), let sLength = Int32(exactly: s.count),
            let rNumber = r.withUnsafeBufferPointer({ BN_bin2bn($0.baseAddress, rLength, nil) })
        else { return nil }
        guard let sNumber = s.withUnsafeBufferPointer({ BN_bin2bn($0.baseAddress, sLength, nil) }) else {
            BN_free(rNumber)
            return nil
        }
        guard let signature = ECDSA_SIG_new() else {
            BN_free(rNumber)
            BN_free(sNumber)
            return nil
        }
        defer { ECDSA_SIG_free(signature) }
        guard ECDSA_SIG_set0(signature, rNumber, sNumber) == 1 else {
            BN_free(rNumber)
            BN_free(sNumber)
            return nil
        }
        let length = i2d_ECDSA_SIG(signature, nil)
        guard length > 0 else { return nil }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_ECDSA_SIG(signature, &cursor)
        }
        guard written == length else { return nil }
        return der
    }

    private static func magnitude(_ number: OpaquePointer) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: (Int(BN_num_bits(number)) + 7) / 8)
        if !bytes.isEmpty { _ = bytes.withUnsafeMutableBufferPointer { BN_bn2bin(number, $0.baseAddress) } }
        return bytes
    }
}
