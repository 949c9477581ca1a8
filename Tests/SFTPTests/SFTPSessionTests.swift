import Foundation
import SSHWire
import TestSupport
import Testing
@testable import SFTP

/// The sans-I/O session driven packet by packet against a real temporary directory: version
/// negotiation, request order, pipelining, handles, bad input.
@Suite struct SFTPSessionTests {
    /// A session with its file system; operations run inline, in order, as the owner would.
    final class Driver {
        let session: SFTPServerSession
        let fileSystem: any SFTPFileSystem
        var framer = SFTPPacketFramer()
        let version: UInt32

        init(
            fileSystem: any SFTPFileSystem, clientVersion: UInt32 = 3, maximumVersion: UInt32 = 3, home: String = "/",
            configuration: SFTPServerSession.Configuration? = nil
        ) throws {
            self.fileSystem = fileSystem
            session = SFTPServerSession(configuration: configuration ?? .init(maximumVersion: maximumVersion, homeDirectory: home))
            var writer = SSHWriter()
            writer.writeByte(SFTPPacketType.initialize)
            SFTPInit(version: clientVersion).write(to: &writer)
            try session.receive(SFTPPacketFramer.frame(writer.bytes))
            framer.append(session.takeOutput())
            var reader = SSHReader(try #require(try framer.nextPacket()))
            #expect(try reader.readByte() == SFTPPacketType.version)
            version = try SFTPVersion(from: &reader).version
        }

        /// Sends the requests (ids 1, 2, …) in one go, runs every operation, and returns the replies.
        func send(_ requests: [SFTPRequest], firstId: UInt32 = 1) throws -> [(id: UInt32, response: SFTPResponse)] {
            var bytes: [UInt8] = []
            for (index, request) in requests.enumerated() {
                bytes += SFTPPacketFramer.frame(request.encoded(id: firstId + UInt32(index), version: version))
            }
            try session.receive(bytes)
            while let operation = session.nextOperation() {
                try session.complete(operation, operation.run(on: fileSystem))
            }
            framer.append(session.takeOutput())
            var replies: [(UInt32, SFTPResponse)] = []
            while let packet = try framer.nextPacket() { replies.append(try SFTPResponse.decode(packet, version: version)) }
            return replies
        }

        func one(_ request: SFTPRequest) throws -> SFTPResponse {
            let replies = try send([request])
            #expect(replies.count == 1)
            return try #require(replies.first?.response)
        }

        func open(_ path: String, _ flags: SFTPOpenFlags) throws -> [UInt8] {
            guard case .handle(let handle) = try one(.open(SFTPOpen(path: path, flags: flags, attributes: SFTPFileAttributes()))) else {
                throw SFTPError(.failure, "no handle for \(path)")
            }
            return handle
        }
    }

    let scratch: ScratchDirectory
    let root: URL
    let fileSystem: ConfinedFileSystem

    init() throws {
        scratch = try ScratchDirectory("sftp-session")
        root = scratch.url
        try FileManager.default.createDirectory(at: root.appendingPathComponent("home/bob"), withIntermediateDirectories: true)
        fileSystem = try ConfinedFileSystem(root: root.path)
    }

    @Test(arguments: [(3 as UInt32, 3 as UInt32, 3 as UInt32), (6, 3, 3), (6, 6, 6), (5, 6, 5), (4, 6, 4)])
    func versionIsTheLowerOfBoth(client: UInt32, server: UInt32, expected: UInt32) throws {
        let driver = try Driver(fileSystem: fileSystem, clientVersion: client, maximumVersion: server)
        #expect(driver.version == expected)
    }

    @Test(arguments: [3 as UInt32, 6])
    func pipelinedWritesThenReadsAnswerInOrder(version: UInt32) throws {
        let driver = try Driver(fileSystem: fileSystem, clientVersion: version, maximumVersion: version, home: "/home/bob")
        let handle = try driver.open("data.bin", [.write, .read, .create, .truncate])
        let chunk = (0..<32_768).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let writes = (0..<32).map { SFTPRequest.write(SFTPWrite(handle: handle, offset: UInt64($0 * chunk.count), data: chunk[...])) }
        let written = try driver.send(writes, firstId: 100)
        #expect(written.map(\.id) == Array(100..<132))
        #expect(written.allSatisfy { if case .status(.ok, _) = $0.response { true } else { false } })
        let reads = (0..<33).map { SFTPRequest.read(SFTPRead(handle: handle, offset: UInt64($0 * chunk.count), length: 32_768)) }
        let read = try driver.send(reads, firstId: 200)
        #expect(read.map(\.id) == Array(200..<233))
        for reply in read.dropLast() {
            guard case .data(let bytes) = reply.response else { Issue.record("expected data, got \(reply.response)"); continue }
            #expect(Array(bytes) == chunk)
        }
        #expect(read.last?.response == .status(.eof, message: "End of file"))
        #expect(try driver.one(.close(SFTPHandleRequest(handle: handle))) == .status(.ok, message: "Success"))
        #expect(try Data(contentsOf: root.appendingPathComponent("home/bob/data.bin")).count == 32 * 32_768)
    }

    @Test func handlesAreCheckedAndClosedHandlesRefused() throws {
        let driver = try Driver(fileSystem: fileSystem)
        let handle = try driver.open("/home/bob/x", [.write, .create])
        let replies = try driver.send([
            .close(SFTPHandleRequest(handle: handle)),
            .write(SFTPWrite(handle: handle, offset: 0, data: [1][...])),
            .read(SFTPRead(handle: Array("nonsense".utf8), offset: 0, length: 10)),
        ])
        #expect(replies.map(\.response) == [
            .status(.ok, message: "Success"),
            .status(.failure, message: "Invalid handle"),  // version 3: invalid handle maps to failure
            .status(.failure, message: "Invalid handle"),
        ])
    }

    @Test func directoryListingAndRealPath() throws {
        for name in ["a", "b", "c"] { try Data(name.utf8).write(to: root.appendingPathComponent("home/bob/\(name)")) }
        let driver = try Driver(fileSystem: fileSystem, home: "/home/bob")
        #expect(try driver.one(.realpath(SFTPRealPath(path: "."))) == .name([SFTPNameEntry(name: "/home/bob", longName: "/home/bob")]))
        #expect(try driver.one(.realpath(SFTPRealPath(path: "../../home/./bob/.."))) == .name([SFTPNameEntry(name: "/home", longName: "/home")]))
        guard case .handle(let handle) = try driver.one(.opendir(SFTPPathRequest(path: "."))) else { throw SFTPError(.failure) }
        guard case .name(let entries) = try driver.one(.readdir(SFTPHandleRequest(handle: handle))) else { throw SFTPError(.failure) }
        #expect(Set(entries.map(\.name)).isSuperset(of: ["a", "b", "c", ".", ".."]))
        #expect(entries.first { $0.name == "a" }?.longName.hasPrefix("-rw") == true)
        #expect(try driver.one(.readdir(SFTPHandleRequest(handle: handle))) == .status(.eof, message: "End of file"))
    }

    /// WRITEs arriving in channel-sized pieces cut anywhere — inside the length, the header or
    /// the data (then written from both pieces, ConfinedFileHandle's pwritev) — land whole and in
    /// order; a WRITE whose data runs past its packet is still BAD_MESSAGE.
    @Test(arguments: [1, 7, 29, 4096, 32_768, 40_000])
    func writesCutIntoPiecesLandWhole(piece: Int) throws {
        let driver = try Driver(fileSystem: fileSystem)
        let handle = try driver.open("/home/bob/pieces.bin", [.write, .read, .create, .truncate])
        var generator = SystemRandomNumberGenerator()
        let content = (0..<100_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var stream: [UInt8] = []
        var offset = 0
        var id: UInt32 = 50
        for length in [32_768, 1, 17_000, 32_768, 17_463] {
            let write = SFTPRequest.write(SFTPWrite(handle: handle, offset: UInt64(offset), data: content[offset..<offset + length]))
            stream += SFTPPacketFramer.frame(write.encoded(id: id, version: driver.version))
            offset += length
            id += 1
        }
        // A WRITE claiming 20 bytes of data that carries 12.
        var bad = SSHWriter()
        bad.writeByte(SFTPPacketType.write)
        bad.writeUInt32(id)
        bad.writeString(handle)
        bad.writeUInt64(0)
        bad.writeUInt32(20)
        bad.writeBytes([UInt8](repeating: 9, count: 12))
        stream += SFTPPacketFramer.frame(bad.bytes)
        var start = 0
        while start < stream.count {
            let end = min(start + piece, stream.count)
            try driver.session.receive(Array(stream[start..<end]))
            start = end
        }
        while let operation = driver.session.nextOperation() {
            try driver.session.complete(operation, operation.run(on: fileSystem))
        }
        driver.framer.append(driver.session.takeOutput())
        var replies: [(id: UInt32, response: SFTPResponse)] = []
        while let packet = try driver.framer.nextPacket() { replies.append(try SFTPResponse.decode(packet, version: driver.version)) }
        #expect(replies.map(\.id) == Array(50...55))
        for reply in replies.prefix(5) { #expect(reply.response == .status(.ok, message: "Success"), "\(reply)") }
        if case .status(let code, _) = replies.last?.response { #expect(code == .badMessage) } else { Issue.record("\(replies)") }
        let written = try Data(contentsOf: root.appendingPathComponent("home/bob/pieces.bin"))
        #expect(written == Data(content[0..<offset]))
    }

    @Test func badInputIsAnsweredAndTheSessionGoesOn() throws {
        let driver = try Driver(fileSystem: fileSystem)
        // A READ cut short, an unknown packet type, an unknown extension, then a valid STAT.
        try driver.session.receive(SFTPPacketFramer.frame([SFTPPacketType.read, 0, 0, 0, 9, 0, 0]))
        try driver.session.receive(SFTPPacketFramer.frame([SFTPPacketType.block, 0, 0, 0, 10]))
        let replies = try driver.send([
            .extended(SFTPExtendedRequest(name: "no-such@example.com", data: [][...])),
            .stat(SFTPPathRequest(path: "/home")),
        ], firstId: 11)
        #expect(replies.map(\.id) == [9, 10, 11, 12])
        if case .status(let code, _) = replies[0].response { #expect(code == .badMessage) } else { Issue.record("\(replies[0])") }
        if case .status(let code, _) = replies[1].response { #expect(code == .operationUnsupported) } else { Issue.record("\(replies[1])") }
        if case .status(let code, _) = replies[2].response { #expect(code == .operationUnsupported) } else { Issue.record("\(replies[2])") }
        if case .attributes(let attributes) = replies[3].response { #expect(attributes.fileType == .directory) } else { Issue.record("\(replies[3])") }
    }

    @Test func framingErrorsAndRequestsBeforeInitEndTheSession() throws {
        let early = SFTPServerSession()
        #expect(throws: SFTPSessionError.self) {
            try early.receive(SFTPPacketFramer.frame(SFTPRequest.stat(SFTPPathRequest(path: "/")).encoded(id: 1, version: 3)))
        }
        let driver = try Driver(fileSystem: fileSystem)
        #expect(throws: SFTPSessionError.self) { try driver.session.receive([0xFF, 0xFF, 0xFF, 0xFF]) }
    }

    /// More requests than the limit wait undecoded: the owner sees `wantsInput` false and stops
    /// granting window; the rest are decoded as replies go out.
    @Test func outstandingRequestsAreBounded() throws {
        let driver = try Driver(fileSystem: fileSystem)
        var bytes: [UInt8] = []
        for id in 0..<UInt32(SFTPLimits.maximumOutstandingRequests + 50) {
            bytes += SFTPPacketFramer.frame(SFTPRequest.stat(SFTPPathRequest(path: "/")).encoded(id: id, version: 3))
        }
        try driver.session.receive(bytes)
        #expect(!driver.session.wantsInput)
        #expect(driver.session.bufferedInputCount > 0)
        var answered = 0
        while let operation = driver.session.nextOperation() {
            try driver.session.complete(operation, operation.run(on: fileSystem))
            answered += 1
        }
        #expect(answered == SFTPLimits.maximumOutstandingRequests + 50)
        #expect(driver.session.bufferedInputCount == 0)
    }

    @Test func extensionsOfOpenSSH() throws {
        try Data("x".utf8).write(to: root.appendingPathComponent("home/bob/f"))
        let driver = try Driver(fileSystem: fileSystem, home: "/home/bob")
        func extended(_ name: String, _ build: (inout SSHWriter) -> Void) throws -> SFTPResponse {
            var writer = SSHWriter()
            build(&writer)
            return try driver.one(.extended(SFTPExtendedRequest(name: name, data: writer.bytes[...])))
        }
        #expect(try extended("posix-rename@openssh.com") { $0.writeText("f"); $0.writeText("g") } == .status(.ok, message: "Success"))
        #expect(try extended("hardlink@openssh.com") { $0.writeText("g"); $0.writeText("h") } == .status(.ok, message: "Success"))
        guard case .extendedReply(let limits) = try extended("limits@openssh.com", { _ in }) else { throw SFTPError(.failure) }
        var reader = SSHReader(limits)
        #expect(try reader.readUInt64() == 256 * 1024)
        guard case .extendedReply(let vfs) = try extended("statvfs@openssh.com", { $0.writeText("/") }) else { throw SFTPError(.failure) }
        #expect(vfs.count == 88)
        #expect(try extended("expand-path@openssh.com") { $0.writeText("~/g") } == .name([SFTPNameEntry(name: "/home/bob/g", longName: "/home/bob/g")]))
        #expect(try extended("home-directory") { $0.writeText("bob") } == .name([SFTPNameEntry(name: "/home/bob", longName: "/home/bob")]))
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("home/bob/h").path))
    }

    /// copy-data copies between handles on the server; users-groups-by-id names ids from the
    /// system's databases ("" for an unknown one).
    @Test func copyDataAndNamesById() throws {
        let driver = try Driver(fileSystem: fileSystem, home: "/home/bob")
        let source = try driver.open("src", [.read, .write, .create])
        let content = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        _ = try driver.send([.write(SFTPWrite(handle: source, offset: 0, data: content[...]))])
        let target = try driver.open("dst", [.read, .write, .create])
        var writer = SSHWriter()
        writer.writeString(source)
        writer.writeUInt64(0)
        writer.writeUInt64(0)  // to the end
        writer.writeString(target)
        writer.writeUInt64(10)
        #expect(try driver.one(.extended(SFTPExtendedRequest(name: "copy-data", data: writer.bytes[...]))) == .status(.ok, message: "Success"))
        let copied = try Data(contentsOf: root.appendingPathComponent("home/bob/dst"))
        #expect(copied.count == 200_010)
        #expect(Array(copied.dropFirst(10)) == content)

        var ids = SSHWriter()
        var packedUsers = SSHWriter()
        packedUsers.writeUInt32(0)
        packedUsers.writeUInt32(4_000_000_000)
        ids.writeString(packedUsers.bytes)
        var packedGroups = SSHWriter()
        packedGroups.writeUInt32(0)
        ids.writeString(packedGroups.bytes)
        guard case .extendedReply(let reply) = try driver.one(.extended(SFTPExtendedRequest(name: "users-groups-by-id@openssh.com", data: ids.bytes[...]))) else {
            throw SFTPError(.failure, "no reply")
        }
        var reader = SSHReader(reply)
        var users = SSHReader(try reader.readString())
        var groups = SSHReader(try reader.readString())
        #expect(try users.readText() == "root")
        #expect(try users.readText() == "")
        #expect(try groups.readText() == "root")
    }

    /// A byte count as the "digest": enough to check block boundaries and limits here; the real
    /// SHA digests are checked over SSH with asyncssh.
    final class CountingDigest: SFTPContentHasher {
        var count: UInt32 = 0
        func update(_ bytes: UnsafeRawBufferPointer) { count += UInt32(bytes.count) }
        func finish() -> [UInt8] { withUnsafeBytes(of: count.bigEndian) { Array($0) } }
    }

    @Test func checkFileBlocksAndLimits() throws {
        try Data(count: 1000).write(to: root.appendingPathComponent("home/bob/z"))
        var configuration = SFTPServerSession.Configuration(homeDirectory: "/home/bob")
        configuration.hashing = SFTPContentHashing(algorithms: [(name: "count", digestLength: 4)], make: { _ in CountingDigest() })
        let driver = try Driver(fileSystem: fileSystem, configuration: configuration)
        func check(_ start: UInt64, _ length: UInt64, _ block: UInt32, algorithms: String = "md5,count") throws -> SFTPResponse {
            var writer = SSHWriter()
            writer.writeText("z")
            writer.writeText(algorithms)
            writer.writeUInt64(start)
            writer.writeUInt64(length)
            writer.writeUInt32(block)
            return try driver.one(.extended(SFTPExtendedRequest(name: "check-file-name", data: writer.bytes[...])))
        }
        func digests(_ response: SFTPResponse) throws -> [UInt32] {
            guard case .extendedReply(let bytes) = response else { throw SFTPError(.failure, "\(response)") }
            var reader = SSHReader(bytes)
            #expect(try reader.readText() == "check-file")
            #expect(try reader.readText() == "count")
            var values: [UInt32] = []
            while !reader.isAtEnd { values.append(try reader.readUInt32()) }
            return values
        }
        #expect(try digests(check(0, 0, 0)) == [1000])
        #expect(try digests(check(0, 0, 256)) == [256, 256, 256, 232])
        #expect(try digests(check(100, 300, 256)) == [256, 44])
        #expect(try digests(check(5000, 0, 0)) == [0])  // past the end: the digest of nothing
        // INVALID_PARAMETER (23) reaches a version 3 client as FAILURE.
        if case .status(let code, _) = try check(0, 0, 100) { #expect(code == .failure) } else { Issue.record("block 100") }
        if case .status(let code, _) = try check(0, 0, 0, algorithms: "md5") { #expect(code == .operationUnsupported) } else { Issue.record("md5") }
    }
}

/// The framer hands over a packet that spans chunks as its parts, without gathering them.
@Suite struct SFTPPacketFramerPartsTests {
    @Test(arguments: [4096, 10_000, 32_768])
    func aPacketOverSeveralChunksComesInParts(chunk: Int) throws {
        let payload = (0..<40_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let framed = SFTPPacketFramer.frame(payload)
        var framer = SFTPPacketFramer()
        var start = 0
        while start < framed.count {
            framer.append(framed[start..<min(start + chunk, framed.count)])
            start += chunk
        }
        let parts = try #require(try framer.nextPacketParts())
        #expect(parts.count == (framed.count + chunk - 1) / chunk)
        #expect(Array(parts.joined()) == payload)
        #expect(framer.bufferedCount == 0)
    }
}
