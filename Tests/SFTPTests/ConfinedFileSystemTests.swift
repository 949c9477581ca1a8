import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TestSupport
import Testing
@testable import SFTP

/// ConfinedFileSystem against a real temporary directory: the operations, and the confinement
/// attack table — every way out of the root refused or kept inside it by the kernel.
@Suite struct ConfinedFileSystemTests {
    let scratch: ScratchDirectory
    var base: URL { scratch.url }
    let root: URL
    /// A file outside the root that no row may read, write, link or rename.
    let sentinel: URL
    let fileSystem: ConfinedFileSystem

    init() throws {
        scratch = try ScratchDirectory("sftp-confined")
        root = scratch.url.appendingPathComponent("root")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("home/alice"), withIntermediateDirectories: true)
        sentinel = scratch.url.appendingPathComponent("secret")
        try Data("outside the root".utf8).write(to: sentinel)
        try Data("inside".utf8).write(to: root.appendingPathComponent("home/alice/note.txt"))
        fileSystem = try ConfinedFileSystem(root: root.path)
    }

    func readAll(_ path: String) throws(SFTPError) -> String {
        let file = try fileSystem.openFile(path, .read, attributes: SFTPFileAttributes())
        var buffer = [UInt8](repeating: 0, count: 4096)
        var outcome: Result<Int, SFTPError> = .success(0)
        buffer.withUnsafeMutableBytes { raw in outcome = Result { () throws(SFTPError) in try file.read(at: 0, into: raw) } }
        let count = try outcome.get()
        try file.close()
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }

    func sentinelUntouched() throws -> Bool {
        try String(contentsOf: sentinel, encoding: .utf8) == "outside the root"
            && (try FileManager.default.attributesOfItem(atPath: sentinel.path)[.referenceCount] as? Int) == 1
    }

    @Test func operationsWorkInsideTheRoot() throws {
        #expect(try readAll("/home/alice/note.txt") == "inside")
        let file = try fileSystem.openFile("/home/alice/new.bin", [.write, .create, .truncate], attributes: SFTPFileAttributes(permissions: 0o600))
        try [UInt8](repeating: 7, count: 100).withUnsafeBytes { raw in try file.write(at: 0, raw) }
        #expect(try file.attributes().size == 100)
        try file.close()
        #expect(try fileSystem.attributes(of: "/home/alice/new.bin", followLinks: true).permissions == 0o100600)
        try fileSystem.makeDirectory("/home/alice/d", attributes: SFTPFileAttributes(permissions: 0o750))
        try fileSystem.rename("/home/alice/new.bin", to: "/home/alice/d/moved.bin", overwrite: false)
        #expect(throws: SFTPError.self) { try fileSystem.rename("/home/alice/note.txt", to: "/home/alice/d/moved.bin", overwrite: false) }
        try fileSystem.makeSymbolicLink(at: "/home/alice/link", to: "d/moved.bin")
        #expect(try fileSystem.readLink("/home/alice/link") == "d/moved.bin")
        #expect(try fileSystem.attributes(of: "/home/alice/link", followLinks: false).fileType == .symlink)
        #expect(try fileSystem.attributes(of: "/home/alice/link", followLinks: true).size == 100)
        try fileSystem.makeHardLink(at: "/home/alice/hard", to: "/home/alice/note.txt")
        #expect(try fileSystem.attributes(of: "/home/alice/hard", followLinks: true).linkCount == 2)
        #expect(try fileSystem.canonicalPath("/home/alice/../alice/./d", mustExist: true) == "/home/alice/d")
        #expect(try fileSystem.canonicalPath("/home/alice/link", mustExist: true) == "/home/alice/d/moved.bin")
        #expect(try fileSystem.canonicalPath("/home/alice/not-yet", mustExist: false) == "/home/alice/not-yet")
        let directory = try fileSystem.openDirectory("/home/alice")
        let names = Set((try directory.nextEntries(limit: 100) ?? []).map(\.name))
        directory.close()
        #expect(names.isSuperset(of: ["note.txt", "d", "link", "hard"]))
        try fileSystem.setAttributes(of: "/home/alice/note.txt", SFTPFileAttributes(size: 2, permissions: 0o640), followLinks: true)
        #expect(try readAll("/home/alice/note.txt") == "in")
        #expect(throws: SFTPError.self) { try fileSystem.removeDirectory("/home/alice/d") }  // not empty
        try fileSystem.removeFile("/home/alice/d/moved.bin")
        try fileSystem.removeDirectory("/home/alice/d")
        #expect(try fileSystem.fileSystemStatistics("/").blockSize > 0)
    }

    /// One row of the attack table: what is tried, and the check that it was refused or stayed
    /// inside the root.
    struct Attack: CustomStringConvertible, Sendable {
        let description: String
        let attempt: @Sendable (ConfinedFileSystem, _ outside: String) throws(SFTPError) -> Void
        /// The statuses that count as refused; empty when the operation may succeed but must stay
        /// inside the root (checked through the sentinel).
        let refusedWith: Set<SFTPStatusCode>
    }

    static let attacks: [Attack] = [
        Attack(description: "read ../../secret through a .. chain", attempt: { fs, _ throws(SFTPError) in
            _ = try fs.openFile("/home/alice/../../../secret", .read, attributes: SFTPFileAttributes())
        }, refusedWith: [.noSuchFile]),
        Attack(description: "absolute /secret means <root>/secret", attempt: { fs, _ throws(SFTPError) in
            _ = try fs.attributes(of: "/../secret", followLinks: true)
        }, refusedWith: [.noSuchFile]),
        Attack(description: "a/../../.. chain to list the parent", attempt: { fs, _ throws(SFTPError) in
            let directory = try fs.openDirectory("home/../../..")
            let names = (try directory.nextEntries(limit: 100) ?? []).map(\.name)
            directory.close()
            if names.contains("secret") { throw SFTPError(.ok, "listed the real parent") }
        }, refusedWith: []),
        Attack(description: "write through a symlink made with SYMLINK to an absolute outside path", attempt: { fs, outside throws(SFTPError) in
            try fs.makeSymbolicLink(at: "/home/alice/out", to: outside)
            let file = try fs.openFile("/home/alice/out", [.write, .truncate], attributes: SFTPFileAttributes())
            try file.close()
        }, refusedWith: [.noSuchFile]),
        Attack(description: "read through a SYMLINK to ../../../secret", attempt: { fs, _ throws(SFTPError) in
            try fs.makeSymbolicLink(at: "/home/alice/up", to: "../../../secret")
            _ = try fs.openFile("/home/alice/up", .read, attributes: SFTPFileAttributes())
        }, refusedWith: [.noSuchFile]),
        Attack(description: "canonical path of a link to / and beyond stays /", attempt: { fs, _ throws(SFTPError) in
            try fs.makeSymbolicLink(at: "/home/alice/top", to: "/../../..")
            let canonical = try fs.canonicalPath("/home/alice/top", mustExist: true)
            if canonical != "/" { throw SFTPError(.ok, "canonical path \(canonical)") }
        }, refusedWith: []),
        Attack(description: "hard link to an outside file by ..", attempt: { fs, _ throws(SFTPError) in
            try fs.makeHardLink(at: "/home/alice/h", to: "/home/alice/../../../secret")
        }, refusedWith: [.noSuchFile]),
        Attack(description: "rename out of the root", attempt: { fs, _ throws(SFTPError) in
            try fs.rename("/home/alice/note.txt", to: "/home/../../../stolen", overwrite: true)
            if FileManager.default.fileExists(atPath: NSTemporaryDirectory() + "stolen") { throw SFTPError(.ok, "moved out") }
        }, refusedWith: []),
        Attack(description: "rename the outside file in", attempt: { fs, _ throws(SFTPError) in
            try fs.rename("/../../secret", to: "/home/alice/got", overwrite: true)
        }, refusedWith: [.noSuchFile]),
        Attack(description: "/proc/self/root magic link", attempt: { fs, _ throws(SFTPError) in
            try fs.makeSymbolicLink(at: "/home/alice/proc", to: "/proc/self/root")
            _ = try fs.attributes(of: "/home/alice/proc/etc/passwd", followLinks: true)
        }, refusedWith: [.noSuchFile]),
        Attack(description: "a link to /proc/self/fd/N", attempt: { fs, outside throws(SFTPError) in
            let fd = open(outside, O_RDONLY)
            defer { close(fd) }
            try fs.makeSymbolicLink(at: "/home/alice/fd", to: "/proc/self/fd/\(fd)")
            _ = try fs.openFile("/home/alice/fd", .read, attributes: SFTPFileAttributes())
        }, refusedWith: [.noSuchFile]),
        Attack(description: "lsetstat on .. at the root acts on the root, not its parent", attempt: { fs, outside throws(SFTPError) in
            let parent = (outside as NSString).deletingLastPathComponent
            let before = (try? FileManager.default.attributesOfItem(atPath: parent)[.posixPermissions] as? Int) ?? -1
            try fs.setAttributes(of: "/..", SFTPFileAttributes(permissions: 0o711), followLinks: false)
            let after = (try? FileManager.default.attributesOfItem(atPath: parent)[.posixPermissions] as? Int) ?? -1
            if before != after { throw SFTPError(.ok, "changed the root's parent") }
        }, refusedWith: []),
        Attack(description: "remove .. of the root", attempt: { fs, _ throws(SFTPError) in
            try fs.removeDirectory("/..")
        }, refusedWith: [.invalidParameter]),
        Attack(description: "an over-long path", attempt: { fs, _ throws(SFTPError) in
            _ = try fs.attributes(of: "/" + String(repeating: "a/", count: 2100), followLinks: true)
        }, refusedWith: [.invalidFilename]),
        Attack(description: "an over-long component", attempt: { fs, _ throws(SFTPError) in
            _ = try fs.attributes(of: "/" + String(repeating: "b", count: 300), followLinks: true)
        }, refusedWith: [.invalidFilename]),
        Attack(description: "a NUL byte in a name", attempt: { fs, _ throws(SFTPError) in
            _ = try fs.openFile("/home/alice/note.txt\u{0}../../secret", .read, attributes: SFTPFileAttributes())
        }, refusedWith: [.invalidFilename]),
    ]

    @Test(arguments: Self.attacks)
    func attackIsRefusedOrConfined(attack: Attack) throws {
        do throws(SFTPError) {
            try attack.attempt(fileSystem, sentinel.path)
            #expect(attack.refusedWith.isEmpty, "\(attack) succeeded")
        } catch {
            if attack.refusedWith.isEmpty {
                // Failing is fine for a row that only has to stay inside; .ok marks an escape.
                #expect(error.code != .ok, "\(attack): \(error.message)")
            } else {
                #expect(attack.refusedWith.contains(error.code), "\(attack): \(error)")
            }
        }
        #expect(try sentinelUntouched())
    }
}
