/// Reads RFC 4251 §5 data types from a complete byte sequence.
///
/// Every read either returns a value and advances past exactly its bytes, or throws
/// ``SSHWireError`` and leaves ``offset`` where it was. A decoder finishes with ``expectEnd()``.
///
/// ``offset`` and the ranges it returns are indices of ``bytes``: for a reader over an array they
/// count from 0, for one over a slice they are the slice's own (its base array's) indices.
public struct SSHReader: Sendable {
    public let bytes: ArraySlice<UInt8>
    public private(set) var offset: Int
    private let end: Int

    public init(_ bytes: [UInt8]) {
        self.init(bytes[...])
    }

    /// A reader over `bytes[range]`.
    public init(_ bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes[...]
        self.offset = max(0, min(range.lowerBound, bytes.count))
        self.end = max(self.offset, min(range.upperBound, bytes.count))
    }

    /// A reader over a slice, without copying it.
    public init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.offset = bytes.startIndex
        self.end = bytes.endIndex
    }

    /// Bytes not yet read.
    public var remaining: Int { end - offset }
    public var isAtEnd: Bool { offset >= end }

    /// Throws unless every byte has been read (STYLE §2).
    public func expectEnd() throws {
        if offset != end { throw SSHWireError.trailingBytes(count: end - offset) }
    }

    // MARK: - Fixed-size values

    public mutating func readByte(_ field: String = "byte") throws -> UInt8 {
        guard offset < end else { throw SSHWireError.truncated(field: field) }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// RFC 4251 §5: any non-zero value is TRUE.
    public mutating func readBool(_ field: String = "boolean") throws -> Bool {
        try readByte(field) != 0
    }

    public mutating func readUInt32(_ field: String = "uint32") throws -> UInt32 {
        guard remaining >= 4 else { throw SSHWireError.truncated(field: field) }
        var value: UInt32 = 0
        for i in 0..<4 { value = value << 8 | UInt32(bytes[offset + i]) }
        offset += 4
        return value
    }

    public mutating func readUInt64(_ field: String = "uint64") throws -> UInt64 {
        guard remaining >= 8 else { throw SSHWireError.truncated(field: field) }
        var value: UInt64 = 0
        for i in 0..<8 { value = value << 8 | UInt64(bytes[offset + i]) }
        offset += 8
        return value
    }

    /// `count` raw bytes with no length prefix.
    public mutating func readBytes(_ count: Int, _ field: String = "bytes") throws -> [UInt8] {
        guard count >= 0, remaining >= count else { throw SSHWireError.truncated(field: field) }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// Everything that is left.
    public mutating func readRemaining() -> [UInt8] {
        defer { offset = end }
        return Array(bytes[offset..<end])
    }

    // MARK: - Strings

    /// The range of a `string` (uint32 length + bytes) within ``bytes``, advancing past it.
    public mutating func readStringRange(
        _ field: String = "string", limit: Int = SSHWireLimits.maximumStringLength
    ) throws -> Range<Int> {
        let start = offset
        let length = try readUInt32(field)
        guard Int(length) <= limit else {
            offset = start
            throw SSHWireError.lengthTooLarge(field: field, length: UInt64(length), limit: limit)
        }
        guard Int(length) <= remaining else {
            offset = start
            throw SSHWireError.truncated(field: field)
        }
        let range = offset..<offset + Int(length)
        offset += Int(length)
        return range
    }

    /// A `string` as raw bytes.
    public mutating func readString(
        _ field: String = "string", limit: Int = SSHWireLimits.maximumStringLength
    ) throws -> [UInt8] {
        Array(bytes[try readStringRange(field, limit: limit)])
    }

    /// A `string` that must be valid UTF-8 (RFC 4251 §5: ISO-10646 UTF-8 text).
    public mutating func readText(
        _ field: String = "text", limit: Int = SSHWireLimits.maximumStringLength
    ) throws -> String {
        let start = offset
        let range = try readStringRange(field, limit: limit)
        guard let text = String(validating: bytes[range], as: UTF8.self) else {
            offset = start
            throw SSHWireError.invalidText(field: field)
        }
        return text
    }

    /// A `name-list` (RFC 4251 §5): comma-separated US-ASCII names, none empty.
    public mutating func readNameList(_ field: String = "name-list") throws -> [String] {
        let start = offset
        let range = try readStringRange(field)
        if range.isEmpty { return [] }
        var names: [String] = []
        var nameStart = range.lowerBound
        for index in range.lowerBound...range.upperBound {
            if index == range.upperBound || bytes[index] == UInt8(ascii: ",") {
                guard index > nameStart, names.count < SSHWireLimits.maximumNameListCount else {
                    offset = start
                    throw SSHWireError.invalidNameList
                }
                // RFC 4251 §5: names are US-ASCII, no control characters.
                let slice = bytes[nameStart..<index]
                guard slice.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                    offset = start
                    throw SSHWireError.invalidNameList
                }
                names.append(String(decoding: slice, as: UTF8.self))
                nameStart = index + 1
            }
        }
        return names
    }

    /// A non-negative `mpint` (RFC 4251 §5) as its big-endian magnitude without leading zeros.
    /// Negative values and superfluous leading bytes are malformed.
    public mutating func readMPInt(_ field: String = "mpint") throws -> [UInt8] {
        let start = offset
        let range = try readStringRange(field, limit: SSHWireLimits.maximumMPIntLength)
        let value = bytes[range]
        guard let first = value.first else { return [] }
        if first & 0x80 != 0 {
            offset = start
            throw SSHWireError.invalidMPInt
        }
        if first == 0 {
            // A leading zero is only allowed to keep the next byte's high bit from reading as a sign.
            guard value.count >= 2, value[value.startIndex + 1] & 0x80 != 0 else {
                offset = start
                throw SSHWireError.invalidMPInt
            }
            return Array(value.dropFirst())
        }
        return Array(value)
    }
}
