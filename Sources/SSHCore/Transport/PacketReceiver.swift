import SSHCrypto

/// Reassembles and opens binary packets (RFC 4253 §6) from a byte stream, in place.
///
/// Three outcomes per call, as every parser here (DESIGN §3): `nil` (need more bytes, nothing
/// consumed beyond what is buffered), a thrown ``TransportError``, or one payload with exactly its
/// packet consumed. Nothing but the length field is trusted before the packet is authenticated.
struct PacketReceiver {
    /// Received bytes not yet opened, and room for reads.
    private var input = SlidingBuffer()
    /// The length of the packet whose head has been decrypted, while its rest is awaited.
    private var pendingLength: Int?

    /// The protection in force; nil before the first NEWKEYS (no cipher, no MAC).
    var protection: (any PacketProtection)?
    /// RFC 4253 §6.4: counts every packet, wraps at 2^32; reset by strict KEX at NEWKEYS.
    var sequenceNumber: UInt32 = 0
    /// Wire bytes and packets since the keys now in force were taken into use (rekey accounting).
    var bytesSinceKeyChange: UInt64 = 0
    var packetsSinceKeyChange: UInt64 = 0

    var bufferedByteCount: Int { input.count }
    /// The memory the buffer holds.
    var storageSize: Int { input.size }

    mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 { input.append(bytes) }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        input.fill(upTo: bytes.count) { room in
            room.copyMemory(from: bytes)
            return bytes.count
        }
    }

    /// Lets `read` write up to `count` bytes straight after the buffered ones (a socket read
    /// into the buffer the packets are opened in, with no copy); it returns how many it wrote.
    mutating func fill<E: Error>(upTo count: Int, _ read: (UnsafeMutableRawBufferPointer) throws(E) -> Int) throws(E) {
        try input.fill(upTo: count, read)
    }

    /// Drops everything buffered (the transport is closed).
    mutating func discardBuffered() {
        input.empty()
        pendingLength = nil
    }

    /// Swaps the buffer's memory with `buffer` when nothing is buffered (true): a caller lends a
    /// buffer with room for its reads and takes it back afterwards. False otherwise.
    mutating func exchangeBuffer(_ buffer: inout [UInt8]) -> Bool { input.exchange(&buffer) }

    /// Shows `body` the buffered bytes not yet consumed and drops as many as it reports using (the
    /// version exchange reads its lines this way, before the binary packet protocol starts).
    mutating func withUnconsumedBytes<R>(_ body: (ArraySlice<UInt8>) throws(TransportError) -> (R, consumed: Int)) throws(TransportError) -> R {
        let (result, consumed) = try body(input.pending)
        input.consume(min(max(0, consumed), input.count))
        return result
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
            guard input.count >= lengthSpan else { return nil }
            let start = input.start
            let length: UInt32
            if let protection {
                let sequence = sequenceNumber
                do {
                    length = try input.withUnsafeMutableBytes { raw in
                        try protection.decryptLength(
                            UnsafeMutableRawBufferPointer(rebasing: raw[start..<start + lengthSpan]), sequenceNumber: sequence)
                    }
                } catch {
                    throw .macError
                }
            } else {
                length = UInt32(input[start]) << 24 | UInt32(input[start + 1]) << 16
                    | UInt32(input[start + 2]) << 8 | UInt32(input[start + 3])
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
        guard input.count >= total else { return nil }
        let start = input.start
        if let protection {
            let sequence = sequenceNumber
            do {
                try input.withUnsafeMutableBytes { raw in
                    let packet = UnsafeMutableRawBufferPointer(rebasing: raw[start..<start + total])
                    try protection.open(packet, sequenceNumber: sequence)
                }
            } catch {
                throw .macError
            }
        }
        let paddingLength = Int(input[start + 4])
        // RFC 4253 §6: padding of at least 4 bytes, and a non-empty payload (a message number).
        guard paddingLength >= TransportLimits.minimumPadding, paddingLength + 1 < packetLength else {
            throw .protocolError("bad padding length \(paddingLength)")
        }
        let payloadStart = start + 5
        let payloadEnd = start + 4 + packetLength - paddingLength
        let payload = Array(input.storage[payloadStart..<payloadEnd])
        let sequence = sequenceNumber
        sequenceNumber &+= 1
        bytesSinceKeyChange &+= UInt64(total)
        packetsSinceKeyChange &+= 1
        input.consume(total)
        pendingLength = nil
        return (payload, sequence)
    }
}
