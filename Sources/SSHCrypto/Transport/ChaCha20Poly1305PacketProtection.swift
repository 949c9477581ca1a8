/// `chacha20-poly1305@openssh.com` (OpenSSH PROTOCOL.chacha20poly1305).
///
/// The 64-byte key splits into K_2 (the first 32 bytes: payload and Poly1305 key) and K_1 (the
/// last 32 bytes: the length field). Both ChaCha20 instances use the 64-bit big-endian packet
/// sequence number as nonce. The Poly1305 key is the first 32 bytes of the K_2 key stream at
/// block 0; the payload is encrypted from block 1; the tag is Poly1305 over the encrypted
/// length and the encrypted payload.
///
/// ### Invariants
/// - ``decryptLength(_:sequenceNumber:)`` does not modify the packet: the tag covers the
///   encrypted length, so ``open(_:sequenceNumber:)`` needs it as received.
/// - `open` verifies the tag (constant time) before it decrypts anything.
/// - Scratch space (one-time key, computed tag, length) is allocated once; the hot path does not
///   allocate.
final class ChaCha20Poly1305PacketProtection: PacketProtection {
    /// OpenSSH PROTOCOL.chacha20poly1305: two 256-bit keys.
    static let keyLength = 64

    let blockSize = 8
    let tagLength = Poly1305.tagLength
    let lengthFieldSpan = 4
    let lengthIsAuthenticatedOnly = true

    private let payloadCipher: ChaCha20
    private let lengthCipher: ChaCha20
    private let poly1305: Poly1305
    private let isSealing: Bool
    /// Bytes 0..<32: the one-time Poly1305 key; 32..<48: the computed tag; 48..<52: the length.
    private let scratch: UnsafeMutableRawPointer
    private static let scratchLength = 52

    init(key: SecureBytes, sealing: Bool) throws {
        guard key.count == Self.keyLength else {
            throw CryptoError.invalidKey("chacha20-poly1305 key must be \(Self.keyLength) bytes, not \(key.count)")
        }
        (payloadCipher, lengthCipher) = try key.withUnsafeBytes { key in
            (
                try ChaCha20(key: UnsafeRawBufferPointer(rebasing: key[0..<32])),
                try ChaCha20(key: UnsafeRawBufferPointer(rebasing: key[32..<64]))
            )
        }
        poly1305 = try Poly1305()
        isSealing = sealing
        scratch = allocateScratch(byteCount: Self.scratchLength)
    }

    deinit { wipeAndDeallocate(scratch, byteCount: Self.scratchLength) }

    private var oneTimeKey: UnsafeMutableRawBufferPointer { .init(start: scratch, count: Poly1305.keyLength) }
    private var computedTag: UnsafeMutableRawBufferPointer { .init(start: scratch + 32, count: Poly1305.tagLength) }
    private var lengthCopy: UnsafeMutableRawBufferPointer { .init(start: scratch + 48, count: 4) }

    func decryptLength(_ head: UnsafeMutableRawBufferPointer, sequenceNumber: UInt32) throws -> UInt32 {
        guard head.count >= lengthFieldSpan else { throw CryptoError.authenticationFailure }
        lengthCopy.copyMemory(from: UnsafeRawBufferPointer(rebasing: head[0..<4]))
        try lengthCipher.setOpenSSHNonce(blockCounter: 0, sequenceNumber: sequenceNumber)
        try lengthCipher.apply(lengthCopy)
        return try readLength(lengthCopy)
    }

    func seal(_ packet: UnsafeMutableRawBufferPointer, sequenceNumber: UInt32) throws {
        guard isSealing else { throw CryptoError.unsupported("seal on an opening chacha20-poly1305 protection") }
        let end = try tagOffset(in: packet)
        try lengthCipher.setOpenSSHNonce(blockCounter: 0, sequenceNumber: sequenceNumber)
        try lengthCipher.apply(UnsafeMutableRawBufferPointer(rebasing: packet[0..<4]))
        try deriveOneTimeKey(sequenceNumber: sequenceNumber)
        try payloadCipher.setOpenSSHNonce(blockCounter: 1, sequenceNumber: sequenceNumber)
        try payloadCipher.apply(UnsafeMutableRawBufferPointer(rebasing: packet[4..<end]))
        try poly1305.authenticate(
            key: UnsafeRawBufferPointer(oneTimeKey), message: UnsafeRawBufferPointer(rebasing: packet[0..<end]),
            tag: UnsafeMutableRawBufferPointer(rebasing: packet[end...]))
    }

    func seal(
        _ packet: UnsafeMutableRawBufferPointer, body: Range<Int>, from source: UnsafeRawBufferPointer,
        sequenceNumber: UInt32
    ) throws {
        guard isSealing else { throw CryptoError.unsupported("seal on an opening chacha20-poly1305 protection") }
        let end = try tagOffset(in: packet)
        guard body.lowerBound >= 4, body.upperBound <= end, source.count == body.count else {
            throw CryptoError.unsupported("packet body outside the encrypted part")
        }
        try lengthCipher.setOpenSSHNonce(blockCounter: 0, sequenceNumber: sequenceNumber)
        try lengthCipher.apply(UnsafeMutableRawBufferPointer(rebasing: packet[0..<4]))
        try deriveOneTimeKey(sequenceNumber: sequenceNumber)
        try payloadCipher.setOpenSSHNonce(blockCounter: 1, sequenceNumber: sequenceNumber)
        try payloadCipher.apply(UnsafeMutableRawBufferPointer(rebasing: packet[4..<body.lowerBound]))
        try payloadCipher.apply(from: source, into: UnsafeMutableRawBufferPointer(rebasing: packet[body]))
        try payloadCipher.apply(UnsafeMutableRawBufferPointer(rebasing: packet[body.upperBound..<end]))
        try poly1305.authenticate(
            key: UnsafeRawBufferPointer(oneTimeKey), message: UnsafeRawBufferPointer(rebasing: packet[0..<end]),
            tag: UnsafeMutableRawBufferPointer(rebasing: packet[end...]))
    }

    func open(_ packet: UnsafeMutableRawBufferPointer, sequenceNumber: UInt32) throws {
        guard !isSealing else { throw CryptoError.unsupported("open on a sealing chacha20-poly1305 protection") }
        let end = try tagOffset(in: packet)
        try deriveOneTimeKey(sequenceNumber: sequenceNumber)
        try poly1305.authenticate(
            key: UnsafeRawBufferPointer(oneTimeKey), message: UnsafeRawBufferPointer(rebasing: packet[0..<end]),
            tag: computedTag)
        guard constantTimeEquals(UnsafeRawBufferPointer(computedTag), UnsafeRawBufferPointer(rebasing: packet[end...]))
        else { throw CryptoError.authenticationFailure }
        try lengthCipher.setOpenSSHNonce(blockCounter: 0, sequenceNumber: sequenceNumber)
        try lengthCipher.apply(UnsafeMutableRawBufferPointer(rebasing: packet[0..<4]))
        try payloadCipher.setOpenSSHNonce(blockCounter: 1, sequenceNumber: sequenceNumber)
        try payloadCipher.apply(UnsafeMutableRawBufferPointer(rebasing: packet[4..<end]))
    }

    /// The Poly1305 key: the first 32 bytes of K_2's key stream at block 0.
    private func deriveOneTimeKey(sequenceNumber: UInt32) throws {
        oneTimeKey.initializeMemory(as: UInt8.self, repeating: 0)
        try payloadCipher.setOpenSSHNonce(blockCounter: 0, sequenceNumber: sequenceNumber)
        try payloadCipher.apply(oneTimeKey)
    }
}
