import CShims
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Landlock rulesets by confinement, built once and reused while nothing they name can have
/// changed.
///
/// A users-file session's ruleset holds a rule for every entry of /etc it may read (about a
/// hundred), each an `open`, `fstat`, `landlock_add_rule` and `close`: most of the cost of starting
/// a session. A rule binds the inode its path named when it was added, so a file replaced by a
/// rename (`/etc/passwd` after `useradd`) would stay unreadable to a stale ruleset. Every such
/// change — an entry renamed, created or removed, a symbolic link repointed — changes the
/// modification and change times of the directory that holds it, so a cached ruleset records those
/// times (and inode) for every directory above each path it names, literal and resolved, and is
/// rebuilt when any of them differs. Directories changed less than ``settleNanoseconds`` before the
/// build are not trusted to show a later change (file times have coarse clock ticks): then the
/// ruleset is built for this one session and not kept.
final class LandlockRulesetCache: @unchecked Sendable {
    /// The cache every worker shares.
    static let shared = LandlockRulesetCache()

    /// The most rulesets kept (a pty session's confinement names its own terminal, so each
    /// differs); past it the oldest goes.
    static let capacity = 64
    /// How old every stamped directory's times must be for a ruleset to be kept: 1 s.
    static let settleNanoseconds: Int64 = 1_000_000_000
    private let settle: Int64

    init(settleNanoseconds: Int64 = LandlockRulesetCache.settleNanoseconds) {
        settle = settleNanoseconds
    }

    private struct Entry {
        let ruleset: Int32
        let stamps: [DirectoryStamp]
    }

    private let lock = NSLock()
    private var entries: [FileSystemConfinement: Entry] = [:]
    private var order: [FileSystemConfinement] = []
    private var kept = 0
    private var reused = 0

    /// Rulesets built and kept so far, and rulesets handed out from the cache.
    var counts: (kept: Int, reused: Int) { lock.withLock { (kept, reused) } }

    /// A descriptor of a ruleset for `confinement` that the caller owns and closes; -1 with errno
    /// set when Landlock is unavailable or a rule cannot be added.
    func ruleset(for confinement: FileSystemConfinement) -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        if let entry = entries[confinement] {
            if entry.stamps.allSatisfy({ $0.isCurrent }) {
                reused += 1
                return fcntl(entry.ruleset, F_DUPFD_CLOEXEC, 0)
            }
            forget(confinement)
        }
        let stamps = DirectoryStamp.covering(confinement.writable + confinement.readable)
        let ruleset = Self.build(confinement)
        guard ruleset >= 0 else { return -1 }
        let settled = DirectoryStamp.now() - settle
        guard let stamps, stamps.allSatisfy({ $0.changedBefore(settled) }) else { return ruleset }
        if order.count >= Self.capacity, let oldest = order.first { forget(oldest) }
        entries[confinement] = Entry(ruleset: ruleset, stamps: stamps)
        order.append(confinement)
        kept += 1
        return fcntl(ruleset, F_DUPFD_CLOEXEC, 0)
    }

    private func forget(_ confinement: FileSystemConfinement) {
        guard let entry = entries.removeValue(forKey: confinement) else { return }
        close(entry.ruleset)
        order.removeAll { $0 == confinement }
    }

    private static func build(_ confinement: FileSystemConfinement) -> Int32 {
        withCStrings(confinement.writable) { writable in
            withCStrings(confinement.readable) { readable in
                sshd_landlock_ruleset(
                    UnsafePointer(writable.baseAddress), confinement.writable.count,
                    UnsafePointer(readable.baseAddress), confinement.readable.count)
            }
        }
    }
}

/// The identity and times of one directory, as `lstat` gave them.
struct DirectoryStamp: Equatable {
    let path: String
    let device: UInt64
    let inode: UInt64
    let modified: Int64
    let changed: Int64

    init?(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        self.path = path
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        modified = Int64(info.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(info.st_mtim.tv_nsec)
        changed = Int64(info.st_ctim.tv_sec) &* 1_000_000_000 &+ Int64(info.st_ctim.tv_nsec)
    }

    /// Whether the directory is still the one stamped, unchanged.
    var isCurrent: Bool { DirectoryStamp(path) == self }

    /// `CLOCK_REALTIME` in nanoseconds: the clock file times are written with.
    static func now() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) &* 1_000_000_000 &+ Int64(now.tv_nsec)
    }

    func changedBefore(_ nanoseconds: Int64) -> Bool { modified < nanoseconds && changed < nanoseconds }

    /// Stamps of every directory above each of `paths`, as written and with symbolic links
    /// resolved; nil when one cannot be read.
    static func covering(_ paths: [String]) -> [DirectoryStamp]? {
        var directories = Set<String>()
        for path in paths {
            for name in [path] + resolutions(of: path) {
                var parent = (name as NSString).deletingLastPathComponent
                while !parent.isEmpty {
                    directories.insert(parent)
                    if parent == "/" { break }
                    parent = (parent as NSString).deletingLastPathComponent
                }
            }
        }
        var stamps: [DirectoryStamp] = []
        for directory in directories.sorted() {
            guard let stamp = DirectoryStamp(directory) else { return nil }
            stamps.append(stamp)
        }
        return stamps
    }

    /// How `path` resolves: its real path, or, for a link that leads nowhere yet, each target along
    /// the chain of links (whose directories would change when the target appears).
    private static func resolutions(of path: String) -> [String] {
        if let resolved = realpath(path, nil) {
            defer { free(resolved) }
            return [String(cString: resolved)]
        }
        var targets: [String] = []
        var link = path
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        for _ in 0..<maximumLinkChain {
            let count = readlink(link, &buffer, buffer.count - 1)
            guard count > 0 else { break }
            buffer[count] = 0
            let target = String(cString: buffer)
            link = target.hasPrefix("/") ? target : ((link as NSString).deletingLastPathComponent as NSString).appendingPathComponent(target)
            targets.append(link)
        }
        return targets
    }

    /// The longest chain of symbolic links followed (the kernel's own limit is 40).
    private static let maximumLinkChain = 40
}
