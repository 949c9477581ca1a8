/// Standard base64 (RFC 4648 §4), as used by OpenSSH public key lines, fingerprints and PEM bodies.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Encodes `bytes`, with `=` padding unless `padding` is false (OpenSSH's `SHA256:`
    /// fingerprints drop it).
    public static func encode(_ bytes: [UInt8], padding: Bool = true) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let b0 = bytes[index]
            let b1: UInt8 = index + 1 < bytes.count ? bytes[index + 1] : 0
            let b2: UInt8 = index + 2 < bytes.count ? bytes[index + 2] : 0
            let available = min(3, bytes.count - index)
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            if available > 1 {
                out.append(alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)])
            } else if padding {
                out.append(UInt8(ascii: "="))
            }
            if available > 2 {
                out.append(alphabet[Int(b2 & 0x3F)])
            } else if padding {
                out.append(UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes padded base64. Returns nil for characters outside the alphabet, a length that is not
    /// a multiple of four, or padding anywhere but at the end. Whitespace is not skipped: callers
    /// that read line-wrapped text (PEM) join the lines first.
    public static func decode<S: StringProtocol>(_ text: S) -> [UInt8]? {
        decode(bytes: Array(text.utf8))
    }

    /// Decodes padded base64 from ASCII bytes (see ``decode(_:)``).
    public static func decode(bytes text: [UInt8]) -> [UInt8]? {
        guard text.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 4 * 3)
        var index = 0
        while index < text.count {
            let isLast = index + 4 == text.count
            var values: [UInt8] = [0, 0, 0, 0]
            var padCount = 0
            for offset in 0..<4 {
                let character = text[index + offset]
                if character == UInt8(ascii: "=") {
                    // Padding: only in the last quantum, only in the last two places, and only
                    // followed by more padding.
                    guard isLast, offset >= 2 else { return nil }
                    padCount += 1
                    continue
                }
                guard padCount == 0, let value = decodeCharacter(character) else { return nil }
                values[offset] = value
            }
            out.append(values[0] << 2 | values[1] >> 4)
            if padCount < 2 { out.append(values[1] << 4 | values[2] >> 2) }
            if padCount < 1 { out.append(values[2] << 6 | values[3]) }
            index += 4
        }
        return out
    }

    private static func decodeCharacter(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
