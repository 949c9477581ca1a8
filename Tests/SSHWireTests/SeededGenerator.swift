/// A deterministic random number generator (SplitMix64), so that every randomized test
/// reproduces from its seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SeededGenerator {
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

    mutating func uint32() -> UInt32 { UInt32.random(in: .min ... .max, using: &self) }

    mutating func bool() -> Bool { Bool.random(using: &self) }

    /// Random bytes, eight from each 64-bit draw.
    mutating func bytes(_ count: ClosedRange<Int> = 0...48) -> [UInt8] {
        let total = int(count)
        var result: [UInt8] = []
        result.reserveCapacity(total)
        while result.count < total {
            var word = next()
            for _ in 0..<min(8, total - result.count) {
                result.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        return result
    }

    /// UTF-8 text mixing ASCII with 2-, 3- and 4-byte scalars.
    mutating func text(_ count: ClosedRange<Int> = 0...12) -> String {
        let alphabet: [Character] = Array("abcXYZ019 -_.,:/@\t\néß日本🙂")
        return String((0..<int(count)).map { _ in alphabet[int(0...alphabet.count - 1)] })
    }

    /// A US-ASCII name as name-lists allow it (RFC 4251 §5: printable, no comma).
    mutating func name(_ count: ClosedRange<Int> = 1...16) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789-@.+_")
        return String((0..<int(count)).map { _ in alphabet[int(0...alphabet.count - 1)] })
    }

    mutating func nameList() -> [String] { (0..<int(0...5)).map { _ in name() } }

    /// An mpint magnitude as the reader returns it: big-endian, no leading zeros.
    mutating func magnitude() -> [UInt8] {
        Array(bytes(0...40).drop(while: { $0 == 0 }))
    }

    mutating func optional<T>(_ make: (inout SeededGenerator) -> T) -> T? {
        bool() ? make(&self) : nil
    }
}
