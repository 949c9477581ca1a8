import Testing
@testable import SSHWire

@Suite struct SSHReaderTests {
    @Test func uint32RoundTrip() throws {
        var writer = SSHWriter()
        writer.writeUInt32(0xDEAD_BEEF)
        var reader = SSHReader(writer.bytes)
        #expect(try reader.readUInt32() == 0xDEAD_BEEF)
        try reader.expectEnd()
    }

    /// RFC 4251 §5 mpint examples.
    @Test(arguments: [
        ([UInt8](), [0, 0, 0, 0] as [UInt8]),
        ([0x09, 0xa3, 0x78, 0xf9, 0xb2, 0xe3, 0x32, 0xa7], [0, 0, 0, 8, 0x09, 0xa3, 0x78, 0xf9, 0xb2, 0xe3, 0x32, 0xa7]),
        ([0x80], [0, 0, 0, 2, 0x00, 0x80]),
    ])
    func mpintEncoding(magnitude: [UInt8], wire: [UInt8]) throws {
        var writer = SSHWriter()
        writer.writeMPInt(magnitude)
        #expect(writer.bytes == wire)
        var reader = SSHReader(wire)
        #expect(try reader.readMPInt() == magnitude)
    }

    /// RFC 4251 §5 mpint examples of negative values (-1234 and -deadbeef): this reader only
    /// accepts non-negative values, so both are malformed.
    @Test(arguments: [
        [0, 0, 0, 2, 0xED, 0xCC] as [UInt8],
        [0, 0, 0, 5, 0xFF, 0x21, 0x52, 0x41, 0x11],
    ])
    func negativeMPIntRejected(wire: [UInt8]) {
        var reader = SSHReader(wire)
        #expect(throws: SSHWireError.invalidMPInt) { try reader.readMPInt() }
        #expect(reader.offset == 0)
    }

    /// RFC 4251 §5: "unnecessary leading bytes with the value 0 MUST NOT be included", and zero is
    /// the empty string.
    @Test(arguments: [
        [0, 0, 0, 1, 0x00] as [UInt8],
        [0, 0, 0, 2, 0x00, 0x7F],
        [0, 0, 0, 3, 0x00, 0x00, 0x80],
    ])
    func nonCanonicalMPIntRejected(wire: [UInt8]) {
        var reader = SSHReader(wire)
        #expect(throws: SSHWireError.invalidMPInt) { try reader.readMPInt() }
    }

    @Test func mpintLengthLimits() {
        var tooLong = SSHReader([0, 0, 0x08, 0x02] + Array(repeating: 0x01, count: 0x0802))
        #expect(throws: SSHWireError.lengthTooLarge(
            field: "mpint", length: 0x0802, limit: SSHWireLimits.maximumMPIntLength)
        ) { try tooLong.readMPInt() }
        var pastEnd = SSHReader([0, 0, 0, 3, 0x01, 0x02])
        #expect(throws: SSHWireError.truncated(field: "mpint")) { try pastEnd.readMPInt() }
    }

    /// RFC 4251 §5 name-list examples: (), ("zlib"), ("zlib", "none").
    @Test(arguments: [
        ([String](), [0, 0, 0, 0] as [UInt8]),
        (["zlib"], [0, 0, 0, 4, 0x7A, 0x6C, 0x69, 0x62]),
        (["zlib", "none"], [0, 0, 0, 9, 0x7A, 0x6C, 0x69, 0x62, 0x2C, 0x6E, 0x6F, 0x6E, 0x65]),
    ])
    func nameListEncoding(names: [String], wire: [UInt8]) throws {
        var writer = SSHWriter()
        writer.writeNameList(names)
        #expect(writer.bytes == wire)
        var reader = SSHReader(wire)
        #expect(try reader.readNameList() == names)
        try reader.expectEnd()
    }

    /// RFC 4251 §5: names are non-empty US-ASCII without commas or control characters.
    @Test(arguments: ["a,,b", ",a", "a,", ",", "a b", "a\u{7F}", "zlib,n\u{0}ne", "caf\u{E9}"])
    func invalidNameListRejected(list: String) {
        var reader = SSHReader(SSHWriter.encode { $0.writeString(Array(list.utf8)) })
        #expect(throws: SSHWireError.invalidNameList) { try reader.readNameList() }
        #expect(reader.offset == 0)
    }

    @Test func nameListCountLimit() throws {
        let atLimit = (0..<SSHWireLimits.maximumNameListCount).map { "n\($0)" }
        var reader = SSHReader(SSHWriter.encode { $0.writeNameList(atLimit) })
        #expect(try reader.readNameList() == atLimit)
        var over = SSHReader(SSHWriter.encode { $0.writeNameList(atLimit + ["x"]) })
        #expect(throws: SSHWireError.invalidNameList) { try over.readNameList() }
    }

    @Test func stringLengthLimits() {
        var tooLong = SSHReader([0xFF, 0xFF, 0xFF, 0xFF, 0x41])
        #expect(throws: SSHWireError.lengthTooLarge(
            field: "string", length: 0xFFFF_FFFF, limit: SSHWireLimits.maximumStringLength)
        ) { try tooLong.readString() }
        #expect(tooLong.offset == 0)
        var pastEnd = SSHReader([0, 0, 0, 2, 0x41])
        #expect(throws: SSHWireError.truncated(field: "string")) { try pastEnd.readString() }
        var shortPrefix = SSHReader([0, 0, 0])
        #expect(throws: SSHWireError.truncated(field: "string")) { try shortPrefix.readString() }
    }

    @Test func invalidUTF8Rejected() {
        for bytes: [UInt8] in [[0xFF], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xC0, 0xAF]] {
            var reader = SSHReader(SSHWriter.encode { $0.writeString(bytes) })
            #expect(throws: SSHWireError.invalidText(field: "text"), "\(bytes)") { try reader.readText() }
            #expect(reader.offset == 0)
        }
        var valid = SSHReader(SSHWriter.encode { $0.writeText("h\u{E9}llo \u{1F642}") })
        #expect((try? valid.readText()) == "h\u{E9}llo \u{1F642}")
    }

    /// A count over its limit throws before anything is allocated and leaves the reader in place.
    @Test func countLimit() throws {
        var over = SSHReader([0, 0, 0, 101, 0xAA])
        #expect(throws: SSHWireError.lengthTooLarge(field: "n", length: 101, limit: 100)) {
            try over.readCount("n", limit: 100)
        }
        #expect(over.offset == 0)
        var atLimit = SSHReader([0, 0, 0, 100, 0xAA])
        #expect(try atLimit.readCount("n", limit: 100) == 100)
        #expect(atLimit.remaining == 1)
    }

    /// RFC 4251 §5: a boolean is one byte; any non-zero value is TRUE.
    @Test func booleans() throws {
        var reader = SSHReader([0, 1, 0x80, 0xFF])
        #expect(try reader.readBool() == false)
        #expect(try reader.readBool() == true)
        #expect(try reader.readBool() == true)
        #expect(try reader.readBool() == true)
        #expect(throws: SSHWireError.truncated(field: "boolean")) { try reader.readBool() }
    }
}
