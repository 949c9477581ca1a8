import SSHWire

/// The field type codes of `SetSSHParam` and of GetSSHParam's "%" form (server digest §2).
enum SSHParamType: String, CaseIterable {
    /// `string`, as text (UTF-8).
    case text = "s"
    /// `string`, as hexadecimal bytes ("A1B23C").
    case bytes = "sb"
    /// `mpint`, as decimal (non-negative).
    case mpint = "m"
    /// `uint32`, as decimal.
    case uint32 = "i"
    /// `uint64`, as decimal.
    case uint64 = "l"
    /// `byte`, as decimal.
    case byte = "b"
    /// `boolean`, as "true" or "false".
    case boolean = "f"

    init(code: String) throws(SSHServerError) {
        guard let type = SSHParamType(rawValue: code.trimmed) else {
            throw SSHServerError(
                code: SSHServerError.invalidSetting,
                "unknown SSH parameter type \"\(code)\": one of \(Self.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = type
    }
}

/// Limits of the SSH parameter helpers.
enum SSHParamLimits {
    /// The largest `mpint` GetSSHParam turns into decimal and SetSSHParam builds from it: 1,024
    /// bytes (8,192 bits, beyond any key exchange value), so the quadratic conversion stays small.
    static let maximumDecimalMPIntBytes = 1024
    /// Type codes in one "%" specification.
    static let maximumPercentFields = 64
}

/// One field read from a payload: its type and its bytes (a string's content, or the wire bytes
/// of a number).
struct SSHParamValue: Equatable {
    let type: SSHParamType
    let bytes: [UInt8]

    /// The text form GetSSHParam returns, encoded as SetSSHParam's FieldValue (digest §2).
    var text: String {
        switch type {
        case .text: String(decoding: bytes, as: UTF8.self)
        case .bytes: bytes.map { String($0, radix: 16, uppercase: true).leftPadded(to: 2) }.joined()
        case .mpint: DecimalBytes.decimal(bytes)
        case .uint32, .uint64, .byte: DecimalBytes.decimal(bytes)
        case .boolean: bytes.first.map { $0 != 0 } == true ? "true" : "false"
        }
    }

    /// Reads one field of `type` at the reader's position.
    static func read(_ type: SSHParamType, from reader: inout SSHReader, field: String) throws -> SSHParamValue {
        switch type {
        case .text, .bytes: return SSHParamValue(type: type, bytes: try reader.readString(field))
        case .mpint:
            let magnitude = try reader.readMPInt(field)
            guard magnitude.count <= SSHParamLimits.maximumDecimalMPIntBytes else {
                throw SSHServerError(code: SSHServerError.invalidSetting, "\(field): mpint longer than \(SSHParamLimits.maximumDecimalMPIntBytes) bytes")
            }
            return SSHParamValue(type: type, bytes: magnitude)
        case .uint32: return SSHParamValue(type: type, bytes: try reader.readBytes(4, field))
        case .uint64: return SSHParamValue(type: type, bytes: try reader.readBytes(8, field))
        case .byte: return SSHParamValue(type: type, bytes: [try reader.readByte(field)])
        case .boolean: return SSHParamValue(type: type, bytes: [try reader.readBool(field) ? 1 : 0])
        }
    }
}

extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}

/// Big-endian unsigned integers of any length as decimal text and back.
enum DecimalBytes {
    /// Decimal digits of a big-endian unsigned magnitude.
    static func decimal(_ bytes: [UInt8]) -> String {
        var magnitude = Array(bytes.drop(while: { $0 == 0 }))
        guard !magnitude.isEmpty else { return "0" }
        var digits: [UInt8] = []
        while !magnitude.isEmpty {
            var remainder = 0
            var quotient: [UInt8] = []
            quotient.reserveCapacity(magnitude.count)
            for byte in magnitude {
                let value = remainder * 256 + Int(byte)
                let digit = value / 10
                remainder = value % 10
                if !quotient.isEmpty || digit != 0 { quotient.append(UInt8(digit)) }
            }
            digits.append(UInt8(remainder))
            magnitude = quotient
        }
        return String(decoding: digits.reversed().map { $0 + UInt8(ascii: "0") }, as: UTF8.self)
    }

    /// The big-endian magnitude of decimal text, or of hexadecimal text after "0x"; nil when the
    /// text is not a non-negative number or is longer than `maximumBytes` allows.
    static func magnitude(_ text: String, maximumBytes: Int) -> [UInt8]? {
        let trimmed = text.trimmed
        let isHex = trimmed.lowercased().hasPrefix("0x")
        let all = Array((isHex ? trimmed.dropFirst(2) : trimmed[...]).utf8)
        guard !all.isEmpty else { return nil }
        let digits = all.drop(while: { $0 == UInt8(ascii: "0") })
        let base = isHex ? 16 : 10
        // A byte takes at most three decimal digits (2^8 < 10^3) or exactly two hex digits, so
        // longer text cannot fit: refuse it before any arithmetic.
        guard digits.count <= maximumBytes * (isHex ? 2 : 3) else { return nil }
        var magnitude: [UInt8] = []
        for character in digits {
            guard let digit = Self.digit(character), digit < base else { return nil }
            var carry = digit
            for index in magnitude.indices.reversed() {
                let value = Int(magnitude[index]) * base + carry
                magnitude[index] = UInt8(value & 0xFF)
                carry = value >> 8
            }
            while carry > 0 {
                magnitude.insert(UInt8(carry & 0xFF), at: 0)
                carry >>= 8
            }
        }
        guard magnitude.count <= maximumBytes else { return nil }
        return magnitude
    }

    /// The value of one hexadecimal (or decimal) digit.
    static func digit(_ character: UInt8) -> Int? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(character - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(character - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(character - UInt8(ascii: "A")) + 10
        default: nil
        }
    }
}
