import COpenSSL

/// The hash functions SSH uses for exchange hashes, key derivation and signatures.
public enum HashFunction: String, Sendable, CaseIterable {
    case sha1, sha256, sha384, sha512

    public var digestLength: Int {
        switch self {
        case .sha1: 20
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }

    /// The OpenSSL digest (a static object; not freed).
    var evpMD: OpaquePointer? {
        switch self {
        case .sha1: EVP_sha1()
        case .sha256: EVP_sha256()
        case .sha384: EVP_sha384()
        case .sha512: EVP_sha512()
        }
    }

    /// The OpenSSL name, for EVP_MAC and signature parameters.
    public var opensslName: String {
        switch self {
        case .sha1: "SHA1"
        case .sha256: "SHA256"
        case .sha384: "SHA384"
        case .sha512: "SHA512"
        }
    }

    /// The digest of `data`.
    public func hash(_ data: [UInt8]) -> [UInt8] { hash(parts: [data]) }

    /// The digest of the concatenation of `parts`.
    public func hash(parts: [[UInt8]]) -> [UInt8] {
        var hasher = Hasher(self)
        for part in parts { hasher.update(part) }
        return hasher.finalize()
    }

    /// An incremental hash over EVP_MD_CTX.
    public struct Hasher: ~Copyable {
        private let context: OpaquePointer?
        public let function: HashFunction

        public init(_ function: HashFunction) {
            OpenSSL.initialize()
            self.function = function
            context = EVP_MD_CTX_new()
            EVP_DigestInit_ex(context, function.evpMD, nil)
        }

        public mutating func update(_ data: [UInt8]) {
            data.withUnsafeBytes { update($0) }
        }

        public mutating func update(_ data: UnsafeRawBufferPointer) {
            guard data.count > 0 else { return }
            EVP_DigestUpdate(context, data.baseAddress, data.count)
        }

        public consuming func finalize() -> [UInt8] {
            var out = [UInt8](repeating: 0, count: function.digestLength)
            var length: UInt32 = 0
            out.withUnsafeMutableBufferPointer { _ = EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
            return out
        }

        deinit { EVP_MD_CTX_free(context) }
    }
}
