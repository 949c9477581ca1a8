import CShims
import Reactor

/// glibc heap settings for a server that moves data in buffers of tens of KiB (DESIGN §9).
///
/// By default glibc keeps an arena per thread that allocates (up to 8 per core) and returns the
/// top of a heap to the kernel once more than 128 KiB lies free there. The SFTP buffers of a
/// transfer are made on the file workers' threads and let go on the reactor's, so the tops of
/// the workers' arenas keep crossing any such bar: with 4 MiB, a 1 GiB download gave 30,000 to
/// 60,000 pages back and faulted them in (zeroed) again. And `malloc_trim` gives back only the
/// top of the main arena, so a higher bar would leave up to that much resident in each of the
/// others for good. Hence: one arena (``arenas``) for every thread, a bar (``trimThreshold``)
/// well above what a transfer holds, and ``trimWhenGrown()`` to give back what lies free once
/// more than ``trimmedGrowth`` has piled up, looked at every ``trimCheckMilliseconds``. Blocks of
/// ``mmapThreshold`` and more are mapped on their own.
enum HeapSettings {
    static let trimThreshold: Int32 = 64 << 20
    static let mmapThreshold: Int32 = 1 << 20
    /// Arenas for the whole process: the main one only.
    static let arenas: Int32 = 1
    /// How often free heap memory is looked at (a few `mallinfo2` walks a minute).
    static let trimCheckMilliseconds = 5_000
    /// Free memory gained since the last trim that makes the next check trim.
    static let trimmedGrowth = 16 << 20

    /// Call once, before the workers start; false when glibc refused a setting.
    @discardableResult
    static func apply() -> Bool {
        sshd_heap_settings(trimThreshold, mmapThreshold, arenas) == 1
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
