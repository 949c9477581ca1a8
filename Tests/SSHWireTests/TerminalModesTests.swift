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
        #expect(modes == [SSHTerminalMode(.VINTR, value: 3)])
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
        #expect(modes == [SSHTerminalMode(opcode: opcode, value: 0xDEAD_BEEF)])
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
            let modes = (0..<rng.int(0...20)).map { _ in
                SSHTerminalMode(opcode: UInt8(rng.int(1...159)), value: rng.uint32())
            }
            #expect(try SSHTerminalModes.parse(SSHTerminalModes.encode(modes)) == modes)
        }
    }

    /// Opcodes outside 1–159 cannot be written, since they could not be parsed back.
    @Test func encodeSkipsOpcodesWithoutArgument() {
        let modes = [
            SSHTerminalMode(opcode: 0, value: 1), SSHTerminalMode(.ECHO, value: 0),
            SSHTerminalMode(opcode: 160, value: 2), SSHTerminalMode(opcode: 255, value: 3),
        ]
        #expect(SSHTerminalModes.encode(modes) == [53, 0, 0, 0, 0, 0])
    }

    @Test func knownOpcodes() {
        #expect(SSHTerminalMode(opcode: 42, value: 1).knownOpcode == .IUTF8)
        #expect(SSHTerminalMode(opcode: 100, value: 1).knownOpcode == nil)
    }

    @Test func opcodeTable() {
        #expect(SSHTerminalModeOpcode.VINTR.rawValue == 1)
        #expect(SSHTerminalModeOpcode.IUTF8.rawValue == 42)
        #expect(SSHTerminalModeOpcode.TTY_OP_OSPEED.rawValue == 129)
        #expect(SSHTerminalModeOpcode.allCases.allSatisfy { $0.rawValue <= SSHTerminalModes.lastOpcodeWithArgument })
    }
}
