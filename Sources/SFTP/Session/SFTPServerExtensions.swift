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
    static let copyData = "copy-data"
    static let usersGroupsById = "users-groups-by-id@openssh.com"

    /// Ids one `users-groups-by-id@openssh.com` request may ask about (each kind).
    static let maximumIdsPerLookup = 1024
    /// Bytes `copy-data` moves per read and write.
    static let copyChunk = 64 * 1024

    static func advertised(version: UInt32, newline: String, checksFiles: Bool) -> [SFTPExtensionPair] {
        var pairs = [
            SFTPExtensionPair(name: posixRename, text: "1"), SFTPExtensionPair(name: statvfs, text: "2"),
            SFTPExtensionPair(name: fstatvfs, text: "2"), SFTPExtensionPair(name: hardlink, text: "1"),
            SFTPExtensionPair(name: fsync, text: "1"), SFTPExtensionPair(name: lsetstat, text: "1"),
            SFTPExtensionPair(name: limits, text: "1"), SFTPExtensionPair(name: expandPath, text: "1"),
            SFTPExtensionPair(name: homeDirectory, text: "1"), SFTPExtensionPair(name: copyData, text: "1"),
            SFTPExtensionPair(name: usersGroupsById, text: "1"),
        ]
        if checksFiles {
            pairs.append(SFTPExtensionPair(name: checkFileHandle, text: "1"))
            pairs.append(SFTPExtensionPair(name: checkFileName, text: "1"))
        }
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
            case SFTPServerExtensions.copyData:
                // draft-ietf-secsh-filexfer-extensions-00 §7: length 0 copies to the end of file.
                guard case .file(let source, _)? = handles[try SFTPHandleField.read(&reader)] else {
                    return reply(.status(.invalidHandle, message: SFTPStatusCode.invalidHandle.message))
                }
                let readOffset = try reader.readUInt64("read offset")
                let length = try reader.readUInt64("length")
                let targetHandle = try SFTPHandleField.read(&reader)
                guard case .file(let target, _)? = handles[targetHandle] else {
                    return reply(.status(.invalidHandle, message: SFTPStatusCode.invalidHandle.message))
                }
                let writeOffset = try reader.readUInt64("write offset")
                if source === target {
                    let end = length == 0 ? UInt64.max : readOffset &+ length
                    if writeOffset < end && readOffset < writeOffset &+ max(length, 1) {
                        return reply(.status(.invalidParameter, message: "the ranges overlap"))
                    }
                }
                work(sequence) { _ throws(SFTPError) in
                    try Self.copy(from: source, at: readOffset, length: length, to: target, at: writeOffset)
                    return .ok
                }
            case SFTPServerExtensions.checkFileHandle, SFTPServerExtensions.checkFileName:
                guard let hashing = configuration.hashing else {
                    return reply(.status(.operationUnsupported, message: "extension \(request.name) is not supported"))
                }
                let source: SFTPCheckSource
                if request.name == SFTPServerExtensions.checkFileHandle {
                    guard case .file(let file, _)? = handles[try SFTPHandleField.read(&reader)] else {
                        return reply(.status(.invalidHandle, message: SFTPStatusCode.invalidHandle.message))
                    }
                    source = .handle(file)
                } else {
                    source = .path(try readPath("file name"))
                }
                let wanted = try reader.readNameList("hash algorithms")
                let start = try reader.readUInt64("start offset")
                let length = try reader.readUInt64("length")
                let blockSize = try reader.readUInt32("block size")
                guard let algorithm = hashing.algorithms.first(where: { wanted.contains($0.name) }) else {
                    return reply(.status(.operationUnsupported, message: "none of \(wanted.joined(separator: ",")) is offered"))
                }
                guard blockSize == 0 || blockSize >= SFTPServerExtensions.minimumCheckBlock else {
                    return reply(.status(.invalidParameter, message: "block size below \(SFTPServerExtensions.minimumCheckBlock)"))
                }
                work(sequence) { fileSystem throws(SFTPError) in
                    let file: any SFTPFileHandle
                    var opened = false
                    switch source {
                    case .handle(let handle): file = handle
                    case .path(let path):
                        file = try fileSystem.openFile(path, .read, attributes: SFTPFileAttributes())
                        opened = true
                    }
                    defer { if opened { try? file.close() } }
                    let digests = try Self.checkFile(
                        file, hashing: hashing, algorithm: algorithm, start: start, length: length, blockSize: blockSize)
                    var writer = SSHWriter()
                    writer.writeText("check-file")
                    writer.writeText(algorithm.name)
                    writer.writeBytes(digests)
                    return .response(.extendedReply(writer.bytes))
                }
            case SFTPServerExtensions.usersGroupsById:
                let userIds = try Self.readIds(&reader, "uids")
                let groupIds = try Self.readIds(&reader, "gids")
                work(sequence) { _ throws(SFTPError) in
                    var writer = SSHWriter()
                    var names = SSHWriter()
                    for id in userIds { names.writeText(SystemNames.user(id) ?? "") }
                    writer.writeString(names.bytes)
                    names = SSHWriter()
                    for id in groupIds { names.writeText(SystemNames.group(id) ?? "") }
                    writer.writeString(names.bytes)
                    return .response(.extendedReply(writer.bytes))
                }
            default:
                reply(.status(.operationUnsupported, message: "extension \(request.name) is not supported"))
            }
        } catch {
            reply(.status(.badMessage, message: "\(request.name): \(error)"))
        }
    }

    /// A packed list of uint32 ids (users-groups-by-id), at most ``SFTPServerExtensions/maximumIdsPerLookup``.
    static func readIds(_ reader: inout SSHReader, _ field: String) throws -> [UInt32] {
        let packed = try reader.readString(field)
        guard packed.count % 4 == 0, packed.count / 4 <= SFTPServerExtensions.maximumIdsPerLookup else {
            throw SSHWireError.invalidValue(field: field)
        }
        var ids: [UInt32] = []
        var inner = SSHReader(packed)
        while !inner.isAtEnd { ids.append(try inner.readUInt32(field)) }
        return ids
    }

    /// check-file's work: the digest of each block of the range (one block when `blockSize` is 0),
    /// concatenated. The reply must fit in one packet, which bounds the number of blocks.
    static func checkFile(
        _ file: any SFTPFileHandle, hashing: SFTPContentHashing, algorithm: (name: String, digestLength: Int),
        start: UInt64, length: UInt64, blockSize: UInt32
    ) throws(SFTPError) -> [UInt8] {
        let size = try file.attributes().size ?? 0
        let end = length == 0 ? size : min(size, start &+ length)
        let block = blockSize == 0 ? (start < end ? end - start : 1) : UInt64(blockSize)
        let blocks = start < end ? (end - start + block - 1) / block : 1
        guard blocks * UInt64(algorithm.digestLength) <= UInt64(SFTPLimits.maximumPacketLength - 1024) else {
            throw SFTPError(.invalidParameter, "check-file: \(blocks) blocks do not fit in one reply; use a larger block size")
        }
        func hasher() throws(SFTPError) -> any SFTPContentHasher {
            guard let hasher = hashing.make(algorithm.name) else { throw SFTPError(.failure, "no \(algorithm.name) digest") }
            return hasher
        }
        // An empty range has one digest, of nothing, when asked for as a whole.
        guard start < end else { return blockSize == 0 ? try hasher().finish() : [] }
        var digests: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: SFTPServerExtensions.copyChunk)
        var blockStart = start
        while blockStart < end {
            let digest = try hasher()
            let blockEnd = min(end, blockStart + block)
            var offset = blockStart
            while offset < blockEnd {
                let want = Int(min(UInt64(buffer.count), blockEnd - offset))
                var outcome: Result<Int, SFTPError> = .success(0)
                buffer.withUnsafeMutableBytes { raw in
                    outcome = Result { () throws(SFTPError) in
                        try file.read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<want]))
                    }
                }
                let count = try outcome.get()
                guard count > 0 else { break }
                buffer.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                offset += UInt64(count)
            }
            digests += digest.finish()
            blockStart = blockEnd
        }
        return digests
    }

    /// copy-data's work: chunks read from one handle and written to the other.
    static func copy(
        from source: any SFTPFileHandle, at readOffset: UInt64, length: UInt64, to target: any SFTPFileHandle, at writeOffset: UInt64
    ) throws(SFTPError) {
        var buffer = [UInt8](repeating: 0, count: SFTPServerExtensions.copyChunk)
        var copied: UInt64 = 0
        while length == 0 || copied < length {
            let want = Int(min(UInt64(buffer.count), length == 0 ? UInt64(buffer.count) : length - copied))
            var outcome: Result<Int, SFTPError> = .success(0)
            buffer.withUnsafeMutableBytes { raw in
                outcome = Result { () throws(SFTPError) in
                    try source.read(at: readOffset &+ copied, into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<want]))
                }
            }
            let count = try outcome.get()
            guard count > 0 else {
                if length == 0 { return }
                throw SFTPError(.eof, "copy-data: the source ended before \(length) bytes")
            }
            var written: Result<Void, SFTPError> = .success(())
            buffer.withUnsafeBytes { raw in
                written = Result { () throws(SFTPError) in
                    try target.write(at: writeOffset &+ copied, UnsafeRawBufferPointer(rebasing: raw[0..<count]))
                }
            }
            try written.get()
            copied += UInt64(count)
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

/// Where check-file reads: an open handle, or a path the operation opens.
enum SFTPCheckSource: Sendable {
    case handle(any SFTPFileHandle)
    case path(String)
}
