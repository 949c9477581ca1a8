/// Bytes waiting in a buffer that is reused: `storage[start..<end]` are pending, the rest is room.
///
/// Both directions of the transport keep one (``PacketSender``: sealed bytes not yet written;
/// ``PacketReceiver``: received bytes not yet opened). Consuming moves `start`; when everything is
/// consumed both marks go back to 0 without moving a byte. Room is made by moving the pending
/// bytes to the front, and only then by doubling the buffer, so a stream of packets does not
/// reallocate once the buffer has its working size. Room is never zeroed: a byte becomes pending
/// only once written.
struct SlidingBuffer {
    private(set) var storage: [UInt8] = []
    private(set) var start = 0
    private(set) var end = 0

    /// Pending bytes.
    var count: Int { end - start }
    var isEmpty: Bool { start == end }
    /// The memory held, pending bytes and room.
    var size: Int { storage.count }

    /// Room for `count` more bytes after ``end``. Growth doubles the buffer but stays within
    /// `preferredSize` while that is enough.
    mutating func makeRoom(_ count: Int, preferredSize: Int = .max) {
        guard storage.count - end < count else { return }
        let pending = end - start
        if start > 0 {
            if pending > 0 {
                let range = start..<end
                storage.withUnsafeMutableBytes { raw in
                    guard let base = raw.baseAddress else { return }
                    // Overlapping ranges: copyMemory is a memmove.
                    base.copyMemory(from: base + range.lowerBound, byteCount: range.count)
                }
            }
            start = 0
            end = pending
            guard storage.count - end < count else { return }
        }
        let needed = pending + count
        let doubled = max(needed, 2 * storage.count)
        let size = needed <= preferredSize ? min(doubled, preferredSize) : doubled
        // The room is not zeroed: every byte of it is written (sealed, or received) before it
        // becomes pending, and writing zeros first would touch every page twice.
        storage = storage.withUnsafeBytes { old in
            [UInt8](unsafeUninitializedCapacity: size) { destination, initialized in
                if pending > 0, let base = destination.baseAddress, let source = old.baseAddress {
                    UnsafeMutableRawPointer(base).copyMemory(from: source, byteCount: pending)
                }
                initialized = size
            }
        }
    }

    /// Copies `bytes` after the pending ones.
    mutating func append<C: Collection>(_ bytes: C, preferredSize: Int = .max) where C.Element == UInt8 {
        makeRoom(bytes.count, preferredSize: preferredSize)
        storage.replaceSubrange(end..<end + bytes.count, with: bytes)
        end += bytes.count
    }

    /// `body` writes at most `count` bytes into the room after the pending ones and returns how
    /// many; they become pending.
    mutating func fill<E: Error>(
        upTo count: Int, preferredSize: Int = .max, _ body: (UnsafeMutableRawBufferPointer) throws(E) -> Int
    ) throws(E) {
        makeRoom(count, preferredSize: preferredSize)
        let room = end..<end + count
        var outcome: Result<Int, E> = .success(0)
        storage.withUnsafeMutableBytes { raw in
            outcome = Result { () throws(E) in try body(UnsafeMutableRawBufferPointer(rebasing: raw[room])) }
        }
        end += min(max(0, try outcome.get()), count)
    }

    /// `body` sees the pending bytes and returns how many it consumed.
    mutating func drain<E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> Int) throws(E) {
        let range = start..<end
        var outcome: Result<Int, E> = .success(0)
        storage.withUnsafeBytes { raw in
            outcome = Result { () throws(E) in try body(UnsafeRawBufferPointer(rebasing: raw[range])) }
        }
        consume(min(max(0, try outcome.get()), range.count))
    }

    /// The pending bytes and room, to work on in place (the caller keeps within them).
    mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeMutableBytes(body)
    }

    /// Marks `count` bytes written into the room (after ``makeRoom(_:preferredSize:)``) as pending.
    mutating func commit(_ count: Int) { end += count }

    /// Drops `count` pending bytes from the front.
    mutating func consume(_ count: Int) {
        start += count
        if start >= end { empty() }
    }

    /// Drops every pending byte; the memory stays.
    mutating func empty() {
        start = 0
        end = 0
    }

    /// Empties the buffer and gives its memory back when it holds more than `size` bytes.
    mutating func empty(keepingAtMost size: Int) {
        empty()
        if storage.count > size { storage = [] }
    }

    /// Swaps the buffer's memory with `buffer` when nothing is pending (true), so that a caller
    /// can lend memory with room and take it back; false, and nothing changes, otherwise.
    mutating func exchange(_ buffer: inout [UInt8]) -> Bool {
        guard isEmpty else { return false }
        empty()
        swap(&buffer, &storage)
        return true
    }

    /// The pending bytes (a slice of the buffer's memory: hold it only while the buffer is not
    /// changed, or the next change copies the whole buffer).
    var pending: ArraySlice<UInt8> { storage[start..<end] }

    subscript(index: Int) -> UInt8 { storage[index] }
}
