/// A cipher descriptor in the registry (DESIGN §4), keyed by its wire name.
///
/// ### Invariants
/// - ``keyLength`` and ``ivLength`` are the bytes the key derivation (RFC 4253 §7.2) must produce.
/// - An AEAD cipher (``isAEAD``) authenticates by itself: the MAC negotiated next to it is ignored
///   (RFC 5647 §5.1, OpenSSH PROTOCOL.chacha20poly1305) and `mac` is nil in ``makeProtection``.
public protocol CipherAlgorithm: Sendable {
    var name: String { get }
    var keyLength: Int { get }
    var ivLength: Int { get }
    var blockSize: Int { get }
    var isAEAD: Bool { get }
    /// Builds one direction's packet protection from derived keys.
    func makeProtection(
        key: SecureBytes, iv: SecureBytes, mac: (any MACAlgorithm)?, macKey: SecureBytes?, sealing: Bool
    ) throws -> any PacketProtection
}

/// A MAC descriptor in the registry, keyed by its wire name.
public protocol MACAlgorithm: Sendable {
    var name: String { get }
    var keyLength: Int { get }
    var tagLength: Int { get }
    /// `*-etm@openssh.com`: the MAC covers the ciphertext and the length travels in clear.
    var isEncryptThenMAC: Bool { get }
}
