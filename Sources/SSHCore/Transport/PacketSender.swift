import SSHCrypto

/// Frames and seals outgoing packets (RFC 4253 §6) directly into the output buffer, whose pending
/// bytes are those sealed and not yet written.
struct PacketSender {
    private var output = SlidingBuffer()
    var protection: (any PacketProtection)?
    /// RFC 4253 §6.4; reset by strict KEX at NEWKEYS.
    var sequenceNumber: UInt32 = 0
    var bytesSinceKeyChange: UInt64 = 0
    var packetsSinceKeyChange: UInt64 = 0
    private var randomPool = RandomPool()

    /// What the buffer keeps once written to the end (more only while lent).
    private static let retained = TransportLimits.retainedBufferSize

    /// Raw bytes before the binary packet protocol starts (the identification line).
    mutating func appendRaw(_ bytes: [UInt8]) { output.append(bytes, preferredSize: Self.retained) }

    /// Takes everything sealed and not yet written (a copy; ``writeOutput(keepingCapacity:_:)``
    /// writes without one).
    mutating func takeOutput() -> [UInt8] {
        defer { output.empty(keepingAtMost: Self.retained) }
        return Array(output.pending)
    }

    var hasOutput: Bool { !output.isEmpty }
    /// The memory the buffer holds.
    var storageSize: Int { output.size }

    /// Hands the unwritten bytes to `write`, which returns how many it took; the rest stay for the
    /// next call. Once all are written the buffer keeps its memory (up to
    /// ``TransportLimits/retainedBufferSize``, or all of it with `keepingCapacity`), so the next
    /// packets are sealed into pages already in use instead of a fresh allocation each time.
    mutating func writeOutput<E: Error>(
        keepingCapacity: Bool = false, _ write: (UnsafeRawBufferPointer) throws(E) -> Int
    ) throws(E) {
        guard hasOutput else { return }
        try output.drain(write)
        if output.isEmpty && !keepingCapacity { output.empty(keepingAtMost: Self.retained) }
    }

    /// See ``SSHTransport/exchangeOutputBuffer(_:)``.
    mutating func exchangeOutputBuffer(_ buffer: inout [UInt8]) -> Bool { output.exchange(&buffer) }

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

        output.makeRoom(total, preferredSize: Self.retained)
        let start = output.end
        let localBody = (5 + header.count)..<(5 + header.count + body.count)
        let sequence = sequenceNumber
        var failure: (any Error)?
        output.withUnsafeMutableBytes { raw in
            let packet = UnsafeMutableRawBufferPointer(rebasing: raw[start..<start + total])
            packet.storeBytes(of: UInt32(packetLength).bigEndian, toByteOffset: 0, as: UInt32.self)
            packet[4] = UInt8(padding)
            header.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: packet[5..<5 + header.count]).copyMemory(from: $0) }
            randomPool.fill(UnsafeMutableRawBufferPointer(rebasing: packet[5 + payloadCount..<5 + payloadCount + padding]))
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
        output.commit(total)
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
