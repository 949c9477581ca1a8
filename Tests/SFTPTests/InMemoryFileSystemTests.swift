import Testing
@testable import SFTP

/// InMemoryFileSystem: the operations, the confinement rules it shares with the kernel, and the
/// session running over it.
@Suite struct InMemoryFileSystemTests {
    let fileSystem = InMemoryFileSystem()

    func write(_ path: String, _ text: String) throws {
        let file = try fileSystem.openFile(path, [.write, .create, .truncate], attributes: SFTPFileAttributes(permissions: 0o644))
        try Array(text.utf8).withUnsafeBytes { raw in try file.write(at: 0, raw) }
        try file.close()
    }

    func read(_ path: String) throws -> String {
        let file = try fileSystem.openFile(path, .read, attributes: SFTPFileAttributes())
        var buffer = [UInt8](repeating: 0, count: 1024)
        var outcome: Result<Int, SFTPError> = .success(0)
        buffer.withUnsafeMutableBytes { raw in outcome = Result { () throws(SFTPError) in try file.read(at: 0, into: raw) } }
        try file.close()
        return String(decoding: buffer[0..<(try outcome.get())], as: UTF8.self)
    }

    @Test func operations() throws {
        try fileSystem.makeDirectory("/home", attributes: SFTPFileAttributes())
        try fileSystem.makeDirectory("/home/bob", attributes: SFTPFileAttributes(permissions: 0o700))
        try write("/home/bob/a.txt", "hello")
        #expect(try read("/home/bob/a.txt") == "hello")
        #expect(try fileSystem.attributes(of: "/home/bob/a.txt", followLinks: true).size == 5)
        try fileSystem.makeSymbolicLink(at: "/home/bob/l", to: "a.txt")
        #expect(try read("/home/bob/l") == "hello")
        #expect(try fileSystem.readLink("/home/bob/l") == "a.txt")
        #expect(try fileSystem.attributes(of: "/home/bob/l", followLinks: false).fileType == .symlink)
        try fileSystem.rename("/home/bob/a.txt", to: "/home/bob/b.txt", overwrite: false)
        try write("/home/bob/c.txt", "c")
        #expect(throws: SFTPError.self) { try fileSystem.rename("/home/bob/b.txt", to: "/home/bob/c.txt", overwrite: false) }
        try fileSystem.rename("/home/bob/b.txt", to: "/home/bob/c.txt", overwrite: true)
        #expect(try read("/home/bob/c.txt") == "hello")
        #expect(throws: SFTPError.self) { try fileSystem.rename("/home", to: "/home/bob/inside", overwrite: true) }
        try fileSystem.makeHardLink(at: "/home/bob/h", to: "/home/bob/c.txt")
        try write("/home/bob/h", "HELLO")
        #expect(try read("/home/bob/c.txt") == "HELLO")
        #expect(try fileSystem.canonicalPath("/home/bob/../bob/./h", mustExist: true) == "/home/bob/h")
        #expect(throws: SFTPError.self) { _ = try fileSystem.canonicalPath("/home/bob/l", mustExist: true) }  // a.txt was renamed
        #expect(try fileSystem.canonicalPath("/home/bob/new", mustExist: false) == "/home/bob/new")
        let listing = try fileSystem.openDirectory("/home/bob")
        #expect(try listing.nextEntries(limit: 100)?.map(\.name) == [".", "..", "c.txt", "h", "l"])
        #expect(try listing.nextEntries(limit: 100) == nil)
        #expect(throws: SFTPError.self) { try fileSystem.removeDirectory("/home/bob") }
        try fileSystem.setAttributes(of: "/home/bob/c.txt", SFTPFileAttributes(size: 2), followLinks: true)
        #expect(try read("/home/bob/c.txt") == "HE")
        for name in ["c.txt", "h", "l"] { try fileSystem.removeFile("/home/bob/\(name)") }
        try fileSystem.removeDirectory("/home/bob")
    }

    /// The rules the kernel applies to the confined file system, here by hand.
    @Test func resolutionStaysInTheTree() throws {
        try write("/top.txt", "top")
        #expect(try read("/../../../top.txt") == "top")
        try fileSystem.makeDirectory("/d", attributes: SFTPFileAttributes())
        #expect(try read("d/../../../top.txt") == "top")
        #expect(throws: SFTPError.self) { _ = try read("/missing/../top.txt") }  // as the kernel: each step must exist
        try fileSystem.makeSymbolicLink(at: "/up", to: "../../..")
        #expect(try fileSystem.canonicalPath("/up", mustExist: true) == "/")
        #expect(try read("/up/top.txt") == "top")
        try fileSystem.makeSymbolicLink(at: "/loop", to: "/loop")
        #expect {
            _ = try fileSystem.attributes(of: "/loop", followLinks: true)
        } throws: { ($0 as? SFTPError)?.code == .linkLoop }
        #expect(throws: SFTPError.self) { try fileSystem.removeDirectory("/..") }
        #expect(throws: SFTPError.self) { _ = try fileSystem.attributes(of: "/a\u{0}b", followLinks: true) }
        #expect(throws: SFTPError.self) { _ = try fileSystem.attributes(of: "/" + String(repeating: "n", count: 256), followLinks: true) }
    }

    /// The session over the in-memory tree: a pipelined write and read back.
    @Test func sessionOverTheInMemoryTree() throws {
        let driver = try SFTPSessionTests.Driver(fileSystem: fileSystem, clientVersion: 6, maximumVersion: 6)
        let handle = try driver.open("/f.bin", [.read, .write, .create])
        let data = Array(repeating: UInt8(0xAB), count: 10_000)
        let writes = try driver.send((0..<4).map { .write(SFTPWrite(handle: handle, offset: UInt64($0 * 10_000), data: data[...])) })
        #expect(writes.count == 4)
        let reads = try driver.send([.read(SFTPRead(handle: handle, offset: 0, length: 40_000)), .fstat(SFTPHandleRequest(handle: handle))])
        if case .data(let bytes) = reads.first?.response { #expect(bytes.count == 40_000) } else { Issue.record("\(reads)") }
        if case .attributes(let attributes) = reads.last?.response { #expect(attributes.size == 40_000) } else { Issue.record("\(reads)") }
    }
}
