import SSHWire
import Testing
@testable import SSHCore

/// A peer's violations of RFC 4254: each ends in a ``ConnectionError`` that maps to
/// SSH_DISCONNECT_PROTOCOL_ERROR, never in a trap.
@Suite struct ConnectionBadInputTests {
    /// A pair with one open session, small windows on the server's receive side.
    static func openPair() throws -> (ConnectionPair, client: SSHChannelID, server: SSHChannelID) {
        let pair = ConnectionPair(server: ConnectionConfiguration(
            initialWindowSize: 10_000, maximumWindowSize: 10_000, maximumPacketSize: 4_000))
        let (c, s) = try pair.openSession()
        return (pair, c, s)
    }

    @Test func dataForAnUnknownChannel() throws {
        let (pair, _, _) = try Self.openPair()
        let error = pair.injectToServer(SSHMsgChannelData(recipientChannel: 77, data: [1]))
        #expect(error == .unknownChannel(77))
        #expect(error?.disconnectReason == .protocolError)
        // The engine stays failed.
        #expect(throws: ConnectionError.unknownChannel(77)) { try pair.server.receive(SSHMsgChannelEOF(recipientChannel: 0).encoded()) }
        #expect(pair.server.failure == .unknownChannel(77))
    }

    @Test func dataForAChannelNotYetConfirmed() throws {
        let pair = ConnectionPair()
        pair.autoAccept = false
        let c = try pair.client.openChannel(.session)
        pair.pump()
        // The server has not accepted: the id is allocated but not open.
        #expect(pair.injectToServer(SSHMsgChannelData(recipientChannel: 0, data: [1])) == .channelNotOpen(SSHChannelID(0)))
        // The client's own channel is still waiting for confirmation.
        #expect(pair.injectToClient(SSHMsgChannelData(recipientChannel: c.rawValue, data: [1])) == .channelNotOpen(c))
    }

    @Test func dataBeyondTheWindow() throws {
        // Automatic adjusting gives the window back as soon as half is used; hold it with manual mode.
        let pair = ConnectionPair(server: ConnectionConfiguration(
            initialWindowSize: 10_000, maximumWindowSize: 10_000, maximumPacketSize: 4_000, automaticWindowAdjust: false))
        let (_, s) = try pair.openSession()
        for _ in 0..<2 { #expect(pair.injectToServer(SSHMsgChannelData(recipientChannel: s.rawValue, data: patternBytes(4_000))) == nil) }
        #expect(pair.server.receiveWindow(of: s) == 2_000)
        #expect(pair.injectToServer(SSHMsgChannelData(recipientChannel: s.rawValue, data: patternBytes(2_001)))
            == .windowExceeded(s, length: 2_001, window: 2_000))

        let exact = ConnectionPair(server: pair.server.configuration)
        let (_, s2) = try exact.openSession()
        for size in [4_000, 4_000, 2_000] {
            #expect(exact.injectToServer(SSHMsgChannelData(recipientChannel: s2.rawValue, data: patternBytes(size))) == nil)
        }
        #expect(exact.server.receiveWindow(of: s2) == 0)
        #expect(exact.injectToServer(SSHMsgChannelExtendedData(recipientChannel: s2.rawValue, dataTypeCode: 1, data: [1]))
            == .windowExceeded(s2, length: 1, window: 0))
    }

    @Test func packetLargerThanOurMaximum() throws {
        let (pair, _, s) = try Self.openPair()
        #expect(pair.injectToServer(SSHMsgChannelData(recipientChannel: s.rawValue, data: patternBytes(4_001)))
            == .packetTooLarge(s, length: 4_001, limit: 4_000))
    }

    @Test func windowAdjustOverflowing() throws {
        let (pair, c, s) = try Self.openPair()
        let window = try #require(pair.server.peerWindow(of: s))
        let room = UInt32(ConnectionLimits.largestWindowSize - window)
        #expect(pair.injectToServer(SSHMsgChannelWindowAdjust(recipientChannel: s.rawValue, bytesToAdd: room)) == nil)
        #expect(pair.server.peerWindow(of: s) == ConnectionLimits.largestWindowSize)
        #expect(pair.injectToServer(SSHMsgChannelWindowAdjust(recipientChannel: s.rawValue, bytesToAdd: 1)) == .windowOverflow(s))
        _ = c
    }

    @Test func dataAfterEOF() throws {
        let (pair, c, s) = try Self.openPair()
        try pair.client.sendEOF(c)
        pair.pump()
        #expect(pair.serverEvents.contains(.eof(s)))
        #expect(pair.injectToServer(SSHMsgChannelData(recipientChannel: s.rawValue, data: [1])) == .dataAfterEOF(s))
    }

    @Test func secondEOF() throws {
        let (pair, c, s) = try Self.openPair()
        try pair.client.sendEOF(c)
        pair.pump()
        #expect(pair.injectToServer(SSHMsgChannelEOF(recipientChannel: s.rawValue)) == .duplicateEOF(s))
    }

    @Test func dataAfterCloseAndASecondClose() throws {
        let (pair, c, s) = try Self.openPair()
        try pair.client.close(c)
        pair.pump()
        #expect(pair.serverEvents.contains(.channelClosed(s)))
        #expect(pair.injectToServer(SSHMsgChannelData(recipientChannel: s.rawValue, data: [1])) == .unknownChannel(s.rawValue))
        let (again, c2, s2) = try Self.openPair()
        try again.client.close(c2)
        again.pump()
        #expect(again.injectToServer(SSHMsgChannelClose(recipientChannel: s2.rawValue)) == .unknownChannel(s2.rawValue))
    }

    @Test func confirmationForAChannelWeDidNotOpen() throws {
        let (pair, c, s) = try Self.openPair()
        // Unknown id.
        #expect(pair.injectToClient(SSHMsgChannelOpenConfirmation(
            recipientChannel: 9, senderChannel: 1, initialWindowSize: 1, maximumPacketSize: 1)) == .unexpectedOpenReply(9))
        // An open channel confirmed again.
        let (second, c2, _) = try Self.openPair()
        #expect(second.injectToClient(SSHMsgChannelOpenConfirmation(
            recipientChannel: c2.rawValue, senderChannel: 1, initialWindowSize: 1, maximumPacketSize: 1))
            == .unexpectedOpenReply(c2.rawValue))
        // A channel the peer opened, confirmed by the peer itself.
        let third = ConnectionPair()
        third.autoAccept = false
        _ = try third.client.openChannel(.session)
        third.pump()
        #expect(third.injectToServer(SSHMsgChannelOpenFailure(
            recipientChannel: 0, reason: .connectFailed, description: "")) == .unexpectedOpenReply(0))
        _ = (c, s)
    }

    @Test func tooManyPendingChannelRequests() throws {
        let (pair, _, s) = try Self.openPair()
        for _ in 0..<ConnectionLimits.maximumPendingChannelRequests {
            #expect(pair.injectToServer(SSHMsgChannelRequest(recipientChannel: s.rawValue, wantReply: true, payload: .shell)) == nil)
        }
        // Requests without want-reply take no slot.
        #expect(pair.injectToServer(SSHMsgChannelRequest(recipientChannel: s.rawValue, wantReply: false, payload: .shell)) == nil)
        #expect(pair.injectToServer(SSHMsgChannelRequest(recipientChannel: s.rawValue, wantReply: true, payload: .shell))
            == .tooManyPendingChannelRequests(s))
    }

    @Test func tooManyPendingGlobalRequests() throws {
        let server = ChannelMultiplexer(role: .server)
        let request = SSHMsgGlobalRequest(wantReply: true, payload: .tcpipForward(bindAddress: "", bindPort: 1)).encoded()
        for _ in 0..<ConnectionLimits.maximumPendingGlobalRequests { try server.receive(request) }
        #expect(throws: ConnectionError.tooManyPendingGlobalRequests) { try server.receive(request) }
    }

    @Test func keepalivesBehindAnUnansweredRequestCountTowardTheLimit() throws {
        let server = ChannelMultiplexer(role: .server)
        try server.receive(SSHMsgGlobalRequest(wantReply: true, payload: .tcpipForward(bindAddress: "", bindPort: 1)).encoded())
        let keepalive = SSHMsgGlobalRequest(wantReply: true, payload: .keepAlive).encoded()
        for _ in 1..<ConnectionLimits.maximumPendingGlobalRequests { try server.receive(keepalive) }
        #expect(server.takeOutgoing().isEmpty)
        #expect(throws: ConnectionError.tooManyPendingGlobalRequests) { try server.receive(keepalive) }
    }

    @Test func repliesWithNothingOutstanding() throws {
        let (pair, c, s) = try Self.openPair()
        #expect(pair.injectToServer(SSHMsgChannelSuccess(recipientChannel: s.rawValue)) == .unexpectedChannelRequestReply(s))
        #expect(pair.injectToClient(SSHMsgRequestFailure()) == .unexpectedGlobalRequestReply)
        _ = c
    }

    @Test func messagesOutsideTheConnectionProtocol() throws {
        let server = ChannelMultiplexer(role: .server)
        #expect(throws: ConnectionError.unexpectedMessage(5)) {
            try server.receive(SSHMsgServiceRequest(serviceName: "ssh-userauth").encoded())
        }
        let other = ChannelMultiplexer(role: .server)
        #expect(throws: ConnectionError.unexpectedMessage(120)) { try other.receive([120]) }
    }

    @Test(arguments: [
        [UInt8](), [94], [94, 0, 0, 0, 0], [94, 0, 0, 0, 0, 0, 0, 0, 5, 1], [94, 0, 0, 0, 0, 0, 0, 0, 0, 9],
        [95, 0, 0, 0, 0, 0, 0, 0, 1], [93, 0, 0, 0], [90, 0, 0, 0, 1, 65], [98, 0, 0, 0, 0, 0, 0, 0, 99],
        [80, 0, 0, 0, 2, 0xFF, 0xFE, 1],
    ])
    func malformedPayloads(_ payload: [UInt8]) throws {
        let (pair, _, _) = try Self.openPair()
        #expect(throws: ConnectionError.self) { try pair.server.receive(payload) }
        if case .malformed = pair.server.failure {} else if payload.isEmpty {} else {
            Issue.record("expected malformed, got \(String(describing: pair.server.failure))")
        }
    }

    /// Random payloads for every connection message number: an error or a value, never a trap.
    @Test func randomInputNeverTraps() throws {
        var generator = SeededGenerator(seed: 4254)
        for round in 0..<3_000 {
            let (pair, _, _) = try Self.openPair()
            let number = UInt8(80 + round % 21)
            let length = Int.random(in: 0...24, using: &generator)
            var payload = [number] + [UInt8].random(count: length, using: &generator)
            // Aim half of them at the open channel 0.
            if round % 2 == 0, payload.count >= 5 { payload[1...4] = [0, 0, 0, 0] }
            _ = try? pair.server.receive(payload)
            _ = try? pair.client.receive(payload)
        }
    }
}
