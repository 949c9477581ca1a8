/// SFTP packet types (draft-ietf-secsh-filexfer-02 §3 for version 3; -13 §4.3 for 4–6).
public enum SFTPPacketType {
    public static let initialize: UInt8 = 1
    public static let version: UInt8 = 2
    public static let open: UInt8 = 3
    public static let close: UInt8 = 4
    public static let read: UInt8 = 5
    public static let write: UInt8 = 6
    public static let lstat: UInt8 = 7
    public static let fstat: UInt8 = 8
    public static let setstat: UInt8 = 9
    public static let fsetstat: UInt8 = 10
    public static let opendir: UInt8 = 11
    public static let readdir: UInt8 = 12
    public static let remove: UInt8 = 13
    public static let mkdir: UInt8 = 14
    public static let rmdir: UInt8 = 15
    public static let realpath: UInt8 = 16
    public static let stat: UInt8 = 17
    public static let rename: UInt8 = 18
    public static let readlink: UInt8 = 19
    /// Version 3–5 (OpenSSH sends its two paths in the reverse of the draft's order).
    public static let symlink: UInt8 = 20
    /// Version 6: replaces SYMLINK.
    public static let link: UInt8 = 21
    public static let block: UInt8 = 22
    public static let unblock: UInt8 = 23
    public static let status: UInt8 = 101
    public static let handle: UInt8 = 102
    public static let data: UInt8 = 103
    public static let name: UInt8 = 104
    public static let attrs: UInt8 = 105
    public static let extended: UInt8 = 200
    public static let extendedReply: UInt8 = 201
}

/// Limits on everything a client controls in SFTP (DESIGN §3). The sizes are OpenSSH's.
public enum SFTPLimits {
    /// The longest packet accepted or sent: 256 KiB (OpenSSH's SFTP_MAX_MSG_LENGTH).
    public static let maximumPacketLength = 256 * 1024
    /// The most one READ returns and one WRITE may carry: 255 KiB, leaving room for the header
    /// inside ``maximumPacketLength`` (what `limits@openssh.com` announces).
    public static let maximumReadWriteLength = 255 * 1024
    /// Open file and directory handles per session.
    public static let maximumOpenHandles = 256
    /// Requests received but not yet answered per session; beyond it the session stops reading
    /// (the owner withholds channel window) until replies go out.
    public static let maximumOutstandingRequests = 128
    /// Extension pairs in INIT or VERSION.
    public static let maximumExtensions = 64
    /// Entries per NAME reply to READDIR, like OpenSSH's sftp-server (100).
    public static let directoryBatch = 100
    /// The longest handle: draft-ietf-secsh-filexfer-02 §3 (256 bytes).
    public static let maximumHandleLength = 256
}
