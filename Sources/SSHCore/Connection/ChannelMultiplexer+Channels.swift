import SSHWire

// MARK: - Channel operations of the owner (RFC 4254 §5)

extension ChannelMultiplexer {
    /// Opens a channel to the peer (RFC 4254 §5.1): `forwarded-tcpip` from a server, `session` or
    /// `direct-tcpip` from a client. The answer arrives as ``ConnectionEvent/channelOpened(_:)`` or
    /// ``ConnectionEvent/channelOpenFailed(_:reasonCode:description:)``. `channelType` is needed
    /// only for ``SSHChannelOpenPayload/unknown(data:)``.
    public func openChannel(
        _ payload: SSHChannelOpenPayload, channelType: String? = nil
    ) throws(ChannelError) -> SSHChannelID {
        let type = payload.channelType ?? channelType ?? ""
        guard let channel = allocateChannel(type: type, phase: .awaitingConfirmation(closeRequested: false)) else {
            throw .tooManyChannels
        }
        enqueue(
            SSHMsgChannelOpen(
                channelType: type, senderChannel: channel.id.rawValue,
                initialWindowSize: UInt32(clamping: channel.receiveWindow),
                maximumPacketSize: UInt32(clamping: channel.maximumPacketSize), payload: payload))
        return channel.id
    }

    /// Accepts a channel the peer asked for (``ConnectionEvent/channelOpenRequested(_:)``):
    /// sends OPEN_CONFIRMATION with our window and maximum packet size (RFC 4254 §5.1).
    public func acceptChannel(_ id: SSHChannelID) throws(ChannelError) {
        let channel = try existing(id)
        guard case .awaitingAcceptance = channel.phase else { throw .wrongState(id, "not awaiting acceptance") }
        channel.phase = .open
        enqueue(
            SSHMsgChannelOpenConfirmation(
                recipientChannel: channel.remoteID, senderChannel: id.rawValue,
                initialWindowSize: UInt32(clamping: channel.receiveWindow),
                maximumPacketSize: UInt32(clamping: channel.maximumPacketSize)))
    }

    /// Refuses a channel the peer asked for with OPEN_FAILURE (RFC 4254 §5.1) and frees the id.
    /// Without a reason, an unknown channel type gets SSH_OPEN_UNKNOWN_CHANNEL_TYPE and a known one
    /// SSH_OPEN_ADMINISTRATIVELY_PROHIBITED.
    public func rejectChannel(
        _ id: SSHChannelID, reason: SSHChannelOpenFailureReason? = nil, description: String = ""
    ) throws(ChannelError) {
        let channel = try existing(id)
        guard case .awaitingAcceptance = channel.phase else { throw .wrongState(id, "not awaiting acceptance") }
        let known = [
            SSHChannelOpenPayload.Name.session, SSHChannelOpenPayload.Name.directTCPIP,
            SSHChannelOpenPayload.Name.forwardedTCPIP, SSHChannelOpenPayload.Name.x11,
        ].contains(channel.channelType)
        let reason = reason ?? (known ? .administrativelyProhibited : .unknownChannelType)
        enqueue(SSHMsgChannelOpenFailure(recipientChannel: channel.remoteID, reason: reason, description: description))
        free(channel)
    }

    /// Sends data on an open channel (RFC 4254 §5.2) and returns how many bytes were taken.
    ///
    /// Data goes out at once in packets no larger than the peer's maximum packet size, as far as
    /// the peer's window allows; the rest waits in the channel's queue for WINDOW_ADJUST, up to
    /// ``ConnectionLimits/maximumQueuedBytesPerChannel``. When less than everything was taken,
    /// ``ConnectionEvent/readyToSend(_:)`` follows once the queue has drained.
    @discardableResult
    public func send<Bytes: RandomAccessCollection>(
        _ data: Bytes, on id: SSHChannelID, stream: ChannelStream = .standard
    ) throws(ChannelError) -> Int where Bytes.Element == UInt8 {
        let channel = try sendable(id)
        var start = data.startIndex
        var remaining = data.count
        if channel.queue.isEmpty {
            while remaining > 0, channel.sendWindow > 0, channel.sendPacketLimit > 0 {
                let length = min(remaining, channel.sendWindow, channel.sendPacketLimit)
                let end = data.index(start, offsetBy: length)
                enqueuePayload(Self.dataPayload(remoteID: channel.remoteID, stream: stream, data[start..<end]))
                channel.sendWindow -= length
                remaining -= length
                start = end
            }
        }
        let room = max(0, ConnectionLimits.maximumQueuedBytesPerChannel - channel.queue.count)
        let queued = min(room, remaining)
        if queued > 0 {
            channel.queue.append(data[start..<data.index(start, offsetBy: queued)], stream: stream)
        }
        let accepted = data.count - remaining + queued
        if accepted < data.count { channel.owesReadyToSend = true }
        return accepted
    }

    /// Sends CHANNEL_EOF once the queued data has gone (RFC 4254 §5.3). No data may follow.
    public func sendEOF(_ id: SSHChannelID) throws(ChannelError) {
        let channel = try sendable(id)
        channel.eofRequested = true
        channel.owesReadyToSend = false
        flush(channel)
    }

    /// Closes a channel (RFC 4254 §5.3).
    ///
    /// CHANNEL_CLOSE goes out once the queued data has gone, or at once with
    /// `discardingQueuedData`; ``ConnectionEvent/channelClosed(_:)`` follows when the peer's CLOSE
    /// arrives. A channel still awaiting the owner's decision is rejected; one awaiting the peer's
    /// confirmation is closed as soon as it is confirmed. Closing twice does nothing.
    public func close(_ id: SSHChannelID, discardingQueuedData: Bool = false) throws(ChannelError) {
        let channel = try existing(id)
        switch channel.phase {
        case .awaitingAcceptance:
            try rejectChannel(id, reason: .administrativelyProhibited, description: "closed")
        case .awaitingConfirmation:
            channel.phase = .awaitingConfirmation(closeRequested: true)
        case .open:
            guard !channel.closeRequested, !channel.sentClose else { return }
            channel.closeRequested = true
            channel.owesReadyToSend = false
            if discardingQueuedData { channel.queue.removeAll() }
            flush(channel)
        }
    }

    /// Makes one channel report consumption with ``consume(_:on:)`` even when
    /// ``ConnectionConfiguration/automaticWindowAdjust`` is on: its receive window then reopens
    /// only as fast as the owner passes the data on (RFC 4254 §5.2). With `windowLimit`, the window
    /// grows no further than that (never below its initial size), which bounds what the owner may
    /// have to hold for this channel.
    public func setManualWindowAdjust(on id: SSHChannelID, windowLimit: Int? = nil) throws(ChannelError) {
        let channel = try existing(id)
        channel.manualWindowAdjust = true
        channel.windowLimit = windowLimit
    }

    /// Reports that the owner has consumed `count` received bytes, when
    /// ``ConnectionConfiguration/automaticWindowAdjust`` is off or the channel is in manual mode:
    /// the window reopens as data is consumed, so a slow owner holds the peer back (RFC 4254 §5.2).
    public func consume(_ count: Int, on id: SSHChannelID) throws(ChannelError) {
        let channel = try existing(id)
        let consumed = min(max(count, 0), channel.unconsumed)
        channel.unconsumed -= consumed
        channel.consumedSinceAdjust += consumed
        adjustWindowIfDue(channel)
    }

    // MARK: - Channel requests (RFC 4254 §5.4, §6)

    /// Answers a peer's channel request: `request` is its ``IncomingChannelRequest/requestNumber``,
    /// or nil for the oldest unanswered one. Replies leave in arrival order (RFC 4254 §5.4), so one
    /// decided early waits for those before it. Does nothing once our CLOSE has gone.
    public func replyToChannelRequest(
        _ id: SSHChannelID, request: UInt64? = nil, success: Bool
    ) throws(ChannelError) {
        let channel = try existing(id)
        guard !channel.sentClose else { return }
        guard channel.incomingReplies.decide(request, success) else { throw .noPendingRequest }
        sendReadyReplies(channel)
    }

    /// Sends a channel request (RFC 4254 §5.4), after the data already queued on the channel (and
    /// after our EOF when that was requested first). With `wantReply`, its reply arrives as
    /// ``ConnectionEvent/channelRequestReply(_:success:)``, in the order requests were sent.
    /// `requestType` is needed only for ``SSHChannelRequestPayload/unknown(data:)``. Allowed after
    /// our EOF (exit-status usually follows it), not after close.
    public func sendChannelRequest(
        _ payload: SSHChannelRequestPayload, on id: SSHChannelID, wantReply: Bool, requestType: String? = nil
    ) throws(ChannelError) {
        let channel = try existing(id)
        guard channel.isOpen else { throw .wrongState(id, "not open") }
        guard !channel.closeRequested, !channel.sentClose else { throw .closing(id) }
        if wantReply {
            guard channel.outstandingRequests < ConnectionLimits.maximumPendingChannelRequests else {
                throw .tooManyOutstandingRequests
            }
            channel.outstandingRequests += 1
        }
        let message = SSHMsgChannelRequest(
            recipientChannel: channel.remoteID, requestType: payload.requestType ?? requestType ?? "",
            wantReply: wantReply, payload: payload)
        guard channel.queue.isEmpty, channel.requestsAfterData.isEmpty else {
            channel.requestsAfterData.append((message, channel.eofRequested && !channel.sentEOF))
            return
        }
        enqueue(message)
    }

    /// `exit-status` (RFC 4254 §6.10): the command's exit code, without want-reply.
    public func sendExitStatus(_ status: UInt32, on id: SSHChannelID) throws(ChannelError) {
        try sendChannelRequest(.exitStatus(status), on: id, wantReply: false)
    }

    /// `exit-signal` (RFC 4254 §6.10): the signal name without "SIG", without want-reply.
    public func sendExitSignal(
        _ signalName: String, coreDumped: Bool, errorMessage: String = "", on id: SSHChannelID
    ) throws(ChannelError) {
        try sendChannelRequest(
            .exitSignal(signalName: signalName, coreDumped: coreDumped, errorMessage: errorMessage, languageTag: ""),
            on: id, wantReply: false)
    }

    /// `eow@openssh.com` (OpenSSH PROTOCOL §2.1): we will read no more from the peer on this
    /// channel, without want-reply.
    public func sendEndOfWrite(on id: SSHChannelID) throws(ChannelError) {
        try sendChannelRequest(.endOfWrite, on: id, wantReply: false)
    }

    // MARK: - Queries

    /// Whether a channel with this id exists (in any state).
    public func exists(_ id: SSHChannelID) -> Bool { channel(id) != nil }

    /// Bytes we may send before the peer's next WINDOW_ADJUST, or nil without such an open channel.
    public func peerWindow(of id: SSHChannelID) -> Int? {
        guard let channel = channel(id), channel.isOpen else { return nil }
        return channel.sendWindow
    }

    /// Bytes the peer may send before our next WINDOW_ADJUST, or nil without such an open channel.
    public func receiveWindow(of id: SSHChannelID) -> Int? {
        guard let channel = channel(id), channel.isOpen else { return nil }
        return channel.receiveWindow
    }

    /// Bytes waiting in the channel's queue for the peer's window.
    public func queuedByteCount(of id: SSHChannelID) -> Int { channel(id)?.queue.count ?? 0 }

    /// Whether ``send(_:on:stream:)`` would take data now: the channel is open, neither EOF nor
    /// close is requested, and its queue has room.
    public func canSend(on id: SSHChannelID) -> Bool {
        guard let channel = channel(id) else { return false }
        return channel.acceptsData && channel.queue.count < ConnectionLimits.maximumQueuedBytesPerChannel
    }

    // MARK: - Helpers

    private func existing(_ id: SSHChannelID) throws(ChannelError) -> Channel {
        guard let channel = channel(id) else { throw .noSuchChannel(id) }
        return channel
    }

    /// A channel that may take data or EOF from the owner.
    private func sendable(_ id: SSHChannelID) throws(ChannelError) -> Channel {
        let channel = try existing(id)
        guard channel.isOpen else { throw .wrongState(id, "not open") }
        guard !channel.closeRequested, !channel.sentClose, !channel.receivedClose else { throw .closing(id) }
        guard !channel.eofRequested else { throw .eofAlreadySent(id) }
        return channel
    }
}
