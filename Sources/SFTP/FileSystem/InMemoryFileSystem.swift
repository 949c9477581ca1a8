#if canImport(Glibc)
import Glibc
#endif

/// A file tree held in memory: directories, regular files and symbolic links, resolved with the
/// same rules the confined file system gets from the kernel — ".." stops at the root, absolute
/// link targets start from it, 40 links at most per lookup. For tests of the session and for
/// serving generated trees. Safe to use from several threads.
public final class InMemoryFileSystem: SFTPFileSystem, @unchecked Sendable {
    /// Links followed in one lookup before ELOOP (Linux's limit).
    static let maximumLinks = 40

    final class Node {
        enum Content {
            case file([UInt8])
            case directory([String: Node])
            case symlink(String)
        }

        var content: Content
        var mode: UInt32
        var userId: UInt32 = 0
        var groupId: UInt32 = 0
        var accessTime: SFTPTime
        var modifyTime: SFTPTime

        init(_ content: Content, mode: UInt32, now: SFTPTime) {
            self.content = content
            self.mode = mode
            accessTime = now
            modifyTime = now
        }

        var attributes: SFTPFileAttributes {
            var attributes = SFTPFileAttributes(
                size: size, userId: userId, groupId: groupId, permissions: typeBits | (mode & 0o7777),
                accessTime: accessTime, modifyTime: modifyTime)
            attributes.linkCount = 1
            return attributes
        }

        var typeBits: UInt32 {
            switch content {
            case .file: 0o100000
            case .directory: 0o040000
            case .symlink: 0o120000
            }
        }

        var size: UInt64 {
            switch content {
            case .file(let bytes): UInt64(bytes.count)
            case .directory(let children): UInt64(children.count)
            case .symlink(let target): UInt64(target.utf8.count)
            }
        }
    }

    private var mutex = pthread_mutex_t()
    let root: Node

    public init() {
        pthread_mutex_init(&mutex, nil)
        root = Node(.directory([:]), mode: 0o755, now: Self.now())
    }

    deinit { pthread_mutex_destroy(&mutex) }

    func locked<T>(_ body: () throws(SFTPError) -> T) throws(SFTPError) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }

    static func now() -> SFTPTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return SFTPTime(seconds: Int64(spec.tv_sec), nanoseconds: UInt32(clamping: spec.tv_nsec))
    }

    // MARK: - Resolution

    /// One step of a lookup: the name it was reached by, and the node.
    typealias Step = (name: String, node: Node)

    /// The node at `path`; the last component's link is followed when `follow` is set.
    func lookup(_ path: String, follow: Bool) throws(SFTPError) -> Node {
        try steps(path, follow: follow).last?.node ?? root
    }

    func steps(_ path: String, follow: Bool) throws(SFTPError) -> [Step] {
        var links = 0
        return try walk(path, from: [("", root)], follow: follow, links: &links)
    }

    /// The steps from the root to `path`'s node (inclusive).
    private func walk(_ path: String, from start: [Step], follow: Bool, links: inout Int) throws(SFTPError) -> [Step] {
        try ConfinedFileSystem.validate(path)
        var stack = path.hasPrefix("/") ? [("", root)] : start
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        for (index, part) in parts.enumerated() {
            let last = index == parts.count - 1
            switch part {
            case ".": continue
            case "..": if stack.count > 1 { stack.removeLast() }; continue
            default: break
            }
            guard part.utf8.count <= 255 else { throw SFTPError(.invalidFilename, "\(path): a name is longer than 255 bytes") }
            guard let directory = stack.last?.node, case .directory(let children) = directory.content else {
                throw SFTPError(.notADirectory, "\(path): not a directory")
            }
            guard let child = children[String(part)] else { throw SFTPError(.noSuchFile, "\(path): no such file") }
            if case .symlink(let target) = child.content, !last || follow {
                links += 1
                guard links <= Self.maximumLinks else { throw SFTPError(.linkLoop, "\(path): too many symbolic links") }
                stack = try walk(target, from: stack, follow: true, links: &links)
            } else {
                stack.append((String(part), child))
            }
        }
        return stack
    }

    /// The directory holding `path`'s last component, and that name ("." and ".." refused).
    func parent(of path: String) throws(SFTPError) -> (directory: Node, name: String) {
        try ConfinedFileSystem.validate(path)
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard let last = parts.last, last != ".", last != ".." else {
            throw SFTPError(.invalidParameter, "\(path): needs a file name")
        }
        guard last.utf8.count <= 255 else { throw SFTPError(.invalidFilename, "\(path): a name is longer than 255 bytes") }
        let directoryPath = (path.hasPrefix("/") ? "/" : "") + parts.dropLast().joined(separator: "/")
        let directory = try lookup(directoryPath, follow: true)
        guard case .directory = directory.content else { throw SFTPError(.notADirectory, "\(path): not a directory") }
        return (directory, String(last))
    }

    func children(_ node: Node) -> [String: Node] {
        if case .directory(let children) = node.content { return children }
        return [:]
    }

    func setChild(_ directory: Node, _ name: String, _ node: Node?) {
        var entries = children(directory)
        entries[name] = node
        directory.content = .directory(entries)
        directory.modifyTime = Self.now()
    }

    // MARK: - SFTPFileSystem

    public func openFile(_ path: String, _ flags: SFTPOpenFlags, attributes: SFTPFileAttributes) throws(SFTPError) -> any SFTPFileHandle {
        try locked { () throws(SFTPError) -> any SFTPFileHandle in
            var node: Node
            do throws(SFTPError) {
                node = try lookup(path, follow: true)
                if flags.contains(.create) && flags.contains(.exclusive) { throw SFTPError(.fileAlreadyExists, "\(path): exists") }
            } catch {
                guard error.code == .noSuchFile, flags.contains(.create) else { throw error }
                let (directory, name) = try parent(of: path)
                if let existing = children(directory)[name], case .symlink = existing.content {
                    throw SFTPError(.noSuchFile, "\(path): a dangling link is not created through")
                }
                node = Node(.file([]), mode: (attributes.permissions ?? 0o666) & 0o7777, now: Self.now())
                setChild(directory, name, node)
            }
            guard case .file = node.content else {
                throw SFTPError(node.typeBits == 0o040000 ? .fileIsADirectory : .failure, "\(path): not a regular file")
            }
            if flags.contains(.truncate) { node.content = .file([]) }
            return InMemoryFileHandle(fileSystem: self, node: node, append: flags.contains(.append))
        }
    }

    public func openDirectory(_ path: String) throws(SFTPError) -> any SFTPDirectoryHandle {
        try locked { () throws(SFTPError) -> any SFTPDirectoryHandle in
            let node = try lookup(path, follow: true)
            guard case .directory(let entries) = node.content else { throw SFTPError(.notADirectory, "\(path): not a directory") }
            var listing = [SFTPDirectoryEntry(name: ".", attributes: node.attributes), SFTPDirectoryEntry(name: "..", attributes: node.attributes)]
            for (name, child) in entries.sorted(by: { $0.key < $1.key }) {
                listing.append(SFTPDirectoryEntry(name: name, attributes: child.attributes))
            }
            return InMemoryDirectoryHandle(entries: listing)
        }
    }

    public func attributes(of path: String, followLinks: Bool) throws(SFTPError) -> SFTPFileAttributes {
        try locked { () throws(SFTPError) in try lookup(path, follow: followLinks).attributes }
    }

    public func setAttributes(of path: String, _ attributes: SFTPFileAttributes, followLinks: Bool) throws(SFTPError) {
        try locked { () throws(SFTPError) in try apply(attributes, to: try lookup(path, follow: followLinks), path) }
    }

    func apply(_ attributes: SFTPFileAttributes, to node: Node, _ path: String) throws(SFTPError) {
        if let size = attributes.size {
            guard case .file(var bytes) = node.content else { throw SFTPError(.fileIsADirectory, "\(path): not a file") }
            guard size <= UInt64(InMemoryFileHandle.maximumFileSize) else { throw SFTPError(.noSpaceOnFileSystem, "\(path): too large") }
            if Int(size) < bytes.count { bytes.removeSubrange(Int(size)...) } else { bytes += [UInt8](repeating: 0, count: Int(size) - bytes.count) }
            node.content = .file(bytes)
        }
        if let permissions = attributes.permissions { node.mode = permissions & 0o7777 }
        if let uid = attributes.userId, let gid = attributes.groupId {
            node.userId = uid
            node.groupId = gid
        }
        if let time = attributes.accessTime { node.accessTime = time }
        if let time = attributes.modifyTime { node.modifyTime = time }
    }

    public func removeFile(_ path: String) throws(SFTPError) {
        try locked { () throws(SFTPError) in
            let (directory, name) = try parent(of: path)
            guard let node = children(directory)[name] else { throw SFTPError(.noSuchFile, "\(path): no such file") }
            if case .directory = node.content { throw SFTPError(.fileIsADirectory, "\(path): is a directory") }
            setChild(directory, name, nil)
        }
    }

    public func makeDirectory(_ path: String, attributes: SFTPFileAttributes) throws(SFTPError) {
        try locked { () throws(SFTPError) in
            let (directory, name) = try parent(of: path)
            guard children(directory)[name] == nil else { throw SFTPError(.fileAlreadyExists, "\(path): exists") }
            setChild(directory, name, Node(.directory([:]), mode: (attributes.permissions ?? 0o777) & 0o7777, now: Self.now()))
        }
    }

    public func removeDirectory(_ path: String) throws(SFTPError) {
        try locked { () throws(SFTPError) in
            let (directory, name) = try parent(of: path)
            guard let node = children(directory)[name] else { throw SFTPError(.noSuchFile, "\(path): no such file") }
            guard case .directory(let entries) = node.content else { throw SFTPError(.notADirectory, "\(path): not a directory") }
            guard entries.isEmpty else { throw SFTPError(.directoryNotEmpty, "\(path): not empty") }
            setChild(directory, name, nil)
        }
    }

    public func rename(_ path: String, to newPath: String, overwrite: Bool) throws(SFTPError) {
        try locked { () throws(SFTPError) in
            let (from, fromName) = try parent(of: path)
            let (to, toName) = try parent(of: newPath)
            guard let node = children(from)[fromName] else { throw SFTPError(.noSuchFile, "\(path): no such file") }
            if children(to)[toName] != nil, !overwrite { throw SFTPError(.fileAlreadyExists, "\(newPath): exists") }
            // A directory may not move into itself or below it.
            let newParent = (newPath.hasPrefix("/") ? "/" : "") + newPath.split(separator: "/").dropLast().joined(separator: "/")
            if case .directory = node.content, isAncestor(node, of: newParent) {
                throw SFTPError(.invalidParameter, "\(newPath): inside \(path)")
            }
            setChild(from, fromName, nil)
            setChild(to, toName, node)
        }
    }

    public func readLink(_ path: String) throws(SFTPError) -> String {
        try locked { () throws(SFTPError) in
            let (directory, name) = try parent(of: path)
            guard let node = children(directory)[name] else { throw SFTPError(.noSuchFile, "\(path): no such file") }
            guard case .symlink(let target) = node.content else { throw SFTPError(.invalidParameter, "\(path): not a link") }
            return target
        }
    }

    public func makeSymbolicLink(at linkPath: String, to target: String) throws(SFTPError) {
        try ConfinedFileSystem.validate(target)
        try locked { () throws(SFTPError) in
            let (directory, name) = try parent(of: linkPath)
            guard children(directory)[name] == nil else { throw SFTPError(.fileAlreadyExists, "\(linkPath): exists") }
            setChild(directory, name, Node(.symlink(target), mode: 0o777, now: Self.now()))
        }
    }

    public func makeHardLink(at newPath: String, to existingPath: String) throws(SFTPError) {
        try locked { () throws(SFTPError) in
            let (from, fromName) = try parent(of: existingPath)
            guard let node = children(from)[fromName] else { throw SFTPError(.noSuchFile, "\(existingPath): no such file") }
            if case .directory = node.content { throw SFTPError(.permissionDenied, "\(existingPath): a directory") }
            let (to, toName) = try parent(of: newPath)
            guard children(to)[toName] == nil else { throw SFTPError(.fileAlreadyExists, "\(newPath): exists") }
            setChild(to, toName, node)
        }
    }

    public func canonicalPath(_ path: String, mustExist: Bool) throws(SFTPError) -> String {
        try locked { () throws(SFTPError) in
            do throws(SFTPError) {
                return Self.name(of: try steps(path, follow: true))
            } catch {
                guard !mustExist, error.code == .noSuchFile else { throw error }
                let parts = path.split(separator: "/", omittingEmptySubsequences: true)
                guard let last = parts.last, last != ".", last != ".." else { throw error }
                let directory = Self.name(of: try steps((path.hasPrefix("/") ? "/" : "") + parts.dropLast().joined(separator: "/"), follow: true))
                return directory == "/" ? "/" + last : directory + "/" + last
            }
        }
    }

    /// The path a lookup took, from the root.
    private static func name(of steps: [Step]) -> String { "/" + steps.dropFirst().map(\.name).joined(separator: "/") }

    /// Whether `node` is `directory` or one of its ancestors along `path`'s lookup.
    private func isAncestor(_ node: Node, of path: String) -> Bool {
        ((try? steps(path, follow: true)) ?? []).contains { $0.node === node }
    }

    public func fileSystemStatistics(_ path: String) throws(SFTPError) -> SFTPFileSystemStatistics {
        _ = try attributes(of: path, followLinks: true)
        return SFTPFileSystemStatistics(
            blockSize: 4096, fragmentSize: 4096, blocks: 1 << 20, freeBlocks: 1 << 19, availableBlocks: 1 << 19,
            files: 1 << 20, freeFiles: 1 << 19, availableFiles: 1 << 19, fileSystemId: 0, flags: 0, maximumNameLength: 255)
    }
}

/// An open file of an ``InMemoryFileSystem``.
final class InMemoryFileHandle: SFTPFileHandle, @unchecked Sendable {
    /// The largest file: 1 GiB, so a client cannot make the process allocate without bound.
    static let maximumFileSize = 1 << 30

    let fileSystem: InMemoryFileSystem
    let node: InMemoryFileSystem.Node
    let append: Bool
    var closed = false

    init(fileSystem: InMemoryFileSystem, node: InMemoryFileSystem.Node, append: Bool) {
        self.fileSystem = fileSystem
        self.node = node
        self.append = append
    }

    func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(SFTPError) -> Int {
        try fileSystem.locked { () throws(SFTPError) in
            guard !closed, case .file(let bytes) = node.content else { throw SFTPError(.invalidHandle) }
            guard offset < UInt64(bytes.count) else { return 0 }
            let start = Int(offset)
            let count = min(buffer.count, bytes.count - start)
            bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[start..<(start + count)])) }
            return count
        }
    }

    func write(at offset: UInt64, _ data: UnsafeRawBufferPointer) throws(SFTPError) {
        try fileSystem.locked { () throws(SFTPError) in
            guard !closed, case .file(var bytes) = node.content else { throw SFTPError(.invalidHandle) }
            let start = append ? UInt64(bytes.count) : offset
            guard start <= UInt64(Self.maximumFileSize - data.count) else { throw SFTPError(.noSpaceOnFileSystem, "file too large") }
            let end = Int(start) + data.count
            if end > bytes.count { bytes += [UInt8](repeating: 0, count: end - bytes.count) }
            bytes.withUnsafeMutableBytes { UnsafeMutableRawBufferPointer(rebasing: $0[Int(start)..<end]).copyMemory(from: data) }
            node.content = .file(bytes)
            node.modifyTime = InMemoryFileSystem.now()
        }
    }

    func attributes() throws(SFTPError) -> SFTPFileAttributes { try fileSystem.locked { () throws(SFTPError) in node.attributes } }

    func setAttributes(_ attributes: SFTPFileAttributes) throws(SFTPError) {
        try fileSystem.locked { () throws(SFTPError) in try fileSystem.apply(attributes, to: node, "handle") }
    }

    func synchronize() throws(SFTPError) {}

    func fileSystemStatistics() throws(SFTPError) -> SFTPFileSystemStatistics { try fileSystem.fileSystemStatistics("/") }

    func close() throws(SFTPError) {
        try fileSystem.locked { () throws(SFTPError) in
            guard !closed else { throw SFTPError(.invalidHandle) }
            closed = true
        }
    }
}

/// A directory listing of an ``InMemoryFileSystem``, taken when it was opened.
final class InMemoryDirectoryHandle: SFTPDirectoryHandle, @unchecked Sendable {
    private var entries: [SFTPDirectoryEntry]
    private var position = 0

    init(entries: [SFTPDirectoryEntry]) { self.entries = entries }

    func nextEntries(limit: Int) throws(SFTPError) -> [SFTPDirectoryEntry]? {
        guard position < entries.count else { return nil }
        let batch = Array(entries[position..<min(position + limit, entries.count)])
        position += batch.count
        return batch
    }

    func close() { entries = [] }
}
