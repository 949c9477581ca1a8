/// A block cipher mode plus HMAC: encrypt-and-MAC (RFC 4253 §6) or encrypt-then-MAC (OpenSSH
/// PROTOCOL §1.5).
///
/// ### Invariants
/// - Encrypt-and-MAC: the whole packet is encrypted, length included, so
///   ``lengthFieldSpan`` is one cipher block and ``decryptLength(_:sequenceNumber:)`` decrypts
///   that block in place (the cipher state runs on into ``open(_:sequenceNumber:)``, which
///   decrypts the rest and then checks `MAC(key, uint32 seq ‖ plaintext packet)`).
/// - Encrypt-then-MAC: the length travels in clear; `open` checks
///   `MAC(key, uint32 seq ‖ packet_length ‖ ciphertext)` before it decrypts anything.
/// - Tags are compared in constant time. A computed-MAC buffer is allocated once; the hot path
///   does not allocate in this code (OpenSSL 3.0's HMAC re-initialisation duplicates its digest
///   contexts internally).
final class CipherMACPacketProtection: PacketProtection {
    let blockSize: Int
    let tagLength: Int
    let lengthFieldSpan: Int
    let lengthIsAuthenticatedOnly: Bool

    private let cipher: EVPCipherContext
    private let mac: HMAC
    private let encryptThenMAC: Bool
    /// CBC: every encrypted range must be whole blocks (RFC 4253 §6).
    private let wholeBlocksOnly: Bool
    private let computed: UnsafeMutableRawPointer

    init(
        cipher: EVPCipherContext, blockSize: Int, wholeBlocksOnly: Bool, mac: HMAC, tagLength: Int,
        encryptThenMAC: Bool
    ) {
        self.cipher = cipher
        self.blockSize = blockSize
        self.wholeBlocksOnly = wholeBlocksOnly
        self.mac = mac
        self.tagLength = tagLength
        self.encryptThenMAC = encryptThenMAC
        self.lengthFieldSpan = encryptThenMAC ? 4 : blockSize
        self.lengthIsAuthenticatedOnly = encryptThenMAC
        self.computed = allocateScratch(byteCount: mac.digestLength)
    }

    deinit { wipeAndDeallocate(computed, byteCount: mac.digestLength) }

    func decryptLength(_ head: UnsafeMutableRawBufferPointer, sequenceNumber: UInt32) throws -> UInt32 {
        guard head.count >= lengthFieldSpan else { throw CryptoError.authenticationFailure }
        if !encryptThenMAC {
            try cipher.transform(UnsafeMutableRawBufferPointer(rebasing: head[0..<lengthFieldSpan]))
        }
        return try readLength(head)
    }

    func seal(_ packet: UnsafeMutableRawBufferPointer, sequenceNumber: UInt32) throws {
        let end = try tagOffset(in: packet)
        let encrypted = UnsafeMutableRawBufferPointer(rebasing: packet[(encryptThenMAC ? 4 : 0)..<end])
        guard !wholeBlocksOnly || encrypted.count % blockSize == 0 else {
            throw CryptoError.unsupported("packet is not a whole number of cipher blocks")
        }
        if encryptThenMAC { try cipher.transform(encrypted) }
        try computeMAC(sequenceNumber: sequenceNumber, over: UnsafeRawBufferPointer(rebasing: packet[0..<end]))
        if !encryptThenMAC { try cipher.transform(encrypted) }
        UnsafeMutableRawBufferPointer(rebasing: packet[end...]).copyMemory(
            from: UnsafeRawBufferPointer(start: computed, count: tagLength))
    }

    func open(_ packet: UnsafeMutableRawBufferPointer, sequenceNumber: UInt32) throws {
        let end = try tagOffset(in: packet)
        let remaining = UnsafeMutableRawBufferPointer(rebasing: packet[(encryptThenMAC ? 4 : lengthFieldSpan)..<end])
        guard !wholeBlocksOnly || remaining.count % blockSize == 0 else { throw CryptoError.authenticationFailure }
        if !encryptThenMAC { try cipher.transform(remaining) }
        try computeMAC(sequenceNumber: sequenceNumber, over: UnsafeRawBufferPointer(rebasing: packet[0..<end]))
        guard
            constantTimeEquals(
                UnsafeRawBufferPointer(start: computed, count: tagLength), UnsafeRawBufferPointer(rebasing: packet[end...]))
        else { throw CryptoError.authenticationFailure }
        if encryptThenMAC { try cipher.transform(remaining) }
    }

    /// RFC 4253 §6.4: `MAC(key, uint32 sequence_number ‖ data)` into the scratch buffer.
    private func computeMAC(sequenceNumber: UInt32, over data: UnsafeRawBufferPointer) throws {
        try mac.start()
        try withUnsafeBytes(of: sequenceNumber.bigEndian) { try mac.update($0) }
        try mac.update(data)
        try mac.finish(into: UnsafeMutableRawBufferPointer(start: computed, count: mac.digestLength))
    }
}
