import COpenSSL
import CShims

/// Owns one `EVP_PKEY` and frees it on deinit (STYLE §6).
///
/// The key is never mutated after construction. OpenSSL 3 allows one `EVP_PKEY` to be used by
/// several threads at once as long as nobody changes it; every operation here makes its own
/// `EVP_MD_CTX`/`EVP_PKEY_CTX`. That is what makes the unchecked `Sendable` sound.
final class EVPKey: @unchecked Sendable {
    let pointer: OpaquePointer

    init(taking pointer: OpaquePointer) { self.pointer = pointer }

    deinit { EVP_PKEY_free(pointer) }

    // MARK: - Sign and verify

    /// A one-shot `EVP_DigestSign` over `data`. `digest` is nil for EdDSA, which hashes internally
    /// (RFC 8032 §5.1.6). `pkcs1Padding` selects RSASSA-PKCS1-v1_5 explicitly (RFC 8017 §8.2).
    func sign(_ data: [UInt8], digest: HashFunction?, pkcs1Padding: Bool = false) throws -> [UInt8] {
        OpenSSL.initialize()
        guard let context = EVP_MD_CTX_new() else { throw CryptoError.fromOpenSSL("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer?
        guard EVP_DigestSignInit(context, &keyContext, digest?.evpMD, nil, pointer) == 1 else {
            throw CryptoError.fromOpenSSL("EVP_DigestSignInit")
        }
        if pkcs1Padding {
            guard let keyContext, Self.setPKCS1Padding(keyContext) else {
                throw CryptoError.fromOpenSSL("EVP_PKEY_CTX_set_params(pad-mode)")
            }
        }
        var length = 0
        let sized = Self.withNonNullBytes(data) { EVP_DigestSign(context, nil, &length, $0, $1) }
        guard sized == 1, length > 0 else { throw CryptoError.fromOpenSSL("EVP_DigestSign") }
        var signature = [UInt8](repeating: 0, count: length)
        let signed = signature.withUnsafeMutableBufferPointer { out in
            Self.withNonNullBytes(data) { EVP_DigestSign(context, out.baseAddress, &length, $0, $1) }
        }
        guard signed == 1, length <= signature.count else { throw CryptoError.fromOpenSSL("EVP_DigestSign") }
        return Array(signature.prefix(length))
    }

    /// Whether `signature` is valid over `data` (`EVP_DigestVerify`). Never throws: any failure is
    /// "not valid", and OpenSSL's error queue is cleared.
    func verify(_ signature: [UInt8], data: [UInt8], digest: HashFunction?, pkcs1Padding: Bool = false) -> Bool {
        OpenSSL.initialize()
        guard !signature.isEmpty, let context = EVP_MD_CTX_new() else { return false }
        defer {
            EVP_MD_CTX_free(context)
            ERR_clear_error()
        }
        var keyContext: OpaquePointer?
        guard EVP_DigestVerifyInit(context, &keyContext, digest?.evpMD, nil, pointer) == 1 else { return false }
        if pkcs1Padding {
            guard let keyContext, Self.setPKCS1Padding(keyContext) else { return false }
        }
        let result = signature.withUnsafeBufferPointer { sig in
            Self.withNonNullBytes(data) { EVP_DigestVerify(context, sig.baseAddress, sig.count, $0, $1) }
        }
        return result == 1
    }

    private static func setPKCS1Padding(_ keyContext: OpaquePointer) -> Bool {
        "pad-mode".withCString { key in
            "pkcs1".withCString { value in
                var params = [
                    OSSL_PARAM_construct_utf8_string(key, UnsafeMutablePointer(mutating: value), 0),
                    OSSL_PARAM_construct_end(),
                ]
                return EVP_PKEY_CTX_set_params(keyContext, &params) == 1
            }
        }
    }

    /// Calls `body` with a non-null pointer even for empty input (some providers reject NULL).
    static func withNonNullBytes<R>(_ data: [UInt8], _ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
        if data.isEmpty {
            var zero: UInt8 = 0
            return body(&zero, 0)
        }
        return data.withUnsafeBufferPointer { buffer in
            // A non-empty array always has storage.
            guard let base = buffer.baseAddress else {
                var zero: UInt8 = 0
                return body(&zero, 0)
            }
            return body(base, buffer.count)
        }
    }

    // MARK: - Reading components back

    /// Whether this is a key of the named OpenSSL type (`ED25519`, `EC`, `RSA`).
    func isA(_ name: String) -> Bool { EVP_PKEY_is_a(pointer, name) == 1 }

    /// The key size in bits (modulus size for RSA, field size for EC).
    var bits: Int { Int(EVP_PKEY_get_bits(pointer)) }

    /// A big-number parameter (`n`, `e`, `d`, `priv`, …) as a big-endian magnitude.
    func bigNumber(_ name: String) -> [UInt8]? {
        var number: OpaquePointer?
        guard EVP_PKEY_get_bn_param(pointer, name, &number) == 1, let number else {
            ERR_clear_error()
            return nil
        }
        defer { BN_clear_free(number) }
        let count = (Int(BN_num_bits(number)) + 7) / 8
        var bytes = [UInt8](repeating: 0, count: count)
        if count > 0 {
            _ = bytes.withUnsafeMutableBufferPointer { BN_bn2bin(number, $0.baseAddress) }
        }
        return bytes
    }

    /// An octet-string parameter (`pub` for EC: the encoded point).
    func octetString(_ name: String) -> [UInt8]? {
        var length = 0
        guard EVP_PKEY_get_octet_string_param(pointer, name, nil, 0, &length) == 1, length > 0 else {
            ERR_clear_error()
            return nil
        }
        var bytes = [UInt8](repeating: 0, count: length)
        guard bytes.withUnsafeMutableBufferPointer({
            EVP_PKEY_get_octet_string_param(pointer, name, $0.baseAddress, $0.count, &length)
        }) == 1, length <= bytes.count else {
            ERR_clear_error()
            return nil
        }
        return Array(bytes.prefix(length))
    }

    /// A UTF-8 string parameter (`group` for EC: the curve's name).
    func utf8String(_ name: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 80)
        var length = 0
        guard EVP_PKEY_get_utf8_string_param(pointer, name, &buffer, buffer.count, &length) == 1 else {
            ERR_clear_error()
            return nil
        }
        return String(decoding: buffer.prefix(min(length, buffer.count)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The raw public key of an EdDSA/X25519 key.
    func rawPublicKey() -> [UInt8]? {
        var length = 0
        guard EVP_PKEY_get_raw_public_key(pointer, nil, &length) == 1, length > 0 else {
            ERR_clear_error()
            return nil
        }
        var bytes = [UInt8](repeating: 0, count: length)
        guard bytes.withUnsafeMutableBufferPointer({ EVP_PKEY_get_raw_public_key(pointer, $0.baseAddress, &length) }) == 1
        else {
            ERR_clear_error()
            return nil
        }
        return Array(bytes.prefix(length))
    }

    /// The raw private key of an EdDSA key (the 32-byte seed for Ed25519).
    func rawPrivateKey() -> SecureBytes? {
        var length = 0
        guard EVP_PKEY_get_raw_private_key(pointer, nil, &length) == 1, length > 0 else {
            ERR_clear_error()
            return nil
        }
        let secret = SecureBytes(count: length)
        let ok = secret.withUnsafeMutableBytes {
            EVP_PKEY_get_raw_private_key(pointer, $0.baseAddress?.assumingMemoryBound(to: UInt8.self), &length)
        }
        guard ok == 1, length == secret.count else {
            ERR_clear_error()
            return nil
        }
        return secret
    }

    // MARK: - Checks

    /// `EVP_PKEY_public_check`: for EC, the point is on the curve and not the identity.
    func publicCheck() -> Bool { withKeyContext { EVP_PKEY_public_check($0) == 1 } }

    /// `EVP_PKEY_pairwise_check`: the private and public halves belong together.
    func pairwiseCheck() -> Bool { withKeyContext { EVP_PKEY_pairwise_check($0) == 1 } }

    private func withKeyContext(_ body: (OpaquePointer) -> Bool) -> Bool {
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, pointer, nil) else { return false }
        defer {
            EVP_PKEY_CTX_free(context)
            ERR_clear_error()
        }
        return body(context)
    }

    // MARK: - Construction

    /// A key from OSSL_PARAM values (`EVP_PKEY_fromdata`) of the OpenSSL type `algorithm` (`EC`, `RSA`).
    static func fromData(
        _ algorithm: String, includingPrivateKey: Bool, _ fill: (ParameterBuilder) throws -> Void
    ) throws -> EVPKey {
        OpenSSL.initialize()
        let builder = try ParameterBuilder()
        try fill(builder)
        guard let params = OSSL_PARAM_BLD_to_param(builder.builder) else {
            throw CryptoError.fromOpenSSL("OSSL_PARAM_BLD_to_param")
        }
        defer {
            var cursor = params
            while cursor.pointee.key != nil {
                if let data = cursor.pointee.data { sshd_cleanse(data, cursor.pointee.data_size) }
                cursor += 1
            }
            OSSL_PARAM_free(params)
        }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, algorithm, nil) else {
            throw CryptoError.fromOpenSSL("EVP_PKEY_CTX_new_from_name")
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_fromdata_init(context) == 1 else { throw CryptoError.fromOpenSSL("EVP_PKEY_fromdata_init") }
        let selection = includingPrivateKey
            ? sshd_evp_pkey_selection_keypair() : sshd_evp_pkey_selection_public_key()
        var key: OpaquePointer?
        guard EVP_PKEY_fromdata(context, &key, selection, params) == 1, let key else {
            throw CryptoError.invalidKey("EVP_PKEY_fromdata(\(algorithm)): \(CryptoError.fromOpenSSL("").detailText)")
        }
        return EVPKey(taking: key)
    }

    /// A fresh key of the OpenSSL type `algorithm`; `configure` sets parameters on the keygen context.
    static func generate(_ algorithm: String, configure: (OpaquePointer) -> Bool) throws -> EVPKey {
        OpenSSL.initialize()
        guard let context = EVP_PKEY_CTX_new_from_name(nil, algorithm, nil) else {
            throw CryptoError.fromOpenSSL("EVP_PKEY_CTX_new_from_name")
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1 else { throw CryptoError.fromOpenSSL("EVP_PKEY_keygen_init") }
        guard configure(context) else { throw CryptoError.fromOpenSSL("keygen parameters") }
        var key: OpaquePointer?
        guard EVP_PKEY_generate(context, &key) == 1, let key else { throw CryptoError.fromOpenSSL("EVP_PKEY_generate") }
        return EVPKey(taking: key)
    }
}

/// Collects OSSL_PARAM values for ``EVPKey/fromData(_:includingPrivateKey:_:)``. OSSL_PARAM_BLD keeps
/// pointers to keys, buffers and BIGNUMs until `OSSL_PARAM_BLD_to_param`, so this owns copies of
/// all of them and releases (and wipes) them on deinit.
final class ParameterBuilder {
    let builder: OpaquePointer
    private var allocations: [(UnsafeMutableRawPointer, Int)] = []
    private var numbers: [OpaquePointer] = []

    init() throws {
        guard let builder = OSSL_PARAM_BLD_new() else { throw CryptoError.fromOpenSSL("OSSL_PARAM_BLD_new") }
        self.builder = builder
    }

    deinit {
        for number in numbers { BN_clear_free(number) }
        for (pointer, count) in allocations {
            sshd_cleanse(pointer, count)
            pointer.deallocate()
        }
        OSSL_PARAM_BLD_free(builder)
    }

    private func copy(_ bytes: [UInt8], terminated: Bool) -> UnsafeMutableRawPointer {
        let count = bytes.count + (terminated ? 1 : 0)
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 1)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: max(count, 1))
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { pointer.copyMemory(from: base, byteCount: source.count) }
        }
        allocations.append((pointer, max(count, 1)))
        return pointer
    }

    private func key(_ name: String) -> UnsafePointer<CChar> {
        UnsafePointer(copy(Array(name.utf8), terminated: true).assumingMemoryBound(to: CChar.self))
    }

    /// A big-endian unsigned integer (`n`, `e`, `priv`, …).
    func addBigNumber(_ name: String, _ magnitude: [UInt8]) throws {
        guard let length = Int32(exactly: magnitude.count) else { throw CryptoError.invalidKey("number too long") }
        let number = magnitude.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, length, nil) }
        guard let number else { throw CryptoError.fromOpenSSL("BN_bin2bn") }
        numbers.append(number)
        guard OSSL_PARAM_BLD_push_BN(builder, key(name), number) == 1 else {
            throw CryptoError.fromOpenSSL("OSSL_PARAM_BLD_push_BN")
        }
    }

    /// An already-made BIGNUM, which this builder takes over.
    func addBigNumber(_ name: String, taking number: OpaquePointer) throws {
        numbers.append(number)
        guard OSSL_PARAM_BLD_push_BN(builder, key(name), number) == 1 else {
            throw CryptoError.fromOpenSSL("OSSL_PARAM_BLD_push_BN")
        }
    }

    func addOctets(_ name: String, _ bytes: [UInt8]) throws {
        let buffer = copy(bytes, terminated: false)
        guard OSSL_PARAM_BLD_push_octet_string(builder, key(name), buffer, bytes.count) == 1 else {
            throw CryptoError.fromOpenSSL("OSSL_PARAM_BLD_push_octet_string")
        }
    }

    func addText(_ name: String, _ text: String) throws {
        let buffer = copy(Array(text.utf8), terminated: true).assumingMemoryBound(to: CChar.self)
        guard OSSL_PARAM_BLD_push_utf8_string(builder, key(name), buffer, text.utf8.count) == 1 else {
            throw CryptoError.fromOpenSSL("OSSL_PARAM_BLD_push_utf8_string")
        }
    }
}

extension CryptoError {
    /// The detail of an `.openssl` error, or a description of any other.
    var detailText: String {
        if case .openssl(_, let detail) = self { return detail }
        return "\(self)"
    }
}
