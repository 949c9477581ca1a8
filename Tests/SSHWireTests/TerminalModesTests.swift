import Testing
@testable import SSHWire

/// RFC 4254 §8 terminal mode strings.
@Suite struct TerminalModesTests {
    @Test func emptyStringHasNoModes() throws {
        #expect(try SSHTerminalModes.parse([]).isEmpty)
        #expect(try SSHTerminalModes.parse([0]).isEmpty)
    }

    @Test func parsingStopsAtEnd() throws {
        // Bytes after TTY_OP_END are not read, even an opcode that could not be skipped.
        let modes = try SSHTerminalModes.parse([1, 0, 0, 0, 3, 0, 200, 1, 2])
        #expect(modes.count == 1)
        #expect(modes.first?.opcode == 1)
        #expect(modes.first?.value == 3)
    }

    @Test func missingEndIsAccepted() throws {
        let modes = try SSHTerminalModes.parse([53, 0, 0, 0, 0])
        #expect(modes.map(\.opcode) == [53])
    }

    @Test(arguments: [UInt8](160...255))
    func unknownOpcodesThatCannotBeSkippedThrow(opcode: UInt8) {
        #expect(throws: SSHWireError.invalidValue(field: "terminal mode opcode")) {
            try SSHTerminalModes.parse([53, 0, 0, 0, 1, opcode, 0, 0, 0, 0, 0])
        }
    }

    @Test(arguments: [UInt8](1...159))
    func everyOpcodeWithArgumentParses(opcode: UInt8) throws {
        let modes = try SSHTerminalModes.parse([opcode, 0xDE, 0xAD, 0xBE, 0xEF, 0])
        #expect(modes.map(\.opcode) == [opcode])
        #expect(modes.map(\.value) == [0xDEAD_BEEF])
    }

    @Test func truncatedArgumentThrows() {
        for length in 1..<5 {
            #expect(throws: SSHWireError.truncated(field: "terminal mode argument")) {
                try SSHTerminalModes.parse(Array([53, 0, 0, 0, 1].prefix(length)))
            }
        }
    }

    @Test func encodeRoundTrip() throws {
        var rng = SeededGenerator(seed: 4254)
        for _ in 0..<200 {
            let modes = (0..<rng.int(0...20)).map { _ in (opcode: UInt8(rng.int(1...159)), value: rng.uint32()) }
            let parsed = try SSHTerminalModes.parse(SSHTerminalModes.encode(modes))
            #expect(parsed.map(\.opcode) == modes.map(\.opcode))
            #expect(parsed.map(\.value) == modes.map(\.value))
        }
    }

    @Test func opcodeTable() {
        #expect(SSHTerminalModeOpcode.VINTR.rawValue == 1)
        #expect(SSHTerminalModeOpcode.IUTF8.rawValue == 42)
        #expect(SSHTerminalModeOpcode.TTY_OP_OSPEED.rawValue == 129)
        #expect(SSHTerminalModeOpcode.allCases.allSatisfy { $0.rawValue <= SSHTerminalModes.lastOpcodeWithArgument })
    }
}
