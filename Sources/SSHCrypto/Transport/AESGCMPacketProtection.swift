/// `aes128-gcm@openssh.com` and `aes256-gcm@openssh.com`: RFC 5647 as OpenSSH amended it
/// (OpenSSH PROTOCOL §1.6): the 4-byte packet length travels in clear as the additional
/// authenticated data, and the rest of the packet is encrypted.
///
/// ### Invariants
/// - RFC 5647 §7.1: the 12-byte nonce is a 4-byte fixed field followed by an 8-byte invocation
///   counter, both from the derived IV; the counter is incremented (big-endian, wrapping
///   modulo 2^64) after every packet, sealed or opened. The sequence number is not used.
/// - The nonce lives in a buffer allocated once; the hot path does not allocate.
final class AESGCMPacketProtection: PacketProtection {
    let blockSize = 16
    let tagLength = AESGCM.tagLength
    let lengthFieldSpan = 4
    let lengthIsAuthenticatedOnly = true

    private let gcm: AESGCM
    private let nonce: UnsafeMutableRawPointer

    init(key: SecureBytes, iv: SecureBytes, sealing: Bool) throws {
        guard iv.count == AESGCM.ivLength else {
            throw CryptoError.invalidKey("AES-GCM IV must be \(AESGCM.ivLength) bytes, not \(iv.count)")
        }
        gcm = try key.withUnsafeBytes { try AESGCM(key: $0, sealing: sealing) }
        nonce = allocateScratch(byteCount: AESGCM.ivLength)
        iv.withUnsafeBytes { UnsafeMutableRawBufferPointer(start: nonce, count: AESGCM.ivLength).copyMemory(from: $0) }
    }

    deinit {
        wipeAndDeallocate(nonce, byteCount: AESGCM.ivLength)
    }

    func decryptLength(_ head: UnsafeMutableRawBufferPointer, sequenceNumber: UInt32) throws -> UInt32 {
        try readLength(head)
    }

    func seal(_ packet: UnsafeMutableRawBufferPointer, sequenceNumber: UInt32) throws {
        let end = try tagOffset(in: packet)
        defer { advanceInvocationCounter() }
        try gcm.seal(
            iv: nonce,
            additionalData: UnsafeRawBufferPointer(rebasing: packet[0..<4]),
            text: UnsafeMutableRawBufferPointer(rebasing: packet[4..<end]),
            tag: UnsafeMutableRawBufferPointer(rebasing: packet[end...]))
    }

    func seal(
        _ packet: UnsafeMutableRawBufferPointer, body: Range<Int>, from source: UnsafeRawBufferPointer,
        sequenceNumber: UInt32
    ) throws {
        let end = try tagOffset(in: packet)
        guard body.lowerBound >= 4, body.upperBound <= end, source.count == body.count else {
            throw CryptoError.unsupported("packet body outside the encrypted part")
        }
        defer { advanceInvocationCounter() }
        try gcm.seal(
            iv: nonce,
            additionalData: UnsafeRawBufferPointer(rebasing: packet[0..<4]),
            text: UnsafeMutableRawBufferPointer(rebasing: packet[4..<end]),
            body: (body.lowerBound - 4)..<(body.upperBound - 4), from: source,
            tag: UnsafeMutableRawBufferPointer(rebasing: packet[end...]))
    }

    func open(_ packet: UnsafeMutableRawBufferPointer, sequenceNumber: UInt32) throws {
        let end = try tagOffset(in: packet)
        defer { advanceInvocationCounter() }
        try gcm.open(
            iv: nonce,
            additionalData: UnsafeRawBufferPointer(rebasing: packet[0..<4]),
            text: UnsafeMutableRawBufferPointer(rebasing: packet[4..<end]),
            tag: UnsafeRawBufferPointer(rebasing: packet[end...]))
    }

    /// RFC 5647 §7.1: invocation_counter += 1, as a 64-bit big-endian integer in bytes 4..<12.
    private func advanceInvocationCounter() {
        let counter = UInt64(bigEndian: nonce.loadUnaligned(fromByteOffset: 4, as: UInt64.self))
        nonce.storeBytes(of: (counter &+ 1).bigEndian, toByteOffset: 4, as: UInt64.self)
    }
}
