/// `RestrictUserToHomeDir` (client-and-SFTP digest §B6.6): the client keeps seeing paths of the
/// whole tree, but only `home` and what lies below it can be reached. Paths under `home` go to a
/// file system rooted at the home directory (so "..", links and magic links stay inside it, by
/// the kernel for a ``ConfinedFileSystem``); every other path is refused with
/// SSH_FX_PERMISSION_DENIED. Paths coming back (canonical paths) get the home prefix again.
public final class HomeRestrictedFileSystem: SFTPFileSystem, Sendable {
    /// The home directory as the client sees it, e.g. "/home/alice" (no trailing slash).
    public let home: String
    let inner: any SFTPFileSystem

    /// `inner` is the home directory as a tree of its own; `home` its path in the whole tree.
    public init(home: String, inner: any SFTPFileSystem) {
        var trimmed = home.hasPrefix("/") ? home : "/" + home
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.home = trimmed
        self.inner = inner
    }

    /// The path inside the home tree, or a refusal for anything outside it.
    func map(_ path: String) throws(SFTPError) -> String {
        if home == "/" { return path }
        if path == home { return "/" }
        guard path.hasPrefix(home + "/") else {
            throw SFTPError(.permissionDenied, "\(path): outside the home directory \(home)")
        }
        return String(path.dropFirst(home.count))
    }

    func unmap(_ path: String) -> String {
        if home == "/" { return path }
        return path == "/" ? home : home + path
    }

    public func openFile(_ path: String, _ flags: SFTPOpenFlags, attributes: SFTPFileAttributes) throws(SFTPError) -> any SFTPFileHandle {
        try inner.openFile(try map(path), flags, attributes: attributes)
    }

    public func openDirectory(_ path: String) throws(SFTPError) -> any SFTPDirectoryHandle {
        try inner.openDirectory(try map(path))
    }

    public func attributes(of path: String, followLinks: Bool) throws(SFTPError) -> SFTPFileAttributes {
        try inner.attributes(of: try map(path), followLinks: followLinks)
    }

    public func setAttributes(of path: String, _ attributes: SFTPFileAttributes, followLinks: Bool) throws(SFTPError) {
        try inner.setAttributes(of: try map(path), attributes, followLinks: followLinks)
    }

    public func removeFile(_ path: String) throws(SFTPError) { try inner.removeFile(try map(path)) }

    public func makeDirectory(_ path: String, attributes: SFTPFileAttributes) throws(SFTPError) {
        try inner.makeDirectory(try map(path), attributes: attributes)
    }

    public func removeDirectory(_ path: String) throws(SFTPError) { try inner.removeDirectory(try map(path)) }

    public func rename(_ path: String, to newPath: String, overwrite: Bool) throws(SFTPError) {
        try inner.rename(try map(path), to: try map(newPath), overwrite: overwrite)
    }

    public func readLink(_ path: String) throws(SFTPError) -> String { try inner.readLink(try map(path)) }

    public func makeSymbolicLink(at linkPath: String, to target: String) throws(SFTPError) {
        try inner.makeSymbolicLink(at: try map(linkPath), to: target)
    }

    public func makeHardLink(at newPath: String, to existingPath: String) throws(SFTPError) {
        try inner.makeHardLink(at: try map(newPath), to: try map(existingPath))
    }

    public func canonicalPath(_ path: String, mustExist: Bool) throws(SFTPError) -> String {
        unmap(try inner.canonicalPath(try map(path), mustExist: mustExist))
    }

    public func fileSystemStatistics(_ path: String) throws(SFTPError) -> SFTPFileSystemStatistics {
        try inner.fileSystemStatistics(try map(path))
    }
}
