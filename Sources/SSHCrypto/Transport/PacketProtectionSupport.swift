import CShims

/// RFC 4253 §6: the first four bytes of a packet are `uint32 packet_length`, big-endian.
/// Throws when fewer than four bytes are given.
func readLength(_ head: UnsafeMutableRawBufferPointer) throws -> UInt32 {
    guard head.count >= 4 else { throw CryptoError.authenticationFailure }
    return UInt32(bigEndian: head.loadUnaligned(as: UInt32.self))
}

/// Allocates `byteCount` zeroed bytes of per-protection scratch space (nonces, computed tags,
/// one-time keys), so that sealing and opening never allocate.
func allocateScratch(byteCount: Int) -> UnsafeMutableRawPointer {
    let pointer = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 16)
    pointer.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
    return pointer
}

/// Wipes scratch space that held secrets (OPENSSL_cleanse) and frees it.
func wipeAndDeallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
    sshd_cleanse(pointer, byteCount)
    pointer.deallocate()
}

extension PacketProtection {
    /// Where the tag starts in a whole packet (`4 + packet_length`); throws when the buffer
    /// cannot hold the length field span and a tag.
    func tagOffset(in packet: UnsafeMutableRawBufferPointer) throws -> Int {
        guard packet.count >= lengthFieldSpan + tagLength else { throw CryptoError.authenticationFailure }
        return packet.count - tagLength
    }
}
