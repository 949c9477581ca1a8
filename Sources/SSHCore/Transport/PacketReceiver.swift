import SSHCrypto

/// Reassembles and opens binary packets (RFC 4253 §6) from a byte stream, in place.
///
/// Three outcomes per call, as every parser here (DESIGN §3): `nil` (need more bytes, nothing
/// consumed beyond what is buffered), a thrown ``TransportError``, or one payload with exactly its
/// packet consumed. Nothing but the length field is trusted before the packet is authenticated.
struct PacketReceiver {
    private var buffer: [UInt8] = []
    private var readIndex = 0
    /// The length of the packet whose head has been decrypted, while its rest is awaited.
    private var pendingLength: Int?

    /// The protection in force; nil before the first NEWKEYS (no cipher, no MAC).
    var protection: (any PacketProtection)?
    /// RFC 4253 §6.4: counts every packet, wraps at 2^32; reset by strict KEX at NEWKEYS.
    var sequenceNumber: UInt32 = 0
    /// Wire bytes and packets since the keys now in force were taken into use (rekey accounting).
    var bytesSinceKeyChange: UInt64 = 0
    var packetsSinceKeyChange: UInt64 = 0

    var bufferedByteCount: Int { buffer.count - readIndex }

    mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        compactIfWorthwhile()
        buffer.append(contentsOf: bytes)
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compactIfWorthwhile()
        buffer.append(contentsOf: bytes)
    }

    /// Shows `body` the buffered bytes not yet consumed and drops as many as it reports using (the
    /// version exchange reads its lines this way, before the binary packet protocol starts).
    mutating func withUnconsumedBytes<R>(_ body: (ArraySlice<UInt8>) throws(TransportError) -> (R, consumed: Int)) throws(TransportError) -> R {
        let (result, consumed) = try body(buffer[readIndex...])
        readIndex += min(consumed, buffer.count - readIndex)
        return result
    }

    private mutating func compactIfWorthwhile() {
        if readIndex > 0 && (readIndex == buffer.count || readIndex >= 64 * 1024) {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
    }

    /// The next packet's payload and sequence number, or nil when more bytes are needed.
    mutating func nextPayload() throws(TransportError) -> (payload: [UInt8], sequenceNumber: UInt32)? {
        let blockSize = max(8, protection?.blockSize ?? 8)
        let tagLength = protection?.tagLength ?? 0
        let lengthSpan = protection?.lengthFieldSpan ?? 4
        let lengthIsAuthenticatedOnly = protection?.lengthIsAuthenticatedOnly ?? false

        let packetLength: Int
        if let pending = pendingLength {
            packetLength = pending
        } else {
            guard buffer.count - readIndex >= lengthSpan else { return nil }
            let start = readIndex
            let length: UInt32
            if let protection {
                let sequence = sequenceNumber
                do {
                    length = try buffer.withUnsafeMutableBytes { raw in
                        try protection.decryptLength(
                            UnsafeMutableRawBufferPointer(rebasing: raw[start..<start + lengthSpan]), sequenceNumber: sequence)
                    }
                } catch {
                    throw .macError
                }
            } else {
                length = UInt32(buffer[start]) << 24 | UInt32(buffer[start + 1]) << 16
                    | UInt32(buffer[start + 2]) << 8 | UInt32(buffer[start + 3])
            }
            // RFC 4253 §6: bounded, at least the minimum we accept, and (with the length field
            // unless it is only authenticated) a multiple of the block size.
            let covered = Int(length) + (lengthIsAuthenticatedOnly ? 0 : 4)
            guard Int(length) <= TransportLimits.maximumPacketLength,
                  Int(length) >= TransportLimits.minimumReceivedPacketLength,
                  covered % blockSize == 0
            else {
                throw .protocolError("bad packet length \(length)")
            }
            packetLength = Int(length)
            pendingLength = packetLength
        }

        let total = 4 + packetLength + tagLength
        guard buffer.count - readIndex >= total else { return nil }
        let start = readIndex
        if let protection {
            let sequence = sequenceNumber
            do {
                try buffer.withUnsafeMutableBytes { raw in
                    let packet = UnsafeMutableRawBufferPointer(rebasing: raw[start..<start + total])
                    try protection.open(packet, sequenceNumber: sequence)
                }
            } catch {
                throw .macError
            }
        }
        let paddingLength = Int(buffer[start + 4])
        // RFC 4253 §6: padding of at least 4 bytes, and a non-empty payload (a message number).
        guard paddingLength >= TransportLimits.minimumPadding, paddingLength + 1 < packetLength else {
            throw .protocolError("bad padding length \(paddingLength)")
        }
        let payloadStart = start + 5
        let payloadEnd = start + 4 + packetLength - paddingLength
        let payload = Array(buffer[payloadStart..<payloadEnd])
        let sequence = sequenceNumber
        sequenceNumber &+= 1
        bytesSinceKeyChange &+= UInt64(total)
        packetsSinceKeyChange &+= 1
        readIndex += total
        pendingLength = nil
        return (payload, sequence)
    }
}
