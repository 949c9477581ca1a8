/// Client data on its way to a tunnel's socket (RFC 4254 §5.2): appended at the back as channel
/// data arrives, written from the front as the socket takes it.
///
/// The bytes are kept in chunks of about ``chunkSize``; small packets are gathered into the last
/// chunk, so a peer sending one byte per packet costs no more than one sending large ones. A chunk
/// is released once written, so the buffer holds the unwritten bytes (bounded by the channel's
/// receive window) plus at most the written part of one chunk — never what went before.
struct TunnelBuffer {
    /// Data is gathered into chunks until they reach this size.
    static let chunkSize = 64 * 1024

    private var chunks: [[UInt8]] = []
    /// Bytes of the first chunk already written.
    private var headWritten = 0
    /// Bytes not yet written.
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// Bytes held, written or not: what the buffer costs in memory.
    var storedByteCount: Int { chunks.reduce(0) { $0 + $1.count } }

    mutating func append<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        guard !bytes.isEmpty else { return }
        count += bytes.count
        if let last = chunks.indices.last, chunks[last].count < Self.chunkSize {
            chunks[last].append(contentsOf: bytes)
        } else {
            chunks.append(Array(bytes))
        }
    }

    /// Calls `body` with the next unwritten bytes (those of the first chunk; empty when none).
    func withNextBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        guard let first = chunks.first else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return try first.withUnsafeBytes { raw in try body(UnsafeRawBufferPointer(rebasing: raw[headWritten...])) }
    }

    /// Marks `written` bytes from the front written (at most what is unwritten), releasing every
    /// chunk written through.
    mutating func markWritten(_ written: Int) {
        var remaining = min(max(written, 0), count)
        count -= remaining
        while remaining > 0, let first = chunks.first {
            let taken = min(remaining, first.count - headWritten)
            remaining -= taken
            headWritten += taken
            if headWritten == first.count {
                chunks.removeFirst()
                headWritten = 0
            }
        }
    }

    mutating func removeAll() {
        chunks = []
        headWritten = 0
        count = 0
    }
}
