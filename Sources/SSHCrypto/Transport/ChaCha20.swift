import COpenSSL

/// The ChaCha20 stream cipher (RFC 8439 §2.4) over one keyed `EVP_chacha20` context.
///
/// ### Invariants
/// - OpenSSL's 16-byte IV is the initial state words 12–15 as little-endian bytes: a 32-bit
///   block counter followed by a 96-bit nonce (RFC 8439 §2.3). The original ChaCha layout that
///   OpenSSH uses (a 64-bit counter in words 12–13, a 64-bit nonce in words 14–15) maps onto it
///   as `counter (4 bytes LE) ‖ 0 0 0 0 ‖ nonce (8 bytes)`; ``setOpenSSHNonce(blockCounter:sequenceNumber:)``
///   writes exactly that.
/// - The key is set once; per use only the IV changes, in a buffer allocated once.
final class ChaCha20 {
    /// RFC 8439 §2.3: a 256-bit key.
    static let keyLength = 32
    /// OpenSSL's IV: counter and nonce, 16 bytes.
    static let ivLength = 16
    /// RFC 8439 §2.3: one block of key stream is 64 bytes.
    static let blockLength = 64

    private let context: EVPCipherContext
    private let iv: UnsafeMutableRawPointer

    init(key: UnsafeRawBufferPointer) throws {
        context = try EVPCipherContext(
            cipher: EVP_chacha20(), key: key, iv: nil, encrypting: true, operation: "ChaCha20")
        iv = allocateScratch(byteCount: Self.ivLength)
    }

    deinit { wipeAndDeallocate(iv, byteCount: Self.ivLength) }

    /// Starts the key stream at RFC 8439 block `counter` with a 96-bit `nonce` (12 bytes).
    func setNonce(_ nonce: UnsafeRawBufferPointer, counter: UInt32) throws {
        guard nonce.count == 12, let base = nonce.baseAddress else {
            throw CryptoError.invalidKey("ChaCha20 nonce must be 12 bytes")
        }
        iv.storeBytes(of: counter.littleEndian, as: UInt32.self)
        (iv + 4).copyMemory(from: base, byteCount: 12)
        try context.setIV(iv)
    }

    /// OpenSSH PROTOCOL.chacha20poly1305: starts the key stream at 64-bit block `blockCounter`
    /// with the 64-bit nonce `uint64(sequenceNumber)` in big-endian byte order.
    func setOpenSSHNonce(blockCounter: UInt32, sequenceNumber: UInt32) throws {
        iv.storeBytes(of: UInt64(blockCounter).littleEndian, as: UInt64.self)
        iv.storeBytes(of: UInt64(sequenceNumber).bigEndian, toByteOffset: 8, as: UInt64.self)
        try context.setIV(iv)
    }

    /// XORs the next `buffer.count` bytes of key stream into `buffer`.
    func apply(_ buffer: UnsafeMutableRawBufferPointer) throws {
        try context.transform(buffer)
    }

    /// The key stream applied to `source`, written to `destination`; it continues where the last
    /// call left off.
    func apply(from source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws {
        try context.transform(from: source, into: destination)
    }
}

/// The Poly1305 one-time authenticator (RFC 8439 §2.5) over `EVP_MAC` "POLY1305".
///
/// ### Invariants
/// - One `EVP_MAC_CTX`, re-keyed for every message (the key is one-time by definition);
///   re-keying does not allocate.
final class Poly1305 {
    /// RFC 8439 §2.5: a 256-bit one-time key.
    static let keyLength = 32
    /// RFC 8439 §2.5: a 128-bit tag.
    static let tagLength = 16

    private let context: OpaquePointer

    init() throws {
        OpenSSL.initialize()
        guard let mac = EVP_MAC_fetch(nil, "POLY1305", nil) else { throw CryptoError.fromOpenSSL("EVP_MAC_fetch(POLY1305)") }
        defer { EVP_MAC_free(mac) }
        guard let context = EVP_MAC_CTX_new(mac) else { throw CryptoError.fromOpenSSL("EVP_MAC_CTX_new(POLY1305)") }
        self.context = context
    }

    deinit { EVP_MAC_CTX_free(context) }

    /// Writes the 16-byte tag of `message` under the one-time `key` (32 bytes) to `tag`.
    func authenticate(
        key: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer, tag: UnsafeMutableRawBufferPointer
    ) throws {
        guard key.count == Self.keyLength, tag.count == Self.tagLength else {
            throw CryptoError.invalidKey("Poly1305 takes a 32-byte key and writes a 16-byte tag")
        }
        guard EVP_MAC_init(context, key.baseAddress?.assumingMemoryBound(to: UInt8.self), key.count, nil) == 1 else {
            throw CryptoError.fromOpenSSL("EVP_MAC_init(POLY1305)")
        }
        if message.count > 0 {
            guard EVP_MAC_update(context, message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count) == 1
            else { throw CryptoError.fromOpenSSL("EVP_MAC_update(POLY1305)") }
        }
        var written = 0
        guard EVP_MAC_final(context, tag.baseAddress?.assumingMemoryBound(to: UInt8.self), &written, tag.count) == 1,
            written == Self.tagLength
        else { throw CryptoError.fromOpenSSL("EVP_MAC_final(POLY1305)") }
    }
}
