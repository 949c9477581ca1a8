/// The identification-string exchange of RFC 4253 §4.2, as a sans-I/O line parser.
///
/// Lines before the `SSH-` line are collected (bounded) and ignored; the version line itself is at
/// most 255 bytes with CR LF. A lone LF terminator is tolerated, as OpenSSH does.
struct VersionExchange {
    enum Outcome: Equatable {
        /// More bytes are needed; the first `consumed` bytes were complete preamble lines to drop.
        case needMore(consumed: Int)
        /// The peer's identification string (without CR LF), and how many input bytes it used.
        case version(String, consumed: Int)

        /// How many input bytes the outcome used up.
        var consumed: Int {
            switch self {
            case .needMore(let consumed), .version(_, let consumed): consumed
            }
        }
    }

    private var preambleLines = 0

    /// Looks for the identification line at the start of `bytes`.
    mutating func parse(_ bytes: ArraySlice<UInt8>) throws(TransportError) -> Outcome {
        var lineStart = bytes.startIndex
        while true {
            guard let newline = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) else {
                // RFC 4253 §4.2: the version line is at most 255 bytes; a longer partial line that
                // starts with "SSH-" can never become valid. Preamble lines get the same bound.
                if bytes.endIndex - lineStart > TransportLimits.maximumVersionLineLength {
                    throw .protocolError("identification line longer than 255 bytes")
                }
                return .needMore(consumed: lineStart - bytes.startIndex)
            }
            let lineLength = newline - lineStart + 1
            guard lineLength <= TransportLimits.maximumVersionLineLength else {
                throw .protocolError("identification line longer than 255 bytes")
            }
            var end = newline
            if end > lineStart, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let line = bytes[lineStart..<end]
            if line.starts(with: Array("SSH-".utf8)) {
                // RFC 4253 §4.2: US-ASCII printable characters, no NUL.
                guard line.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
                    throw .protocolError("identification string holds non-printable bytes")
                }
                return .version(String(decoding: line, as: UTF8.self), consumed: newline + 1 - bytes.startIndex)
            }
            preambleLines += 1
            guard preambleLines <= TransportLimits.maximumPreambleLines else {
                throw .protocolError("too many lines before the identification string")
            }
            lineStart = newline + 1
        }
    }

    /// Whether `version` is a protocol version 2 identification (RFC 4253 §5.1: "SSH-2.0-" and,
    /// for compatibility, "SSH-1.99-").
    static func isVersion2(_ version: String) -> Bool {
        version.hasPrefix("SSH-2.0-") || version.hasPrefix("SSH-1.99-")
    }
}
