import SSHWire

/// What a request is about, for the owner's events (the SFTPServer class's DirCreate, FileOpen, …;
/// client-and-SFTP digest §B3).
public struct SFTPRequestContext: Sendable {
    public enum Kind: Sendable, Equatable {
        case makeDirectory, listDirectory, removeDirectory
        case openFile, readFile, writeFile, closeHandle, removeFile, rename
        case getAttributes, setAttributes, resolvePath
        /// Everything else (links, readlink, statvfs, …): no event.
        case other
    }

    public let kind: Kind
    /// The request's path made absolute, or the path its handle was opened with.
    public let path: String
    /// RENAME's new path, made absolute.
    public let newPath: String
    public let handle: [UInt8]
    public let offset: UInt64
    public let length: UInt32
    /// OPEN's flags, or RENAME's (version 5+; 1 for posix-rename, which overwrites).
    public let flags: UInt32
    /// The attributes the client sent (MKDIR, OPEN, SETSTAT).
    public let attributes: SFTPFileAttributes
    /// WRITE's data: `data`, then `moreData` when the packet arrived in pieces.
    public let data: ArraySlice<UInt8>
    public var moreData: [ArraySlice<UInt8>] = []

    public init(
        kind: Kind, path: String, newPath: String = "", handle: [UInt8] = [], offset: UInt64 = 0, length: UInt32 = 0,
        flags: UInt32 = 0, attributes: SFTPFileAttributes = SFTPFileAttributes(), data: ArraySlice<UInt8> = []
    ) {
        self.kind = kind
        self.path = path
        self.newPath = newPath
        self.handle = handle
        self.offset = offset
        self.length = length
        self.flags = flags
        self.attributes = attributes
        self.data = data
    }
}

/// The owner's say before and after requests run, on the owner's thread.
public protocol SFTPSessionDelegate: AnyObject {
    /// Before the request runs: nil to go on, or the error to answer instead (the request is
    /// then not performed).
    func sftpSession(_ session: SFTPServerSession, willRun context: SFTPRequestContext) -> SFTPError?
    /// After it ran (or was refused): the reply about to be sent, which may be replaced.
    func sftpSession(_ session: SFTPServerSession, didRun context: SFTPRequestContext, response: SFTPResponse) -> SFTPResponse
}

extension SFTPServerSession {
    /// The context of a decoded request; paths are made absolute as dispatch does.
    func context(of request: SFTPRequest) -> SFTPRequestContext {
        var kind = SFTPRequestContext.Kind.other
        var path = ""
        var newPath = ""
        var handle: [UInt8] = []
        var offset: UInt64 = 0
        var length: UInt32 = 0
        var flags: UInt32 = 0
        var attributes = SFTPFileAttributes()
        var data: ArraySlice<UInt8> = []
        var moreData: [ArraySlice<UInt8>] = []
        func absolute(_ raw: String) -> String { resolve(raw) ?? raw }
        func handlePath(_ key: [UInt8]) -> String {
            handle = key
            switch handles[key] {
            case .file(_, let path)?, .directory(_, let path)?: return path
            case nil: return ""
            }
        }
        switch request {
        case .mkdir(let m): (kind, path, attributes) = (.makeDirectory, absolute(m.path), m.attributes)
        case .opendir(let m): (kind, path) = (.listDirectory, absolute(m.path))
        case .rmdir(let m): (kind, path) = (.removeDirectory, absolute(m.path))
        case .open(let m): (kind, path, flags, attributes) = (.openFile, absolute(m.path), m.flags.rawValue, m.attributes)
        case .read(let m): (kind, path, offset, length) = (.readFile, handlePath(m.handle), m.offset, m.length)
        case .write(let m): (kind, path, offset, data, moreData) = (.writeFile, handlePath(m.handle), m.offset, m.data, m.moreData)
        case .close(let m): (kind, path) = (.closeHandle, handlePath(m.handle))
        case .remove(let m): (kind, path) = (.removeFile, absolute(m.path))
        case .rename(let m): (kind, path, newPath, flags) = (.rename, absolute(m.oldPath), absolute(m.newPath), m.flags)
        case .stat(let m), .lstat(let m): (kind, path) = (.getAttributes, absolute(m.path))
        case .fstat(let m): (kind, path) = (.getAttributes, handlePath(m.handle))
        case .setstat(let m): (kind, path, attributes) = (.setAttributes, absolute(m.path), m.attributes)
        case .fsetstat(let m): (kind, path, attributes) = (.setAttributes, handlePath(m.handle), m.attributes)
        case .realpath(let m): (kind, path) = (.resolvePath, m.path)
        case .extended(let m):
            var reader = SSHReader(Array(m.data))
            switch m.name {
            case SFTPServerExtensions.posixRename:
                if let from = try? SFTPPath.read(&reader, "old path"), let to = try? SFTPPath.read(&reader, "new path") {
                    (kind, path, newPath, flags) = (.rename, absolute(from), absolute(to), SFTPRename.overwrite)
                }
            case SFTPServerExtensions.lsetstat:
                if let target = try? SFTPPath.read(&reader, "path"), let values = try? SFTPAttributesCodec.read(&reader, version: version ?? 3) {
                    (kind, path, attributes) = (.setAttributes, absolute(target), values)
                }
            default:
                break
            }
        case .readdir(let m): path = handlePath(m.handle)
        case .readlink(let m): path = absolute(m.path)
        case .link(let m): (path, newPath) = (absolute(m.linkPath), m.targetPath)
        case .unsupported: break
        }
        var context = SFTPRequestContext(
            kind: kind, path: path, newPath: newPath, handle: handle, offset: offset, length: length, flags: flags,
            attributes: attributes, data: data)
        context.moreData = moreData
        return context
    }
}
