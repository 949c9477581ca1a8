import COpenSSL
import CShims

/// Process-wide OpenSSL set-up: the `default` and `legacy` providers (DESIGN §4, §11).
public enum OpenSSL {
    /// Loads the providers once. Every entry point that uses EVP calls this first; it is cheap
    /// after the first call.
    @discardableResult
    public static func initialize() -> Bool { sshd_load_providers() == 1 }

    /// `count` bytes from OpenSSL's CSPRNG.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        fillRandom(&bytes)
        return bytes
    }

    /// Fills `bytes` from OpenSSL's CSPRNG. RAND_bytes failing means the process has no entropy
    /// source at all; continuing would be unsafe, so that is the one place we stop.
    public static func fillRandom(_ bytes: inout [UInt8]) {
        guard !bytes.isEmpty else { return }
        let ok = bytes.withUnsafeMutableBytes { RAND_bytes($0.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32($0.count)) }
        precondition(ok == 1, "OpenSSL RAND_bytes failed: no entropy source")
    }
}
