import Reactor
import SSHCore
import SSHWire

// MARK: - Sending on channels (server digest §1.1, §2; RFC 4254 §5.2, §6.10)

extension SSHServer {
    /// A channel's connection, its connection protocol and its id there.
    func channel(_ channelId: Int) throws(SSHServerError) -> (ServerConnection, ChannelMultiplexer, SSHChannelID) {
        guard let owner = channelOwners[channelId], let connection = connections[owner.connection],
              let channels = connection.channels
        else { throw SSHServerError(code: SSHServerError.invalidConnectionId, "invalid ChannelId \(channelId)") }
        return (connection, channels, owner.channel)
    }

    /// Connection-protocol events a synchronous send may leave queued before it stops reading: at
    /// most this many packets (of at most 32 KiB of data each) wait for their handlers.
    static let maximumDeferredChannelEvents = 256

    /// `SendChannelData` / `SendBytes` / `DataToSend`: sends `data` on the channel and returns how
    /// many bytes it took (also in `BytesSent[ChannelId]`).
    ///
    /// With `SSHConnectionTimeout[ConnectionId]` above 0 (the default, from `DefaultTimeout`) the
    /// call waits while the channel's window and queue are full, serving this connection's socket,
    /// until everything is taken; it fails with 135 when `timeout` seconds pass without a byte moving
    /// either way. Events that arrive meanwhile fire after the call returns. With a timeout of 0 it
    /// takes what fits at once; when nothing fits it fails with 135 ("would block"): wait for
    /// `SSHChannelReadyToSend` (digest §9 item 2).
    @discardableResult
    public func sendChannelData(_ channelId: Int, _ data: [UInt8]) throws(SSHServerError) -> Int {
        let (connection, channels, channel) = try channel(channelId)
        var taken = try take(data[...], connection, channels, channel, channelId)
        if taken < data.count && connection.timeout > 0 {
            taken += try waitAndSend(data[taken...], connection, channels, channel, channelId)
        }
        channelOwners[channelId]?.bytesSent = taken
        if taken == 0 && !data.isEmpty {
            throw SSHServerError(code: SSHServerError.wouldBlock, "channel \(channelId): operation would block")
        }
        return taken
    }

    /// Queues `bytes` on the channel without waiting, as far as it takes them, and returns how
    /// many it took (0 when the channel's queue is full: `SSHChannelReadyToSend` follows once it
    /// drains). `stderr` sends them as extended data type 1 (RFC 4254 §5.2). **Extension** for
    /// programs that relay a process's output: the seeds' sends have no stderr and no slice form.
    public func sendChannelBytes(_ channelId: Int, _ bytes: ArraySlice<UInt8>, stderr: Bool = false) throws(SSHServerError) -> Int {
        let (connection, channels, channel) = try channel(channelId)
        let taken = try take(bytes, connection, channels, channel, channelId, stream: stderr ? .stderr : .standard)
        channelOwners[channelId]?.bytesSent = taken
        return taken
    }

    /// Bytes of the channel still queued for the client's window (0 when all went out).
    public func queuedBytes(_ channelId: Int) -> Int {
        guard let (_, channels, channel) = try? self.channel(channelId) else { return 0 }
        return channels.queuedByteCount(of: channel)
    }

    /// Makes the channel's receive window reopen only as the owner reports data consumed with
    /// ``consumeChannelData(_:_:)``, growing to at most `windowLimit` bytes, so a client cannot
    /// send more than a slow consumer (a process's stdin) takes (RFC 4254 §5.2). **Extension**.
    public func holdReceiveWindow(_ channelId: Int, windowLimit: Int) throws(SSHServerError) {
        try channelOperation(channelId) { channels, channel throws(ChannelError) in
            try channels.setManualWindowAdjust(on: channel, windowLimit: windowLimit)
        }
    }

    /// Reports `count` received bytes passed on (see ``holdReceiveWindow(_:windowLimit:)``); the
    /// window adjust goes out when half the window is consumed. **Extension**.
    public func consumeChannelData(_ channelId: Int, _ count: Int) {
        try? channelOperation(channelId) { channels, channel throws(ChannelError) in try channels.consume(count, on: channel) }
    }

    private func take(
        _ data: ArraySlice<UInt8>, _ connection: ServerConnection, _ channels: ChannelMultiplexer,
        _ channel: SSHChannelID, _ channelId: Int, stream: ChannelStream = .standard
    ) throws(SSHServerError) -> Int {
        let taken: Int
        do { taken = try channels.send(data, on: channel, stream: stream) } catch {
            throw SSHServerError(code: SSHServerError.wouldBlock, "channel \(channelId): \(error)")
        }
        sendChannelOutput(connection)
        flush(connection)
        return taken
    }

    /// The synchronous part of a send: serves the connection's socket until the channel takes the
    /// rest, the connection ends, or `SSHConnectionTimeout` passes without progress.
    private func waitAndSend(
        _ rest: ArraySlice<UInt8>, _ connection: ServerConnection, _ channels: ChannelMultiplexer,
        _ channel: SSHChannelID, _ channelId: Int
    ) throws(SSHServerError) -> Int {
        let wasDeferring = connection.deferringChannelEvents
        connection.deferringChannelEvents = true
        defer {
            connection.deferringChannelEvents = wasDeferring
            schedulePumpIfNeeded(connection)
        }
        let limit = UInt64(connection.timeout) * 1_000_000_000
        var taken = 0
        var lastProgress = MonotonicClock.nanoseconds()
        while taken < rest.count {
            guard !connection.isClosing, channels.exists(channel) else {
                throw SSHServerError(code: SSHServerError.invalidConnectionId, "channel \(channelId) closed during a send")
            }
            let waited = MonotonicClock.nanoseconds() &- lastProgress
            guard waited < limit else {
                throw SSHServerError(
                    code: SSHServerError.wouldBlock,
                    "channel \(channelId): no progress for \(connection.timeout) s (SSHConnectionTimeout); \(taken) more bytes sent")
            }
            let before = connection.lastActivity
            var interest: Interest = channels.pendingEventCount < Self.maximumDeferredChannelEvents ? .readable : []
            if connection.hasPendingOutput { interest.insert(.writable) }
            let readiness: Readiness
            do {
                readiness = try Posix.poll(connection.fd, interest: interest, timeoutMillis: Int((limit - waited) / 1_000_000) + 1)
            } catch {
                throw SSHServerError(code: SSHServerError.wouldBlock, "channel \(channelId): \(error)")
            }
            if !readiness.isEmpty { service(connection, readiness) }
            if connection.lastActivity != before { lastProgress = connection.lastActivity }
            guard !connection.isClosing, channels.exists(channel) else { continue }
            if channels.canSend(on: channel) {
                let more = try take(rest[(rest.startIndex + taken)...], connection, channels, channel, channelId)
                if more > 0 { lastProgress = MonotonicClock.nanoseconds() }
                taken += more
            }
        }
        return taken
    }

    /// Fires, on the next turn of ``doEvents()``, the channel events a synchronous send left queued
    /// when no pump of this connection is running to fire them.
    func schedulePumpIfNeeded(_ connection: ServerConnection) {
        guard !connection.deferringChannelEvents, !connection.pumpingChannels,
              let channels = connection.channels, channels.pendingEventCount > 0
        else { return }
        _ = reactor.schedule(after: 0) { [weak self, weak connection] in
            guard let self, let connection, !connection.isClosing else { return }
            self.pumpChannels(connection)
            self.flush(connection)
        }
    }

    @discardableResult
    public func sendBytes(_ channelId: Int, _ data: [UInt8]) throws(SSHServerError) -> Int { try sendChannelData(channelId, data) }

    /// `SendText`: UTF-8 text on the channel (`CodePage` is fixed at 65001).
    @discardableResult
    public func sendText(_ channelId: Int, _ text: String) throws(SSHServerError) -> Int { try sendChannelData(channelId, Array(text.utf8)) }

    /// `DataToSend[ChannelId]` (write-only): the same as ``sendChannelData(_:_:)``.
    public func setDataToSend(_ channelId: Int, _ data: [UInt8]) throws(SSHServerError) { try sendChannelData(channelId, data) }

    /// `BytesSent[ChannelId]`: what the last send on the channel took.
    public func bytesSent(_ channelId: Int) throws(SSHServerError) -> Int { try record(channelId).bytesSent }

    /// `ReadyToSend[ChannelId]`: whether a send would take data now.
    public func readyToSend(_ channelId: Int) throws(SSHServerError) -> Bool {
        let (_, channels, channel) = try channel(channelId)
        return channels.canSend(on: channel) && (channels.peerWindow(of: channel) ?? 0) > 0
    }

    /// Sends `exit-status` (RFC 4254 §6.10), then EOF when `eof` is set.
    public func sendExitStatus(_ channelId: Int, _ status: UInt32, eof: Bool = true) throws(SSHServerError) {
        try channelOperation(channelId) { channels, channel throws(ChannelError) in
            if eof { try channels.sendEOF(channel) }
            try channels.sendExitStatus(status, on: channel)
        }
    }

    /// Sends `exit-signal` (RFC 4254 §6.10): `signal` without the "SIG" prefix ("TERM", "KILL", …),
    /// then EOF when `eof` is set.
    public func sendExitSignal(
        _ channelId: Int, _ signal: String, coreDumped: Bool = false, errorMessage: String = "", eof: Bool = true
    ) throws(SSHServerError) {
        try channelOperation(channelId) { channels, channel throws(ChannelError) in
            if eof { try channels.sendEOF(channel) }
            try channels.sendExitSignal(signal, coreDumped: coreDumped, errorMessage: errorMessage, on: channel)
        }
    }

    /// Sends CHANNEL_EOF after the queued data: the server will send no more on this channel.
    public func sendEOF(_ channelId: Int) throws(SSHServerError) {
        try channelOperation(channelId) { channels, channel throws(ChannelError) in try channels.sendEOF(channel) }
    }

    /// `CloseChannel`: sends CLOSE after queued data; `SSHChannelClosed` fires once the peer's
    /// CLOSE has crossed.
    public func closeChannel(_ channelId: Int) throws(SSHServerError) {
        try channelOperation(channelId) { channels, channel throws(ChannelError) in try channels.close(channel) }
    }

    private func channelOperation(
        _ channelId: Int, _ body: (ChannelMultiplexer, SSHChannelID) throws(ChannelError) -> Void
    ) throws(SSHServerError) {
        let (connection, channels, channel) = try channel(channelId)
        do { try body(channels, channel) } catch {
            throw SSHServerError(code: SSHServerError.invalidConnectionId, "channel \(channelId): \(error)")
        }
        sendChannelOutput(connection)
        flush(connection)
    }

    /// `OpenChannel`: the server opens a channel to the client and returns its id at once;
    /// `SSHChannelOpened` fires on confirmation, `Error` and `SSHChannelClosed` on refusal
    /// (digest §2). `payload` carries the type's open parameters (`forwarded-tcpip` needs them);
    /// by default they are empty, as for "session".
    public func openChannel(
        _ connectionId: Int, _ channelType: String, payload: SSHChannelOpenPayload? = nil
    ) throws(SSHServerError) -> Int {
        let connection = try connection(connectionId)
        guard let channels = connection.channels else {
            throw SSHServerError(code: SSHServerError.invalidConnectionId, "connection \(connectionId) is not authenticated")
        }
        let channel: SSHChannelID
        do {
            channel = try channels.openChannel(payload ?? .unknown(data: []), channelType: channelType)
        } catch {
            throw SSHServerError(code: SSHServerError.invalidConnectionId, "cannot open a \(channelType) channel: \(error)")
        }
        let id = channelId(connection, channel)
        channelOwners[id]?.service = channelType
        sendChannelOutput(connection)
        flush(connection)
        return id
    }

    /// `SendSSHPacket`: sends a message built by the application — `packetType` is its number and
    /// `payload` everything after it, sent unchanged; `channelId` only chooses the connection
    /// (digest §2). The connection protocol does not see it: a malformed or misplaced message is
    /// the application's to answer for.
    public func sendSSHPacket(_ channelId: Int, _ packetType: UInt8, _ payload: [UInt8]) throws(SSHServerError) {
        let (connection, _, _) = try channel(channelId)
        do { try connection.transport.send([packetType] + payload) } catch {
            throw SSHServerError(code: SSHServerError.invalidConnectionId, "cannot send: \(error.message)")
        }
        flush(connection)
    }

    // MARK: - Channel properties (digest §1.1)

    /// `SSHChannelCount`: channels of every connection.
    public var sshChannelCount: Int { channelOwners.count }

    /// The ids of every channel, in order.
    public var channelIds: [Int] { channelOwners.keys.sorted() }

    /// `Service[ChannelId]`: the type the channel was opened with.
    public func channelService(_ channelId: Int) throws(SSHServerError) -> String { try record(channelId).service }

    /// The connection a channel belongs to.
    public func channelConnectionId(_ channelId: Int) throws(SSHServerError) -> Int { try record(channelId).connection }
}
