import SSHWire

/// Requests on one path: SSH_FXP_OPENDIR, REMOVE, RMDIR, READLINK, and STAT/LSTAT with the
/// version 4+ attribute flags (ignored: every attribute is sent).
public struct SFTPPathRequest: Equatable, Sendable {
    public var path: String

    public init(path: String) { self.path = path }

    init(from reader: inout SSHReader, readsFlags: Bool) throws {
        path = try SFTPPath.read(&reader, "path")
        if readsFlags, !reader.isAtEnd { _ = try reader.readUInt32("attribute flags") }
    }

    func write(to writer: inout SSHWriter) { writer.writeText(path) }
}

/// SSH_FXP_MKDIR and SSH_FXP_SETSTAT: a path and attributes.
public struct SFTPPathAttributes: Equatable, Sendable {
    public var path: String
    public var attributes: SFTPFileAttributes

    public init(path: String, attributes: SFTPFileAttributes) {
        self.path = path
        self.attributes = attributes
    }

    init(from reader: inout SSHReader, version: UInt32) throws {
        path = try SFTPPath.read(&reader, "path")
        attributes = try SFTPAttributesCodec.read(&reader, version: version)
    }

    func write(to writer: inout SSHWriter, version: UInt32) {
        writer.writeText(path)
        SFTPAttributesCodec.write(attributes, to: &writer, version: version)
    }
}

/// SSH_FXP_FSETSTAT: a handle and attributes.
public struct SFTPHandleAttributes: Equatable, Sendable {
    public var handle: [UInt8]
    public var attributes: SFTPFileAttributes

    public init(handle: [UInt8], attributes: SFTPFileAttributes) {
        self.handle = handle
        self.attributes = attributes
    }

    init(from reader: inout SSHReader, version: UInt32) throws {
        handle = try SFTPHandleField.read(&reader)
        attributes = try SFTPAttributesCodec.read(&reader, version: version)
    }

    func write(to writer: inout SSHWriter, version: UInt32) {
        writer.writeString(handle)
        SFTPAttributesCodec.write(attributes, to: &writer, version: version)
    }
}

/// SSH_FXP_REALPATH. Version 6 adds a control byte and paths to compose (-13 §8.9).
public struct SFTPRealPath: Equatable, Sendable {
    public enum Control: UInt8, Sendable {
        case noCheck = 1, statIf = 2, statAlways = 3
    }

    public var path: String
    public var control: Control?
    public var compose: [String]

    public init(path: String, control: Control? = nil, compose: [String] = []) {
        self.path = path
        self.control = control
        self.compose = compose
    }

    init(from reader: inout SSHReader) throws {
        path = try SFTPPath.read(&reader, "path")
        control = nil
        compose = []
        if !reader.isAtEnd {
            guard let value = Control(rawValue: try reader.readByte("control byte")) else {
                throw SSHWireError.invalidValue(field: "realpath control byte")
            }
            control = value
            while !reader.isAtEnd {
                guard compose.count < SFTPLimits.maximumExtensions else { throw SSHWireError.invalidValue(field: "compose paths") }
                compose.append(try SFTPPath.read(&reader, "compose path"))
            }
        }
    }

    func write(to writer: inout SSHWriter) {
        writer.writeText(path)
        if let control {
            writer.writeByte(control.rawValue)
            for item in compose { writer.writeText(item) }
        }
    }
}

/// SSH_FXP_RENAME; version 5+ adds flags (-13 §8.3): overwrite 1, atomic 2, native 4.
public struct SFTPRename: Equatable, Sendable {
    public static let overwrite: UInt32 = 0x1

    public var oldPath: String
    public var newPath: String
    public var flags: UInt32

    public init(oldPath: String, newPath: String, flags: UInt32 = 0) {
        self.oldPath = oldPath
        self.newPath = newPath
        self.flags = flags
    }

    init(from reader: inout SSHReader, version: UInt32) throws {
        oldPath = try SFTPPath.read(&reader, "old path")
        newPath = try SFTPPath.read(&reader, "new path")
        flags = version >= 5 && !reader.isAtEnd ? try reader.readUInt32("rename flags") : 0
    }

    func write(to writer: inout SSHWriter, version: UInt32) {
        writer.writeText(oldPath)
        writer.writeText(newPath)
        if version >= 5 { writer.writeUInt32(flags) }
    }
}

/// SSH_FXP_SYMLINK (versions 3–5) and SSH_FXP_LINK (version 6). OpenSSH sends SYMLINK's
/// arguments as target then link path, the reverse of the draft; every client in use follows
/// OpenSSH, and so do we (its PROTOCOL §4.1).
public struct SFTPLink: Equatable, Sendable {
    public var linkPath: String
    public var targetPath: String
    public var symbolic: Bool

    public init(linkPath: String, targetPath: String, symbolic: Bool) {
        self.linkPath = linkPath
        self.targetPath = targetPath
        self.symbolic = symbolic
    }

    init(symlinkFrom reader: inout SSHReader) throws {
        targetPath = try SFTPPath.read(&reader, "target path")
        linkPath = try SFTPPath.read(&reader, "link path")
        symbolic = true
    }

    init(linkFrom reader: inout SSHReader) throws {
        linkPath = try SFTPPath.read(&reader, "new link path")
        targetPath = try SFTPPath.read(&reader, "existing path")
        symbolic = try reader.readBool("symlink")
    }

    func write(to writer: inout SSHWriter, version: UInt32) {
        if version >= 6 {
            writer.writeText(linkPath)
            writer.writeText(targetPath)
            writer.writeBool(symbolic)
        } else {
            writer.writeText(targetPath)
            writer.writeText(linkPath)
        }
    }
}

/// SSH_FXP_EXTENDED: the request name and its data, decoded by the session.
public struct SFTPExtendedRequest: Equatable, Sendable {
    public var name: String
    public var data: ArraySlice<UInt8>

    public init(name: String, data: ArraySlice<UInt8>) {
        self.name = name
        self.data = data
    }

    init(from reader: inout SSHReader) throws {
        name = try reader.readText("extended request", limit: 256)
        data = reader.bytes[reader.offset..<(reader.offset + reader.remaining)]
        _ = reader.readRemaining()
    }

    func write(to writer: inout SSHWriter) {
        writer.writeText(name)
        writer.writeBytes(data)
    }
}
