import CShims

/// glibc heap settings for a server that moves data in buffers of tens of KiB (DESIGN §9).
///
/// By default glibc returns the top of a heap to the kernel once more than 128 KiB lies free there,
/// and raises that bar only after freeing a large mapped block. A batch of SFTP WRITE packets
/// (16 × 32 KiB) freed together crosses it every time, so the next batch faults in and zeroes
/// fresh pages: about 5 % of an upload's CPU. Keeping up to ``trimThreshold`` free at each heap's
/// top, and mapping only blocks of ``mmapThreshold`` and more on their own, lets the same pages
/// serve batch after batch. The cost is bounded: at most ``trimThreshold`` per arena (glibc keeps
/// one per thread that allocates, up to 8 per core) held back from the kernel.
enum HeapSettings {
    static let trimThreshold: Int32 = 4 << 20
    static let mmapThreshold: Int32 = 1 << 20

    /// Call once, before the workers start; false when glibc refused a setting.
    @discardableResult
    static func apply() -> Bool {
        sshd_heap_thresholds(trimThreshold, mmapThreshold) == 1
    }
}
