/// `SSH_MSG_EXT_INFO` (RFC 8308 §2.3).
public struct SSHMsgExtInfo: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.extInfo

    /// The extensions in wire order (at most ``SSHWireLimits/maximumExtensionCount``).
    public var extensions: [SSHExtension]

    public init(extensions: [SSHExtension]) { self.extensions = extensions }

    public init(from reader: inout SSHReader) throws {
        let count = try reader.readCount("ext-info count", limit: SSHWireLimits.maximumExtensionCount)
        var extensions: [SSHExtension] = []
        extensions.reserveCapacity(count)
        for _ in 0..<count {
            let name = try reader.readText("extension name")
            let value = try reader.readString("extension value")
            extensions.append(SSHExtension(name: name, value: value))
        }
        self.extensions = extensions
    }

    public func writeBody(to writer: inout SSHWriter) {
        writer.writeUInt32(UInt32(truncatingIfNeeded: extensions.count))
        for item in extensions {
            writer.writeText(item.name)
            writer.writeString(item.value)
        }
    }

    /// The value of the first extension called `name`, if any.
    public func value(of name: String) -> [UInt8]? {
        extensions.first(where: { $0.name == name })?.value
    }
}

/// One `extension-name`/`extension-value` pair of `SSH_MSG_EXT_INFO` (RFC 8308 §2.3). The value's
/// format depends on the name (e.g. `server-sig-algs` holds a name-list, RFC 8308 §3.1).
public struct SSHExtension: Equatable, Sendable {
    public var name: String
    public var value: [UInt8]

    public init(name: String, value: [UInt8]) {
        self.name = name
        self.value = value
    }
}
