import CShims
import Reactor

/// glibc heap settings for a server that moves data in buffers of tens of KiB (DESIGN §9).
///
/// By default glibc returns the top of a heap to the kernel once more than 128 KiB lies free there,
/// and raises that bar only after freeing a large mapped block. The SFTP buffers of a transfer are
/// made on the pool's threads (one arena each) and let go on the reactor's, so an arena's top
/// keeps crossing any bar of a few MiB: with 4 MiB, a 1 GiB download gave 30,000–60,000 pages back
/// and faulted them in (zeroed) again, about a tenth of its CPU. So the bar is
/// ``trimThreshold``, well above what a transfer holds, and what the arenas hold free is given
/// back by ``trimWhenGrown()`` instead: every ``trimCheckMilliseconds``, once more than
/// ``trimmedGrowth`` lies free beyond what the last trim left. Blocks of ``mmapThreshold`` and
/// more are mapped on their own.
enum HeapSettings {
    static let trimThreshold: Int32 = 64 << 20
    static let mmapThreshold: Int32 = 1 << 20
    /// How often free heap memory is looked at (a few `mallinfo2` walks a minute).
    static let trimCheckMilliseconds = 5_000
    /// Free memory gained since the last trim that makes the next check trim.
    static let trimmedGrowth = 16 << 20

    /// Call once, before the workers start; false when glibc refused a setting.
    @discardableResult
    static func apply() -> Bool {
        sshd_heap_thresholds(trimThreshold, mmapThreshold) == 1
    }

    /// Free bytes the last trim left, or the least a check found since.
    nonisolated(unsafe) private static var freeAfterTrim = 0

    /// Gives free heap memory back to the kernel when more than ``trimmedGrowth`` was freed since
    /// the last time (free chunks stay counted as free once their pages are given back, so the
    /// growth, not the total, says whether there is anything to give). True when it trimmed.
    /// Called on one thread only (worker 0's reactor).
    @discardableResult
    static func trimWhenGrown() -> Bool {
        let free = Int(clamping: sshd_heap_free_bytes())
        guard free - freeAfterTrim > trimmedGrowth else {
            freeAfterTrim = min(freeAfterTrim, free)
            return false
        }
        sshd_heap_trim()
        freeAfterTrim = Int(clamping: sshd_heap_free_bytes())
        return true
    }

    /// Runs ``trimWhenGrown()`` every ``trimCheckMilliseconds`` on `reactor` from now on.
    static func scheduleTrims(on reactor: Reactor) {
        _ = reactor.schedule(after: trimCheckMilliseconds) { [weak reactor] in
            trimWhenGrown()
            if let reactor { scheduleTrims(on: reactor) }
        }
    }
}
