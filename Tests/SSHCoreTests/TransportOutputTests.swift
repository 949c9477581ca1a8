import SSHCrypto
import SSHWire
import Testing
@testable import SSHCore

/// Output written in place (``SSHTransport/writeOutput(_:)``): a peer that takes a few bytes at a
/// time still gets every byte once, in order, and a buffer drained to the end keeps its memory
/// only up to ``TransportLimits/retainedBufferSize``.
@Suite struct TransportOutputTests {
    /// Moves what `source` has to `destination`, `step` bytes per write. Odd steps are read in
    /// place (``SSHTransport/receive(upTo:_:)``) into a buffer lent for the read and taken back
    /// when nothing is left in it, as the server does.
    func move(_ source: SSHTransport, _ destination: SSHTransport, step: Int, lent: inout [UInt8]) -> Bool {
        var moved = false
        while source.hasOutput {
            source.writeOutput { raw -> Int in
                let count = min(step, raw.count)
                if step % 2 == 1 {
                    let borrowed = destination.exchangeReceiveBuffer(&lent)
                    destination.receive(upTo: count) { room -> Int in
                        room.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0..<count]))
                        return count
                    }
                    if borrowed { _ = destination.exchangeReceiveBuffer(&lent) }
                } else {
                    destination.receive(UnsafeRawBufferPointer(rebasing: raw[0..<count]))
                }
                return count
            }
            moved = true
        }
        return moved
    }

    @Test(arguments: [1, 7, 4096, 65_537])
    func partialWritesDeliverEveryByteOnce(step: Int) throws {
        let (clientConfiguration, serverConfiguration) = EnginePair.configurations(kex: "curve25519-sha256", cipher: "aes128-gcm@openssh.com")
        let client = try SSHTransport(configuration: clientConfiguration)
        let server = try SSHTransport(configuration: serverConfiguration)
        var serverPayloads: [[UInt8]] = []
        var completed = 0
        var sent = false
        var lent: [UInt8] = []
        for _ in 0..<10_000 {
            let a = move(client, server, step: step, lent: &lent)
            let b = move(server, client, step: step, lent: &lent)
            while let event = client.nextEvent() {
                if case .keyExchangeCompleted = event { completed += 1 }
            }
            while let event = server.nextEvent() {
                if case .keyExchangeCompleted = event { completed += 1 }
                if case .payload(let bytes, _) = event { serverPayloads.append(bytes) }
            }
            if completed == 2 && !sent {
                for index in 0..<20 { try client.send(sampleUpperLayerPayload(index, size: 3000 * index)) }
                sent = true
                continue
            }
            if !a && !b { break }
        }
        #expect(completed == 2)
        #expect(serverPayloads == (0..<20).map { sampleUpperLayerPayload($0, size: 3000 * $0) })
        #expect(!client.hasOutput && !server.hasOutput)
    }

    @Test func writingNothingKeepsEverything() throws {
        let (clientConfiguration, _) = EnginePair.configurations()
        let client = try SSHTransport(configuration: clientConfiguration)
        let before = client.takeOutput()
        let again = try SSHTransport(configuration: clientConfiguration)
        again.writeOutput { _ in 0 }
        #expect(again.hasOutput)
        // The identification line and a KEXINIT (with its own random cookie) are still all there.
        #expect(again.takeOutput().count == before.count)
        #expect(!again.hasOutput)
    }

    /// Payloads in two parts (a message header, then a caller's data) are sealed with the data
    /// encrypted from where it is: every cipher, bodies of awkward lengths, delivered intact.
    @Test(arguments: ["aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com", "aes128-ctr"])
    func twoPartPayloadsArriveIntact(cipher: String) throws {
        let (client, server) = EnginePair.configurations(cipher: cipher, mac: "hmac-sha2-256-etm@openssh.com")
        let pair = try EnginePair(client: client, server: server)
        pair.pump()
        var generator = SeededGenerator(seed: 7)
        let data = [UInt8].random(count: 70_000, using: &generator)
        var expected: [[UInt8]] = []
        for (index, length) in [1, 15, 16, 17, 63, 64, 65, 1000, 32_768, 32_781].enumerated() {
            let header: [UInt8] = [94, 0, 0, 0, UInt8(index), 0, 0, UInt8(length >> 8), UInt8(length & 0xFF)]
            let body = data[index..<index + length]
            try pair.client.send(OutgoingPayload(header, body: body))
            expected.append(header + body)
        }
        let before = EnginePair.payloads(pair.serverEvents).count
        pair.pump()
        #expect(Array(EnginePair.payloads(pair.serverEvents)[before...]) == expected)
    }
}
