import SSHWire

/// The connection protocol (RFC 4254) as a sans-I/O state machine, for either role.
///
/// It sits above ``SSHTransport`` and user authentication. Its owner feeds it the connection
/// messages (numbers 80–127) that arrive after authentication with ``receive(_:sequenceNumber:)``,
/// sends every payload ``takeOutgoing()`` returns with ``SSHTransport/send(_:)``, and handles what
/// ``nextEvent()`` returns. It opens no socket, reads no clock and never blocks (DESIGN §3).
///
/// ### Invariants
/// - A local channel id is free for reuse only once CHANNEL_CLOSE has been both sent and received
///   (RFC 4254 §5.3), so a late message for a closing channel never reaches a newer one.
/// - We never send more data than the peer's window, nor more per packet than its maximum packet
///   size (RFC 4254 §5.2); nothing is sent on a channel after our CHANNEL_CLOSE, and no data after
///   our CHANNEL_EOF (§5.3).
/// - Replies to channel and global requests leave in the order the requests arrived (§4, §5.4).
/// - Peer input can only grow memory up to the named limits in ``ConnectionLimits``.
///
/// A peer's protocol violation makes ``receive(_:sequenceNumber:)`` throw ``ConnectionError``; the
/// owner then disconnects with its ``ConnectionError/disconnectReason``. A misuse by the owner
/// throws ``ChannelError`` and changes nothing. Not thread-safe: one owner drives it.
public final class ChannelMultiplexer {
    public let role: SSHRole
    public let configuration: ConnectionConfiguration

    /// Channels indexed by local id; nil slots are free ids.
    private var channels: [Channel?] = []
    /// Non-nil entries of ``channels``.
    public private(set) var channelCount = 0

    private var outgoing: [OutgoingPayload] = []
    private var events: [ConnectionEvent] = []
    private var eventIndex = 0

    /// Replies we owe to the peer's global requests, in arrival order.
    private var globalReplies = OrderedReplies<(success: Bool, data: [UInt8])>()
    /// Our global requests that want a reply.
    private var outstandingGlobalRequests = 0

    /// The peer sent `no-more-sessions@openssh.com` (OpenSSH PROTOCOL §2.2).
    public private(set) var peerSentNoMoreSessions = false
    /// The violation that ended the connection, once one was found.
    public private(set) var failure: ConnectionError?

    public init(role: SSHRole, configuration: ConnectionConfiguration = ConnectionConfiguration()) {
        self.role = role
        self.configuration = configuration.validated
    }

    // MARK: - Output

    /// Every payload to send now, in order; pass each to ``SSHTransport/send(_:)``.
    public func takeOutgoing() -> [[UInt8]] {
        takeOutgoingPayloads().map(\.joined)
    }

    /// Every payload to send now, in order, with channel data left in the sender's buffers; pass
    /// each to ``SSHTransport/send(_:)-(OutgoingPayload)``.
    public func takeOutgoingPayloads() -> [OutgoingPayload] {
        var taken: [OutgoingPayload] = []
        swap(&taken, &outgoing)
        return taken
    }

    public var hasOutgoing: Bool { !outgoing.isEmpty }

    /// The next event, in order, or nil.
    public func nextEvent() -> ConnectionEvent? {
        guard eventIndex < events.count else {
            if !events.isEmpty {
                events.removeAll(keepingCapacity: true)
                eventIndex = 0
            }
            return nil
        }
        defer { eventIndex += 1 }
        return events[eventIndex]
    }

    /// Events not yet taken with ``nextEvent()``.
    public var pendingEventCount: Int { events.count - eventIndex }

    func emit(_ event: ConnectionEvent) { events.append(event) }

    func enqueue(_ message: some SSHMessageCodable) { outgoing.append(OutgoingPayload(message.encoded())) }

    func enqueuePayload(_ payload: OutgoingPayload) { outgoing.append(payload) }

    // MARK: - Channel table

    /// The channel with this local id, if it exists.
    func channel(_ id: SSHChannelID) -> Channel? { channel(raw: id.rawValue) }

    private func channel(raw: UInt32) -> Channel? {
        let index = Int(raw)
        guard index < channels.count else { return nil }
        return channels[index]
    }

    /// The lowest free id, or nil at ``ConnectionLimits/maximumChannels``.
    func allocateChannel(type: String, phase: Channel.Phase) -> Channel? {
        guard channelCount < ConnectionLimits.maximumChannels else { return nil }
        let index: Int
        if let free = channels.firstIndex(where: { $0 == nil }) {
            index = free
        } else {
            index = channels.count
            channels.append(nil)
        }
        let channel = Channel(
            id: SSHChannelID(UInt32(truncatingIfNeeded: index)), channelType: type, phase: phase,
            configuration: configuration)
        channels[index] = channel
        channelCount += 1
        return channel
    }

    /// Frees the id. RFC 4254 §5.3: only once CLOSE went both ways, or the open failed.
    func free(_ channel: Channel) {
        let index = Int(channel.id.rawValue)
        guard index < channels.count, channels[index] === channel else { return }
        channels[index] = nil
        channelCount -= 1
        while let last = channels.last, last == nil { channels.removeLast() }
    }

    /// The channel a peer's message addresses; it must exist and be open in both directions.
    private func addressedChannel(_ raw: UInt32) throws(ConnectionError) -> Channel {
        guard let channel = channel(raw: raw) else { throw .unknownChannel(raw) }
        guard channel.isOpen else { throw .channelNotOpen(channel.id) }
        return channel
    }

    // MARK: - Input

    /// Processes one connection-protocol payload (message number first).
    ///
    /// Message numbers 80–127 that no decoder knows get SSH_MSG_UNIMPLEMENTED with
    /// `sequenceNumber` (RFC 4253 §11.4) when it is given; other numbers, malformed messages and
    /// every RFC 4254 violation throw, and the connection must end.
    public func receive(_ payload: [UInt8], sequenceNumber: UInt32? = nil) throws(ConnectionError) {
        if let failure { throw failure }
        do throws(ConnectionError) {
            // The hot path: data is handed on as a slice of the payload, without decoding a copy.
            if let number = payload.first,
               number == SSHMessageNumber.channelData || number == SSHMessageNumber.channelExtendedData
            {
                try receiveData(payload)
                return
            }
            let message = try Self.decode(payload)
            if case .unknown(let number) = message, (80...127).contains(number), let sequenceNumber {
                enqueue(SSHMsgUnimplemented(sequenceNumber: sequenceNumber))
                return
            }
            try dispatch(message)
        } catch {
            failure = error
            throw error
        }
    }

    /// Processes one decoded connection-protocol message; throws as ``receive(_:sequenceNumber:)``.
    public func receive(_ message: SSHMessage) throws(ConnectionError) {
        if let failure { throw failure }
        do throws(ConnectionError) {
            try dispatch(message)
        } catch {
            failure = error
            throw error
        }
    }

    private static func decode(_ payload: [UInt8]) throws(ConnectionError) -> SSHMessage {
        do {
            return try SSHMessage.decode(payload)
        } catch let error as SSHWireError {
            throw .malformed(error)
        } catch {
            throw .malformed(.invalidValue(field: "\(error)"))
        }
    }

    private func receiveData(_ payload: [UInt8]) throws(ConnectionError) {
        var reader = SSHReader(payload)
        let range: Range<Int>
        let recipient: UInt32
        var dataTypeCode: UInt32?
        do {
            let number = try reader.readByte("message number")
            recipient = try reader.readUInt32("recipient channel")
            if number == SSHMessageNumber.channelExtendedData {
                dataTypeCode = try reader.readUInt32("extended data type code")
            }
            range = try reader.readStringRange("channel data")
            try reader.expectEnd()
        } catch let error as SSHWireError {
            throw .malformed(error)
        } catch {
            throw .malformed(.invalidValue(field: "\(error)"))
        }
        try receiveData(recipient: recipient, dataTypeCode: dataTypeCode, payload[range])
    }

    private func dispatch(_ message: SSHMessage) throws(ConnectionError) {
        switch message {
        case .globalRequest(let m): try receiveGlobalRequest(m)
        case .requestSuccess(let m): try receiveGlobalRequestReply(success: true, data: m.data)
        case .requestFailure: try receiveGlobalRequestReply(success: false, data: [])
        case .channelOpen(let m): try receiveChannelOpen(m)
        case .channelOpenConfirmation(let m): try receiveOpenConfirmation(m)
        case .channelOpenFailure(let m): try receiveOpenFailure(m)
        case .channelWindowAdjust(let m): try receiveWindowAdjust(m)
        case .channelData(let m): try receiveData(recipient: m.recipientChannel, dataTypeCode: nil, m.data[...])
        case .channelExtendedData(let m):
            try receiveData(recipient: m.recipientChannel, dataTypeCode: m.dataTypeCode, m.data[...])
        case .channelEOF(let m): try receiveEOF(m)
        case .channelClose(let m): try receiveClose(m)
        case .channelRequest(let m): try receiveChannelRequest(m)
        case .channelSuccess(let m): try receiveChannelRequestReply(recipient: m.recipientChannel, success: true)
        case .channelFailure(let m): try receiveChannelRequestReply(recipient: m.recipientChannel, success: false)
        case .disconnect, .ignore, .unimplemented, .debug, .serviceRequest, .serviceAccept, .extInfo, .kexInit,
            .newKeys, .keyExchangeMethod, .ping, .pong, .userAuthRequest, .userAuthFailure, .userAuthSuccess,
            .userAuthBanner, .userAuthMethod, .unknown:
            throw .unexpectedMessage(message.number)
        }
    }

    // MARK: - Opening (RFC 4254 §5.1)

    private func receiveChannelOpen(_ message: SSHMsgChannelOpen) throws(ConnectionError) {
        // OpenSSH PROTOCOL §2.2: after no-more-sessions, a session open is an attack; OpenSSH's
        // server disconnects, and so do we.
        if peerSentNoMoreSessions, message.channelType == SSHChannelOpenPayload.Name.session {
            throw .sessionAfterNoMoreSessions
        }
        guard let channel = allocateChannel(type: message.channelType, phase: .awaitingAcceptance) else {
            enqueue(
                SSHMsgChannelOpenFailure(
                    recipientChannel: message.senderChannel, reason: .resourceShortage, description: "too many channels"))
            return
        }
        channel.setPeerParameters(
            remoteID: message.senderChannel, window: message.initialWindowSize,
            maximumPacketSize: message.maximumPacketSize)
        emit(
            .channelOpenRequested(
                ChannelOpenRequest(
                    channel: channel.id, channelType: message.channelType, payload: message.payload,
                    peerWindowSize: message.initialWindowSize, peerMaximumPacketSize: message.maximumPacketSize)))
    }

    private func receiveOpenConfirmation(_ message: SSHMsgChannelOpenConfirmation) throws(ConnectionError) {
        guard let channel = channel(raw: message.recipientChannel),
              case .awaitingConfirmation(let closeRequested) = channel.phase
        else { throw .unexpectedOpenReply(message.recipientChannel) }
        channel.setPeerParameters(
            remoteID: message.senderChannel, window: message.initialWindowSize,
            maximumPacketSize: message.maximumPacketSize)
        channel.phase = .open
        emit(.channelOpened(channel.id))
        if closeRequested {
            channel.closeRequested = true
            flush(channel)
        }
    }

    private func receiveOpenFailure(_ message: SSHMsgChannelOpenFailure) throws(ConnectionError) {
        guard let channel = channel(raw: message.recipientChannel),
              case .awaitingConfirmation = channel.phase
        else { throw .unexpectedOpenReply(message.recipientChannel) }
        free(channel)
        emit(.channelOpenFailed(channel.id, reasonCode: message.reasonCode, description: message.description))
    }

    // MARK: - Data and windows (RFC 4254 §5.2)

    private func receiveWindowAdjust(_ message: SSHMsgChannelWindowAdjust) throws(ConnectionError) {
        let channel = try addressedChannel(message.recipientChannel)
        // After our CLOSE the peer may still adjust (its message crossed ours); nothing to send.
        guard !channel.sentClose else { return }
        let window = channel.sendWindow + Int(message.bytesToAdd)
        guard window <= ConnectionLimits.largestWindowSize else { throw .windowOverflow(channel.id) }
        channel.sendWindow = window
        flush(channel)
    }

    private func receiveData(
        recipient: UInt32, dataTypeCode: UInt32?, _ data: ArraySlice<UInt8>
    ) throws(ConnectionError) {
        let channel = try addressedChannel(recipient)
        // RFC 4254 §5.3: data sent before the peer saw our CLOSE is discarded.
        guard !channel.sentClose else { return }
        guard !channel.receivedEOF else { throw .dataAfterEOF(channel.id) }
        guard data.count <= channel.maximumPacketSize else {
            throw .packetTooLarge(channel.id, length: data.count, limit: channel.maximumPacketSize)
        }
        guard data.count <= channel.receiveWindow else {
            throw .windowExceeded(channel.id, length: data.count, window: channel.receiveWindow)
        }
        channel.receiveWindow -= data.count
        if configuration.automaticWindowAdjust && !channel.manualWindowAdjust {
            channel.consumedSinceAdjust += data.count
        } else {
            channel.unconsumed += data.count
        }
        if let dataTypeCode {
            emit(.extendedData(channel.id, dataTypeCode: dataTypeCode, data))
        } else {
            emit(.data(channel.id, data))
        }
        adjustWindowIfDue(channel)
    }

    /// RFC 4254 §5.2: gives the consumed bytes back once half the window is used, doubling the
    /// window each time up to ``ConnectionConfiguration/maximumWindowSize``.
    func adjustWindowIfDue(_ channel: Channel) {
        guard channel.isOpen, !channel.receivedEOF, !channel.sentClose, !channel.receivedClose,
              channel.consumedSinceAdjust * 2 >= channel.receiveWindowTarget
        else { return }
        let limit = min(channel.windowLimit ?? configuration.maximumWindowSize, configuration.maximumWindowSize)
        let target = max(min(channel.receiveWindowTarget * 2, limit), channel.receiveWindowTarget)
        let increment = channel.consumedSinceAdjust + (target - channel.receiveWindowTarget)
        guard increment > 0 else { return }
        channel.receiveWindowTarget = target
        channel.receiveWindow += increment
        channel.consumedSinceAdjust = 0
        enqueue(
            SSHMsgChannelWindowAdjust(
                recipientChannel: channel.remoteID, bytesToAdd: UInt32(clamping: increment)))
    }

    /// Sends queued data as far as the peer's window allows, then a requested EOF and CLOSE, and
    /// reports ``ConnectionEvent/readyToSend(_:)`` when the queue has drained.
    func flush(_ channel: Channel) {
        guard channel.isOpen, !channel.sentClose else { return }
        while channel.sendWindow > 0, !channel.queue.isEmpty {
            let before = channel.queue.count
            let limit = min(channel.sendWindow, channel.sendPacketLimit)
            let remoteID = channel.remoteID
            var packet = OutgoingPayload([])
            guard channel.queue.withNextChunk(limit: limit, { stream, bytes in
                packet = Self.dataPayload(remoteID: remoteID, stream: stream, bytes)
            }) else { break }
            outgoing.append(packet)
            channel.sendWindow -= before - channel.queue.count
        }
        guard channel.queue.isEmpty else { return }
        for (message, afterEOF) in channel.requestsAfterData {
            if afterEOF, !channel.sentEOF {
                channel.sentEOF = true
                enqueue(SSHMsgChannelEOF(recipientChannel: channel.remoteID))
            }
            enqueue(message)
        }
        channel.requestsAfterData.removeAll()
        if channel.eofRequested, !channel.sentEOF {
            channel.sentEOF = true
            enqueue(SSHMsgChannelEOF(recipientChannel: channel.remoteID))
        }
        if channel.closeRequested {
            sendClose(channel)
            return
        }
        if channel.owesReadyToSend, channel.acceptsData {
            channel.owesReadyToSend = false
            emit(.readyToSend(channel.id))
        }
    }

    /// CHANNEL_DATA or CHANNEL_EXTENDED_DATA: the message's fields, and the caller's bytes as
    /// they are when they are an array slice (copied once otherwise).
    static func dataPayload<Bytes: Collection>(
        remoteID: UInt32, stream: ChannelStream, _ bytes: Bytes
    ) -> OutgoingPayload where Bytes.Element == UInt8 {
        var writer = SSHWriter(capacity: ConnectionLimits.extendedDataHeaderLength)
        switch stream {
        case .standard:
            writer.writeByte(SSHMessageNumber.channelData)
            writer.writeUInt32(remoteID)
        case .extended(let code):
            writer.writeByte(SSHMessageNumber.channelExtendedData)
            writer.writeUInt32(remoteID)
            writer.writeUInt32(code)
        }
        writer.writeUInt32(UInt32(truncatingIfNeeded: bytes.count))
        return OutgoingPayload(writer.bytes, body: bytes as? ArraySlice<UInt8> ?? ArraySlice(bytes))
    }

    // MARK: - EOF and close (RFC 4254 §5.3)

    private func receiveEOF(_ message: SSHMsgChannelEOF) throws(ConnectionError) {
        let channel = try addressedChannel(message.recipientChannel)
        guard !channel.sentClose else { return }
        guard !channel.receivedEOF else { throw .duplicateEOF(channel.id) }
        channel.receivedEOF = true
        emit(.eof(channel.id))
    }

    private func receiveClose(_ message: SSHMsgChannelClose) throws(ConnectionError) {
        // A second CLOSE finds the id freed (or not open): unknownChannel / channelNotOpen.
        let channel = try addressedChannel(message.recipientChannel)
        channel.receivedClose = true
        channel.queue.removeAll()
        channel.incomingReplies.removeAll()
        if !channel.sentClose {
            channel.sentClose = true
            enqueue(SSHMsgChannelClose(recipientChannel: channel.remoteID))
        }
        free(channel)
        emit(.channelClosed(channel.id))
    }

    /// Sends our CLOSE now; frees the id if the peer's CLOSE came already.
    func sendClose(_ channel: Channel) {
        guard !channel.sentClose else { return }
        channel.sentClose = true
        channel.owesReadyToSend = false
        channel.queue.removeAll()
        channel.incomingReplies.removeAll()
        enqueue(SSHMsgChannelClose(recipientChannel: channel.remoteID))
        if channel.receivedClose {
            free(channel)
            emit(.channelClosed(channel.id))
        }
    }

    // MARK: - Requests (RFC 4254 §4, §5.4)

    private func receiveChannelRequest(_ message: SSHMsgChannelRequest) throws(ConnectionError) {
        let channel = try addressedChannel(message.recipientChannel)
        // A request that crossed our CLOSE gets no reply (nothing may follow CLOSE).
        guard !channel.sentClose else { return }
        var number: UInt64?
        if message.wantReply {
            guard channel.incomingReplies.count < ConnectionLimits.maximumPendingChannelRequests else {
                throw .tooManyPendingChannelRequests(channel.id)
            }
            number = channel.incomingReplies.append()
        }
        emit(
            .channelRequest(
                channel.id,
                IncomingChannelRequest(
                    requestType: message.requestType, payload: message.payload, wantReply: message.wantReply,
                    requestNumber: number)))
    }

    private func receiveChannelRequestReply(recipient: UInt32, success: Bool) throws(ConnectionError) {
        let channel = try addressedChannel(recipient)
        guard channel.outstandingRequests > 0 else { throw .unexpectedChannelRequestReply(channel.id) }
        channel.outstandingRequests -= 1
        guard !channel.sentClose else { return }
        emit(.channelRequestReply(channel.id, success: success))
    }

    /// Sends the replies at the head of the channel's queue that are decided.
    func sendReadyReplies(_ channel: Channel) {
        for success in channel.incomingReplies.takeReady() where !channel.sentClose {
            if success {
                enqueue(SSHMsgChannelSuccess(recipientChannel: channel.remoteID))
            } else {
                enqueue(SSHMsgChannelFailure(recipientChannel: channel.remoteID))
            }
        }
    }

    private func receiveGlobalRequest(_ message: SSHMsgGlobalRequest) throws(ConnectionError) {
        if message.wantReply, globalReplies.count >= ConnectionLimits.maximumPendingGlobalRequests {
            throw .tooManyPendingGlobalRequests
        }
        switch message.payload {
        case .keepAlive:
            // OpenSSH answers its keep-alive probe with REQUEST_FAILURE: any reply proves liveness.
            if message.wantReply {
                _ = globalReplies.append((false, []))
                sendReadyGlobalReplies()
            }
        case .noMoreSessions:
            // OpenSSH PROTOCOL §2.2: refuse further session channels.
            peerSentNoMoreSessions = true
            if message.wantReply {
                _ = globalReplies.append((true, []))
                sendReadyGlobalReplies()
            }
        case .tcpipForward, .cancelTCPIPForward, .hostKeys, .hostKeysProve, .unknown:
            let number = message.wantReply ? globalReplies.append() : nil
            emit(
                .globalRequest(
                    IncomingGlobalRequest(
                        requestName: message.requestName, payload: message.payload, wantReply: message.wantReply,
                        requestNumber: number)))
        }
    }

    private func receiveGlobalRequestReply(success: Bool, data: [UInt8]) throws(ConnectionError) {
        guard outstandingGlobalRequests > 0 else { throw .unexpectedGlobalRequestReply }
        outstandingGlobalRequests -= 1
        emit(.globalRequestReply(success: success, data: data))
    }

    func sendReadyGlobalReplies() {
        for reply in globalReplies.takeReady() {
            if reply.success {
                enqueue(SSHMsgRequestSuccess(data: reply.data))
            } else {
                enqueue(SSHMsgRequestFailure())
            }
        }
    }

    // MARK: - Global requests of the owner (RFC 4254 §4)

    /// Answers a peer's global request: `request` is its ``IncomingGlobalRequest/requestNumber``,
    /// or nil for the oldest unanswered one. Replies leave in arrival order (RFC 4254 §4), so one
    /// decided early waits for those before it. `data` goes in REQUEST_SUCCESS (e.g. the port bound
    /// for a `tcpip-forward` to port 0, RFC 4254 §7.1).
    public func replyToGlobalRequest(
        request: UInt64? = nil, success: Bool, data: [UInt8] = []
    ) throws(ChannelError) {
        guard globalReplies.decide(request, (success, success ? data : [])) else { throw .noPendingRequest }
        sendReadyGlobalReplies()
    }

    /// Sends a global request (RFC 4254 §4). With `wantReply`, its reply arrives as
    /// ``ConnectionEvent/globalRequestReply(success:data:)``, in the order requests were sent.
    /// `requestName` is needed only for ``SSHGlobalRequestPayload/unknown(data:)``.
    public func sendGlobalRequest(
        _ payload: SSHGlobalRequestPayload, wantReply: Bool, requestName: String? = nil
    ) throws(ChannelError) {
        if wantReply {
            guard outstandingGlobalRequests < ConnectionLimits.maximumPendingGlobalRequests else {
                throw .tooManyOutstandingRequests
            }
            outstandingGlobalRequests += 1
        }
        enqueue(
            SSHMsgGlobalRequest(
                requestName: payload.requestName ?? requestName ?? "", wantReply: wantReply, payload: payload))
    }
}
