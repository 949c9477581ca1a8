import CShims
#if canImport(Glibc)
import Glibc
#endif

/// A POSIX directory tree served as the whole SFTP file system, confined by the kernel: every
/// path is resolved with `openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)` from a descriptor of
/// the root (DESIGN §6), so "..", absolute paths and symbolic links — pre-existing or made through
/// SFTP — stay inside it, and `/proc` magic links are refused. Operations on a last component
/// (unlink, mkdir, rename, link, symlink, readlink, no-follow changes) open its parent that way and
/// act on the name with the `*at` call, which follows no link there; "." and ".." are refused as
/// names. No host path is ever built from the root's path.
public final class ConfinedFileSystem: SFTPFileSystem, @unchecked Sendable {
    /// `O_PATH`: a descriptor that only names a file (Glibc hides it behind _GNU_SOURCE).
    static let oPath = sshd_o_path()

    /// `O_PATH | O_DIRECTORY` descriptor of the root, for the object's life.
    let rootDescriptor: Int32
    /// The root's path as the kernel reports it, to express canonical paths relative to it.
    let rootPath: String

    /// Opens `root` (an existing directory). Throws ``SFTPError`` when it cannot.
    public init(root: String) throws(SFTPError) {
        let fd = Glibc.open(root, Self.oPath | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ErrnoStatus.error(errno, root) }
        rootDescriptor = fd
        rootPath = Self.kernelPath(of: fd) ?? root
    }

    /// A directory inside `parent`'s tree as a tree of its own (`UserRootDirectory`, the home of a
    /// restricted user): it is opened through `parent`'s confinement, so it cannot lie outside.
    public init(within parent: ConfinedFileSystem, subdirectory: String) throws(SFTPError) {
        let path = subdirectory.hasPrefix("/") ? subdirectory : "/" + subdirectory
        rootDescriptor = try parent.open(path, Self.oPath | O_DIRECTORY)
        rootPath = Self.kernelPath(of: rootDescriptor) ?? path
    }

    deinit { Glibc.close(rootDescriptor) }

    // MARK: - Resolution

    /// Opens `path` inside the root.
    func open(_ path: String, _ flags: Int32, mode: UInt32 = 0) throws(SFTPError) -> Int32 {
        try Self.validate(path)
        let fd = sshd_openat2(rootDescriptor, path, flags | O_CLOEXEC, mode, sshd_resolve_in_root())
        guard fd >= 0 else { throw ErrnoStatus.error(errno, path) }
        return fd
    }

    /// The parent directory of `path`'s last component, opened inside the root, and that name.
    func parent(of path: String) throws(SFTPError) -> (descriptor: Int32, name: String) {
        try Self.validate(path)
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        let slash = trimmed.lastIndex(of: "/")
        let name = String(slash.map { trimmed[trimmed.index(after: $0)...] } ?? trimmed)
        guard !name.isEmpty, name != ".", name != ".." else {
            throw SFTPError(.invalidParameter, "\(path): needs a file name, not \"\(name.isEmpty ? "/" : name)\"")
        }
        let directory = slash.map { trimmed[..<$0].isEmpty ? "/" : String(trimmed[..<$0]) } ?? "."
        let fd = try open(directory, Self.oPath | O_DIRECTORY)
        return (fd, name)
    }

    static func validate(_ path: String) throws(SFTPError) {
        guard !path.utf8.contains(0) else { throw SFTPError(.invalidFilename, "a path may not contain a NUL byte") }
        guard path.utf8.count <= SFTPFileSystemLimits.maximumPathLength else {
            throw SFTPError(.invalidFilename, "a path may be at most \(SFTPFileSystemLimits.maximumPathLength) bytes")
        }
    }

    /// The kernel's path of an open descriptor, read from /proc/self/fd (only to compare with
    /// the root's, never to open anything).
    static func kernelPath(of fd: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/fd/\(fd)", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Runs `body` with `fd`, closing it afterwards.
    func with<T>(_ fd: Int32, _ body: (Int32) throws(SFTPError) -> T) throws(SFTPError) -> T {
        defer { close(fd) }
        return try body(fd)
    }

    // MARK: - SFTPFileSystem

    public func openFile(_ path: String, _ flags: SFTPOpenFlags, attributes: SFTPFileAttributes) throws(SFTPError) -> any SFTPFileHandle {
        var mode: Int32 = flags.contains(.write) ? (flags.contains(.read) ? O_RDWR : O_WRONLY) : O_RDONLY
        if flags.contains(.append) { mode |= O_APPEND }
        if flags.contains(.create) { mode |= O_CREAT }
        if flags.contains(.truncate) { mode |= O_TRUNC }
        if flags.contains(.exclusive) { mode |= O_EXCL }
        let fd = try open(path, mode | O_NONBLOCK, mode: (attributes.permissions ?? 0o666) & 0o7777)
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw ErrnoStatus.error(errno, path)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw SFTPError((info.st_mode & S_IFMT) == S_IFDIR ? .fileIsADirectory : .failure, "\(path): not a regular file")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return ConfinedFileHandle(descriptor: fd, path: path)
    }

    public func openDirectory(_ path: String) throws(SFTPError) -> any SFTPDirectoryHandle {
        let fd = try open(path, O_RDONLY | O_DIRECTORY)
        guard let directory = fdopendir(fd) else {
            let code = errno
            close(fd)
            throw ErrnoStatus.error(code, path)
        }
        return ConfinedDirectoryHandle(directory: directory, path: path)
    }

    public func attributes(of path: String, followLinks: Bool) throws(SFTPError) -> SFTPFileAttributes {
        let fd = try open(path, Self.oPath | (followLinks ? 0 : O_NOFOLLOW))
        return try with(fd) { fd throws(SFTPError) in try ConfinedFileHandle.attributes(of: fd, path) }
    }

    public func setAttributes(of path: String, _ attributes: SFTPFileAttributes, followLinks: Bool) throws(SFTPError) {
        if !followLinks {
            let target = try open(path, Self.oPath | O_NOFOLLOW)
            let isLink = (try with(target) { fd throws(SFTPError) in try ConfinedFileHandle.attributes(of: fd, path) }).fileType == .symlink
            if isLink {
                // Only owner and times apply to a link itself; the *at calls act on the name.
                let (directory, name) = try parent(of: path)
                try with(directory) { directory throws(SFTPError) in
                    if let uid = attributes.userId, let gid = attributes.groupId,
                       fchownat(directory, name, uid, gid, AT_SYMLINK_NOFOLLOW) != 0
                    {
                        throw ErrnoStatus.error(errno, path)
                    }
                    if let times = ConfinedFileHandle.timespecs(attributes),
                       times.withUnsafeBufferPointer({ utimensat(directory, name, $0.baseAddress, AT_SYMLINK_NOFOLLOW) }) != 0
                    {
                        throw ErrnoStatus.error(errno, path)
                    }
                }
                return
            }
        }
        // A size change needs a writable descriptor; the rest work on a read-only one.
        let writable = attributes.size != nil
        let fd = try open(path, (writable ? O_WRONLY : O_RDONLY) | O_NONBLOCK | (followLinks ? 0 : O_NOFOLLOW))
        try with(fd) { fd throws(SFTPError) in try ConfinedFileHandle.apply(attributes, to: fd, path) }
    }

    public func removeFile(_ path: String) throws(SFTPError) {
        let (directory, name) = try parent(of: path)
        try with(directory) { directory throws(SFTPError) in
            guard unlinkat(directory, name, 0) == 0 else { throw ErrnoStatus.error(errno, path) }
        }
    }

    public func makeDirectory(_ path: String, attributes: SFTPFileAttributes) throws(SFTPError) {
        let (directory, name) = try parent(of: path)
        try with(directory) { directory throws(SFTPError) in
            guard mkdirat(directory, name, mode_t((attributes.permissions ?? 0o777) & 0o7777)) == 0 else {
                throw ErrnoStatus.error(errno, path)
            }
        }
    }

    public func removeDirectory(_ path: String) throws(SFTPError) {
        let (directory, name) = try parent(of: path)
        try with(directory) { directory throws(SFTPError) in
            guard unlinkat(directory, name, AT_REMOVEDIR) == 0 else { throw ErrnoStatus.error(errno, path) }
        }
    }

    public func rename(_ path: String, to newPath: String, overwrite: Bool) throws(SFTPError) {
        let (from, fromName) = try parent(of: path)
        defer { close(from) }
        let (to, toName) = try parent(of: newPath)
        defer { close(to) }
        guard sshd_renameat2(from, fromName, to, toName, overwrite ? 0 : 1) == 0 else {
            throw ErrnoStatus.error(errno, "\(path) → \(newPath)")
        }
    }

    public func readLink(_ path: String) throws(SFTPError) -> String {
        let (directory, name) = try parent(of: path)
        return try with(directory) { directory throws(SFTPError) in
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlinkat(directory, name, &buffer, buffer.count - 1)
            guard length >= 0 else { throw ErrnoStatus.error(errno, path) }
            return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    public func makeSymbolicLink(at linkPath: String, to target: String) throws(SFTPError) {
        try Self.validate(target)
        let (directory, name) = try parent(of: linkPath)
        try with(directory) { directory throws(SFTPError) in
            guard symlinkat(target, directory, name) == 0 else { throw ErrnoStatus.error(errno, linkPath) }
        }
    }

    public func makeHardLink(at newPath: String, to existingPath: String) throws(SFTPError) {
        let (from, fromName) = try parent(of: existingPath)
        defer { close(from) }
        let (to, toName) = try parent(of: newPath)
        defer { close(to) }
        // Flags 0: a symbolic link is linked itself, never followed.
        guard linkat(from, fromName, to, toName, 0) == 0 else { throw ErrnoStatus.error(errno, "\(existingPath) → \(newPath)") }
    }

    public func canonicalPath(_ path: String, mustExist: Bool) throws(SFTPError) -> String {
        do throws(SFTPError) {
            let fd = try open(path, Self.oPath)
            return try with(fd) { fd throws(SFTPError) in try relativeToRoot(fd, path) }
        } catch {
            guard !mustExist, error.code == .noSuchFile else { throw error }
            // A missing last component: canonicalise the parent and append the name as given.
            let (directory, name) = try parent(of: path)
            let base = try with(directory) { directory throws(SFTPError) in try relativeToRoot(directory, path) }
            return base == "/" ? "/" + name : base + "/" + name
        }
    }

    /// The descriptor's path inside the root, "/" for the root itself.
    private func relativeToRoot(_ fd: Int32, _ path: String) throws(SFTPError) -> String {
        guard let full = Self.kernelPath(of: fd) else { throw SFTPError(.failure, "\(path): cannot tell its location") }
        if full == rootPath { return "/" }
        let prefix = rootPath == "/" ? "/" : rootPath + "/"
        guard full.hasPrefix(prefix) else { throw SFTPError(.permissionDenied, "\(path): outside the served tree") }
        return "/" + full.dropFirst(prefix.count)
    }

    public func fileSystemStatistics(_ path: String) throws(SFTPError) -> SFTPFileSystemStatistics {
        let fd = try open(path, Self.oPath)
        return try with(fd) { fd throws(SFTPError) in try ConfinedFileHandle.statistics(of: fd, path) }
    }
}
