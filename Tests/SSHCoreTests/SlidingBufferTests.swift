import Testing
@testable import SSHCore

/// The buffer both transport directions keep: pending bytes survive compaction and growth, and a
/// buffer emptied by consuming keeps its memory.
@Suite struct SlidingBufferTests {
    @Test func pendingBytesSurviveCompactionAndGrowth() {
        var buffer = SlidingBuffer()
        buffer.append(Array(0..<100 as Range<UInt8>))
        buffer.consume(60)
        #expect(buffer.count == 40 && buffer.start == 60)
        // Room for 70 more: the 40 pending bytes move to the front, then the buffer grows.
        buffer.append(Array(100..<170 as Range<UInt8>))
        #expect(buffer.start == 0)
        #expect(Array(buffer.pending) == Array(60..<170 as Range<UInt8>))
        let size = buffer.size
        buffer.consume(buffer.count)
        #expect(buffer.isEmpty && buffer.size == size)
        // Room that fits is used without growing.
        buffer.fill(upTo: size) { room in
            room.initializeMemory(as: UInt8.self, repeating: 7)
            return 3
        }
        #expect(Array(buffer.pending) == [7, 7, 7] && buffer.size == size)
    }

    @Test func growthStaysWithinThePreferredSizeWhileThatIsEnough() {
        var buffer = SlidingBuffer()
        buffer.makeRoom(1000, preferredSize: 4096)
        buffer.commit(1000)
        buffer.makeRoom(2000, preferredSize: 4096)
        #expect(buffer.size <= 4096 && buffer.size >= 3000)
        buffer.commit(2000)
        buffer.makeRoom(10_000, preferredSize: 4096)
        #expect(buffer.size >= 13_000)
        #expect(buffer.count == 3000)
    }

    @Test func exchangeOnlyWhenNothingIsPending() {
        var buffer = SlidingBuffer()
        var lent = [UInt8](repeating: 0, count: 64)
        buffer.append([1, 2, 3])
        let refused = buffer.exchange(&lent)
        #expect(!refused && lent.count == 64 && buffer.count == 3)
        buffer.consume(3)
        let swapped = buffer.exchange(&lent)
        #expect(swapped)
        #expect(buffer.size == 64 && buffer.isEmpty)
        buffer.empty(keepingAtMost: 32)
        #expect(buffer.size == 0)
    }
}
