import Foundation
import SFTP
import SSHKit
import Testing

/// The tree under the test's root, except that reads of "/slow.bin" wait until the test opens the
/// gate: a disk that hangs, on demand.
private final class GatedFileSystem: SFTPFileSystem, @unchecked Sendable {
    let inner: ConfinedFileSystem
    let gate = NSCondition()
    var open = false
    var waiting = 0

    init(root: String) throws { inner = try ConfinedFileSystem(root: root) }

    func release() {
        gate.lock()
        open = true
        gate.broadcast()
        gate.unlock()
    }

    var readersWaiting: Int {
        gate.lock()
        defer { gate.unlock() }
        return waiting
    }

    func wait() {
        gate.lock()
        waiting += 1
        while !open { gate.wait() }
        gate.unlock()
    }

    func openFile(_ path: String, _ flags: SFTPOpenFlags, attributes: SFTPFileAttributes) throws(SFTPError) -> any SFTPFileHandle {
        let file = try inner.openFile(path, flags, attributes: attributes)
        return path == "/slow.bin" ? GatedFile(file, self) : file
    }
    func openDirectory(_ path: String) throws(SFTPError) -> any SFTPDirectoryHandle { try inner.openDirectory(path) }
    func attributes(of path: String, followLinks: Bool) throws(SFTPError) -> SFTPFileAttributes { try inner.attributes(of: path, followLinks: followLinks) }
    func setAttributes(of path: String, _ attributes: SFTPFileAttributes, followLinks: Bool) throws(SFTPError) { try inner.setAttributes(of: path, attributes, followLinks: followLinks) }
    func removeFile(_ path: String) throws(SFTPError) { try inner.removeFile(path) }
    func makeDirectory(_ path: String, attributes: SFTPFileAttributes) throws(SFTPError) { try inner.makeDirectory(path, attributes: attributes) }
    func removeDirectory(_ path: String) throws(SFTPError) { try inner.removeDirectory(path) }
    func rename(_ path: String, to newPath: String, overwrite: Bool) throws(SFTPError) { try inner.rename(path, to: newPath, overwrite: overwrite) }
    func readLink(_ path: String) throws(SFTPError) -> String { try inner.readLink(path) }
    func makeSymbolicLink(at linkPath: String, to target: String) throws(SFTPError) { try inner.makeSymbolicLink(at: linkPath, to: target) }
    func makeHardLink(at newPath: String, to existingPath: String) throws(SFTPError) { try inner.makeHardLink(at: newPath, to: existingPath) }
    func canonicalPath(_ path: String, mustExist: Bool) throws(SFTPError) -> String { try inner.canonicalPath(path, mustExist: mustExist) }
    func fileSystemStatistics(_ path: String) throws(SFTPError) -> SFTPFileSystemStatistics { try inner.fileSystemStatistics(path) }
}

private final class GatedFile: SFTPFileHandle, @unchecked Sendable {
    let inner: any SFTPFileHandle
    let fileSystem: GatedFileSystem
    init(_ inner: any SFTPFileHandle, _ fileSystem: GatedFileSystem) {
        self.inner = inner
        self.fileSystem = fileSystem
    }
    func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(SFTPError) -> Int {
        fileSystem.wait()
        return try inner.read(at: offset, into: buffer)
    }
    func write(at offset: UInt64, _ bytes: UnsafeRawBufferPointer) throws(SFTPError) { try inner.write(at: offset, bytes) }
    func attributes() throws(SFTPError) -> SFTPFileAttributes { try inner.attributes() }
    func setAttributes(_ attributes: SFTPFileAttributes) throws(SFTPError) { try inner.setAttributes(attributes) }
    func synchronize() throws(SFTPError) { try inner.synchronize() }
    func fileSystemStatistics() throws(SFTPError) -> SFTPFileSystemStatistics { try inner.fileSystemStatistics() }
    func close() throws(SFTPError) { try inner.close() }
}

extension SFTPServerTests {
    /// A read that hangs on the disk holds its own session only: while one client's download
    /// waits, a second client logs in, uploads, downloads and lists, and the first download
    /// completes intact once the disk answers (DESIGN §5).
    @Test func aHangingDiskStallsOnlyItsOwnSession() throws {
        let server = try makeServer()
        let gated = try GatedFileSystem(root: root.path)
        server.fileSystemProvider = { _ in gated }
        defer { gated.release() }
        let slow = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try Data(slow).write(to: root.appendingPathComponent("slow.bin"))
        try "quick\n".write(to: local.appendingPathComponent("quick.txt"), atomically: true, encoding: .utf8)

        let slowBatch = harness.directory.appendingPathComponent("slow-batch")
        try "get /slow.bin slow.bin\n".write(to: slowBatch, atomically: true, encoding: .utf8)
        let slowOutput = harness.directory.appendingPathComponent("slow.out")
        let first = try ChildProcess(
            "/bin/sh", ["-c", "cd '\(local.path)' && /usr/bin/sftp \(quoted(clientOptions(server))) -P \(server.localPort) -b '\(slowBatch.path)' demo@127.0.0.1"],
            outputFile: slowOutput)
        defer { first.terminate() }
        let deadline = Date().addingTimeInterval(30)
        while gated.readersWaiting == 0, first.exitStatusIfExited() == nil, Date() < deadline { try server.doEvents() }
        #expect(gated.readersWaiting > 0, "\(first.output)")

        let quickBatch = harness.directory.appendingPathComponent("quick-batch")
        try "put quick.txt /quick.txt\nget /quick.txt back.txt\nls /\n".write(to: quickBatch, atomically: true, encoding: .utf8)
        let second = try run(server, "/usr/bin/sftp \(quoted(clientOptions(server))) -P \(server.localPort) -b '\(quickBatch.path)' demo@127.0.0.1", limit: 60)
        #expect(second.status == 0, "\(second.output)")
        #expect(second.output.contains("slow.bin"), "\(second.output)")
        #expect(try String(contentsOf: local.appendingPathComponent("back.txt"), encoding: .utf8) == "quick\n")
        #expect(first.exitStatusIfExited() == nil)  // still waiting on the disk

        gated.release()
        let end = Date().addingTimeInterval(60)
        while first.exitStatusIfExited() == nil, Date() < end { try server.doEvents() }
        #expect(first.wait(limit: 5) == 0, "\(first.output)")
        #expect(sameBytes(Array(try Data(contentsOf: local.appendingPathComponent("slow.bin"))), slow))
    }
}
