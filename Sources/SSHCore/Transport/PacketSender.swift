import SSHCrypto

/// Frames and seals outgoing packets (RFC 4253 §6) directly into the output buffer.
struct PacketSender {
    /// Sealed bytes; those before ``written`` went to the peer already.
    private(set) var output: [UInt8] = []
    private var written = 0
    var protection: (any PacketProtection)?
    /// RFC 4253 §6.4; reset by strict KEX at NEWKEYS.
    var sequenceNumber: UInt32 = 0
    var bytesSinceKeyChange: UInt64 = 0
    var packetsSinceKeyChange: UInt64 = 0
    private var randomPool = RandomPool()

    /// Raw bytes before the binary packet protocol starts (the identification line).
    mutating func appendRaw(_ bytes: [UInt8]) { output.append(contentsOf: bytes) }

    /// Takes everything sealed and not yet written.
    mutating func takeOutput() -> [UInt8] {
        defer { emptyOutput() }
        return written == 0 ? output : Array(output[written...])
    }

    var hasOutput: Bool { written < output.count }

    /// Hands the unwritten bytes to `write`, which returns how many it took; the rest stay for the
    /// next call. Once all are written the buffer is emptied but keeps its memory (up to
    /// ``TransportLimits/retainedOutputCapacity``), so the next packets are sealed into pages
    /// already in use instead of a fresh allocation each time.
    mutating func writeOutput<E: Error>(_ write: (UnsafeRawBufferPointer) throws(E) -> Int) throws(E) {
        guard hasOutput else { return }
        let start = written
        var outcome: Result<Int, E> = .success(0)
        output.withUnsafeBytes { raw in
            outcome = Result { () throws(E) in try write(UnsafeRawBufferPointer(rebasing: raw[start...])) }
        }
        written += min(max(0, try outcome.get()), output.count - start)
        if written == output.count {
            emptyOutput()
        } else if written >= TransportLimits.retainedOutputCapacity {
            // A peer that reads slowly: drop what went out rather than keep it in front.
            output.removeFirst(written)
            written = 0
        }
    }

    private mutating func emptyOutput() {
        output.removeAll(keepingCapacity: output.capacity <= TransportLimits.retainedOutputCapacity)
        written = 0
    }

    /// Frames `payload` with random padding and seals it in place at the end of ``output``.
    mutating func send(_ payload: [UInt8]) throws(TransportError) {
        try send(payload, [])
    }

    /// Frames the payload `header` + `body` with random padding and seals it in place at the end
    /// of ``output``: each byte of the payload is copied once, into the output.
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

        let start = output.count
        if output.capacity < start + total {
            // Geometric growth: reserving exactly what each packet needs would copy the whole
            // buffer once per packet.
            output.reserveCapacity(max(start + total, 2 * output.capacity))
        }
        output.append(UInt8(truncatingIfNeeded: packetLength >> 24))
        output.append(UInt8(truncatingIfNeeded: packetLength >> 16))
        output.append(UInt8(truncatingIfNeeded: packetLength >> 8))
        output.append(UInt8(truncatingIfNeeded: packetLength))
        output.append(UInt8(padding))
        output.append(contentsOf: header)
        output.append(contentsOf: body)
        randomPool.append(padding, to: &output)
        output.append(contentsOf: repeatElement(0, count: tagLength))
        if let protection {
            let sequence = sequenceNumber
            do {
                try output.withUnsafeMutableBytes { raw in
                    try protection.seal(UnsafeMutableRawBufferPointer(rebasing: raw[start..<start + total]), sequenceNumber: sequence)
                }
            } catch {
                output.removeSubrange(start...)
                throw .protocolError("sealing failed: \(error)")
            }
        }
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

    mutating func append(_ count: Int, to output: inout [UInt8]) {
        if index + count > bytes.count {
            bytes = OpenSSL.randomBytes(Self.poolSize)
            index = 0
        }
        output.append(contentsOf: bytes[index..<index + count])
        index += count
    }
}
