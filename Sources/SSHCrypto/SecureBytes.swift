import CShims

/// Bytes that hold a secret (keys, shared secrets, passwords): wiped with `OPENSSL_cleanse`
/// when released (STYLE §6). A reference type so that copies share one buffer that is wiped once.
public final class SecureBytes: @unchecked Sendable {
    /// The secret. Mutate only through ``withUnsafeMutableBytes(_:)`` or by replacing it whole
    /// (the old storage is wiped first).
    public private(set) var bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public init(count: Int) { self.bytes = [UInt8](repeating: 0, count: count) }

    public var count: Int { bytes.count }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes(body)
    }

    public func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeMutableBytes(body)
    }

    /// The first `count` bytes as a new secret.
    public func prefix(_ count: Int) -> SecureBytes { SecureBytes(Array(bytes.prefix(count))) }

    /// Wipes the bytes now (also done on deinit).
    public func wipe() {
        bytes.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { sshd_cleanse(base, buffer.count) }
        }
    }

    deinit { wipe() }
}

/// Constant-time equality for MACs and tags (CRYPTO_memcmp). Unequal lengths compare unequal.
public func constantTimeEquals(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    guard a.count == b.count else { return false }
    guard let pa = a.baseAddress, let pb = b.baseAddress else { return a.count == 0 }
    return sshd_memcmp_consttime(pa, pb, a.count) == 0
}

/// Constant-time equality of two byte arrays.
public func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in constantTimeEquals(pa, pb) } }
}

extension SecureBytes {
    /// Wipes an ordinary array that held secret material, then empties it.
    public static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { sshd_cleanse(base, buffer.count) }
        }
        bytes.removeAll()
    }
}
