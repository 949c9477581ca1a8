import SSHWire

/// ATTRS on the wire, by protocol version (draft-ietf-secsh-filexfer-02 §5; -04 §5 for version 4,
/// -05 for 5, -13 §7 for 6). Fields the file system has no use for (ACL, MIME type, text hint,
/// untranslated name, attribute bits) are read and dropped.
enum SFTPAttributesCodec {
    static func read(_ reader: inout SSHReader, version: UInt32) throws -> SFTPFileAttributes {
        let flags = try reader.readUInt32("attribute flags")
        var attributes = SFTPFileAttributes()
        if version <= 3 {
            if flags & SFTPAttributeFlags.size != 0 { attributes.size = try reader.readUInt64("size") }
            if flags & SFTPAttributeFlags.userGroupIds != 0 {
                attributes.userId = try reader.readUInt32("uid")
                attributes.groupId = try reader.readUInt32("gid")
            }
            if flags & SFTPAttributeFlags.permissions != 0 { attributes.permissions = try reader.readUInt32("permissions") }
            if flags & SFTPAttributeFlags.accessModifyTime != 0 {
                attributes.accessTime = SFTPTime(seconds: Int64(try reader.readUInt32("atime")))
                attributes.modifyTime = SFTPTime(seconds: Int64(try reader.readUInt32("mtime")))
            }
        } else {
            let type = try reader.readByte("file type")
            if flags & SFTPAttributeFlags.size != 0 { attributes.size = try reader.readUInt64("size") }
            if version >= 6, flags & SFTPAttributeFlags.allocationSize != 0 { _ = try reader.readUInt64("allocation size") }
            if flags & SFTPAttributeFlags.ownerGroup != 0 {
                attributes.owner = try reader.readText("owner")
                attributes.group = try reader.readText("group")
            }
            if flags & SFTPAttributeFlags.permissions != 0 {
                // Version 4+ carries the type separately; keep S_IFMT from it.
                let bits = try reader.readUInt32("permissions") & 0o7777
                attributes.permissions = bits | Self.modeBits(forType: type)
            }
            let subsecond = flags & SFTPAttributeFlags.subsecondTimes != 0
            func time(_ name: String) throws -> SFTPTime {
                let seconds = Int64(bitPattern: try reader.readUInt64(name))
                let nanoseconds = subsecond ? try reader.readUInt32("\(name) nanoseconds") : 0
                return SFTPTime(seconds: seconds, nanoseconds: nanoseconds)
            }
            if flags & SFTPAttributeFlags.accessTime != 0 { attributes.accessTime = try time("access time") }
            if flags & SFTPAttributeFlags.createTime != 0 { attributes.createTime = try time("create time") }
            if flags & SFTPAttributeFlags.modifyTime != 0 { attributes.modifyTime = try time("modify time") }
            if version >= 6, flags & SFTPAttributeFlags.changeTime != 0 { _ = try time("change time") }
            if flags & SFTPAttributeFlags.acl != 0 { _ = try reader.readString("acl") }
            if version >= 5, flags & SFTPAttributeFlags.bits != 0 {
                _ = try reader.readUInt32("attribute bits")
                if version >= 6 { _ = try reader.readUInt32("attribute bits valid") }
            }
            if version >= 6 {
                if flags & SFTPAttributeFlags.textHint != 0 { _ = try reader.readByte("text hint") }
                if flags & SFTPAttributeFlags.mimeType != 0 { _ = try reader.readString("mime type") }
                if flags & SFTPAttributeFlags.linkCount != 0 { attributes.linkCount = try reader.readUInt32("link count") }
                if flags & SFTPAttributeFlags.untranslatedName != 0 { _ = try reader.readString("untranslated name") }
            }
        }
        if flags & SFTPAttributeFlags.extended != 0 {
            let count = try reader.readUInt32("extended count")
            guard count <= UInt32(SFTPLimits.maximumExtensions) else { throw SSHWireError.invalidValue(field: "extended count") }
            for _ in 0..<count {
                let name = try reader.readText("extended name")
                let data = try reader.readString("extended data")
                attributes.extended.append(SFTPExtendedAttribute(name: name, data: data))
            }
        }
        return attributes
    }

    static func write(_ attributes: SFTPFileAttributes, to writer: inout SSHWriter, version: UInt32) {
        var flags: UInt32 = 0
        if attributes.size != nil { flags |= SFTPAttributeFlags.size }
        if attributes.permissions != nil { flags |= SFTPAttributeFlags.permissions }
        if !attributes.extended.isEmpty { flags |= SFTPAttributeFlags.extended }
        if version <= 3 {
            if attributes.userId != nil && attributes.groupId != nil { flags |= SFTPAttributeFlags.userGroupIds }
            if attributes.accessTime != nil && attributes.modifyTime != nil { flags |= SFTPAttributeFlags.accessModifyTime }
            writer.writeUInt32(flags)
            if let size = attributes.size { writer.writeUInt64(size) }
            if let uid = attributes.userId, let gid = attributes.groupId {
                writer.writeUInt32(uid)
                writer.writeUInt32(gid)
            }
            if let permissions = attributes.permissions { writer.writeUInt32(permissions) }
            if let atime = attributes.accessTime, let mtime = attributes.modifyTime {
                writer.writeUInt32(UInt32(clamping: atime.seconds))
                writer.writeUInt32(UInt32(clamping: mtime.seconds))
            }
        } else {
            let owner = attributes.owner ?? attributes.userId.map(String.init)
            let group = attributes.group ?? attributes.groupId.map(String.init)
            if owner != nil && group != nil { flags |= SFTPAttributeFlags.ownerGroup }
            if attributes.accessTime != nil { flags |= SFTPAttributeFlags.accessTime }
            if attributes.createTime != nil { flags |= SFTPAttributeFlags.createTime }
            if attributes.modifyTime != nil { flags |= SFTPAttributeFlags.modifyTime }
            if attributes.accessTime != nil || attributes.createTime != nil || attributes.modifyTime != nil {
                flags |= SFTPAttributeFlags.subsecondTimes
            }
            if version >= 6, attributes.linkCount != nil { flags |= SFTPAttributeFlags.linkCount }
            writer.writeUInt32(flags)
            writer.writeByte((attributes.fileType ?? .unknown).rawValue)
            if let size = attributes.size { writer.writeUInt64(size) }
            if let owner, let group {
                writer.writeText(owner)
                writer.writeText(group)
            }
            if let permissions = attributes.permissions { writer.writeUInt32(permissions & 0o7777) }
            for time in [attributes.accessTime, attributes.createTime, attributes.modifyTime] {
                guard let time else { continue }
                writer.writeUInt64(UInt64(bitPattern: time.seconds))
                writer.writeUInt32(time.nanoseconds)
            }
            if version >= 6, let links = attributes.linkCount { writer.writeUInt32(links) }
        }
        if !attributes.extended.isEmpty {
            writer.writeUInt32(UInt32(attributes.extended.count))
            for item in attributes.extended {
                writer.writeText(item.name)
                writer.writeString(item.data)
            }
        }
    }

    /// S_IFMT bits for a version 4+ file type byte.
    static func modeBits(forType type: UInt8) -> UInt32 {
        switch SFTPFileType(rawValue: type) {
        case .regular: 0o100000
        case .directory: 0o040000
        case .symlink: 0o120000
        case .socket: 0o140000
        case .characterDevice: 0o020000
        case .blockDevice: 0o060000
        case .fifo: 0o010000
        case .special, .unknown, nil: 0
        }
    }
}
