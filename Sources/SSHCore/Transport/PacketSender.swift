import SSHCrypto

/// Frames and seals outgoing packets (RFC 4253 §6) directly into the output buffer.
///
/// The buffer's bytes `storage[written..<end]` are sealed and not yet written; the rest of
/// `storage` is room, kept between packets so that sealing writes into pages already in use.
struct PacketSender {
    private var storage: [UInt8] = []
    private var written = 0
    private var end = 0
    var protection: (any PacketProtection)?
    /// RFC 4253 §6.4; reset by strict KEX at NEWKEYS.
    var sequenceNumber: UInt32 = 0
    var bytesSinceKeyChange: UInt64 = 0
    var packetsSinceKeyChange: UInt64 = 0
    private var randomPool = RandomPool()

    /// Raw bytes before the binary packet protocol starts (the identification line).
    mutating func appendRaw(_ bytes: [UInt8]) {
        makeRoom(bytes.count)
        storage.replaceSubrange(end..<end + bytes.count, with: bytes)
        end += bytes.count
    }

    /// Takes everything sealed and not yet written (a copy; ``writeOutput(keepingCapacity:_:)``
    /// writes without one).
    mutating func takeOutput() -> [UInt8] {
        defer { emptyOutput() }
        return Array(storage[written..<end])
    }

    var hasOutput: Bool { written < end }

    /// Hands the unwritten bytes to `write`, which returns how many it took; the rest stay for the
    /// next call. Once all are written the buffer is emptied but keeps its memory (up to
    /// ``TransportLimits/retainedOutputCapacity``, or all of it with `keepingCapacity`), so the next
    /// packets are sealed into pages already in use instead of a fresh allocation each time.
    mutating func writeOutput<E: Error>(
        keepingCapacity: Bool = false, _ write: (UnsafeRawBufferPointer) throws(E) -> Int
    ) throws(E) {
        guard hasOutput else { return }
        let range = written..<end
        var outcome: Result<Int, E> = .success(0)
        storage.withUnsafeBytes { raw in
            outcome = Result { () throws(E) in try write(UnsafeRawBufferPointer(rebasing: raw[range])) }
        }
        written += min(max(0, try outcome.get()), range.count)
        if written == end {
            emptyOutput(keepingCapacity: keepingCapacity)
        } else if written >= TransportLimits.retainedOutputCapacity {
            // A peer that reads slowly: drop what went out rather than keep it in front.
            storage.removeSubrange(0..<written)
            end -= written
            written = 0
        }
    }

    /// See ``SSHTransport/exchangeOutputBuffer(_:)``.
    mutating func exchangeOutputBuffer(_ buffer: inout [UInt8]) -> Bool {
        guard !hasOutput else { return false }
        written = 0
        end = 0
        swap(&buffer, &storage)
        return true
    }

    private mutating func emptyOutput(keepingCapacity: Bool = false) {
        written = 0
        end = 0
        if !keepingCapacity && storage.count > TransportLimits.retainedOutputCapacity { storage = [] }
    }

    /// Room for `count` more bytes after ``end``. The buffer doubles (staying within
    /// ``TransportLimits/retainedOutputCapacity`` while that is enough), so a run of packets
    /// reallocates a logarithmic number of times, not once per packet; only unwritten bytes move.
    private mutating func makeRoom(_ count: Int) {
        guard storage.count < end + count else { return }
        let keep = end - written
        if keep == 0 {
            written = 0
            end = 0
            guard storage.count < count else { return }
        }
        let needed = keep + count
        var size = max(needed, 2 * storage.count)
        if needed <= TransportLimits.retainedOutputCapacity { size = min(size, TransportLimits.retainedOutputCapacity) }
        var grown = [UInt8](repeating: 0, count: size)
        if keep > 0 {
            let range = written..<end
            grown.withUnsafeMutableBytes { destination in
                storage.withUnsafeBytes { destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[range])) }
            }
        }
        storage = grown
        written = 0
        end = keep
    }

    /// Frames `payload` with random padding and seals it in place at the end of the output.
    mutating func send(_ payload: [UInt8]) throws(TransportError) {
        try send(payload, [])
    }

    /// Frames the payload `header` + `body` with random padding and seals it at the end of the
    /// output. `body` is read once: encrypted from where it is into the output by protections
    /// that can (``PacketProtection/seal(_:body:from:sequenceNumber:)``), else copied in and sealed
    /// in place.
    mutating func send(_ header: [UInt8], _ body: ArraySlice<UInt8>) throws(TransportError) {
        let payloadCount = header.count + body.count
        let blockSize = max(8, protection?.blockSize ?? 8)
        let tagLength = protection?.tagLength ?? 0
        let lengthIsAuthenticatedOnly = protection?.lengthIsAuthenticatedOnly ?? false
        // RFC 4253 §6: (packet_length [+ 4]) is a multiple of the block size, padding 4…255 bytes.
        let unpadded = 1 + payloadCount + (lengthIsAuthenticatedOnly ? 0 : 4)
        var padding = blockSize - unpadded % blockSize
        if padding < TransportLimits.minimumPadding { padding += blockSize }
        while 4 + 1 + payloadCount + padding < TransportLimits.minimumPacketSize { padding += blockSize }
        let packetLength = 1 + payloadCount + padding
        let total = 4 + packetLength + tagLength

        makeRoom(total)
        let start = end
        let bodyStart = start + 5 + header.count
        let bodyRange = bodyStart..<bodyStart + body.count
        let sequence = sequenceNumber
        var failure: (any Error)?
        storage.withUnsafeMutableBytes { raw in
            let packet = UnsafeMutableRawBufferPointer(rebasing: raw[start..<start + total])
            packet.storeBytes(of: UInt32(packetLength).bigEndian, toByteOffset: 0, as: UInt32.self)
            packet[4] = UInt8(padding)
            header.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: packet[5..<5 + header.count]).copyMemory(from: $0) }
            randomPool.fill(UnsafeMutableRawBufferPointer(rebasing: packet[5 + payloadCount..<5 + payloadCount + padding]))
            let localBody = (bodyRange.lowerBound - start)..<(bodyRange.upperBound - start)
            body.withUnsafeBytes { source in
                guard let protection else {
                    UnsafeMutableRawBufferPointer(rebasing: packet[localBody]).copyMemory(from: source)
                    return
                }
                do {
                    try protection.seal(packet, body: localBody, from: source, sequenceNumber: sequence)
                } catch {
                    failure = error
                }
            }
        }
        if let failure { throw .protocolError("sealing failed: \(failure)") }
        end += total
        sequenceNumber &+= 1
        bytesSinceKeyChange &+= UInt64(total)
        packetsSinceKeyChange &+= 1
    }
}

/// Random padding bytes drawn from a refilled pool, so a packet costs no CSPRNG call of its own.
private struct RandomPool {
    private static let poolSize = 4096
    private var bytes: [UInt8] = []
    private var index = 0

    /// Fills `destination` (at most 255 bytes: padding) with fresh random bytes.
    mutating func fill(_ destination: UnsafeMutableRawBufferPointer) {
        let count = destination.count
        if index + count > bytes.count {
            bytes = OpenSSL.randomBytes(Self.poolSize)
            index = 0
        }
        bytes[index..<index + count].withUnsafeBytes { destination.copyMemory(from: $0) }
        index += count
    }
}
