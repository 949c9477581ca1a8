@testable import SSHKit
import Testing

/// The buffer between a tunnel's channel and its socket (RFC 4254 §5.2): bytes leave in order,
/// and what it holds stays near what is unwritten.
@Suite struct TunnelBufferTests {
    /// Drains `buffer` `step` bytes at a time, as a socket taking short writes would.
    func drain(_ buffer: inout TunnelBuffer, step: Int) -> [UInt8] {
        var out: [UInt8] = []
        while !buffer.isEmpty {
            let taken = buffer.withNextBytes { Array($0.prefix(step)) }
            out += taken
            buffer.markWritten(taken.count)
        }
        return out
    }

    @Test(arguments: [1, 1000, 70_000])
    func bytesLeaveInOrder(step: Int) {
        var buffer = TunnelBuffer()
        let data = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        for start in stride(from: 0, to: data.count, by: 7_000) {
            buffer.append(data[start..<min(start + 7_000, data.count)])
        }
        #expect(buffer.count == data.count)
        #expect(drain(&buffer, step: step) == data)
        #expect(buffer.storedByteCount == 0)
    }

    /// A steady flow that never drains completely: the storage follows the unwritten bytes, not
    /// everything that went through.
    @Test func writtenBytesAreReleasedWhileDataKeepsComing() {
        var buffer = TunnelBuffer()
        let packet = [UInt8](repeating: 7, count: 32 * 1024)
        var largest = 0
        for _ in 0..<1_000 {
            buffer.append(packet)
            buffer.append(packet)
            let written = buffer.withNextBytes { min($0.count, 40 * 1024) }
            buffer.markWritten(written)
            buffer.markWritten(buffer.withNextBytes { min($0.count, 16 * 1024) })
            largest = max(largest, buffer.storedByteCount - buffer.count)
        }
        #expect(buffer.count > 0)
        #expect(largest < 2 * TunnelBuffer.chunkSize)
    }

    /// One byte per packet is gathered into chunks, not kept as one array per packet.
    @Test func tinyPacketsAreGathered() {
        var buffer = TunnelBuffer()
        for index in 0..<(3 * TunnelBuffer.chunkSize) { buffer.append(CollectionOfOne(UInt8(truncatingIfNeeded: index))) }
        #expect(buffer.withNextBytes(\.count) == TunnelBuffer.chunkSize)
        #expect(buffer.storedByteCount == 3 * TunnelBuffer.chunkSize)
    }

    @Test func markingMoreThanHeldWritesEverythingOnce() {
        var buffer = TunnelBuffer()
        buffer.append([1, 2, 3])
        buffer.markWritten(-5)
        #expect(buffer.count == 3)
        buffer.markWritten(10)
        #expect(buffer.isEmpty && buffer.storedByteCount == 0)
        #expect(buffer.withNextBytes(\.count) == 0)
        buffer.removeAll()
        buffer.append([4])
        #expect(drain(&buffer, step: 8) == [4])
    }
}
