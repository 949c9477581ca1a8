import SSHWire
import Testing
@testable import SFTP

/// The SFTP codec (draft-ietf-secsh-filexfer-02 for version 3, -13 for 4–6; OpenSSH PROTOCOL).
@Suite struct SFTPCodecTests {
    static let attributes = SFTPFileAttributes(
        size: 1234, userId: 1000, groupId: 100, permissions: 0o100644,
        accessTime: SFTPTime(seconds: 1_700_000_000), modifyTime: SFTPTime(seconds: 1_700_000_100))

    static let requests: [SFTPRequest] = [
        .open(SFTPOpen(path: "/a/b.txt", flags: [.read, .write, .create, .truncate], attributes: attributes)),
        .open(SFTPOpen(path: "x", flags: [.write, .create, .exclusive], attributes: SFTPFileAttributes())),
        .close(SFTPHandleRequest(handle: Array("17".utf8))),
        .read(SFTPRead(handle: Array("1".utf8), offset: 1 << 40, length: 32768)),
        .write(SFTPWrite(handle: Array("1".utf8), offset: 5, data: [1, 2, 3][...])),
        .lstat(SFTPPathRequest(path: "/l")), .stat(SFTPPathRequest(path: "s")),
        .fstat(SFTPHandleRequest(handle: [0x31])),
        .setstat(SFTPPathAttributes(path: "/p", attributes: SFTPFileAttributes(permissions: 0o100600))),
        .fsetstat(SFTPHandleAttributes(handle: [0x32], attributes: SFTPFileAttributes(size: 0))),
        .opendir(SFTPPathRequest(path: "/")), .readdir(SFTPHandleRequest(handle: [0x33])),
        .remove(SFTPPathRequest(path: "gone")), .mkdir(SFTPPathAttributes(path: "d", attributes: SFTPFileAttributes(permissions: 0o040755))),
        .rmdir(SFTPPathRequest(path: "d")), .realpath(SFTPRealPath(path: ".")),
        .rename(SFTPRename(oldPath: "a", newPath: "b")), .readlink(SFTPPathRequest(path: "l")),
        .link(SFTPLink(linkPath: "link", targetPath: "target", symbolic: true)),
        .extended(SFTPExtendedRequest(name: "limits@openssh.com", data: [][...])),
    ]

    /// Every request survives encode → decode in every version (the version 3 attribute set is
    /// the one that round-trips everywhere).
    @Test(arguments: [3 as UInt32, 4, 5, 6])
    func everyRequestRoundTrips(version: UInt32) throws {
        for (index, request) in Self.requests.enumerated() {
            let id = UInt32(index + 100)
            let decoded = try SFTPRequest.decode(request.encoded(id: id, version: version), version: version)
            #expect(decoded.id == id)
            #expect(normalised(decoded.request, version) == normalised(request, version), "\(request) v\(version)")
        }
    }

    /// Version 4+ attributes carry names instead of ids and nanosecond times; owner and group
    /// names come out of the ids when none are set.
    private func normalised(_ request: SFTPRequest, _ version: UInt32) -> SFTPRequest {
        guard version >= 4 else { return request }
        func fix(_ a: SFTPFileAttributes) -> SFTPFileAttributes {
            var b = a
            b.owner = a.owner ?? a.userId.map(String.init)
            b.group = a.group ?? a.groupId.map(String.init)
            b.userId = nil
            b.groupId = nil
            if b.owner == nil || b.group == nil { b.owner = nil; b.group = nil }
            return b
        }
        switch request {
        case .open(var m): m.attributes = fix(m.attributes); if version >= 5 { m.flags.remove(.append) }; return .open(m)
        case .setstat(var m): m.attributes = fix(m.attributes); return .setstat(m)
        case .fsetstat(var m): m.attributes = fix(m.attributes); return .fsetstat(m)
        case .mkdir(var m): m.attributes = fix(m.attributes); return .mkdir(m)
        default: return request
        }
    }

    /// A version 3 OPEN as OpenSSH's sftp sends it for `put`: pflags WRITE|CREAT|TRUNC and
    /// permissions only (bytes written out by hand from draft-02 §6.3 and §5).
    @Test func version3OpenKnownBytes() throws {
        let bytes: [UInt8] = [
            3, 0, 0, 0, 7,  // SSH_FXP_OPEN, id 7
            0, 0, 0, 5, 0x66, 0x2E, 0x74, 0x78, 0x74,  // "f.txt"
            0, 0, 0, 0x1A,  // WRITE | CREAT | TRUNC
            0, 0, 0, 4, 0, 0, 0x81, 0xA4,  // PERMISSIONS, 0100644
        ]
        let (id, request) = try SFTPRequest.decode(bytes, version: 3)
        #expect(id == 7)
        #expect(request == .open(SFTPOpen(path: "f.txt", flags: [.write, .create, .truncate], attributes: SFTPFileAttributes(permissions: 0o100644))))
        #expect(request.encoded(id: 7, version: 3) == bytes)
    }

    /// SSH_FXP_SYMLINK carries the target first, then the link path, as OpenSSH sends it.
    @Test func symlinkArgumentsInOpenSSHOrder() throws {
        var writer = SSHWriter()
        writer.writeByte(SFTPPacketType.symlink)
        writer.writeUInt32(9)
        writer.writeText("target/path")
        writer.writeText("link/path")
        let (_, request) = try SFTPRequest.decode(writer.bytes, version: 3)
        #expect(request == .link(SFTPLink(linkPath: "link/path", targetPath: "target/path", symbolic: true)))
    }

    @Test func statusCodesAreMappedForVersion3() throws {
        let bytes = SFTPResponse.status(.fileAlreadyExists, message: "exists").encoded(id: 4, version: 3)
        let (id, response) = try SFTPResponse.decode(bytes, version: 3)
        #expect(id == 4)
        #expect(response == .status(.failure, message: "exists"))
        let (_, v6) = try SFTPResponse.decode(SFTPResponse.status(.fileAlreadyExists, message: "").encoded(id: 4, version: 6), version: 6)
        #expect(v6 == .status(.fileAlreadyExists, message: ""))
    }

    @Test(arguments: [3 as UInt32, 4, 6])
    func responsesRoundTrip(version: UInt32) throws {
        let responses: [SFTPResponse] = [
            .handle(Array("42".utf8)), .data([9, 8, 7][...]), .extendedReply([1, 2]),
            .name([SFTPNameEntry(name: "a", longName: version <= 3 ? "-rw-r--r-- a" : "", attributes: SFTPFileAttributes(size: 3))]),
            .attributes(SFTPFileAttributes(size: 10, permissions: 0o040755)),
        ]
        for response in responses {
            let (id, decoded) = try SFTPResponse.decode(response.encoded(id: 77, version: version), version: version)
            #expect(id == 77)
            #expect(decoded == response)
        }
    }

    /// Version 4+ times keep nanoseconds; the file type travels in its own byte.
    @Test func version6AttributesKeepNanosecondsAndType() throws {
        var attributes = SFTPFileAttributes(size: 1, permissions: 0o120777)
        attributes.owner = "alice"
        attributes.group = "staff"
        attributes.modifyTime = SFTPTime(seconds: -5, nanoseconds: 999_999_999)
        attributes.linkCount = 2
        var writer = SSHWriter()
        SFTPAttributesCodec.write(attributes, to: &writer, version: 6)
        var reader = SSHReader(writer.bytes)
        let decoded = try SFTPAttributesCodec.read(&reader, version: 6)
        #expect(decoded == attributes)
        #expect(decoded.fileType == .symlink)
    }

    @Test func malformedRequestsKeepTheirId() {
        // READ with a truncated offset.
        let bytes: [UInt8] = [5, 0, 0, 0, 42, 0, 0, 0, 1, 0x31, 0, 0]
        #expect {
            _ = try SFTPRequest.decode(bytes, version: 3)
        } throws: { error in (error as? SFTPDecodeError)?.id == 42 }
        #expect(throws: SFTPDecodeError.self) { _ = try SFTPRequest.decode([5, 0, 0], version: 3) }
    }

    /// Every truncation of every request decodes or throws; none traps.
    @Test func truncationsNeverTrap() {
        var failures = 0
        for request in Self.requests {
            let bytes = request.encoded(id: 1, version: 6)
            for length in 0..<bytes.count {
                do { _ = try SFTPRequest.decode(Array(bytes[0..<length]), version: 6) } catch { failures += 1 }
            }
        }
        #expect(failures > Self.requests.count)
    }

    @Test func framerSplitsAStreamAndRefusesBadLengths() throws {
        var framer = SFTPPacketFramer()
        let stream = SFTPPacketFramer.frame([1, 2, 3]) + SFTPPacketFramer.frame([4])
        for byte in stream { framer.append([byte]) }  // one byte at a time
        #expect(try framer.nextPacket() == [1, 2, 3])
        #expect(try framer.nextPacket() == [4])
        #expect(try framer.nextPacket() == nil)
        var bad = SFTPPacketFramer()
        bad.append([0, 4, 0, 1])  // 256 KiB + 1
        #expect(throws: SFTPFramingError.self) { _ = try bad.nextPacket() }
        var empty = SFTPPacketFramer()
        empty.append([0, 0, 0, 0])
        #expect(throws: SFTPFramingError.self) { _ = try empty.nextPacket() }
    }

    @Test func longNamesLookLikeLs() {
        #expect(SFTPLongName.modeString(0o100644) == "-rw-r--r--")
        #expect(SFTPLongName.modeString(0o040755) == "drwxr-xr-x")
        #expect(SFTPLongName.modeString(0o104755) == "-rwsr-xr-x")
        #expect(SFTPLongName.modeString(0o041777) == "drwxrwxrwt")
        #expect(SFTPLongName.modeString(0o120777) == "lrwxrwxrwx")
        let line = SFTPLongName.line(SFTPDirectoryEntry(name: "f", attributes: Self.attributes))
        #expect(line.hasPrefix("-rw-r--r--   1 1000     100          1234 "))
        #expect(line.hasSuffix(" f"))
    }
}
