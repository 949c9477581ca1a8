import SSHWire

/// A server reply (draft-02 §7; -13 §9), encoded for the negotiated version.
public enum SFTPResponse: Equatable, Sendable {
    /// SSH_FXP_STATUS: the code is mapped down for version 3 clients.
    case status(SFTPStatusCode, message: String)
    case handle([UInt8])
    /// SSH_FXP_DATA; version 6 may add end-of-file (not sent: optional).
    case data(ArraySlice<UInt8>)
    /// SSH_FXP_DATA already framed for its request (what a READ produces): it goes out as is.
    case dataPacket(SFTPDataPacket)
    /// SSH_FXP_NAME: names with (version 3) a long name for `ls -l`, and attributes.
    case name([SFTPNameEntry])
    case attributes(SFTPFileAttributes)
    case extendedReply([UInt8])

    /// The packet payload: type, id, body.
    public func encoded(id: UInt32, version: UInt32) -> [UInt8] {
        var writer = SSHWriter()
        switch self {
        case .status(let code, let message):
            writer.writeByte(SFTPPacketType.status)
            writer.writeUInt32(id)
            writer.writeUInt32(code.forVersion(version).rawValue)
            writer.writeText(message)
            writer.writeText("")
        case .handle(let handle):
            writer.writeByte(SFTPPacketType.handle)
            writer.writeUInt32(id)
            writer.writeString(handle)
        case .data(let bytes):
            writer = SSHWriter(capacity: 9 + 4 + bytes.count)
            writer.writeByte(SFTPPacketType.data)
            writer.writeUInt32(id)
            writer.writeString(bytes)
        case .dataPacket(let packet):
            writer = SSHWriter(capacity: 9 + 4 + packet.data.count)
            writer.writeByte(SFTPPacketType.data)
            writer.writeUInt32(id)
            writer.writeString(packet.data)
        case .name(let entries):
            writer.writeByte(SFTPPacketType.name)
            writer.writeUInt32(id)
            writer.writeUInt32(UInt32(entries.count))
            for entry in entries {
                writer.writeText(entry.name)
                if version <= 3 { writer.writeText(entry.longName) }
                SFTPAttributesCodec.write(entry.attributes, to: &writer, version: version)
            }
        case .attributes(let attributes):
            writer.writeByte(SFTPPacketType.attrs)
            writer.writeUInt32(id)
            SFTPAttributesCodec.write(attributes, to: &writer, version: version)
        case .extendedReply(let data):
            writer.writeByte(SFTPPacketType.extendedReply)
            writer.writeUInt32(id)
            writer.writeBytes(data)
        }
        return writer.bytes
    }

    /// Decodes a reply payload (for tests and a client): the id and the response.
    public static func decode(_ payload: [UInt8], version: UInt32) throws -> (id: UInt32, response: SFTPResponse) {
        try decode(payload[...], version: version)
    }

    public static func decode(_ payload: ArraySlice<UInt8>, version: UInt32) throws -> (id: UInt32, response: SFTPResponse) {
        var reader = SSHReader(payload)
        let type = try reader.readByte("type")
        let id = try reader.readUInt32("request id")
        switch type {
        case SFTPPacketType.status:
            let code = try reader.readUInt32("status code")
            let message = reader.isAtEnd ? "" : try reader.readText("message")
            if !reader.isAtEnd { _ = try reader.readString("language") }
            guard let status = SFTPStatusCode(rawValue: code) else { throw SSHWireError.invalidValue(field: "status code") }
            return (id, .status(status, message: message))
        case SFTPPacketType.handle:
            return (id, .handle(try SFTPHandleField.read(&reader)))
        case SFTPPacketType.data:
            let range = try reader.readStringRange("data", limit: SFTPLimits.maximumPacketLength)
            return (id, .data(payload[range]))
        case SFTPPacketType.name:
            let count = try reader.readUInt32("count")
            var entries: [SFTPNameEntry] = []
            for _ in 0..<min(count, UInt32(SFTPLimits.maximumPacketLength)) {
                let name = try reader.readText("name")
                let longName = version <= 3 ? try reader.readText("long name") : ""
                entries.append(SFTPNameEntry(name: name, longName: longName, attributes: try SFTPAttributesCodec.read(&reader, version: version)))
            }
            return (id, .name(entries))
        case SFTPPacketType.attrs:
            return (id, .attributes(try SFTPAttributesCodec.read(&reader, version: version)))
        case SFTPPacketType.extendedReply:
            return (id, .extendedReply(reader.readRemaining()))
        default:
            throw SSHWireError.unknownMessageType(type)
        }
    }
}

/// One entry of SSH_FXP_NAME.
public struct SFTPNameEntry: Equatable, Sendable {
    public var name: String
    /// The `ls -l` line version 3 clients print (draft-02 §7); empty for later versions.
    public var longName: String
    public var attributes: SFTPFileAttributes

    public init(name: String, longName: String = "", attributes: SFTPFileAttributes = SFTPFileAttributes()) {
        self.name = name
        self.longName = longName
        self.attributes = attributes
    }
}
