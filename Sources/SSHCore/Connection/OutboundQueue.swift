/// Data the owner handed to a channel that the peer's window did not admit yet (RFC 4254 §5.2).
///
/// Consecutive data for the same stream is kept in one segment so it leaves in full-size
/// packets. Bounded by the caller (``ConnectionLimits/maximumQueuedBytesPerChannel``).
struct OutboundQueue {
    private struct Segment {
        var stream: ChannelStream
        var bytes: [UInt8]
    }

    private var segments: [Segment] = []
    /// Bytes of the first segment already sent.
    private var headOffset = 0
    /// Bytes queued and not yet sent.
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func append<Bytes: Collection>(_ bytes: Bytes, stream: ChannelStream) where Bytes.Element == UInt8 {
        guard !bytes.isEmpty else { return }
        count += bytes.count
        if let last = segments.indices.last, segments[last].stream == stream {
            segments[last].bytes.append(contentsOf: bytes)
        } else {
            segments.append(Segment(stream: stream, bytes: Array(bytes)))
        }
    }

    /// Calls `body` with the stream and the next at most `limit` bytes, and removes them.
    /// Returns false when the queue is empty or `limit` is zero.
    mutating func withNextChunk(limit: Int, _ body: (ChannelStream, ArraySlice<UInt8>) -> Void) -> Bool {
        guard limit > 0, let first = segments.first else { return false }
        let available = first.bytes.count - headOffset
        let length = min(limit, available)
        body(first.stream, first.bytes[headOffset..<headOffset + length])
        headOffset += length
        count -= length
        if headOffset == first.bytes.count {
            segments.removeFirst()
            headOffset = 0
        } else if headOffset >= 64 * 1024, headOffset * 2 >= first.bytes.count {
            // Data appended behind a partly sent head would otherwise keep the sent prefix alive.
            segments[0].bytes.removeFirst(headOffset)
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
