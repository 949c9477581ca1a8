/// Data the owner handed to a channel that the peer's window did not admit yet (RFC 4254 §5.2).
///
/// Large pieces handed over as array slices are kept as they are, not copied; small pieces for
/// the same stream are gathered into one segment so they leave in full-size packets. Bounded by
/// the caller (``ConnectionLimits/maximumQueuedBytesPerChannel``).
struct OutboundQueue {
    private struct Segment {
        var stream: ChannelStream
        var bytes: ArraySlice<UInt8>
        /// The queue made this segment's storage (and may append to it).
        var gathered: Bool
    }

    /// Pieces at least this large are queued by reference.
    static let keptPieceSize = 4096

    private var segments: [Segment] = []
    /// Bytes of the first segment already sent.
    private var headOffset = 0
    /// Bytes queued and not yet sent.
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func append<Bytes: Collection>(_ bytes: Bytes, stream: ChannelStream) where Bytes.Element == UInt8 {
        guard !bytes.isEmpty else { return }
        count += bytes.count
        if bytes.count >= Self.keptPieceSize, let slice = bytes as? ArraySlice<UInt8> {
            segments.append(Segment(stream: stream, bytes: slice, gathered: false))
        } else if let last = segments.indices.last, segments[last].stream == stream, segments[last].gathered,
                  segments.count > 1 || headOffset == 0 {
            segments[last].bytes.append(contentsOf: bytes)
        } else {
            segments.append(Segment(stream: stream, bytes: ArraySlice(bytes), gathered: true))
        }
    }

    /// Calls `body` with the stream and the next at most `limit` bytes, and removes them.
    /// Returns false when the queue is empty or `limit` is zero.
    mutating func withNextChunk(limit: Int, _ body: (ChannelStream, ArraySlice<UInt8>) -> Void) -> Bool {
        guard limit > 0, let first = segments.first else { return false }
        let available = first.bytes.count - headOffset
        let length = min(limit, available)
        let start = first.bytes.startIndex + headOffset
        body(first.stream, first.bytes[start..<start + length])
        headOffset += length
        count -= length
        if headOffset == first.bytes.count {
            segments.removeFirst()
            headOffset = 0
        }
        return true
    }

    mutating func removeAll() {
        segments.removeAll()
        headOffset = 0
        count = 0
    }
}
