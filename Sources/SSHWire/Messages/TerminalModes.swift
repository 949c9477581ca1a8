/// The encoded terminal modes of a `pty-req` (RFC 4254 §8).
///
/// The encoding is a sequence of opcode bytes; opcodes 1–159 carry a uint32 argument and 0
/// (`TTY_OP_END`) ends the sequence. Opcodes 160–255 are undefined and their argument size is
/// unknown (RFC 4254 §8: they "cause parsing to stop" and "should only be used after any other
/// data"); nothing after one can be read, so a string that holds one is rejected as malformed.
public enum SSHTerminalModes {
    /// `TTY_OP_END` (RFC 4254 §8).
    public static let endOpcode: UInt8 = 0
    /// The highest opcode with a uint32 argument (RFC 4254 §8: "Opcodes 1 to 159 have a single
    /// uint32 argument").
    public static let lastOpcodeWithArgument: UInt8 = 159

    /// Parses an encoded mode string into modes in wire order.
    ///
    /// Parsing stops at `TTY_OP_END` (bytes after it are ignored) or at the end of the string
    /// (clients may send an empty string). Throws ``SSHWireError/truncated(field:)`` when an
    /// argument is cut short and ``SSHWireError/invalidValue(field:)`` for an opcode in 160–255.
    /// The number of modes is bounded by the string's length (5 bytes each), which the `pty-req`
    /// decoder bounds by ``SSHWireLimits/maximumStringLength``.
    public static func parse(_ encoded: [UInt8]) throws -> [SSHTerminalMode] {
        var reader = SSHReader(encoded)
        var modes: [SSHTerminalMode] = []
        while !reader.isAtEnd {
            let opcode = try reader.readByte("terminal mode opcode")
            if opcode == endOpcode { break }
            guard opcode <= lastOpcodeWithArgument else {
                throw SSHWireError.invalidValue(field: "terminal mode opcode")
            }
            modes.append(SSHTerminalMode(opcode: opcode, value: try reader.readUInt32("terminal mode argument")))
        }
        return modes
    }

    /// Encodes modes followed by `TTY_OP_END`. Opcodes must be in 1–159 (a programmer error
    /// otherwise; such modes are skipped, since they could not be parsed back).
    public static func encode(_ modes: [SSHTerminalMode]) -> [UInt8] {
        var writer = SSHWriter(capacity: modes.count * 5 + 1)
        for mode in modes where mode.opcode != endOpcode && mode.opcode <= lastOpcodeWithArgument {
            writer.writeByte(mode.opcode)
            writer.writeUInt32(mode.value)
        }
        writer.writeByte(endOpcode)
        return writer.bytes
    }
}

/// One terminal mode of a `pty-req` (RFC 4254 §8): an opcode with its uint32 argument. Opcodes
/// this library does not name (any in 1–159 outside ``SSHTerminalModeOpcode``) are kept as they
/// are; the server may ignore them (RFC 4254 §8).
public struct SSHTerminalMode: Hashable, Sendable {
    public var opcode: UInt8
    public var value: UInt32

    public init(opcode: UInt8, value: UInt32) {
        self.opcode = opcode
        self.value = value
    }

    public init(_ opcode: SSHTerminalModeOpcode, value: UInt32) {
        self.init(opcode: opcode.rawValue, value: value)
    }

    /// The named opcode, when RFC 4254 §8 or RFC 8160 defines it.
    public var knownOpcode: SSHTerminalModeOpcode? { SSHTerminalModeOpcode(rawValue: opcode) }
}

/// Terminal mode opcodes (RFC 4254 §8, RFC 8160 for `IUTF8`).
public enum SSHTerminalModeOpcode: UInt8, Sendable, CaseIterable {
    case VINTR = 1
    case VQUIT = 2
    case VERASE = 3
    case VKILL = 4
    case VEOF = 5
    case VEOL = 6
    case VEOL2 = 7
    case VSTART = 8
    case VSTOP = 9
    case VSUSP = 10
    case VDSUSP = 11
    case VREPRINT = 12
    case VWERASE = 13
    case VLNEXT = 14
    case VFLUSH = 15
    case VSWTCH = 16
    case VSTATUS = 17
    case VDISCARD = 18
    case IGNPAR = 30
    case PARMRK = 31
    case INPCK = 32
    case ISTRIP = 33
    case INLCR = 34
    case IGNCR = 35
    case ICRNL = 36
    case IUCLC = 37
    case IXON = 38
    case IXANY = 39
    case IXOFF = 40
    case IMAXBEL = 41
    case IUTF8 = 42
    case ISIG = 50
    case ICANON = 51
    case XCASE = 52
    case ECHO = 53
    case ECHOE = 54
    case ECHOK = 55
    case ECHONL = 56
    case NOFLSH = 57
    case TOSTOP = 58
    case IEXTEN = 59
    case ECHOCTL = 60
    case ECHOKE = 61
    case PENDIN = 62
    case OPOST = 70
    case OLCUC = 71
    case ONLCR = 72
    case OCRNL = 73
    case ONOCR = 74
    case ONLRET = 75
    case CS7 = 90
    case CS8 = 91
    case PARENB = 92
    case PARODD = 93
    case TTY_OP_ISPEED = 128
    case TTY_OP_OSPEED = 129
}
