import Foundation
import Testing

@testable import SSHCrypto

/// Fixtures and helpers for the packet-protection tests (namespaced to keep the test target's
/// global names free).
enum TransportFixtures {
    /// Decodes lower- or upper-case hex; records an issue and returns [] on malformed input.
    static func bytes(hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else {
            Issue.record("odd-length hex in a fixture")
            return []
        }
        var out = [UInt8]()
        out.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else {
                Issue.record("bad hex digit in a fixture")
                return []
            }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Decodes `Fixtures/transport/<name>.json` from the test bundle.
    static func load<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures/transport")
        else { throw FixtureMissing(name: name) }
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }

    /// The `vectors` of a `{ "source": …, "vectors": [...] }` fixture, for `@Test(arguments:)`;
    /// [] when it is missing or malformed (each suite has a test that then fails).
    static func vectors<V: Decodable>(_ type: V.Type, _ name: String) -> [V] {
        (try? load(VectorFile<V>.self, name).vectors) ?? []
    }

    struct VectorFile<V: Decodable>: Decodable {
        var source: String
        var vectors: [V]
    }

    struct FixtureMissing: Error { var name: String }

    /// A plaintext packet laid out as RFC 4253 §6 asks for `protection`: `packet_length` (+4
    /// unless the length is only authenticated) is a multiple of `max(8, blockSize)`, at least 4
    /// bytes of padding, then `tagLength` bytes of room for the tag.
    static func plaintextPacket(payload: [UInt8], for protection: any PacketProtection) -> [UInt8] {
        let multiple = max(8, protection.blockSize)
        let counted = (protection.lengthIsAuthenticatedOnly ? 0 : 4) + 1 + payload.count
        var padding = multiple - counted % multiple
        if padding < 4 { padding += multiple }
        let packetLength = 1 + payload.count + padding
        var packet = withUnsafeBytes(of: UInt32(packetLength).bigEndian) { Array($0) }
        packet.append(UInt8(padding))
        packet += payload
        packet += (0..<padding).map { UInt8(truncatingIfNeeded: 0xA0 + $0) }
        packet += [UInt8](repeating: 0, count: protection.tagLength)
        return packet
    }

    /// A payload of `count` bytes that differs from packet to packet.
    static func payload(count: Int, seed: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed &* 7 &+ 1) }
    }

    /// Key material of `count` bytes derived from `seed` (deterministic, not secret).
    static func key(_ count: Int, seed: UInt8) -> SecureBytes {
        SecureBytes((0..<count).map { UInt8(truncatingIfNeeded: Int(seed) &* 13 &+ $0 &* 5 &+ 3) })
    }
}

/// One negotiated cipher and MAC (nil for AEAD), and both directions built from the same keys.
struct TransportCombination: CustomTestStringConvertible, Sendable {
    var cipher: any CipherAlgorithm
    var mac: (any MACAlgorithm)?

    var testDescription: String { mac.map { "\(cipher.name) + \($0.name)" } ?? cipher.name }

    /// Every cipher with every MAC in the catalog; AEAD ciphers once, without a MAC.
    static var all: [TransportCombination] {
        TransportAlgorithms.ciphers.flatMap { cipher -> [TransportCombination] in
            if cipher.isAEAD { return [TransportCombination(cipher: cipher, mac: nil)] }
            return TransportAlgorithms.macs.map { TransportCombination(cipher: cipher, mac: $0) }
        }
    }

    /// A sealing and an opening protection with the same keys.
    func makePair(seed: UInt8 = 1) throws -> (sealer: any PacketProtection, opener: any PacketProtection) {
        let key = TransportFixtures.key(cipher.keyLength, seed: seed)
        let iv = TransportFixtures.key(cipher.ivLength, seed: seed &+ 1)
        let macKey = mac.map { TransportFixtures.key($0.keyLength, seed: seed &+ 2) }
        return (
            try cipher.makeProtection(key: key, iv: iv, mac: mac, macKey: macKey, sealing: true),
            try cipher.makeProtection(key: key, iv: iv, mac: mac, macKey: macKey, sealing: false)
        )
    }
}

extension PacketProtection {
    /// Seals `packet` in place (test convenience over the pointer API).
    func seal(_ packet: inout [UInt8], sequenceNumber: UInt32) throws {
        try packet.withUnsafeMutableBytes { try seal($0, sequenceNumber: sequenceNumber) }
    }

    /// Receives `packet` as the engine does: the length from the head, then the whole packet.
    /// Returns the decrypted `packet_length`.
    @discardableResult
    func receive(_ packet: inout [UInt8], sequenceNumber: UInt32) throws -> UInt32 {
        try packet.withUnsafeMutableBytes { buffer in
            let span = min(lengthFieldSpan, buffer.count)
            let length = try decryptLength(
                UnsafeMutableRawBufferPointer(rebasing: buffer[0..<span]), sequenceNumber: sequenceNumber)
            try open(buffer, sequenceNumber: sequenceNumber)
            return length
        }
    }
}
