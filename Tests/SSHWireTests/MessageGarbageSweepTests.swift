import Testing
@testable import SSHWire

/// Random and mutated payloads through every decoder: each must return or throw, never trap
/// (DESIGN §3), and whatever it returns must encode to bytes that decode to the same value.
@Suite struct MessageGarbageSweepTests {
    /// Decoders for the method-specific messages, which ``SSHMessage/decode(_:)`` leaves undecoded.
    static let methodDecoders: [@Sendable ([UInt8]) -> Void] = [
        sweep(SSHMsgKexDHInit.self), sweep(SSHMsgKexDHReply.self), sweep(SSHMsgKexECDHInit.self),
        sweep(SSHMsgKexECDHReply.self), sweep(SSHMsgKexDHGexRequestOld.self), sweep(SSHMsgKexDHGexRequest.self),
        sweep(SSHMsgKexDHGexGroup.self), sweep(SSHMsgKexDHGexInit.self), sweep(SSHMsgKexDHGexReply.self),
        sweep(SSHMsgUserAuthPKOK.self), sweep(SSHMsgUserAuthPasswdChangeReq.self),
        sweep(SSHMsgUserAuthInfoRequest.self), sweep(SSHMsgUserAuthInfoResponse.self),
    ]

    /// Decodes the payload after its first byte as the body of `M`, as if it had `M`'s number, and
    /// checks that a decoded value re-decodes.
    static func sweep<M: SSHMessageCodable & Equatable>(_ type: M.Type) -> @Sendable ([UInt8]) -> Void {
        { payload in
            var reader = SSHReader(payload, range: min(1, payload.count)..<payload.count)
            guard let message = try? M(from: &reader), reader.isAtEnd else { return }
            #expect((try? M.decode(message.encoded())) == message)
        }
    }

    /// Runs one payload through every decoder.
    static func feed(_ payload: [UInt8]) {
        if let message = try? SSHMessage.decode(payload) {
            #expect((try? SSHMessage.decode(message.encoded())) == message, "\(payload)")
        }
        for decode in methodDecoders { decode(payload) }
    }

    static func randomLength(_ rng: inout SeededGenerator) -> Int {
        switch rng.int(0...19) {
        case 0: rng.int(0...4096)
        case 1...5: rng.int(0...1024)
        default: rng.int(0...64)
        }
    }

    static let knownNumbers: [UInt8] = [
        1, 2, 3, 4, 5, 6, 7, 20, 21, 50, 51, 52, 53, 80, 81, 82, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 192, 193,
    ]

    /// Random payloads behind every first byte: each seed gives each of the 256 values ten random
    /// bodies.
    @Test(arguments: 0..<8 as Range<UInt64>)
    func randomPayloads(seed: UInt64) {
        var rng = SeededGenerator(seed: 0x5EED_0000 + seed)
        for round in 0..<2560 {
            let length = Self.randomLength(&rng)
            Self.feed([UInt8(truncatingIfNeeded: round)] + rng.bytes(0...length))
        }
    }

    /// Random bodies behind known numbers, built from plausible pieces (small lengths, real names)
    /// so that decoders get past their first fields.
    @Test(arguments: 0..<8 as Range<UInt64>)
    func structuredGarbage(seed: UInt64) {
        var rng = SeededGenerator(seed: 0xB0D1_0000 + seed)
        let names = [
            "password", "publickey", "publickey-hostbound-v00@openssh.com", "keyboard-interactive", "hostbased",
            "none", "tcpip-forward", "cancel-tcpip-forward", "hostkeys-00@openssh.com",
            "hostkeys-prove-00@openssh.com", "session", "direct-tcpip", "forwarded-tcpip", "x11", "pty-req",
            "x11-req", "env", "exec", "subsystem", "window-change", "exit-signal", "signal", "break",
        ]
        for _ in 0..<2500 {
            var writer = SSHWriter()
            writer.writeByte(Self.knownNumbers[rng.int(0...Self.knownNumbers.count - 1)])
            for _ in 0..<rng.int(0...10) {
                switch rng.int(0...6) {
                case 0: writer.writeText(names[rng.int(0...names.count - 1)])
                case 1: writer.writeUInt32(UInt32(rng.int(0...8)))
                case 2: writer.writeBool(rng.bool())
                case 3: writer.writeString(rng.bytes(0...12))
                case 4: writer.writeUInt32(rng.uint32())
                case 5: writer.writeUInt32(0xFFFF_FFFF)
                default: writer.writeBytes(rng.bytes(0...3))
                }
            }
            Self.feed(writer.bytes)
        }
    }

    /// Mutations of valid encodings: bit flips, truncations, insertions, deletions and length
    /// fields set to 0xFFFFFFFF.
    @Test(arguments: MessageSamples.all)
    func mutations(sample: CodecCase) {
        var rng = SeededGenerator(seed: UInt64(sample.encoded.count) &* 0x9E37 &+ UInt64(sample.name.utf8.count))
        for _ in 0..<300 {
            var bytes = sample.encoded
            for _ in 0..<rng.int(1...3) {
                switch rng.int(0...5) {
                case 0 where !bytes.isEmpty:
                    let index = rng.int(0...bytes.count - 1)
                    bytes[index] ^= UInt8(1) << UInt8(rng.int(0...7))
                case 1:
                    bytes = Array(bytes.prefix(rng.int(0...bytes.count)))
                case 2:
                    bytes.insert(UInt8(rng.int(0...255)), at: rng.int(0...bytes.count))
                case 3 where !bytes.isEmpty:
                    bytes.remove(at: rng.int(0...bytes.count - 1))
                case 4 where bytes.count >= 4:
                    let index = rng.int(0...bytes.count - 4)
                    bytes.replaceSubrange(index..<index + 4, with: [0xFF, 0xFF, 0xFF, 0xFF])
                default:
                    bytes += rng.bytes(1...8)
                }
            }
            Self.feed(bytes)
            Self.feed(Array(bytes.dropFirst()))
        }
    }

    /// Every length-prefix position of every sample set to 0xFFFFFFFF and to one past the end.
    @Test(arguments: MessageSamples.all)
    func everyWordOverwritten(sample: CodecCase) {
        guard sample.encoded.count >= 5 else { return }
        for index in 1...(sample.encoded.count - 4) {
            for word: [UInt8] in [[0xFF, 0xFF, 0xFF, 0xFF], [0x00, 0x00, 0x00, 0x00], [0x7F, 0xFF, 0xFF, 0xFF]] {
                var bytes = sample.encoded
                bytes.replaceSubrange(index..<index + 4, with: word)
                Self.feed(bytes)
            }
        }
    }
}
