import SFTP

/// The file system of an `SFTPServer` without `RootDirectory` (client-and-SFTP digest §B1
/// RootDirectory, §B6.5): it touches no disk. Every operation succeeds with an empty outcome — a
/// handle that reads nothing and keeps nothing, no attributes, an empty listing — and the file
/// events, which fire around it, supply the answers (`FileData`, attributes, `SetFileList`,
/// `RealPath`, `StatusCode`). Operations without an event (links, statvfs, fsync) are
/// SSH_FX_OP_UNSUPPORTED.
///
/// It runs on the event loop, where the handlers run: the class does not hand its operations to
/// a worker.
final class SFTPEventFileSystem: SFTPFileSystem {
    func openFile(_ path: String, _ flags: SFTPOpenFlags, attributes: SFTPFileAttributes) throws(SFTPError) -> any SFTPFileHandle {
        SFTPEventFileHandle()
    }

    func openDirectory(_ path: String) throws(SFTPError) -> any SFTPDirectoryHandle {
        // Empty until SetFileList replaces it.
        ListedDirectoryHandle(names: [], in: path) { _ in SFTPFileAttributes() }
    }

    func attributes(of path: String, followLinks: Bool) throws(SFTPError) -> SFTPFileAttributes { SFTPFileAttributes() }
    func setAttributes(of path: String, _ attributes: SFTPFileAttributes, followLinks: Bool) throws(SFTPError) {}
    func removeFile(_ path: String) throws(SFTPError) {}
    func makeDirectory(_ path: String, attributes: SFTPFileAttributes) throws(SFTPError) {}
    func removeDirectory(_ path: String) throws(SFTPError) {}
    func rename(_ path: String, to newPath: String, overwrite: Bool) throws(SFTPError) {}

    func readLink(_ path: String) throws(SFTPError) -> String { throw Self.unsupported }
    func makeSymbolicLink(at linkPath: String, to target: String) throws(SFTPError) { throw Self.unsupported }
    func makeHardLink(at newPath: String, to existingPath: String) throws(SFTPError) { throw Self.unsupported }
    func fileSystemStatistics(_ path: String) throws(SFTPError) -> SFTPFileSystemStatistics { throw Self.unsupported }

    /// "." and ".." resolved by name alone: there is no tree to follow links in.
    func canonicalPath(_ path: String, mustExist: Bool) throws(SFTPError) -> String { Self.lexical(path) }

    /// `path` with empty and "." components dropped and ".." taken back, never above "/".
    static func lexical(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    static let unsupported = SFTPError(.operationUnsupported, "not served without RootDirectory")
}

/// A file opened without `RootDirectory`: FileRead supplies its data, FileWrite takes it.
final class SFTPEventFileHandle: SFTPFileHandle {
    func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(SFTPError) -> Int { 0 }
    func write(at offset: UInt64, _ bytes: UnsafeRawBufferPointer) throws(SFTPError) {}
    func attributes() throws(SFTPError) -> SFTPFileAttributes { SFTPFileAttributes() }
    func setAttributes(_ attributes: SFTPFileAttributes) throws(SFTPError) {}
    func synchronize() throws(SFTPError) { throw SFTPEventFileSystem.unsupported }
    func fileSystemStatistics() throws(SFTPError) -> SFTPFileSystemStatistics { throw SFTPEventFileSystem.unsupported }
    func close() throws(SFTPError) {}
}
