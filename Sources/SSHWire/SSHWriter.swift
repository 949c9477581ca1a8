/// Appends RFC 4251 §5 data types to a byte buffer.
public struct SSHWriter: Sendable {
    public var bytes: [UInt8]

    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func writeByte(_ value: UInt8) { bytes.append(value) }

    public mutating func writeBool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    public mutating func writeUInt32(_ value: UInt32) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 24))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    public mutating func writeUInt64(_ value: UInt64) {
        writeUInt32(UInt32(truncatingIfNeeded: value >> 32))
        writeUInt32(UInt32(truncatingIfNeeded: value))
    }

    /// Raw bytes with no length prefix.
    public mutating func writeBytes<C: Collection>(_ value: C) where C.Element == UInt8 {
        bytes.append(contentsOf: value)
    }

    /// A `string`: uint32 length, then the bytes.
    public mutating func writeString<C: Collection>(_ value: C) where C.Element == UInt8 {
        writeUInt32(UInt32(truncatingIfNeeded: value.count))
        bytes.append(contentsOf: value)
    }

    /// A `string` holding UTF-8 text.
    public mutating func writeText(_ value: String) { writeString(Array(value.utf8)) }

    /// A `name-list`: the names joined by commas, as a string.
    public mutating func writeNameList(_ names: [String]) {
        writeString(Array(names.joined(separator: ",").utf8))
    }

    /// A non-negative `mpint` from its big-endian magnitude (leading zeros are stripped, and one
    /// zero byte is added when the high bit is set, RFC 4251 §5).
    public mutating func writeMPInt<C: Collection>(_ magnitude: C) where C.Element == UInt8 {
        let trimmed = magnitude.drop(while: { $0 == 0 })
        if let first = trimmed.first, first & 0x80 != 0 {
            writeUInt32(UInt32(truncatingIfNeeded: trimmed.count + 1))
            bytes.append(0)
        } else {
            writeUInt32(UInt32(truncatingIfNeeded: trimmed.count))
        }
        bytes.append(contentsOf: trimmed)
    }

    /// Encodes with a closure into a fresh buffer.
    public static func encode(_ body: (inout SSHWriter) -> Void) -> [UInt8] {
        var writer = SSHWriter()
        body(&writer)
        return writer.bytes
    }
}
