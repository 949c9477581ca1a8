import SSHCrypto

/// Reassembles and opens binary packets (RFC 4253 §6) from a byte stream, in place.
///
/// Three outcomes per call, as every parser here (DESIGN §3): `nil` (need more bytes, nothing
/// consumed beyond what is buffered), a thrown ``TransportError``, or one payload with exactly its
/// packet consumed. Nothing but the length field is trusted before the packet is authenticated.
struct PacketReceiver {
    /// Received bytes are `storage[readIndex..<end]`; the rest of `storage` is room for reads.
    private var storage: [UInt8] = []
    private var readIndex = 0
    private var end = 0
    /// The length of the packet whose head has been decrypted, while its rest is awaited.
    private var pendingLength: Int?

    /// The protection in force; nil before the first NEWKEYS (no cipher, no MAC).
    var protection: (any PacketProtection)?
    /// RFC 4253 §6.4: counts every packet, wraps at 2^32; reset by strict KEX at NEWKEYS.
    var sequenceNumber: UInt32 = 0
    /// Wire bytes and packets since the keys now in force were taken into use (rekey accounting).
    var bytesSinceKeyChange: UInt64 = 0
    var packetsSinceKeyChange: UInt64 = 0

    var bufferedByteCount: Int { end - readIndex }
    var storageSize: Int { storage.count }

    mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        makeRoom(bytes.count)
        storage.replaceSubrange(end..<end + bytes.count, with: bytes)
        end += bytes.count
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        fill(upTo: bytes.count) { room in
            room.copyMemory(from: bytes)
            return bytes.count
        }
    }

    /// Lets `read` write up to `count` bytes straight after the buffered ones (a socket read
    /// into the buffer the packets are opened in, with no copy); it returns how many it wrote.
    mutating func fill<E: Error>(upTo count: Int, _ read: (UnsafeMutableRawBufferPointer) throws(E) -> Int) throws(E) {
        makeRoom(count)
        let room = end..<end + count
        var outcome: Result<Int, E> = .success(0)
        storage.withUnsafeMutableBytes { raw in
            outcome = Result { () throws(E) in try read(UnsafeMutableRawBufferPointer(rebasing: raw[room])) }
        }
        end += min(max(0, try outcome.get()), count)
    }

    /// Drops everything buffered (the transport is closed).
    mutating func discardBuffered() {
        readIndex = 0
        end = 0
        pendingLength = nil
    }

    /// Swaps the buffer with `buffer` when nothing is buffered (true): a caller lends a buffer with
    /// room for its reads and takes it back afterwards. False, and nothing changes, otherwise.
    mutating func exchangeBuffer(_ buffer: inout [UInt8]) -> Bool {
        guard readIndex == end else { return false }
        readIndex = 0
        end = 0
        swap(&buffer, &storage)
        return true
    }

    /// Shows `body` the buffered bytes not yet consumed and drops as many as it reports using (the
    /// version exchange reads its lines this way, before the binary packet protocol starts).
    mutating func withUnconsumedBytes<R>(_ body: (ArraySlice<UInt8>) throws(TransportError) -> (R, consumed: Int)) throws(TransportError) -> R {
        let (result, consumed) = try body(storage[readIndex..<end])
        readIndex += min(consumed, end - readIndex)
        return result
    }

    /// Room for `count` more bytes after ``end``: consumed bytes are dropped from the front (the
    /// unconsumed rest, at most a packet, moves down), then the buffer doubles if it must.
    private mutating func makeRoom(_ count: Int) {
        guard storage.count - end < count else { return }
        let keep = end - readIndex
        if readIndex > 0 {
            if keep > 0 {
                let range = readIndex..<end
                storage.withUnsafeMutableBytes { raw in
                    guard let base = raw.baseAddress else { return }
                    (base).copyMemory(from: base + range.lowerBound, byteCount: range.count)
                }
            }
            readIndex = 0
            end = keep
            guard storage.count - end < count else { return }
        }
        var grown = [UInt8](repeating: 0, count: max(keep + count, 2 * storage.count))
        if keep > 0 {
            grown.withUnsafeMutableBytes { destination in
                storage.withUnsafeBytes { destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<keep])) }
            }
        }
        storage = grown
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
            guard end - readIndex >= lengthSpan else { return nil }
            let start = readIndex
            let length: UInt32
            if let protection {
                let sequence = sequenceNumber
                do {
                    length = try storage.withUnsafeMutableBytes { raw in
                        try protection.decryptLength(
                            UnsafeMutableRawBufferPointer(rebasing: raw[start..<start + lengthSpan]), sequenceNumber: sequence)
                    }
                } catch {
                    throw .macError
                }
            } else {
                length = UInt32(storage[start]) << 24 | UInt32(storage[start + 1]) << 16
                    | UInt32(storage[start + 2]) << 8 | UInt32(storage[start + 3])
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
        guard end - readIndex >= total else { return nil }
        let start = readIndex
        if let protection {
            let sequence = sequenceNumber
            do {
                try storage.withUnsafeMutableBytes { raw in
                    let packet = UnsafeMutableRawBufferPointer(rebasing: raw[start..<start + total])
                    try protection.open(packet, sequenceNumber: sequence)
                }
            } catch {
                throw .macError
            }
        }
        let paddingLength = Int(storage[start + 4])
        // RFC 4253 §6: padding of at least 4 bytes, and a non-empty payload (a message number).
        guard paddingLength >= TransportLimits.minimumPadding, paddingLength + 1 < packetLength else {
            throw .protocolError("bad padding length \(paddingLength)")
        }
        let payloadStart = start + 5
        let payloadEnd = start + 4 + packetLength - paddingLength
        let payload = Array(storage[payloadStart..<payloadEnd])
        let sequence = sequenceNumber
        sequenceNumber &+= 1
        bytesSinceKeyChange &+= UInt64(total)
        packetsSinceKeyChange &+= 1
        readIndex += total
        if readIndex == end {
            readIndex = 0
            end = 0
        }
        pendingLength = nil
        return (payload, sequence)
    }
}
