import COpenSSL
import SSHWire

/// An RSA public key (`ssh-rsa`, RFC 4253 §6.6: blob `string "ssh-rsa", mpint e, mpint n`).
/// It verifies `rsa-sha2-512`, `rsa-sha2-256` (RFC 8332 §3) and the legacy SHA-1 `ssh-rsa`.
public struct RSAPublicKey: SSHPublicKey, Hashable {
    let key: EVPKey
    /// The public exponent e, big-endian without leading zeros.
    public let exponent: [UInt8]
    /// The modulus n, big-endian without leading zeros.
    public let modulus: [UInt8]

    /// A key from e and n. Throws unless n has between ``SSHKeyLimits/minimumRSAModulusBits`` and
    /// ``SSHKeyLimits/maximumRSAModulusBits`` bits and e is odd and greater than one.
    public init(exponent: [UInt8], modulus: [UInt8]) throws {
        let exponent = Array(exponent.drop(while: { $0 == 0 }))
        let modulus = Array(modulus.drop(while: { $0 == 0 }))
        let bits = RSAPublicKey.bitCount(modulus)
        guard bits >= SSHKeyLimits.minimumRSAModulusBits else {
            throw CryptoError.invalidKey("RSA modulus of \(bits) bits is below the \(SSHKeyLimits.minimumRSAModulusBits)-bit minimum")
        }
        guard bits <= SSHKeyLimits.maximumRSAModulusBits else {
            throw CryptoError.invalidKey("RSA modulus of \(bits) bits is above the \(SSHKeyLimits.maximumRSAModulusBits)-bit maximum")
        }
        guard let last = exponent.last, last & 1 == 1, exponent != [1], exponent.count <= modulus.count else {
            throw CryptoError.invalidKey("RSA public exponent must be odd and greater than one")
        }
        self.key = try EVPKey.fromData("RSA", includingPrivateKey: false) { builder in
            try builder.addBigNumber("n", modulus)
            try builder.addBigNumber("e", exponent)
        }
        self.exponent = exponent
        self.modulus = modulus
    }

    /// Wraps an OpenSSL RSA key whose components were read back from it.
    init(key: EVPKey, exponent: [UInt8], modulus: [UInt8]) {
        self.key = key
        self.exponent = exponent
        self.modulus = modulus
    }

    /// The modulus size in bits, as ssh-keygen prints it.
    public var bits: Int { Self.bitCount(modulus) }

    /// The modulus length in bytes: every signature is exactly this long (RFC 8017 §8.2.1).
    public var modulusLength: Int { modulus.count }

    public var keyType: String { "ssh-rsa" }

    public var wireBlob: [UInt8] {
        SSHWriter.encode { writer in
            writer.writeText(keyType)
            writer.writeMPInt(exponent)
            writer.writeMPInt(modulus)
        }
    }

    public var signatureAlgorithms: [String] {
        [SignatureAlgorithm.rsaSHA512.name, SignatureAlgorithm.rsaSHA256.name, SignatureAlgorithm.insecureSSHRSA.name]
    }

    /// RFC 8332 §3 and RFC 4253 §6.6: `string algorithm, string s` where s is the RSASSA-PKCS1-v1_5
    /// signature. A signature shorter than the modulus is left-padded with zeros before checking,
    /// as OpenSSH does for peers that strip leading zero bytes; a longer one is invalid.
    public func isValidSignature(_ signatureBlob: [UInt8], for data: [UInt8], allowedAlgorithms: [String]) -> Bool {
        guard let (algorithm, signature) = SignatureBlob.signature(
            in: signatureBlob, expecting: signatureAlgorithms, allowedAlgorithms: allowedAlgorithms),
            let descriptor = SignatureAlgorithm.named(algorithm), let hash = descriptor.hash,
            !signature.isEmpty, signature.count <= modulusLength
        else { return false }
        let padded = [UInt8](repeating: 0, count: modulusLength - signature.count) + signature
        return key.verify(padded, data: data, digest: hash, pkcs1Padding: true)
    }

    static func bitCount(_ magnitude: [UInt8]) -> Int {
        guard let index = magnitude.firstIndex(where: { $0 != 0 }) else { return 0 }
        let leading = magnitude[index]
        return (magnitude.count - index - 1) * 8 + (8 - leading.leadingZeroBitCount)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.exponent == rhs.exponent && lhs.modulus == rhs.modulus }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(exponent)
        hasher.combine(modulus)
    }
}

/// An RSA private key, signing with RSASSA-PKCS1-v1_5 (RFC 8017 §8.2) under `rsa-sha2-512`,
/// `rsa-sha2-256` (RFC 8332) or, for old peers, the legacy `ssh-rsa` (SHA-1).
public struct RSAPrivateKey: SSHPrivateKey {
    let key: EVPKey
    public let rsaPublicKey: RSAPublicKey

    /// A key from the components OpenSSH stores (PROTOCOL.key: n, e, d, iqmp, p, q). The CRT
    /// exponents are derived; throws unless the components form a consistent key.
    public init(
        modulus n: [UInt8], publicExponent e: [UInt8], privateExponent d: [UInt8],
        coefficient iqmp: [UInt8], prime1 p: [UInt8], prime2 q: [UInt8]
    ) throws {
        let publicKey = try RSAPublicKey(exponent: e, modulus: n)
        guard !d.isEmpty, !p.isEmpty, !q.isEmpty, !iqmp.isEmpty,
            d.count <= n.count, p.count <= n.count, q.count <= n.count, iqmp.count <= n.count
        else { throw CryptoError.invalidKey("RSA private components have the wrong size") }
        let (dmp1, dmq1) = try Self.crtExponents(d: d, p: p, q: q)
        let key = try EVPKey.fromData("RSA", includingPrivateKey: true) { builder in
            try builder.addBigNumber("n", publicKey.modulus)
            try builder.addBigNumber("e", publicKey.exponent)
            try builder.addBigNumber("d", d)
            try builder.addBigNumber("rsa-factor1", p)
            try builder.addBigNumber("rsa-factor2", q)
            try builder.addBigNumber("rsa-exponent1", dmp1.bytes)
            try builder.addBigNumber("rsa-exponent2", dmq1.bytes)
            try builder.addBigNumber("rsa-coefficient1", iqmp)
        }
        guard key.pairwiseCheck() else { throw CryptoError.invalidKey("RSA private key components are inconsistent") }
        self.key = key
        self.rsaPublicKey = publicKey
    }

    /// Wraps an OpenSSL RSA private key (from a PEM file or the generator).
    init(key: EVPKey) throws {
        guard key.isA("RSA"), let n = key.bigNumber("n"), let e = key.bigNumber("e") else {
            throw CryptoError.invalidKey("not an RSA private key")
        }
        let checked = try RSAPublicKey(exponent: e, modulus: n)
        self.key = key
        self.rsaPublicKey = RSAPublicKey(key: key, exponent: checked.exponent, modulus: checked.modulus)
    }

    public var publicKey: any SSHPublicKey { rsaPublicKey }

    public func signature(for data: [UInt8], algorithm: String) throws -> [UInt8] {
        guard rsaPublicKey.signatureAlgorithms.contains(algorithm), let hash = SignatureAlgorithm.named(algorithm)?.hash else {
            throw CryptoError.unknownAlgorithm(algorithm)
        }
        var signature = try key.sign(data, digest: hash, pkcs1Padding: true)
        // RFC 8017 §8.2.1: the signature is an octet string as long as the modulus.
        if signature.count < rsaPublicKey.modulusLength {
            signature = [UInt8](repeating: 0, count: rsaPublicKey.modulusLength - signature.count) + signature
        }
        return SignatureBlob.encode(algorithm: algorithm, signature: signature)
    }

    /// The private components in OpenSSH's order (n, e, d, iqmp, p, q), as secrets.
    func openSSHComponents() throws -> (d: SecureBytes, iqmp: SecureBytes, p: SecureBytes, q: SecureBytes) {
        guard let d = key.bigNumber("d"), let iqmp = key.bigNumber("rsa-coefficient1"),
            let p = key.bigNumber("rsa-factor1"), let q = key.bigNumber("rsa-factor2")
        else { throw CryptoError.unsupported("RSA key without CRT components") }
        return (SecureBytes(d), SecureBytes(iqmp), SecureBytes(p), SecureBytes(q))
    }

    /// d mod (p-1) and d mod (q-1).
    private static func crtExponents(d: [UInt8], p: [UInt8], q: [UInt8]) throws -> (SecureBytes, SecureBytes) {
        guard let context = BN_CTX_new() else { throw CryptoError.fromOpenSSL("BN_CTX_new") }
        defer { BN_CTX_free(context) }
        func number(_ bytes: [UInt8]) throws -> OpaquePointer {
            guard let length = Int32(exactly: bytes.count),
                let value = bytes.withUnsafeBufferPointer({ BN_bin2bn($0.baseAddress, length, nil) })
            else { throw CryptoError.fromOpenSSL("BN_bin2bn") }
            return value
        }
        let dNumber = try number(d)
        defer { BN_clear_free(dNumber) }
        func reduce(_ prime: [UInt8]) throws -> SecureBytes {
            let modulus = try number(prime)
            defer { BN_clear_free(modulus) }
            guard let remainder = BN_new() else { throw CryptoError.fromOpenSSL("BN_new") }
            defer { BN_clear_free(remainder) }
            guard BN_sub_word(modulus, 1) == 1, BN_is_zero(modulus) == 0,
                BN_div(nil, remainder, dNumber, modulus, context) == 1
            else { throw CryptoError.invalidKey("RSA prime is invalid") }
            var bytes = [UInt8](repeating: 0, count: (Int(BN_num_bits(remainder)) + 7) / 8)
            if !bytes.isEmpty { _ = bytes.withUnsafeMutableBufferPointer { BN_bn2bin(remainder, $0.baseAddress) } }
            return SecureBytes(bytes.isEmpty ? [0] : bytes)
        }
        return (try reduce(p), try reduce(q))
    }
}
