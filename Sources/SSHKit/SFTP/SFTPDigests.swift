import SFTP
import SSHCrypto

/// The digests SFTPServer offers for check-file-handle / check-file-name, from the crypto layer:
/// SHA-256, SHA-512, SHA-384 and SHA-1 (MD5 is not offered).
public enum SFTPDigests {
    public static let hashing = SFTPContentHashing(
        algorithms: [HashFunction.sha256, .sha512, .sha384, .sha1].map { (name: $0.rawValue, digestLength: $0.digestLength) },
        make: { name in HashFunction(rawValue: name).map { RunningDigest($0) } })

    /// An incremental digest over ``HashFunction/Hasher``.
    final class RunningDigest: SFTPContentHasher {
        private var hasher: HashFunction.Hasher?

        init(_ function: HashFunction) { hasher = HashFunction.Hasher(function) }

        func update(_ bytes: UnsafeRawBufferPointer) { hasher?.update(bytes) }

        func finish() -> [UInt8] {
            guard let hasher = hasher.take() else { return [] }
            return hasher.finalize()
        }
    }
}
