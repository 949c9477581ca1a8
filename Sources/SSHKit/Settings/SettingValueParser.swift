/// Parsing of configuration values as the specification writes them (server digest §2, `Config`).
public enum SettingValueParser {
    /// Booleans: "True", "False", "0", "1", "Yes", "No", any case (the documented forms), plus
    /// "on"/"off" as OpenSSH configurations write them.
    public static func bool(_ text: String) -> Bool? {
        switch text.trimmed.lowercased() {
        case "true", "1", "yes", "on": true
        case "false", "0", "no", "off": false
        default: nil
        }
    }

    /// A decimal integer (or hex with `0x`) within `range`.
    public static func integer(_ text: String, in range: ClosedRange<Int>) -> Int? {
        let trimmed = text.trimmed
        let value: Int?
        if trimmed.lowercased().hasPrefix("0x") {
            value = Int(trimmed.dropFirst(2), radix: 16)
        } else {
            value = Int(trimmed)
        }
        guard let value, range.contains(value) else { return nil }
        return value
    }

    /// A byte count: a plain number, or a number with a unit — `K`, `M`, `G` (powers of 1024),
    /// with or without `B` and a space, as in the documented default "1 GB".
    public static func byteCount(_ text: String, in range: ClosedRange<UInt64>) -> UInt64? {
        var body = text.trimmed.uppercased()
        if body.hasSuffix("B") { body.removeLast() }
        body = body.trimmed
        var multiplier: UInt64 = 1
        if let unit = body.last, let power = ["K": 1, "M": 2, "G": 3, "T": 4][String(unit)] {
            multiplier = 1 << (10 * UInt64(power))
            body.removeLast()
            body = body.trimmed
        }
        guard let number = UInt64(body) else { return nil }
        let (value, overflow) = number.multipliedReportingOverflow(by: multiplier)
        guard !overflow, range.contains(value) else { return nil }
        return value
    }

    /// A comma list with blanks trimmed and empty items dropped.
    public static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { String($0).trimmed }.filter { !$0.isEmpty }
    }
}

extension SettingValueParser {
    /// `text` without leading and trailing white space.
    public static func trimmed(_ text: String) -> String { text.trimmed }
}

extension String {
    var trimmed: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
