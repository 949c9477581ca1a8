/// What the SFTP session asks of a file system. Every method may block (disk I/O): the owner runs
/// them off the event loop, on a pool thread (DESIGN §5), one request at a time per handle.
///
/// Paths are SFTP paths as the session hands them over: absolute within the served tree ("/" is
/// its root), not normalised — "..", symbolic links and magic links are the implementation's to
/// resolve without leaving the root (for ``ConfinedFileSystem``, the kernel's, with `openat2`).
/// A path containing a NUL byte, or longer than ``SFTPFileSystemLimits/maximumPathLength``, is
/// refused with ``SFTPStatusCode/invalidFilename``. Failures throw ``SFTPError`` with the status
/// to answer.
public protocol SFTPFileSystem: AnyObject, Sendable {
    /// Opens (and with `.create` makes) a regular file (SSH_FXP_OPEN). `attributes` apply to a
    /// file it creates (permissions).
    func openFile(_ path: String, _ flags: SFTPOpenFlags, attributes: SFTPFileAttributes) throws(SFTPError) -> any SFTPFileHandle
    /// Opens a directory for listing (SSH_FXP_OPENDIR).
    func openDirectory(_ path: String) throws(SFTPError) -> any SFTPDirectoryHandle
    /// SSH_FXP_STAT (`followLinks`) and SSH_FXP_LSTAT.
    func attributes(of path: String, followLinks: Bool) throws(SFTPError) -> SFTPFileAttributes
    /// SSH_FXP_SETSTAT (`followLinks`) and `lsetstat@openssh.com`: size, owner and group,
    /// permissions, times — those present.
    func setAttributes(of path: String, _ attributes: SFTPFileAttributes, followLinks: Bool) throws(SFTPError)
    /// SSH_FXP_REMOVE: a file, symbolic link or other non-directory.
    func removeFile(_ path: String) throws(SFTPError)
    /// SSH_FXP_MKDIR.
    func makeDirectory(_ path: String, attributes: SFTPFileAttributes) throws(SFTPError)
    /// SSH_FXP_RMDIR.
    func removeDirectory(_ path: String) throws(SFTPError)
    /// SSH_FXP_RENAME (`overwrite` false: fails with `.fileAlreadyExists` when `newPath` exists)
    /// and `posix-rename@openssh.com` (`overwrite` true: rename(2)).
    func rename(_ path: String, to newPath: String, overwrite: Bool) throws(SFTPError)
    /// SSH_FXP_READLINK: the link's target as stored.
    func readLink(_ path: String) throws(SFTPError) -> String
    /// SSH_FXP_SYMLINK: makes `linkPath` a symbolic link to `target` (stored as given).
    func makeSymbolicLink(at linkPath: String, to target: String) throws(SFTPError)
    /// `hardlink@openssh.com`: makes `newPath` another name of the file at `existingPath`.
    func makeHardLink(at newPath: String, to existingPath: String) throws(SFTPError)
    /// SSH_FXP_REALPATH: the canonical absolute path within the tree, following links; when
    /// `mustExist` is false a missing last component is allowed (it is then appended as given).
    func canonicalPath(_ path: String, mustExist: Bool) throws(SFTPError) -> String
    /// `statvfs@openssh.com`.
    func fileSystemStatistics(_ path: String) throws(SFTPError) -> SFTPFileSystemStatistics
}

/// An open file. Reads and writes are positional; the session may issue several at once for one
/// handle, but the owner runs them one after another.
public protocol SFTPFileHandle: AnyObject, Sendable {
    /// Reads up to `buffer.count` bytes at `offset`; 0 means end of file.
    func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(SFTPError) -> Int
    /// Writes all of `bytes` at `offset` (or at the end, for a file opened with `.append`).
    func write(at offset: UInt64, _ bytes: UnsafeRawBufferPointer) throws(SFTPError)
    /// Writes `pieces` as one run of bytes at `offset` (a WRITE whose data arrived in pieces); by
    /// default one write per piece.
    func write(at offset: UInt64, _ pieces: [UnsafeRawBufferPointer]) throws(SFTPError)
    /// SSH_FXP_FSTAT.
    func attributes() throws(SFTPError) -> SFTPFileAttributes
    /// SSH_FXP_FSETSTAT.
    func setAttributes(_ attributes: SFTPFileAttributes) throws(SFTPError)
    /// `fsync@openssh.com`.
    func synchronize() throws(SFTPError)
    /// `fstatvfs@openssh.com`.
    func fileSystemStatistics() throws(SFTPError) -> SFTPFileSystemStatistics
    /// SSH_FXP_CLOSE. No other call follows.
    func close() throws(SFTPError)
}

extension SFTPFileHandle {
    public func write(at offset: UInt64, _ pieces: [UnsafeRawBufferPointer]) throws(SFTPError) {
        var position = offset
        for piece in pieces where !piece.isEmpty {
            try write(at: position, piece)
            guard position <= UInt64.max - UInt64(piece.count) else { throw SFTPError(.invalidParameter, "offset too large") }
            position += UInt64(piece.count)
        }
    }
}

/// An open directory: entries in batches until it is exhausted.
public protocol SFTPDirectoryHandle: AnyObject, Sendable {
    /// Up to `limit` entries ("." and ".." included, as readdir gives them), or nil at the end.
    func nextEntries(limit: Int) throws(SFTPError) -> [SFTPDirectoryEntry]?
    /// SSH_FXP_CLOSE.
    func close()
}

/// Limits every file system keeps.
public enum SFTPFileSystemLimits {
    /// The longest path accepted: Linux's PATH_MAX (4,096 bytes including the terminating NUL).
    public static let maximumPathLength = 4095
}

/// How SSH_FXP_OPEN opens a file (draft-ietf-secsh-filexfer-02 §6.3 pflags, and the access and
/// disposition of later versions mapped onto them).
public struct SFTPOpenFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let read = SFTPOpenFlags(rawValue: 0x01)
    public static let write = SFTPOpenFlags(rawValue: 0x02)
    public static let append = SFTPOpenFlags(rawValue: 0x04)
    public static let create = SFTPOpenFlags(rawValue: 0x08)
    public static let truncate = SFTPOpenFlags(rawValue: 0x10)
    /// With `.create`: fail when the file exists.
    public static let exclusive = SFTPOpenFlags(rawValue: 0x20)
}

/// A time as seconds since 1970-01-01 UTC and nanoseconds (version 3 carries seconds only).
public struct SFTPTime: Equatable, Sendable, Hashable {
    public var seconds: Int64
    public var nanoseconds: UInt32

    public init(seconds: Int64, nanoseconds: UInt32 = 0) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }
}

/// File attributes, independent of the protocol version; nil is "not present".
public struct SFTPFileAttributes: Equatable, Sendable {
    public var size: UInt64?
    public var userId: UInt32?
    public var groupId: UInt32?
    /// Owner and group names (version 4 and later); the session fills them from the ids.
    public var owner: String?
    public var group: String?
    /// `st_mode`: the type bits (S_IFMT) and the permission bits.
    public var permissions: UInt32?
    public var accessTime: SFTPTime?
    public var modifyTime: SFTPTime?
    public var createTime: SFTPTime?
    public var linkCount: UInt32?
    /// Extended attributes as name and data (draft-ietf-secsh-filexfer-02 §5).
    public var extended: [SFTPExtendedAttribute] = []

    public init(
        size: UInt64? = nil, userId: UInt32? = nil, groupId: UInt32? = nil, permissions: UInt32? = nil,
        accessTime: SFTPTime? = nil, modifyTime: SFTPTime? = nil
    ) {
        self.size = size
        self.userId = userId
        self.groupId = groupId
        self.permissions = permissions
        self.accessTime = accessTime
        self.modifyTime = modifyTime
    }

    /// The file type from the S_IFMT bits of ``permissions``.
    public var fileType: SFTPFileType? { permissions.map { SFTPFileType(mode: $0) } }
}

public struct SFTPExtendedAttribute: Equatable, Sendable {
    public var name: String
    public var data: [UInt8]

    public init(name: String, data: [UInt8]) {
        self.name = name
        self.data = data
    }
}

/// The file types of version 4 and later (draft-ietf-secsh-filexfer-13 §7.2).
public enum SFTPFileType: UInt8, Sendable {
    case regular = 1, directory = 2, symlink = 3, special = 4, unknown = 5, socket = 6, characterDevice = 7
    case blockDevice = 8, fifo = 9

    /// From `st_mode`'s S_IFMT bits (Linux values, stat(2)).
    public init(mode: UInt32) {
        switch mode & 0o170000 {
        case 0o100000: self = .regular
        case 0o040000: self = .directory
        case 0o120000: self = .symlink
        case 0o140000: self = .socket
        case 0o020000: self = .characterDevice
        case 0o060000: self = .blockDevice
        case 0o010000: self = .fifo
        default: self = .unknown
        }
    }
}

/// One directory entry: its name and attributes (the session makes the `ls -l` long name).
public struct SFTPDirectoryEntry: Equatable, Sendable {
    public var name: String
    public var attributes: SFTPFileAttributes

    public init(name: String, attributes: SFTPFileAttributes) {
        self.name = name
        self.attributes = attributes
    }
}

/// `statvfs@openssh.com` (OpenSSH PROTOCOL §4.4): the fields of statvfs(3).
public struct SFTPFileSystemStatistics: Equatable, Sendable {
    public var blockSize: UInt64
    public var fragmentSize: UInt64
    public var blocks: UInt64
    public var freeBlocks: UInt64
    public var availableBlocks: UInt64
    public var files: UInt64
    public var freeFiles: UInt64
    public var availableFiles: UInt64
    public var fileSystemId: UInt64
    public var flags: UInt64
    public var maximumNameLength: UInt64

    public init(
        blockSize: UInt64, fragmentSize: UInt64, blocks: UInt64, freeBlocks: UInt64, availableBlocks: UInt64,
        files: UInt64, freeFiles: UInt64, availableFiles: UInt64, fileSystemId: UInt64, flags: UInt64,
        maximumNameLength: UInt64
    ) {
        self.blockSize = blockSize
        self.fragmentSize = fragmentSize
        self.blocks = blocks
        self.freeBlocks = freeBlocks
        self.availableBlocks = availableBlocks
        self.files = files
        self.freeFiles = freeFiles
        self.availableFiles = availableFiles
        self.fileSystemId = fileSystemId
        self.flags = flags
        self.maximumNameLength = maximumNameLength
    }
}
