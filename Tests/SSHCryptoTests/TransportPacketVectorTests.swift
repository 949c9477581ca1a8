import Testing

@testable import SSHCrypto

/// Whole packets, sealed in order, against `Fixtures/transport/packet-vectors.json`, which
/// `make_packet_vectors.py` beside it computes without this code (see the script's header:
/// chacha20-poly1305 twice, in plain Python and with the `cryptography` package; AES-GCM,
/// AES-CTR and HMAC with `cryptography` and Python's `hmac`).
@Suite struct TransportPacketVectorTests {
    struct Packet: Decodable, Sendable {
        var sequenceNumber: UInt32
        var plaintext, sealed: String
    }

    struct Run: Decodable, Sendable, CustomTestStringConvertible {
        var cipher: String
        var mac: String?
        var key, iv, macKey: String
        var packets: [Packet]
        var testDescription: String { mac.map { "\(cipher) + \($0)" } ?? cipher }

        func make(sealing: Bool) throws -> any PacketProtection {
            let cipher = try #require(TransportAlgorithms.cipher(named: cipher))
            let mac = try mac.map { try #require(TransportAlgorithms.mac(named: $0)) }
            return try cipher.makeProtection(
                key: SecureBytes(TransportFixtures.bytes(hex: key)), iv: SecureBytes(TransportFixtures.bytes(hex: iv)),
                mac: mac, macKey: mac.map { _ in SecureBytes(TransportFixtures.bytes(hex: macKey)) }, sealing: sealing)
        }
    }

    static let runs = (try? TransportFixtures.load([Run].self, "packet-vectors")) ?? []

    @Test func fixturePresent() {
        #expect(Self.runs.count == 11)
    }

    @Test(arguments: runs)
    func sealsAsComputedIndependently(run: Run) throws {
        let sealer = try run.make(sealing: true)
        for packet in run.packets {
            var bytes = TransportFixtures.bytes(hex: packet.plaintext) + [UInt8](repeating: 0, count: sealer.tagLength)
            try sealer.seal(&bytes, sequenceNumber: packet.sequenceNumber)
            #expect(bytes == TransportFixtures.bytes(hex: packet.sealed), "sequence number \(packet.sequenceNumber)")
        }
    }

    @Test(arguments: runs)
    func opensWhatWasComputedIndependently(run: Run) throws {
        let opener = try run.make(sealing: false)
        for packet in run.packets {
            let plaintext = TransportFixtures.bytes(hex: packet.plaintext)
            var bytes = TransportFixtures.bytes(hex: packet.sealed)
            let length = try opener.receive(&bytes, sequenceNumber: packet.sequenceNumber)
            #expect(Int(length) == plaintext.count - 4)
            #expect(Array(bytes.prefix(plaintext.count)) == plaintext, "sequence number \(packet.sequenceNumber)")
        }
    }
}
