import SSHWire

/// SSH_FXP_OPEN. Version 3–4: `pflags` (draft-02 §6.3); version 5–6: desired access and flags
/// (-13 §8.1.1), which the decoder maps onto ``SFTPOpenFlags``.
public struct SFTPOpen: Equatable, Sendable {
    public var path: String
    public var flags: SFTPOpenFlags
    public var attributes: SFTPFileAttributes

    public init(path: String, flags: SFTPOpenFlags, attributes: SFTPFileAttributes) {
        self.path = path
        self.flags = flags
        self.attributes = attributes
    }

    // Version 5+ open flags (-13 §8.1.1.3).
    static let dispositionMask: UInt32 = 0x0000_0007
    static let createNew: UInt32 = 0, createTruncate: UInt32 = 1, openExisting: UInt32 = 2, openOrCreate: UInt32 = 3,
        truncateExisting: UInt32 = 4
    static let appendData: UInt32 = 0x0000_0008, appendDataAtomic: UInt32 = 0x0000_0010
    // ACE4 access bits (-13 §8.1.1.2).
    static let readData: UInt32 = 0x0000_0001, writeData: UInt32 = 0x0000_0002, appendAccess: UInt32 = 0x0000_0004

    init(from reader: inout SSHReader, version: UInt32) throws {
        path = try SFTPPath.read(&reader, "filename")
        if version <= 4 {
            flags = SFTPOpenFlags(rawValue: try reader.readUInt32("pflags") & 0x3F)
        } else {
            let access = try reader.readUInt32("desired access")
            let openFlags = try reader.readUInt32("flags")
            var mapped: SFTPOpenFlags = []
            if access & Self.readData != 0 { mapped.insert(.read) }
            if access & (Self.writeData | Self.appendAccess) != 0 { mapped.insert(.write) }
            if openFlags & (Self.appendData | Self.appendDataAtomic) != 0 { mapped.insert([.append, .write]) }
            switch openFlags & Self.dispositionMask {
            case Self.createNew: mapped.insert([.create, .exclusive])
            case Self.createTruncate: mapped.insert([.create, .truncate])
            case Self.openExisting: break
            case Self.openOrCreate: mapped.insert(.create)
            case Self.truncateExisting: mapped.insert(.truncate)
            default: throw SSHWireError.invalidValue(field: "open disposition")
            }
            flags = mapped
        }
        attributes = try SFTPAttributesCodec.read(&reader, version: version)
    }

    func write(to writer: inout SSHWriter, version: UInt32) {
        writer.writeText(path)
        if version <= 4 {
            writer.writeUInt32(flags.rawValue)
        } else {
            var access: UInt32 = 0
            if flags.contains(.read) { access |= Self.readData }
            if flags.contains(.write) { access |= Self.writeData }
            writer.writeUInt32(access)
            var disposition = Self.openExisting
            if flags.contains(.create) {
                disposition = flags.contains(.exclusive) ? Self.createNew : flags.contains(.truncate) ? Self.createTruncate : Self.openOrCreate
            } else if flags.contains(.truncate) {
                disposition = Self.truncateExisting
            }
            writer.writeUInt32(disposition | (flags.contains(.append) ? Self.appendData : 0))
        }
        SFTPAttributesCodec.write(attributes, to: &writer, version: version)
    }
}

/// SSH_FXP_CLOSE, SSH_FXP_READDIR, SSH_FXP_FSTAT (version 3 form) and the handle-only extensions:
/// one handle.
public struct SFTPHandleRequest: Equatable, Sendable {
    public var handle: [UInt8]

    public init(handle: [UInt8]) { self.handle = handle }

    init(from reader: inout SSHReader) throws { handle = try SFTPHandleField.read(&reader) }

    func write(to writer: inout SSHWriter) { writer.writeString(handle) }
}

/// SSH_FXP_READ: up to `length` bytes at `offset`.
public struct SFTPRead: Equatable, Sendable {
    public var handle: [UInt8]
    public var offset: UInt64
    public var length: UInt32

    public init(handle: [UInt8], offset: UInt64, length: UInt32) {
        self.handle = handle
        self.offset = offset
        self.length = length
    }

    init(from reader: inout SSHReader) throws {
        handle = try SFTPHandleField.read(&reader)
        offset = try reader.readUInt64("offset")
        length = try reader.readUInt32("length")
    }

    func write(to writer: inout SSHWriter) {
        writer.writeString(handle)
        writer.writeUInt64(offset)
        writer.writeUInt32(length)
    }
}

/// SSH_FXP_WRITE: `data` at `offset`. The data is a range of the packet, not a copy; when the
/// packet arrived in pieces (it spanned several channel messages) the data goes on in
/// `moreData`, so that it is written from where it is instead of being gathered first.
public struct SFTPWrite: Equatable, Sendable {
    public var handle: [UInt8]
    public var offset: UInt64
    public var data: ArraySlice<UInt8>
    /// The rest of the data, in order, after `data`; empty unless the packet came in pieces.
    public var moreData: [ArraySlice<UInt8>] = []

    public init(handle: [UInt8], offset: UInt64, data: ArraySlice<UInt8>, moreData: [ArraySlice<UInt8>] = []) {
        self.handle = handle
        self.offset = offset
        self.data = data
        self.moreData = moreData
    }

    /// Every piece of the data, in order.
    public var dataPieces: [ArraySlice<UInt8>] { [data] + moreData }
    /// All of the data's bytes.
    public var dataCount: Int { moreData.reduce(data.count) { $0 + $1.count } }

    init(from reader: inout SSHReader) throws {
        handle = try SFTPHandleField.read(&reader)
        offset = try reader.readUInt64("offset")
        let range = try reader.readStringRange("data", limit: SFTPLimits.maximumReadWriteLength)
        data = reader.bytes[range]
    }

    /// A WRITE packet (type byte first) that arrived in `parts`, with every field before the data
    /// in the first part and the data running to the end of the last; nil for anything else (the
    /// caller joins the parts and decodes as usual, errors included).
    static func decode(parts: [ArraySlice<UInt8>]) -> (id: UInt32, write: SFTPWrite)? {
        guard let head = parts.first else { return nil }
        var reader = SSHReader(head)
        let rest = parts.dropFirst()
        guard (try? reader.readByte("type")) == SFTPPacketType.write,
              let id = try? reader.readUInt32("request id"),
              let handle = try? SFTPHandleField.read(&reader),
              let offset = try? reader.readUInt64("offset"),
              let length = try? reader.readUInt32("data length"),
              Int(length) <= SFTPLimits.maximumReadWriteLength,
              rest.reduce(reader.remaining, { $0 + $1.count }) == Int(length)
        else { return nil }
        return (id, SFTPWrite(handle: handle, offset: offset, data: head[reader.offset...], moreData: Array(rest)))
    }

    func write(to writer: inout SSHWriter) {
        writer.writeString(handle)
        writer.writeUInt64(offset)
        writer.writeUInt32(UInt32(dataCount))
        writer.writeBytes(data)
        for piece in moreData { writer.writeBytes(piece) }
    }
}

/// A handle field: at most 256 bytes (draft-02 §3).
enum SFTPHandleField {
    static func read(_ reader: inout SSHReader) throws -> [UInt8] {
        try reader.readString("handle", limit: SFTPLimits.maximumHandleLength)
    }
}

/// Path fields: UTF-8 text (version 4+ requires it; Linux names that are not UTF-8 cannot be
/// served), without NUL bytes.
enum SFTPPath {
    static func read(_ reader: inout SSHReader, _ field: String) throws -> String {
        let text = try reader.readText(field, limit: SFTPFileSystemLimits.maximumPathLength + 1)
        return text
    }
}
