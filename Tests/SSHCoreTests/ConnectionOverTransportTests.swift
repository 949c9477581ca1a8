import SSHCrypto
import SSHWire
import Testing
@testable import SSHCore

/// Two multiplexers over a real client/server ``SSHTransport`` pair (``EnginePair``): every
/// connection message is encrypted, framed and decrypted on the way.
final class ConnectionOverTransport {
    let engines: EnginePair
    let client: ChannelMultiplexer
    let server: ChannelMultiplexer
    var clientEvents: [ConnectionEvent] = []
    var serverEvents: [ConnectionEvent] = []
    /// WINDOW_ADJUST messages each side sent.
    var clientAdjusts = 0
    var serverAdjusts = 0

    init(client: ConnectionConfiguration, server: ConnectionConfiguration) throws {
        let (clientTransport, serverTransport) = EnginePair.configurations()
        engines = try EnginePair(client: clientTransport, server: serverTransport)
        engines.pump()
        try #require(EnginePair.completedExchanges(engines.clientEvents).count == 1)
        engines.clientEvents.removeAll()
        engines.serverEvents.removeAll()
        self.client = ChannelMultiplexer(role: .client, configuration: client)
        self.server = ChannelMultiplexer(role: .server, configuration: server)
    }

    /// Sends what both multiplexers produced, moves the bytes, and feeds what arrived back in.
    /// Returns false once nothing moved.
    func step() throws -> Bool {
        let fromClient = client.takeOutgoing()
        let fromServer = server.takeOutgoing()
        for payload in fromClient {
            if payload.first == SSHMessageNumber.channelWindowAdjust { clientAdjusts += 1 }
            try engines.client.send(payload)
        }
        for payload in fromServer {
            if payload.first == SSHMessageNumber.channelWindowAdjust { serverAdjusts += 1 }
            try engines.server.send(payload)
        }
        engines.pump()
        let toClient = EnginePair.payloads(engines.clientEvents)
        let toServer = EnginePair.payloads(engines.serverEvents)
        #expect(EnginePair.disconnect(engines.clientEvents + engines.serverEvents) == nil)
        engines.clientEvents.removeAll()
        engines.serverEvents.removeAll()
        for payload in toClient { try client.receive(payload) }
        for payload in toServer { try server.receive(payload) }
        while let event = client.nextEvent() { clientEvents.append(event) }
        while let event = server.nextEvent() {
            serverEvents.append(event)
            if case .channelOpenRequested(let request) = event { try server.acceptChannel(request.channel) }
        }
        return !(fromClient.isEmpty && fromServer.isEmpty && toClient.isEmpty && toServer.isEmpty)
    }

    /// Deterministic pseudo-random bytes.
    static func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var index = 0
            while index < count {
                var word = generator.next()
                for _ in 0..<8 where index < count {
                    buffer[index] = UInt8(truncatingIfNeeded: word)
                    word >>= 8
                    index += 1
                }
            }
            initialized = count
        }
    }
}

@Suite struct ConnectionOverTransportTests {
    struct Windows: CustomTestStringConvertible, Sendable {
        var name: String
        var configuration: ConnectionConfiguration
        /// The fewest WINDOW_ADJUST messages the client must send for 16 MiB.
        var minimumAdjusts: Int
        var testDescription: String { name }
    }

    static let windows = [
        Windows(name: "fixed 256 KiB window", configuration: ConnectionConfiguration(
            initialWindowSize: 256 * 1024, maximumWindowSize: 256 * 1024), minimumAdjusts: 100),
        // 2 MiB doubling to 16 MiB: adjusts at 1, 2 and 4 MiB consumed grow it, then it refills.
        Windows(name: "default window", configuration: ConnectionConfiguration(), minimumAdjusts: 3),
    ]

    /// 16 MiB from server to client through one session, with a matching SHA-256: the sender is
    /// held at the window and resumes on every WINDOW_ADJUST (RFC 4254 §5.2).
    @Test(arguments: windows)
    func sixteenMebibytesThroughOneChannel(_ windows: Windows) throws {
        let link = try ConnectionOverTransport(client: windows.configuration, server: ConnectionConfiguration())
        let c = try link.client.openChannel(.session)
        while try link.step() {}
        let s = try #require(link.serverEvents.compactMap { e -> SSHChannelID? in
            if case .channelOpenRequested(let r) = e { r.channel } else { nil }
        }.first)
        #expect(link.clientEvents.contains(.channelOpened(c)))

        let total = 16 * 1024 * 1024
        let data = ConnectionOverTransport.randomBytes(total, seed: 16)
        var offset = 0
        var exhausted = 0
        var blocked = false
        var readyEvents = 0
        var closed = false
        var received: [UInt8] = []
        received.reserveCapacity(total)
        repeat {
            // The owner sends until the engine takes only part, then waits for readyToSend.
            while offset < total, !blocked {
                let chunk = data[offset..<min(offset + 256 * 1024, total)]
                let accepted = try link.server.send(chunk, on: s)
                offset += accepted
                blocked = accepted < chunk.count
            }
            if link.server.peerWindow(of: s) == 0 { exhausted += 1 }
            if offset == total, !closed {
                try link.server.sendExitStatus(0, on: s)
                try link.server.sendEOF(s)
                try link.server.close(s)
                closed = true
            }
            let moved = try link.step()
            for event in link.clientEvents { if case .data(c, let slice) = event { received += slice } }
            link.clientEvents.removeAll { if case .data = $0 { true } else { false } }
            for event in link.serverEvents where event == .readyToSend(s) {
                readyEvents += 1
                blocked = false
            }
            link.serverEvents.removeAll { $0 == .readyToSend(s) }
            if !moved { break }
        } while true

        #expect(received.count == total)
        #expect(HashFunction.sha256.hash(received) == HashFunction.sha256.hash(data))
        #expect(link.clientEvents.contains(.eof(c)) && link.clientEvents.contains(.channelClosed(c)))
        #expect(link.serverEvents.contains(.channelClosed(s)))
        #expect(link.client.channelCount == 0 && link.server.channelCount == 0)
        // The window ran dry and was replenished many times.
        #expect(exhausted >= windows.minimumAdjusts, "exhausted \(exhausted) times")
        #expect(link.clientAdjusts >= windows.minimumAdjusts, "\(link.clientAdjusts) adjusts")
        #expect(readyEvents >= 1, "the sender was held back and released")
    }

    @Test func twoChannelsInterleavedOverTransport() throws {
        let link = try ConnectionOverTransport(client: ConnectionConfiguration(), server: ConnectionConfiguration())
        let a = try link.client.openChannel(.session)
        let b = try link.client.openChannel(
            .directTCPIP(hostToConnect: "localhost", portToConnect: 22, originatorAddress: "::1", originatorPort: 1))
        while try link.step() {}
        let server = link.serverEvents.compactMap { e -> SSHChannelID? in
            if case .channelOpenRequested(let r) = e { r.channel } else { nil }
        }
        try #require(server.count == 2)
        let first = ConnectionOverTransport.randomBytes(1_000_000, seed: 1)
        let second = ConnectionOverTransport.randomBytes(1_000_000, seed: 2)
        var offset = 0
        while offset < first.count {
            let end = min(offset + 50_000, first.count)
            #expect(try link.client.send(first[offset..<end], on: a) == end - offset)
            #expect(try link.client.send(second[offset..<end], on: b) == end - offset)
            _ = try link.step()
            offset = end
        }
        while try link.step() {}
        var gotA: [UInt8] = []
        var gotB: [UInt8] = []
        for event in link.serverEvents {
            if case .data(let id, let slice) = event {
                if id == server[0] { gotA += slice } else if id == server[1] { gotB += slice }
            }
        }
        #expect(gotA == first && gotB == second)
    }
}
