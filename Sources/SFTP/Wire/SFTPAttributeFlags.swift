/// The flags of the ATTRS structure (draft-ietf-secsh-filexfer-02 §5 for version 3,
/// -13 §7.1 for 4–6).
enum SFTPAttributeFlags {
    static let size: UInt32 = 0x0000_0001
    /// Version 3: uid and gid.
    static let userGroupIds: UInt32 = 0x0000_0002
    static let permissions: UInt32 = 0x0000_0004
    /// Version 3: atime and mtime as uint32; version 4+: access time.
    static let accessModifyTime: UInt32 = 0x0000_0008
    static let accessTime: UInt32 = 0x0000_0008
    static let createTime: UInt32 = 0x0000_0010
    static let modifyTime: UInt32 = 0x0000_0020
    static let acl: UInt32 = 0x0000_0040
    static let ownerGroup: UInt32 = 0x0000_0080
    static let subsecondTimes: UInt32 = 0x0000_0100
    static let bits: UInt32 = 0x0000_0200
    static let allocationSize: UInt32 = 0x0000_0400
    static let textHint: UInt32 = 0x0000_0800
    static let mimeType: UInt32 = 0x0000_1000
    static let linkCount: UInt32 = 0x0000_2000
    static let untranslatedName: UInt32 = 0x0000_4000
    static let changeTime: UInt32 = 0x0000_8000
    static let extended: UInt32 = 0x8000_0000
}
