import Testing
@testable import SSHCrypto

/// Helpers shared by the key-exchange tests.
enum KEXTestData {
    /// Bytes from hex text; whitespace is ignored. Test data only: bad hex is a test bug.
    static func hex(_ text: String) -> [UInt8] {
        let digits = text.unicodeScalars.filter { !$0.properties.isWhitespace }.map { Character($0) }
        precondition(digits.count % 2 == 0, "odd hex length")
        return stride(from: 0, to: digits.count, by: 2).map { index in
            guard let byte = UInt8(String(digits[index...index + 1]), radix: 16) else {
                preconditionFailure("bad hex digit in test data")
            }
            return byte
        }
    }

    /// `bytes` as lowercase hex, for readable failure messages.
    static func hexString(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// The uint32 length prefix of a wire-encoded value, and the bytes after it.
    static func splitLengthPrefix(_ encoded: [UInt8]) -> (length: Int, body: [UInt8])? {
        guard encoded.count >= 4 else { return nil }
        let length = encoded.prefix(4).reduce(0) { $0 << 8 | Int($1) }
        return (length, Array(encoded.dropFirst(4)))
    }

    /// Whether `encoded` is a well-formed non-negative mpint (RFC 4251 §5): the length prefix
    /// matches, no superfluous leading zero byte, top bit clear.
    static func isCanonicalMPInt(_ encoded: [UInt8]) -> Bool {
        guard let (length, body) = splitLengthPrefix(encoded), length == body.count else { return false }
        guard let first = body.first else { return true }
        if first & 0x80 != 0 { return false }
        if first == 0 { return body.count >= 2 && body[1] & 0x80 != 0 }
        return true
    }

    /// The mpint encoding of an unsigned big-endian magnitude, computed independently of the code
    /// under test.
    static func mpint(_ magnitude: [UInt8]) -> [UInt8] {
        var trimmed = Array(magnitude.drop(while: { $0 == 0 }))
        if let first = trimmed.first, first & 0x80 != 0 { trimmed.insert(0, at: 0) }
        let n = trimmed.count
        return [UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + trimmed
    }

    /// Random byte strings of assorted lengths (garbage public values).
    static func garbage(count: Int, lengths: [Int]) -> [[UInt8]] {
        (0..<count).map { index in OpenSSL.randomBytes(lengths[index % lengths.count]) }
    }

    /// Expects both the server (given `value` as the client's public value) and a fresh client
    /// (given it as the server's) to throw ``CryptoError``.
    static func expectRejected(
        _ value: [UInt8], by method: any KeyExchangeAlgorithm, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(throws: CryptoError.self, sourceLocation: sourceLocation) {
            try method.respond(toClientPublicValue: value)
        }
        let client = try method.makeClient()
        #expect(throws: CryptoError.self, sourceLocation: sourceLocation) {
            try client.sharedSecret(serverPublicValue: value)
        }
    }
}
