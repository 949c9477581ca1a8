import SSHCrypto
import SSHWire
import Testing
@testable import SSHCore

/// What a hostile or broken peer can send the transport: every case ends in the right disconnect or
/// UNIMPLEMENTED, never a trap, never unbounded buffering.
@Suite struct TransportHostileInputTests {
    /// Plaintext packets as a peer would frame them before NEWKEYS.
    static func plaintextPackets(_ payloads: [[UInt8]]) -> [UInt8] {
        var sender = PacketSender()
        for payload in payloads { try? sender.send(payload) }
        return sender.takeOutput()
    }

    /// A real client's identification line and KEXINIT packet, separately.
    static func clientOpening(strict: StrictKeyExchangeMode = .enabled) throws -> (version: [UInt8], kexInit: [UInt8]) {
        let (config, _) = EnginePair.configurations(strict: strict)
        let client = try SSHTransport(configuration: config)
        let bytes = client.takeOutput()
        let end = try #require(bytes.firstIndex(of: UInt8(ascii: "\n")))
        return (Array(bytes[...end]), Array(bytes[(end + 1)...]))
    }

    static func server(strict: StrictKeyExchangeMode = .enabled) throws -> SSHTransport {
        try SSHTransport(configuration: EnginePair.configurations(strict: strict).1)
    }

    static func events(_ transport: SSHTransport) -> [TransportEvent] {
        var events: [TransportEvent] = []
        while let event = transport.nextEvent() { events.append(event) }
        return events
    }

    // MARK: - Strict key exchange (OpenSSH PROTOCOL §1.10)

    @Test func strictKexIgnoreBeforeKexInitDisconnects() throws {
        let opening = try Self.clientOpening()
        let server = try Self.server()
        server.receive(opening.version + Self.plaintextPackets([SSHMsgIgnore(data: [1, 2]).encoded()]) + opening.kexInit)
        #expect(server.isClosed)
        let disconnect = try #require(EnginePair.disconnect(Self.events(server)))
        #expect(disconnect.reason == SSHDisconnectReason.protocolError.rawValue)
        #expect(disconnect.description.contains("first packet"))
    }

    @Test func strictKexMessageDuringInitialExchangeDisconnects() throws {
        let opening = try Self.clientOpening()
        for intruder in [SSHMsgIgnore(data: []).encoded(), SSHMsgDebug(alwaysDisplay: false, message: "x", languageTag: "").encoded(), [UInt8(25)]] {
            let server = try Self.server()
            server.receive(opening.version + opening.kexInit + Self.plaintextPackets([intruder]))
            #expect(server.isClosed, "message \(intruder[0])")
        }
    }

    @Test func withoutStrictKexIgnoreDuringInitialExchangeIsAccepted() throws {
        let opening = try Self.clientOpening(strict: .disabled)
        let server = try Self.server(strict: .disabled)
        server.receive(opening.version + Self.plaintextPackets([SSHMsgIgnore(data: [1]).encoded()]) + opening.kexInit + Self.plaintextPackets([SSHMsgIgnore(data: []).encoded()]))
        #expect(!server.isClosed)
    }

    @Test func upperLayerMessageBeforeKeyExchangeDisconnects() throws {
        let opening = try Self.clientOpening(strict: .disabled)
        let server = try Self.server(strict: .disabled)
        server.receive(opening.version + opening.kexInit + Self.plaintextPackets([SSHMsgServiceRequest(serviceName: "ssh-userauth").encoded()]))
        #expect(server.isClosed)
    }

    @Test func secondKexInitDuringExchangeDisconnects() throws {
        let opening = try Self.clientOpening(strict: .disabled)
        let server = try Self.server(strict: .disabled)
        server.receive(opening.version + opening.kexInit + opening.kexInit)
        #expect(server.isClosed)
    }

    @Test func newKeysOutOfOrderDisconnects() throws {
        let opening = try Self.clientOpening(strict: .disabled)
        let server = try Self.server(strict: .disabled)
        server.receive(opening.version + opening.kexInit + Self.plaintextPackets([SSHMsgNewKeys().encoded()]))
        #expect(server.isClosed)
    }

    // MARK: - Binary packet protocol (RFC 4253 §6)

    @Test func oversizedPacketLengthDisconnectsAtOnce() throws {
        let opening = try Self.clientOpening()
        let server = try Self.server()
        server.receive(opening.version + [0x7F, 0xFF, 0xFF, 0xF8, 4])
        #expect(server.isClosed)
        #expect(EnginePair.disconnect(Self.events(server))?.reason == SSHDisconnectReason.protocolError.rawValue)
    }

    @Test func packetLengthNotAMultipleOfTheBlockSizeDisconnects() throws {
        let opening = try Self.clientOpening()
        let server = try Self.server()
        server.receive(opening.version + [0, 0, 0, 13, 4] + [UInt8](repeating: 0, count: 13))
        #expect(server.isClosed)
    }

    @Test(arguments: [0, 1, 2, 3, 12, 255])
    func badPaddingLengthDisconnects(padding: Int) throws {
        let opening = try Self.clientOpening()
        let server = try Self.server()
        // packet_length 12: padding_length byte + 11 bytes; padding 0–3 is too short, 12+ too long.
        server.receive(opening.version + [0, 0, 0, 12, UInt8(padding)] + [UInt8](repeating: 20, count: 11))
        #expect(server.isClosed, "padding \(padding)")
    }

    @Test func truncatedMessagesDisconnectWithProtocolError() throws {
        let opening = try Self.clientOpening()
        let server = try Self.server()
        // A KEXINIT cut short inside its name-lists.
        let kexInit = try SSHMsgKexInit.decode(Array(opening.kexInit.dropFirst(5).dropLast(Int(opening.kexInit[4]))))
        let truncated = Array(kexInit.encoded().prefix(40))
        server.receive(opening.version + Self.plaintextPackets([truncated]))
        #expect(server.isClosed)
        #expect(EnginePair.disconnect(Self.events(server))?.reason == SSHDisconnectReason.protocolError.rawValue)
    }

    @Test func unknownMessageAfterKeyExchangeGetsUnimplemented() throws {
        let (client, server) = EnginePair.configurations()
        let pair = try EnginePair(client: client, server: server)
        pair.pump()
        try pair.client.send([25, 1, 2, 3])
        pair.pump()
        let unimplemented = pair.clientEvents.compactMap { if case .unimplemented(let n) = $0 { n } else { nil } }
        // Strict KEX restarted the client's sequence numbers at NEWKEYS: this was its first packet since.
        #expect(unimplemented == [0])
        #expect(!pair.server.isClosed)
    }

    /// A single flipped bit anywhere in a sealed packet is detected: the packet is never delivered
    /// and the connection closes with MAC_ERROR (or a protocol error when the flip hit an encrypted
    /// length that then fails its bounds check).
    @Test(arguments: ["chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr"])
    func flippedBitIsDetected(cipher: String) throws {
        var generator = SeededGenerator(seed: 42)
        for mac in ["hmac-sha2-256", "hmac-sha2-256-etm@openssh.com"] {
            let probe = try EnginePair(client: EnginePair.configurations(kex: "curve25519-sha256", hostKey: "ssh-ed25519", cipher: cipher, mac: mac).0,
                                       server: EnginePair.configurations(kex: "curve25519-sha256", hostKey: "ssh-ed25519", cipher: cipher, mac: mac).1)
            probe.pump()
            try probe.client.send(sampleUpperLayerPayload(1, size: 40))
            let packetLength = probe.client.takeOutput().count
            for position in 0..<packetLength {
                let (c, s) = EnginePair.configurations(kex: "curve25519-sha256", hostKey: "ssh-ed25519", cipher: cipher, mac: mac)
                let pair = try EnginePair(client: c, server: s)
                pair.pump()
                try pair.client.send(sampleUpperLayerPayload(1, size: 40))
                var packet = pair.client.takeOutput()
                packet[position] ^= UInt8(1) << UInt8.random(in: 0...7, using: &generator)
                pair.server.receive(packet)
                // A flipped length may make the receiver wait for more: give it a maximal packet's worth.
                if !pair.server.isClosed { pair.server.receive([UInt8](repeating: 0, count: TransportLimits.maximumPacketLength + 64)) }
                pair.drainEvents()
                #expect(pair.server.isClosed, "\(cipher) \(mac) byte \(position)")
                #expect(EnginePair.payloads(pair.serverEvents).isEmpty, "\(cipher) \(mac) byte \(position)")
                let reason = EnginePair.disconnect(pair.serverEvents)?.reason
                #expect(reason == SSHDisconnectReason.macError.rawValue || reason == SSHDisconnectReason.protocolError.rawValue)
            }
        }
    }

    // MARK: - Version exchange (RFC 4253 §4.2)

    @Test func linesBeforeTheVersionAreIgnored() throws {
        let opening = try Self.clientOpening()
        let server = try Self.server()
        server.receive(Array("hello there\r\nanother line\n".utf8) + opening.version + opening.kexInit)
        #expect(!server.isClosed)
        #expect(server.peerVersion == String(decoding: opening.version.dropLast(2), as: UTF8.self))
    }

    @Test func overlongVersionLineDisconnects() throws {
        let server = try Self.server()
        server.receive(Array(("SSH-2.0-" + String(repeating: "x", count: 300)).utf8))
        #expect(server.isClosed)
    }

    @Test(arguments: ["SSH-1.5-ancient", "SSH-3.0-future"])
    func unsupportedVersionDisconnects(version: String) throws {
        let server = try Self.server()
        server.receive(Array((version + "\r\n").utf8))
        #expect(server.isClosed)
        #expect(server.closeReason == .versionNotSupported(version))
    }

    @Test func versionOnePointNinetyNineIsAccepted() throws {
        let opening = try Self.clientOpening()
        let server = try Self.server()
        server.receive(Array("SSH-1.99-compat\r\n".utf8) + opening.kexInit)
        #expect(!server.isClosed)
    }

    @Test func tooManyPreambleLinesDisconnect() throws {
        let server = try Self.server()
        for _ in 0...TransportLimits.maximumPreambleLines { server.receive(Array("x\n".utf8)) }
        #expect(server.isClosed)
    }

    // MARK: - Garbage

    /// Random bytes after a valid opening: the engine closes or waits, and never traps.
    @Test func garbageNeverTraps() throws {
        var generator = SeededGenerator(seed: 7)
        let opening = try Self.clientOpening()
        for round in 0..<2000 {
            let server = try Self.server(strict: round % 2 == 0 ? .enabled : .disabled)
            let garbage = [UInt8].random(count: Int.random(in: 1...2048, using: &generator), using: &generator)
            let prefix = round % 3 == 0 ? opening.version : opening.version + opening.kexInit
            server.receive(prefix + garbage)
            _ = Self.events(server)
        }
    }

    /// Every truncation and every single-byte corruption of a real client's first flight.
    @Test func corruptedOpeningNeverTraps() throws {
        let opening = try Self.clientOpening()
        let flight = opening.version + opening.kexInit
        for cut in 0..<flight.count {
            let server = try Self.server()
            server.receive(Array(flight.prefix(cut)))
        }
        var generator = SeededGenerator(seed: 99)
        for position in 0..<flight.count {
            var corrupted = flight
            corrupted[position] = UInt8.random(in: 0...255, using: &generator)
            let server = try Self.server()
            server.receive(corrupted)
            _ = Self.events(server)
        }
    }
}
