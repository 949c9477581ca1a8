import Foundation
import Testing
@testable import SSHDaemon

/// Cached Landlock rulesets follow the file system: a rule binds an inode, so a file replaced by a
/// rename, or the target of a link that appears later, must be readable to the next session.
@Suite(.serialized) struct LandlockRulesetCacheTests {
    /// A directory of its own with `file` ("one") and `link` pointing into a second directory
    /// where nothing is yet.
    struct Tree {
        let top: URL
        var file: String { top.appendingPathComponent("a/file").path }
        var link: String { top.appendingPathComponent("a/link").path }
        var linkTarget: String { top.appendingPathComponent("b/target").path }

        init() throws {
            // Under /var/tmp, which other tests leave alone: every directory above the paths is
            // stamped, and /tmp changes all the time while the suite runs.
            top = URL(fileURLWithPath: "/var/tmp").appendingPathComponent("landlock-cache-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: top.appendingPathComponent("a"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: top.appendingPathComponent("b"), withIntermediateDirectories: true)
            try "one".write(toFile: file, atomically: false, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: linkTarget)
        }

        func remove() { try? FileManager.default.removeItem(at: top) }
    }

    /// `/bin/cat path`, confined to the system's programs and `readable`; its exit status and output.
    func cat(_ path: String, readable: [String], cache: LandlockRulesetCache) throws -> (status: Int32, output: String) {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let null = open("/dev/null", O_RDWR)
        var launch = SessionLaunch(
            path: "/bin/cat", arguments: ["cat", path], environment: [], workingDirectory: "/", identity: nil,
            standardInput: null, standardOutput: fds[1], standardError: null)
        launch.confinement = FileSystemConfinement(
            writable: FileSystemConfinement.systemWritable,
            readable: FileSystemConfinement.systemReadable.filter { $0 != "/etc" } + ["/etc/ld.so.cache"] + readable)
        let pid = try ProcessSpawner.spawn(launch, rulesets: cache)
        close(fds[1])
        close(null)
        let output = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true).readDataToEndOfFile()
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return ((status >> 8) & 0xFF, String(decoding: output, as: UTF8.self))
    }

    /// A cache that trusts directories unchanged for 100 ms (the trees here are new).
    func makeCache() -> LandlockRulesetCache { LandlockRulesetCache(settleNanoseconds: 100_000_000) }

    /// Spawns until the cache has kept the ruleset (a directory changed within its settling time
    /// keeps it from being kept), at most 100 tries; then waits out a few clock ticks, so that a
    /// change made next shows in the directories' times.
    func catUntilKept(_ path: String, readable: [String], cache: LandlockRulesetCache) throws -> (status: Int32, output: String) {
        Thread.sleep(forTimeInterval: 0.15)
        var result = try cat(path, readable: readable, cache: cache)
        for _ in 0..<100 where cache.counts.kept == 0 {
            Thread.sleep(forTimeInterval: 0.15)
            result = try cat(path, readable: readable, cache: cache)
        }
        #expect(cache.counts.kept >= 1, "the ruleset was never kept")
        Thread.sleep(forTimeInterval: 0.05)
        return result
    }

    @Test func fileReplacedByRenameIsReadable() throws {
        let tree = try Tree()
        defer { tree.remove() }
        let cache = makeCache()
        let first = try catUntilKept(tree.file, readable: [tree.file], cache: cache)
        #expect(first.status == 0 && first.output == "one")
        let again = try cat(tree.file, readable: [tree.file], cache: cache)
        #expect(again.output == "one")

        try "two".write(toFile: tree.file + ".new", atomically: false, encoding: .utf8)
        #expect(rename(tree.file + ".new", tree.file) == 0)
        let replaced = try cat(tree.file, readable: [tree.file], cache: cache)
        #expect(replaced.status == 0 && replaced.output == "two")
    }

    @Test func linkTargetThatAppearsLaterIsReadable() throws {
        let tree = try Tree()
        defer { tree.remove() }
        let cache = makeCache()
        let dangling = try catUntilKept(tree.link, readable: [tree.link], cache: cache)
        #expect(dangling.status != 0)

        try "three".write(toFile: tree.linkTarget, atomically: false, encoding: .utf8)
        let present = try cat(tree.link, readable: [tree.link], cache: cache)
        #expect(present.status == 0 && present.output == "three")
    }

    @Test func unchangedConfinementReusesTheRuleset() throws {
        let tree = try Tree()
        defer { tree.remove() }
        let cache = makeCache()
        // Reused unless a directory above the paths changed in between. Other tests change /etc
        // (users added and removed) while this runs, which rightly drops the ruleset: each try
        // waits for one to be kept again, then spawns right after it.
        for _ in 0..<50 where cache.counts.reused == 0 {
            _ = try catUntilKept(tree.file, readable: [tree.file], cache: cache)
            #expect(try cat(tree.file, readable: [tree.file], cache: cache).output == "one")
        }
        #expect(cache.counts.reused >= 1)
        // Outside the confinement stays out.
        #expect(try cat("/etc/hostname", readable: [tree.file], cache: cache).status != 0)
    }
}
