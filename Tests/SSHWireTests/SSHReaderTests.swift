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
}
