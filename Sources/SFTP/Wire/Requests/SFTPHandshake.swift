import SSHWire

/// SSH_FXP_INIT (draft-ietf-secsh-filexfer-02 §4): the client's highest version, and from version
/// 3 on, extension pairs.
public struct SFTPInit: Equatable, Sendable {
    public var version: UInt32
    public var extensions: [SFTPExtensionPair]

    public init(version: UInt32, extensions: [SFTPExtensionPair] = []) {
        self.version = version
        self.extensions = extensions
    }

    public init(from reader: inout SSHReader) throws {
        version = try reader.readUInt32("version")
        extensions = try SFTPExtensionPair.readAll(&reader)
    }

    public func write(to writer: inout SSHWriter) {
        writer.writeUInt32(version)
        for pair in extensions { pair.write(to: &writer) }
    }
}

/// SSH_FXP_VERSION: the version the session speaks and the extensions it offers.
public struct SFTPVersion: Equatable, Sendable {
    public var version: UInt32
    public var extensions: [SFTPExtensionPair]

    public init(version: UInt32, extensions: [SFTPExtensionPair]) {
        self.version = version
        self.extensions = extensions
    }

    public init(from reader: inout SSHReader) throws {
        version = try reader.readUInt32("version")
        extensions = try SFTPExtensionPair.readAll(&reader)
    }

    public func write(to writer: inout SSHWriter) {
        writer.writeUInt32(version)
        for pair in extensions { pair.write(to: &writer) }
    }
}

/// An extension name and its data in INIT or VERSION.
public struct SFTPExtensionPair: Equatable, Sendable {
    public var name: String
    public var data: [UInt8]

    public init(name: String, data: [UInt8]) {
        self.name = name
        self.data = data
    }

    public init(name: String, text: String) { self.init(name: name, data: Array(text.utf8)) }

    static func readAll(_ reader: inout SSHReader) throws -> [SFTPExtensionPair] {
        var pairs: [SFTPExtensionPair] = []
        while !reader.isAtEnd {
            guard pairs.count < SFTPLimits.maximumExtensions else { throw SSHWireError.invalidValue(field: "extension count") }
            pairs.append(SFTPExtensionPair(name: try reader.readText("extension name"), data: try reader.readString("extension data")))
        }
        return pairs
    }

    func write(to writer: inout SSHWriter) {
        writer.writeText(name)
        writer.writeString(data)
    }
}
