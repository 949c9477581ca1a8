import SSHWire
import Testing
@testable import SSHCore

/// Channel requests (RFC 4254 §5.4, §6) and global requests (§4, OpenSSH PROTOCOL).
@Suite struct ConnectionRequestTests {
    static func channelRequests(_ events: [ConnectionEvent]) -> [IncomingChannelRequest] {
        events.compactMap { if case .channelRequest(_, let r) = $0 { r } else { nil } }
    }

    static func globalRequests(_ events: [ConnectionEvent]) -> [IncomingGlobalRequest] {
        events.compactMap { if case .globalRequest(let r) = $0 { r } else { nil } }
    }

    @Test func channelRequestRepliesLeaveInArrivalOrder() throws {
        let pair = ConnectionPair()
        let (c, s) = try pair.openSession()
        try pair.client.sendChannelRequest(
            .ptyReq(term: "xterm", widthCharacters: 80, heightRows: 24, widthPixels: 0, heightPixels: 0, terminalModes: [0]),
            on: c, wantReply: true)
        try pair.client.sendChannelRequest(.env(name: "LANG", value: "C"), on: c, wantReply: false)
        try pair.client.sendChannelRequest(.env(name: "A", value: "B"), on: c, wantReply: true)
        try pair.client.sendChannelRequest(.windowChange(widthCharacters: 100, heightRows: 30, widthPixels: 0, heightPixels: 0), on: c, wantReply: false)
        try pair.client.sendChannelRequest(.shell, on: c, wantReply: true)
        pair.pump()
        let requests = Self.channelRequests(pair.serverEvents)
        #expect(requests.map(\.requestType) == ["pty-req", "env", "env", "window-change", "shell"])
        #expect(requests.map(\.wantReply) == [true, false, true, false, true])
        #expect(requests[1].requestNumber == nil && requests[3].requestNumber == nil)
        let pty = try #require(requests[0].requestNumber)
        let env = try #require(requests[2].requestNumber)
        let shell = try #require(requests[4].requestNumber)
        // Decided out of order: nothing leaves until the oldest is decided.
        try pair.server.replyToChannelRequest(s, request: shell, success: true)
        try pair.server.replyToChannelRequest(s, request: env, success: false)
        #expect(pair.server.takeOutgoing().isEmpty)
        try pair.server.replyToChannelRequest(s, request: pty, success: true)
        let replies = pair.server.takeOutgoing()
        #expect(ConnectionPair.numbers(replies) == [99, 100, 99])
        for payload in replies { try pair.client.receive(payload) }
        pair.drain()
        let answers = pair.clientEvents.compactMap { e -> Bool? in
            if case .channelRequestReply(c, let success) = e { success } else { nil }
        }
        #expect(answers == [true, false, true])
        #expect(throws: ChannelError.noPendingRequest) { try pair.server.replyToChannelRequest(s, success: true) }
    }

    @Test func oldestRequestIsAnsweredWithoutANumber() throws {
        let pair = ConnectionPair()
        let (c, s) = try pair.openSession()
        try pair.client.sendChannelRequest(.exec(command: Array("true".utf8)), on: c, wantReply: true)
        try pair.client.sendChannelRequest(.signal(name: "INT"), on: c, wantReply: true)
        pair.pump()
        try pair.server.replyToChannelRequest(s, success: false)
        try pair.server.replyToChannelRequest(s, success: true)
        pair.pump()
        #expect(pair.clientEvents.suffix(2) == [.channelRequestReply(c, success: false), .channelRequestReply(c, success: true)])
    }

    @Test func everyRequestTypeReachesTheOwner() throws {
        let pair = ConnectionPair()
        let (c, s) = try pair.openSession()
        let payloads: [SSHChannelRequestPayload] = [
            .ptyReq(term: "vt100", widthCharacters: 1, heightRows: 2, widthPixels: 3, heightPixels: 4, terminalModes: []),
            .env(name: "X", value: "Y"), .shell, .exec(command: [0x6C, 0x73]), .subsystem(name: "sftp"),
            .windowChange(widthCharacters: 5, heightRows: 6, widthPixels: 7, heightPixels: 8), .signal(name: "TERM"),
            .breakRequest(milliseconds: 500), .xonXoff(clientCanDo: true),
            .x11Req(singleConnection: false, authProtocol: "MIT-MAGIC-COOKIE-1", authCookie: "00ff", screenNumber: 0),
        ]
        for payload in payloads { try pair.client.sendChannelRequest(payload, on: c, wantReply: false) }
        try pair.client.sendChannelRequest(.unknown(data: [1]), on: c, wantReply: false, requestType: "example@test")
        try pair.server.sendExitStatus(0, on: s)
        try pair.server.sendExitSignal("KILL", coreDumped: true, errorMessage: "killed", on: s)
        try pair.server.sendEndOfWrite(on: s)
        pair.pump()
        let received = Self.channelRequests(pair.serverEvents)
        #expect(received.map(\.payload) == payloads + [.unknown(data: [1])])
        #expect(received.last?.requestType == "example@test")
        #expect(Self.channelRequests(pair.clientEvents).map(\.payload) == [
            .exitStatus(0), .exitSignal(signalName: "KILL", coreDumped: true, errorMessage: "killed", languageTag: ""),
            .endOfWrite,
        ])
    }

    @Test func requestsAfterOurCloseAreDroppedWithoutReply() throws {
        let pair = ConnectionPair()
        let (c, s) = try pair.openSession()
        try pair.client.sendChannelRequest(.shell, on: c, wantReply: true)
        let request = pair.client.takeOutgoing()
        try pair.server.close(s)
        for payload in request { try pair.server.receive(payload) }
        pair.drain()
        #expect(Self.channelRequests(pair.serverEvents).isEmpty)
        try pair.server.replyToChannelRequest(s, success: true)  // ignored after close
        pair.pump()
        #expect(!ConnectionPair.numbers(pair.toClient).contains(99))
        #expect(pair.clientEvents.contains(.channelClosed(c)))
        #expect(pair.clientError == nil && pair.serverError == nil)
    }

    @Test func globalRequestsAreAnsweredInOrderWithData() throws {
        let pair = ConnectionPair()
        try pair.client.sendGlobalRequest(.tcpipForward(bindAddress: "localhost", bindPort: 0), wantReply: true)
        try pair.client.sendGlobalRequest(.keepAlive, wantReply: true)
        try pair.client.sendGlobalRequest(.cancelTCPIPForward(bindAddress: "localhost", bindPort: 1), wantReply: true)
        pair.pump()
        let requests = Self.globalRequests(pair.serverEvents)
        #expect(requests.map(\.requestName) == ["tcpip-forward", "cancel-tcpip-forward"], "keepalive is answered by the engine")
        #expect(pair.server.takeOutgoing().isEmpty, "the keepalive reply waits behind tcpip-forward")
        try pair.server.replyToGlobalRequest(request: requests[1].requestNumber, success: false)
        try pair.server.replyToGlobalRequest(request: requests[0].requestNumber, success: true, data: [0, 0, 0x9C, 0x40])
        pair.pump()
        let replies = pair.clientEvents.compactMap { e -> (Bool, [UInt8])? in
            if case .globalRequestReply(let s, let d) = e { (s, d) } else { nil }
        }
        #expect(replies.map(\.0) == [true, false, false])
        #expect(replies.first?.1 == [0, 0, 0x9C, 0x40])
        #expect(throws: ChannelError.noPendingRequest) { try pair.server.replyToGlobalRequest(success: true) }
    }

    @Test func keepaliveIsAnsweredWithFailure() throws {
        let server = ChannelMultiplexer(role: .server)
        try server.receive(SSHMsgGlobalRequest(wantReply: true, payload: .keepAlive).encoded())
        let out = server.takeOutgoing()
        #expect(out == [SSHMsgRequestFailure().encoded()])
        #expect(server.nextEvent() == nil)
        try server.receive(SSHMsgGlobalRequest(wantReply: false, payload: .keepAlive).encoded())
        #expect(server.takeOutgoing().isEmpty)
    }

    @Test func noMoreSessionsRefusesFurtherSessions() throws {
        let pair = ConnectionPair()
        _ = try pair.openSession()
        try pair.client.sendGlobalRequest(.noMoreSessions, wantReply: false)
        pair.pump()
        #expect(pair.server.peerSentNoMoreSessions)
        // Other channel types still open.
        let tcp = try pair.client.openChannel(
            .directTCPIP(hostToConnect: "h", portToConnect: 1, originatorAddress: "o", originatorPort: 2))
        pair.pump()
        #expect(pair.clientEvents.contains(.channelOpened(tcp)))
        _ = try pair.client.openChannel(.session)
        pair.pump()
        #expect(pair.serverError == .sessionAfterNoMoreSessions)
        #expect(pair.serverError?.disconnectReason == .protocolError)
    }

    @Test func hostKeysAnnouncementAndProve() throws {
        let pair = ConnectionPair()
        try pair.server.sendGlobalRequest(.hostKeys([[1, 2], [3]]), wantReply: false)
        try pair.client.sendGlobalRequest(.hostKeysProve([[1, 2]]), wantReply: true)
        pair.pump()
        #expect(Self.globalRequests(pair.clientEvents).map(\.payload) == [.hostKeys([[1, 2], [3]])])
        let prove = try #require(Self.globalRequests(pair.serverEvents).first)
        #expect(prove.payload == .hostKeysProve([[1, 2]]) && prove.wantReply)
        try pair.server.replyToGlobalRequest(success: true, data: [0, 0, 0, 1, 7])
        pair.pump()
        #expect(pair.clientEvents.last == .globalRequestReply(success: true, data: [0, 0, 0, 1, 7]))
    }

    @Test func unknownConnectionNumberGetsUnimplemented() throws {
        let server = ChannelMultiplexer(role: .server)
        try server.receive([120, 1, 2], sequenceNumber: 42)
        #expect(server.takeOutgoing() == [SSHMsgUnimplemented(sequenceNumber: 42).encoded()])
    }
}
