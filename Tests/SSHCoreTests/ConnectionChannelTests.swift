import SSHWire
import Testing
@testable import SSHCore

/// Channel life cycle (RFC 4254 §5.1, §5.3) with a client and a server back to back.
@Suite struct ConnectionChannelTests {
    @Test func sessionOpensCarriesDataBothWaysAndCloses() throws {
        let pair = ConnectionPair()
        let (c, s) = try pair.openSession()
        guard case .channelOpenRequested(let request) = try #require(pair.serverEvents.first) else {
            Issue.record("no open request")
            return
        }
        #expect(request.channelType == "session" && request.payload == .session)
        #expect(Int(request.peerWindowSize) == ConnectionLimits.defaultInitialWindowSize)
        #expect(Int(request.peerMaximumPacketSize) == ConnectionLimits.defaultMaximumPacketSize)

        #expect(try pair.client.send(Array("ls\n".utf8), on: c) == 3)
        #expect(try pair.server.send(Array("out".utf8), on: s) == 3)
        #expect(try pair.server.send(Array("err".utf8), on: s, stream: .stderr) == 3)
        pair.pump()
        #expect(ConnectionPair.data(on: s, in: pair.serverEvents) == Array("ls\n".utf8))
        #expect(ConnectionPair.data(on: c, in: pair.clientEvents) == Array("out".utf8))
        #expect(ConnectionPair.extendedData(on: c, in: pair.clientEvents) == Array("err".utf8))
        #expect(pair.clientEvents.contains(.extendedData(c, dataTypeCode: 1, Array("err".utf8)[...])))

        try pair.server.sendExitStatus(3, on: s)
        try pair.server.sendEOF(s)
        #expect(throws: ChannelError.eofAlreadySent(s)) { try pair.server.send([1], on: s) }
        try pair.server.close(s)
        #expect(throws: ChannelError.closing(s)) { try pair.server.send([1], on: s) }
        pair.pump()
        #expect(pair.clientEvents.contains(.eof(c)))
        #expect(pair.clientEvents.contains(.channelClosed(c)))
        #expect(pair.serverEvents.contains(.channelClosed(s)))
        let exit = pair.clientEvents.contains {
            if case .channelRequest(c, let r) = $0 { r.payload == .exitStatus(3) && !r.wantReply } else { false }
        }
        #expect(exit)
        // The exit status came before the EOF, the EOF before the close.
        let order = ConnectionPair.numbers(pair.toClient).filter { [98, 96, 97].contains($0) }
        #expect(order == [98, 96, 97])
        #expect(!pair.client.exists(c) && !pair.server.exists(s))
        #expect(pair.client.channelCount == 0 && pair.server.channelCount == 0)
        #expect(pair.clientError == nil && pair.serverError == nil)
    }

    @Test func rejectedChannelsCarryTheReason() throws {
        let pair = ConnectionPair()
        pair.autoAccept = false
        let unknown = try pair.client.openChannel(.unknown(data: [1, 2]), channelType: "example@test")
        let tcp = try pair.client.openChannel(
            .directTCPIP(hostToConnect: "example.org", portToConnect: 80, originatorAddress: "::1", originatorPort: 9))
        pair.pump()
        let requests = pair.serverEvents.compactMap { e -> ChannelOpenRequest? in
            if case .channelOpenRequested(let r) = e { r } else { nil }
        }
        try #require(requests.count == 2)
        #expect(requests[0].channelType == "example@test" && requests[0].payload == .unknown(data: [1, 2]))
        #expect(requests[1].payload == .directTCPIP(hostToConnect: "example.org", portToConnect: 80, originatorAddress: "::1", originatorPort: 9))
        try pair.server.rejectChannel(requests[0].channel)
        try pair.server.rejectChannel(requests[1].channel, description: "no")
        pair.pump()
        #expect(pair.clientEvents.contains(.channelOpenFailed(unknown, reasonCode: 3, description: "")))
        #expect(pair.clientEvents.contains(.channelOpenFailed(tcp, reasonCode: 1, description: "no")))
        #expect(pair.client.channelCount == 0 && pair.server.channelCount == 0)
        #expect(throws: ChannelError.noSuchChannel(requests[0].channel)) { try pair.server.acceptChannel(requests[0].channel) }
    }

    @Test func ownerMayAcceptAnUnknownChannelType() throws {
        let pair = ConnectionPair()
        let id = try pair.client.openChannel(.unknown(data: []), channelType: "example@test")
        pair.pump()
        #expect(pair.clientEvents.contains(.channelOpened(id)))
    }

    @Test func serverOpensForwardedTCPIP() throws {
        let pair = ConnectionPair()
        let s = try pair.server.openChannel(
            .forwardedTCPIP(connectedAddress: "127.0.0.1", connectedPort: 8080, originatorAddress: "10.0.0.1", originatorPort: 5555))
        #expect(throws: ChannelError.wrongState(s, "not open")) { try pair.server.send([1], on: s) }
        pair.pump()
        #expect(pair.serverEvents.contains(.channelOpened(s)))
        let c = try #require(pair.clientEvents.compactMap { e -> SSHChannelID? in
            if case .channelOpenRequested(let r) = e { r.channel } else { nil }
        }.first)
        try pair.server.send([9, 8, 7], on: s)
        pair.pump()
        #expect(ConnectionPair.data(on: c, in: pair.clientEvents) == [9, 8, 7])
    }

    @Test func twoChannelsInterleaved() throws {
        let pair = ConnectionPair()
        let first = try pair.openSession()
        let second = try pair.openSession()
        #expect(first.client != second.client && first.server != second.server)
        let a = patternBytes(300_000, seed: 1)
        let b = patternBytes(300_000, seed: 2)
        var offset = 0
        while offset < a.count {
            let end = min(offset + 7_000, a.count)
            #expect(try pair.client.send(a[offset..<end], on: first.client) == end - offset)
            #expect(try pair.client.send(b[offset..<end], on: second.client) == end - offset)
            #expect(try pair.server.send(b[offset..<end], on: first.server) == end - offset)
            #expect(try pair.server.send(a[offset..<end], on: second.server) == end - offset)
            pair.pump()
            offset = end
        }
        #expect(ConnectionPair.data(on: first.server, in: pair.serverEvents) == a)
        #expect(ConnectionPair.data(on: second.server, in: pair.serverEvents) == b)
        #expect(ConnectionPair.data(on: first.client, in: pair.clientEvents) == b)
        #expect(ConnectionPair.data(on: second.client, in: pair.clientEvents) == a)
        try pair.client.close(first.client)
        pair.pump()
        try pair.client.send([1, 2, 3], on: second.client)
        pair.pump()
        #expect(ConnectionPair.data(on: second.server, in: pair.serverEvents).suffix(3) == [1, 2, 3])
        #expect(pair.serverEvents.contains(.channelClosed(first.server)))
        #expect(!pair.serverEvents.contains(.channelClosed(second.server)))
        #expect(pair.clientError == nil && pair.serverError == nil)
    }

    /// RFC 4254 §5.3: ids are reused only after CLOSE went both ways; data that crossed our CLOSE
    /// is dropped and never reaches the channel that reuses the id.
    @Test func thousandOpenCloseCyclesReuseIdsAndDropLateMessages() throws {
        let pair = ConnectionPair()
        var seen: Set<UInt32> = []
        for cycle in 0..<1_000 {
            let (c, s) = try pair.openSession()
            seen.insert(c.rawValue)
            // The server writes while the client closes: the data crosses the client's CLOSE.
            try pair.server.send([UInt8(truncatingIfNeeded: cycle)], on: s)
            try pair.client.close(c)
            let late = pair.server.takeOutgoing()
            let closing = pair.client.takeOutgoing()
            #expect(ConnectionPair.numbers(late) == [94] && ConnectionPair.numbers(closing) == [97])
            #expect(pair.client.exists(c), "the id stays taken until the peer's CLOSE")
            for payload in late { try pair.client.receive(payload) }
            for payload in closing { try pair.server.receive(payload) }
            pair.drain()
            pair.pump()
            #expect(!pair.client.exists(c) && !pair.server.exists(s))
        }
        #expect(seen == [0], "the lowest free id is reused every time")
        #expect(ConnectionPair.data(on: SSHChannelID(0), in: pair.clientEvents).isEmpty)
        #expect(pair.client.channelCount == 0 && pair.server.channelCount == 0)
        // Once both CLOSEs have crossed, a message for the freed id is a violation.
        #expect(pair.injectToClient(SSHMsgChannelData(recipientChannel: 0, data: [1])) == .unknownChannel(0))
    }

    @Test func closeBeforeConfirmationClosesOnceConfirmed() throws {
        let pair = ConnectionPair()
        let id = try pair.client.openChannel(.session)
        try pair.client.close(id)
        pair.pump()
        #expect(pair.clientEvents.contains(.channelOpened(id)))
        #expect(pair.clientEvents.contains(.channelClosed(id)))
        #expect(pair.server.channelCount == 0 && pair.client.channelCount == 0)
    }

    @Test func closeWhileAwaitingAcceptanceRejects() throws {
        let pair = ConnectionPair()
        pair.autoAccept = false
        let id = try pair.client.openChannel(.session)
        pair.pump()
        try pair.server.close(SSHChannelID(0))
        pair.pump()
        #expect(pair.clientEvents.contains(.channelOpenFailed(id, reasonCode: 1, description: "closed")))
    }

    @Test func tooManyChannelsGetResourceShortage() throws {
        let pair = ConnectionPair()
        pair.autoAccept = false
        for _ in 0..<ConnectionLimits.maximumChannels { _ = try pair.client.openChannel(.session) }
        #expect(throws: ChannelError.tooManyChannels) { try pair.client.openChannel(.session) }
        pair.pump()
        #expect(pair.server.channelCount == ConnectionLimits.maximumChannels)
        // One more from a peer that does not keep count: refused, not disconnected.
        #expect(pair.injectToServer(SSHMsgChannelOpen(senderChannel: 5000, initialWindowSize: 100, maximumPacketSize: 100, payload: .session)) == nil)
        let reply = try #require(pair.server.takeOutgoing().last)
        let failure = try SSHMsgChannelOpenFailure.decode(reply)
        #expect(failure.recipientChannel == 5000 && failure.reason == .resourceShortage)
    }
}
