import SSHWire

/// One channel's state (RFC 4254 §5). Owned by ``ChannelMultiplexer``; a class so the hot path
/// mutates it in place without copying its queue.
final class Channel {
    enum Phase {
        /// The peer asked to open it; the owner has not decided yet.
        case awaitingAcceptance
        /// We sent CHANNEL_OPEN; no confirmation yet. `closeRequested`: the owner closed it
        /// meanwhile, so CLOSE goes out as soon as it is confirmed.
        case awaitingConfirmation(closeRequested: Bool)
        /// Confirmed in both directions; data may flow.
        case open
    }

    let id: SSHChannelID
    let channelType: String
    var phase: Phase
    /// The peer's number for this channel ("recipient channel" in what we send).
    var remoteID: UInt32 = 0

    // MARK: Our receive side (RFC 4254 §5.2)

    /// Bytes the peer may still send before we adjust.
    var receiveWindow: Int
    /// The window we aim to keep open; grows up to the configured maximum.
    var receiveWindowTarget: Int
    /// Bytes received and consumed but not yet given back with WINDOW_ADJUST.
    var consumedSinceAdjust = 0
    /// Bytes received and not yet consumed (manual window mode).
    var unconsumed = 0
    /// The owner reports consumption for this channel with ``ChannelMultiplexer/consume(_:on:)``,
    /// whatever the configuration says (a relay that may only reopen the window as it writes on).
    var manualWindowAdjust = false
    /// The largest this channel's receive window grows to, when below the configuration's.
    var windowLimit: Int?
    let maximumPacketSize: Int

    // MARK: Our send side

    /// Bytes we may still send (the peer's window).
    var sendWindow = 0
    /// The largest data per packet we send: the peer's maximum, capped by the transport.
    var sendPacketLimit = 0
    var queue = OutboundQueue()
    /// A send did not take everything: report ``ConnectionEvent/readyToSend(_:)`` once drained.
    var owesReadyToSend = false

    // MARK: EOF and close (RFC 4254 §5.3)

    /// The owner called sendEOF; EOF goes out once the queue is empty.
    var eofRequested = false
    var sentEOF = false
    var receivedEOF = false
    /// The owner called close; CLOSE goes out once the queue is empty.
    var closeRequested = false
    var sentClose = false
    var receivedClose = false

    // MARK: Requests (RFC 4254 §5.4)

    /// Replies we owe the peer, released in arrival order.
    var incomingReplies = OrderedReplies<Bool>()
    /// Our requests that want a reply, oldest first.
    var outstandingRequests = 0
    /// Our requests made while data waited in the queue: they go out after it, in order, so that
    /// an `exit-status` never overtakes the command's last output. `afterEOF`: made after the
    /// owner's EOF, which then goes out first.
    var requestsAfterData: [(message: SSHMsgChannelRequest, afterEOF: Bool)] = []

    init(id: SSHChannelID, channelType: String, phase: Phase, configuration: ConnectionConfiguration) {
        self.id = id
        self.channelType = channelType
        self.phase = phase
        receiveWindow = configuration.initialWindowSize
        receiveWindowTarget = configuration.initialWindowSize
        maximumPacketSize = configuration.maximumPacketSize
    }

    /// Records the peer's side of the channel from CHANNEL_OPEN or OPEN_CONFIRMATION.
    func setPeerParameters(remoteID: UInt32, window: UInt32, maximumPacketSize: UInt32) {
        self.remoteID = remoteID
        sendWindow = Int(window)
        sendPacketLimit = min(Int(maximumPacketSize), ConnectionLimits.largestDataPerPacket)
    }

    var isOpen: Bool {
        if case .open = phase { true } else { false }
    }

    /// Whether the owner may still hand over data.
    var acceptsData: Bool { isOpen && !eofRequested && !closeRequested && !sentClose && !receivedClose }
}
