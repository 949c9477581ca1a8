import Foundation
import Testing
@testable import SSHDaemon

/// HeapSettings against the real glibc allocator of the test process.
@Suite(.serialized) struct HeapSettingsTests {
    /// Frees every other block of 96 MiB of 16 KiB blocks (so the free memory cannot merge into
    /// a heap's top and go back by itself): a check with the blocks held notes the free total;
    /// the next one trims, as it grew by more than the bound; one right after finds nothing new.
    @Test func trimsOnlyWhenFreeMemoryGrewPastTheBound() throws {
        let blockSize = 16 << 10
        let count = (96 << 20) / blockSize
        var blocks: [UnsafeMutableRawPointer] = []
        for _ in 0..<count {
            let block = try #require(malloc(blockSize))
            memset(block, 1, blockSize)
            blocks.append(block)
        }
        HeapSettings.trimWhenGrown()  // the free total with every block held
        HeapSettings.trimWhenGrown()
        for index in stride(from: 0, to: count, by: 2) { free(blocks[index]) }
        #expect(HeapSettings.trimWhenGrown())
        #expect(!HeapSettings.trimWhenGrown())
        for index in stride(from: 1, to: count, by: 2) { free(blocks[index]) }
    }
}
