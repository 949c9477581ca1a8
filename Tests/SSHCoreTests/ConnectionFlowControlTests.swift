import SSHWire
import Testing
@testable import SSHCore

/// Windows, packet sizes and the send queue (RFC 4254 §5.2).
@Suite struct ConnectionFlowControlTests {
    /// A small fixed window on the server's receive side.
    static let small = ConnectionConfiguration(
        initialWindowSize: 10_000, maximumWindowSize: 10_000, maximumPacketSize: 3_000)

    @Test func senderStopsExactlyAtTheWindowAndResumesOnAdjust() throws {
        let pair = ConnectionPair(server: Self.small)
        let (c, s) = try pair.openSession()
        #expect(pair.client.peerWindow(of: c) == 10_000)
        let data = patternBytes(25_000)
        #expect(try pair.client.send(data, on: c) == data.count)
        // Exactly the window went out, in packets no larger than the peer's maximum.
        let first = pair.client.takeOutgoing()
        let sizes = try first.map { try SSHMsgChannelData.decode($0).data.count }
        #expect(sizes == [3_000, 3_000, 3_000, 1_000])
        #expect(pair.client.peerWindow(of: c) == 0)
        #expect(pair.client.queuedByteCount(of: c) == 15_000)
        for payload in first { try pair.server.receive(payload) }
        // The server gave back what it had consumed once that reached half the window (two
        // packets, 6,000 bytes): the client sends exactly that much more.
        let adjusts = pair.server.takeOutgoing()
        let adjust = try SSHMsgChannelWindowAdjust.decode(try #require(adjusts.first))
        #expect(adjusts.count == 1 && adjust.bytesToAdd == 6_000)
        try pair.client.receive(adjusts[0])
        let second = pair.client.takeOutgoing()
        #expect(try second.map { try SSHMsgChannelData.decode($0).data.count } == [3_000, 3_000])
        #expect(pair.client.peerWindow(of: c) == 0)
        #expect(pair.client.queuedByteCount(of: c) == 9_000)
        for payload in second { try pair.server.receive(payload) }
        pair.drain()
        pair.pump()
        #expect(pair.client.queuedByteCount(of: c) == 0)
        #expect(ConnectionPair.data(on: s, in: pair.serverEvents) == data)
        #expect(pair.serverError == nil)
    }

    @Test func packetsFollowThePeersMaximumPacketSize() throws {
        let pair = ConnectionPair(server: ConnectionConfiguration(maximumPacketSize: 1_000))
        let (c, _) = try pair.openSession()
        try pair.client.send(patternBytes(4_500), on: c, stream: .stderr)
        let sizes = try pair.client.takeOutgoing().map { try SSHMsgChannelExtendedData.decode($0).data.count }
        #expect(sizes == [1_000, 1_000, 1_000, 1_000, 500])
    }

    @Test func fullQueueTakesPartOfASendThenReportsReadyToSend() throws {
        let pair = ConnectionPair(server: Self.small)
        let (c, s) = try pair.openSession()
        let limit = ConnectionLimits.maximumQueuedBytesPerChannel
        let data = patternBytes(limit + 30_000)
        let accepted = try pair.client.send(data, on: c)
        #expect(accepted == 10_000 + limit)
        #expect(!pair.client.canSend(on: c))
        #expect(try pair.client.send([1, 2, 3], on: c) == 0)
        // Deliver without letting the owner send more; the queue drains over many adjusts.
        pair.pump()
        #expect(pair.client.queuedByteCount(of: c) == 0)
        #expect(pair.clientEvents.filter { $0 == .readyToSend(c) }.count == 1)
        #expect(pair.client.canSend(on: c))
        #expect(ConnectionPair.data(on: s, in: pair.serverEvents) == Array(data.prefix(accepted)))
        // Windows were exhausted and replenished many times.
        let adjusts = ConnectionPair.numbers(pair.toClient).filter { $0 == SSHMessageNumber.channelWindowAdjust }
        #expect(adjusts.count >= limit / 10_000)
    }

    @Test func eofAndCloseWaitForQueuedData() throws {
        let pair = ConnectionPair(server: Self.small)
        let (c, s) = try pair.openSession()
        let data = patternBytes(50_000)
        try pair.client.send(data, on: c)
        try pair.client.sendEOF(c)
        try pair.client.close(c)
        #expect(!ConnectionPair.numbers(pair.client.takeOutgoing()).contains(96), "EOF waits for the window")
        // Re-deliver from the start: drop what was taken, pump the rest through.
        let fresh = ConnectionPair(server: Self.small)
        let (c2, s2) = try fresh.openSession()
        try fresh.client.send(data, on: c2)
        try fresh.client.sendEOF(c2)
        try fresh.client.close(c2)
        fresh.pump()
        #expect(ConnectionPair.data(on: s2, in: fresh.serverEvents) == data)
        let numbers = ConnectionPair.numbers(fresh.toServer)
        let lastData = try #require(numbers.lastIndex(of: 94))
        #expect(numbers.firstIndex(of: 96).map { $0 > lastData } == true)
        #expect(numbers.firstIndex(of: 97).map { $0 > lastData } == true)
        #expect(fresh.serverEvents.contains(.eof(s2)) && fresh.serverEvents.contains(.channelClosed(s2)))
        _ = s
    }

    @Test func closeCanDiscardQueuedData() throws {
        let pair = ConnectionPair(server: Self.small)
        let (c, s) = try pair.openSession()
        try pair.client.send(patternBytes(50_000), on: c)
        try pair.client.close(c, discardingQueuedData: true)
        pair.pump()
        #expect(ConnectionPair.data(on: s, in: pair.serverEvents).count < 50_000)
        #expect(pair.clientEvents.contains(.channelClosed(c)))
    }

    @Test func receiveWindowGrowsToTheMaximum() throws {
        let pair = ConnectionPair(server: ConnectionConfiguration(initialWindowSize: 64 * 1024, maximumWindowSize: 1024 * 1024))
        let (c, s) = try pair.openSession()
        let data = patternBytes(4 * 1024 * 1024)
        var offset = 0
        while offset < data.count {
            offset += try pair.client.send(data[offset...], on: c)
            pair.pump()
        }
        #expect(ConnectionPair.data(on: s, in: pair.serverEvents) == data)
        let adds = try pair.toClient.filter { $0.first == SSHMessageNumber.channelWindowAdjust }
            .map { try SSHMsgChannelWindowAdjust.decode($0).bytesToAdd }
        let firstIncrement: UInt32 = 32 * 1024 + 64 * 1024
        #expect(adds.first == firstIncrement)
        #expect(pair.server.receiveWindow(of: s).map { $0 <= 1024 * 1024 } == true)
        #expect(pair.client.peerWindow(of: c).map { $0 > 512 * 1024 } == true)
    }

    @Test func manualConsumptionHoldsThePeerBack() throws {
        let pair = ConnectionPair(server: ConnectionConfiguration(
            initialWindowSize: 10_000, maximumWindowSize: 10_000, maximumPacketSize: 5_000, automaticWindowAdjust: false))
        let (c, s) = try pair.openSession()
        try pair.client.send(patternBytes(30_000), on: c)
        pair.pump()
        #expect(ConnectionPair.data(on: s, in: pair.serverEvents).count == 10_000)
        try pair.server.consume(4_000, on: s)
        pair.pump()
        #expect(ConnectionPair.data(on: s, in: pair.serverEvents).count == 10_000, "below half: no adjust yet")
        try pair.server.consume(1_000, on: s)
        pair.pump()
        #expect(ConnectionPair.data(on: s, in: pair.serverEvents).count == 15_000)
    }

    @Test func peerWithZeroWindowGetsNothingUntilItAdjusts() throws {
        let pair = ConnectionPair(server: Self.small)
        let id = try pair.client.openChannel(.session)
        pair.autoAccept = false
        _ = pair.client.takeOutgoing()
        try pair.client.receive(SSHMsgChannelOpenConfirmation(
            recipientChannel: id.rawValue, senderChannel: 7, initialWindowSize: 0, maximumPacketSize: 0).encoded())
        #expect(try pair.client.send([1, 2, 3], on: id) == 3)
        #expect(pair.client.takeOutgoing().isEmpty)
        try pair.client.receive(SSHMsgChannelWindowAdjust(recipientChannel: id.rawValue, bytesToAdd: 2).encoded())
        #expect(pair.client.takeOutgoing().isEmpty, "a maximum packet size of 0 admits nothing")
        #expect(pair.client.queuedByteCount(of: id) == 3)
    }

    /// Behind a closed window, large slices wait as they are and small pieces are gathered: once
    /// the window opens everything leaves in order, the small pieces in full-size packets.
    @Test func queuedSlicesAndSmallPiecesLeaveInOrder() throws {
        let pair = ConnectionPair(server: ConnectionConfiguration(maximumPacketSize: 3_000))
        let id = try pair.client.openChannel(.session)
        pair.autoAccept = false
        _ = pair.client.takeOutgoing()
        try pair.client.receive(SSHMsgChannelOpenConfirmation(
            recipientChannel: id.rawValue, senderChannel: 7, initialWindowSize: 0, maximumPacketSize: 3_000).encoded())
        let big = patternBytes(10_000)
        var expected: [UInt8] = []
        for round in 0..<3 {
            #expect(try pair.client.send(big[(round * 1_000)...], on: id) == 10_000 - round * 1_000)
            expected += big[(round * 1_000)...]
            for piece in 0..<10 {
                let small = [UInt8](repeating: UInt8(round * 10 + piece), count: 500)
                #expect(try pair.client.send(small, on: id) == 500)
                expected += small
            }
        }
        #expect(pair.client.takeOutgoing().isEmpty)
        try pair.client.receive(SSHMsgChannelWindowAdjust(recipientChannel: id.rawValue, bytesToAdd: UInt32(expected.count)).encoded())
        let packets = try pair.client.takeOutgoing().map { try SSHMsgChannelData.decode($0).data }
        let inOrder = Array(packets.joined()) == expected
        #expect(inOrder)
        // Per round: 10,000 − 1,000·round bytes of slice in 3,000-byte packets, then 5,000 bytes
        // of small pieces in two full packets and one of 2,000.
        #expect(packets.map(\.count) == [3_000, 3_000, 3_000, 1_000, 3_000, 2_000]
            + [3_000, 3_000, 3_000, 3_000, 2_000] + [3_000, 3_000, 2_000, 3_000, 2_000])
    }
}
