import SSHWire

/// The extensions the session implements and announces in VERSION (OpenSSH PROTOCOL §4; the
/// `newline` and `versions` pairs of draft-13 §4.3–5.5).
enum SFTPServerExtensions {
    static let posixRename = "posix-rename@openssh.com"
    static let statvfs = "statvfs@openssh.com"
    static let fstatvfs = "fstatvfs@openssh.com"
    static let hardlink = "hardlink@openssh.com"
    static let fsync = "fsync@openssh.com"
    static let lsetstat = "lsetstat@openssh.com"
    static let limits = "limits@openssh.com"
    static let expandPath = "expand-path@openssh.com"
    static let homeDirectory = "home-directory"

    static func advertised(version: UInt32, newline: String) -> [SFTPExtensionPair] {
        var pairs = [
            SFTPExtensionPair(name: posixRename, text: "1"), SFTPExtensionPair(name: statvfs, text: "2"),
            SFTPExtensionPair(name: fstatvfs, text: "2"), SFTPExtensionPair(name: hardlink, text: "1"),
            SFTPExtensionPair(name: fsync, text: "1"), SFTPExtensionPair(name: lsetstat, text: "1"),
            SFTPExtensionPair(name: limits, text: "1"), SFTPExtensionPair(name: expandPath, text: "1"),
            SFTPExtensionPair(name: homeDirectory, text: "1"),
        ]
        // draft-13 §5.5: the versions a version 3 client may later select; §4.3: the newline.
        pairs.append(SFTPExtensionPair(name: "versions", text: "3,4,5,6"))
        if version >= 4 { pairs.append(SFTPExtensionPair(name: "newline", text: newline)) }
        return pairs
    }
}

extension SFTPServerSession {
    /// SSH_FXP_EXTENDED: the OpenSSH extensions and `home-directory`; any other name is answered
    /// with SSH_FX_OP_UNSUPPORTED (draft-13 §9.1), and malformed data with SSH_FX_BAD_MESSAGE.
    func dispatchExtended(_ request: SFTPExtendedRequest, sequence: Int, version: UInt32) {
        func reply(_ response: SFTPResponse) { fill(sequence, response) }
        var reader = SSHReader(Array(request.data))
        func readPath(_ field: String) throws -> String {
            guard let path = resolve(try SFTPPath.read(&reader, field)) else { throw SSHWireError.invalidValue(field: field) }
            return path
        }
        do {
            switch request.name {
            case SFTPServerExtensions.posixRename:
                let from = try readPath("old path")
                let to = try readPath("new path")
                work(sequence) { fileSystem throws(SFTPError) in
                    try fileSystem.rename(from, to: to, overwrite: true)
                    return .ok
                }
            case SFTPServerExtensions.hardlink:
                let existing = try readPath("old path")
                let newPath = try readPath("new path")
                work(sequence) { fileSystem throws(SFTPError) in
                    try fileSystem.makeHardLink(at: newPath, to: existing)
                    return .ok
                }
            case SFTPServerExtensions.statvfs:
                let target = try readPath("path")
                work(sequence) { fileSystem throws(SFTPError) in .response(.extendedReply(Self.encode(try fileSystem.fileSystemStatistics(target)))) }
            case SFTPServerExtensions.fstatvfs:
                guard case .file(let file, _)? = handles[try SFTPHandleField.read(&reader)] else {
                    return reply(.status(.invalidHandle, message: SFTPStatusCode.invalidHandle.message))
                }
                work(sequence) { _ throws(SFTPError) in .response(.extendedReply(Self.encode(try file.fileSystemStatistics()))) }
            case SFTPServerExtensions.fsync:
                guard case .file(let file, _)? = handles[try SFTPHandleField.read(&reader)] else {
                    return reply(.status(.invalidHandle, message: SFTPStatusCode.invalidHandle.message))
                }
                work(sequence) { _ throws(SFTPError) in
                    try file.synchronize()
                    return .ok
                }
            case SFTPServerExtensions.lsetstat:
                let target = try readPath("path")
                let attributes = try SFTPAttributesCodec.read(&reader, version: version)
                work(sequence) { fileSystem throws(SFTPError) in
                    try fileSystem.setAttributes(of: target, attributes, followLinks: false)
                    return .ok
                }
            case SFTPServerExtensions.limits:
                var writer = SSHWriter()
                writer.writeUInt64(UInt64(SFTPLimits.maximumPacketLength))
                writer.writeUInt64(UInt64(SFTPLimits.maximumReadWriteLength))
                writer.writeUInt64(UInt64(SFTPLimits.maximumReadWriteLength))
                writer.writeUInt64(UInt64(SFTPLimits.maximumOpenHandles))
                reply(.extendedReply(writer.bytes))
            case SFTPServerExtensions.expandPath:
                // "~" and "~/x" are the home directory (OpenSSH PROTOCOL §4.11); "~user" is not offered.
                var raw = try SFTPPath.read(&reader, "path")
                if raw == "~" {
                    raw = configuration.homeDirectory
                } else if raw.hasPrefix("~/") {
                    raw = configuration.homeDirectory + raw.dropFirst(1)
                } else if raw.hasPrefix("~") {
                    return reply(.status(.noSuchFile, message: "only the session's own home directory can be expanded"))
                }
                guard let target = resolve(raw) else { throw SSHWireError.invalidValue(field: "path") }
                work(sequence) { fileSystem throws(SFTPError) in
                    let canonical = try fileSystem.canonicalPath(target, mustExist: false)
                    return .response(.name([SFTPNameEntry(name: canonical, longName: canonical)]))
                }
            case SFTPServerExtensions.homeDirectory:
                _ = try reader.readText("user name")
                let home = configuration.homeDirectory
                reply(.name([SFTPNameEntry(name: home, longName: home)]))
            default:
                reply(.status(.operationUnsupported, message: "extension \(request.name) is not supported"))
            }
        } catch {
            reply(.status(.badMessage, message: "\(request.name): \(error)"))
        }
    }

    /// The statvfs reply (OpenSSH PROTOCOL §4.4): eleven uint64s.
    static func encode(_ statistics: SFTPFileSystemStatistics) -> [UInt8] {
        var writer = SSHWriter()
        for value in [
            statistics.blockSize, statistics.fragmentSize, statistics.blocks, statistics.freeBlocks,
            statistics.availableBlocks, statistics.files, statistics.freeFiles, statistics.availableFiles,
            statistics.fileSystemId, statistics.flags, statistics.maximumNameLength,
        ] { writer.writeUInt64(value) }
        return writer.bytes
    }
}
