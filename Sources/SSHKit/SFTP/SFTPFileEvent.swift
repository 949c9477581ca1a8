import SFTP

/// The SFTPServer file events (client-and-SFTP digest §B3): DirCreate, DirList, DirRemove,
/// FileOpen, FileRead, FileWrite, FileClose, FileRemove, FileRename, GetAttributes,
/// SetAttributes and ResolvePath, with one set of parameters; each event uses those the digest
/// gives it.
///
/// Events that fire before and after (DirCreate, DirList, DirRemove, FileOpen, FileRemove,
/// FileRename, FileWrite, SetAttributes) come first with `beforeExec` true and `statusCode` 0:
/// setting a status refuses the operation with it. Every event fires after the operation with
/// `beforeExec` false and the outcome in `statusCode`, which the handler may change; for
/// GetAttributes the `attributes`, for ResolvePath `realPath`, may be changed too.
public struct SFTPFileEvent: Sendable {
    public let connectionId: Int
    public let user: String
    public let path: String
    /// FileRename: the new path.
    public let newPath: String
    /// FileRead, FileWrite, FileClose: the handle as the client knows it. FileOpen (after, on
    /// success): the handle the class made — an incrementing number — which the handler may
    /// replace with its own identifier of 1 to 256 bytes, not in use on the session.
    public var handle: String
    public let fileOffset: Int64
    /// FileRead: the most bytes asked for.
    public let length: Int
    /// FileOpen: the open flags (read 1, write 2, append 4, create 8, truncate 16, exclusive 32);
    /// FileRename: 1 when an existing file is replaced.
    public let flags: Int
    public let beforeExec: Bool
    /// An SFTP status code (0 = SSH_FX_OK).
    public var statusCode: Int
    /// DirCreate, FileOpen, SetAttributes: what the client asked for; GetAttributes: the result.
    public var attributes: SFTPFileAttributes
    /// ResolvePath: the canonical path.
    public var realPath: String
    /// FileWrite: the bytes (the seeds' `FileData`). FileRead: the bytes read, which the handler
    /// may replace — without `RootDirectory` it supplies them; at most the `length` asked for is
    /// sent, and empty data with status 0 is end of file.
    public var fileData: [UInt8]

    /// `FileSize`, `FilePermissions`, `FileMTime` (milliseconds since 1970) as the seeds name them.
    public var fileSize: Int64 { Int64(clamping: attributes.size ?? 0) }
    public var filePermissions: Int { Int((attributes.permissions ?? 0) & 0o7777) }
    public var fileMTime: Int64 { (attributes.modifyTime?.seconds ?? 0) * 1000 + Int64((attributes.modifyTime?.nanoseconds ?? 0) / 1_000_000) }
    /// `FileType` (1 regular, 2 directory, 3 symbolic link, …).
    public var fileType: Int { Int(attributes.fileType?.rawValue ?? SFTPFileType.unknown.rawValue) }
}
