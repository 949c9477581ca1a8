/// How the connection protocol sizes its flow control (RFC 4254 §5.2).
public struct ConnectionConfiguration: Sendable, Equatable {
    /// The receive window announced in CHANNEL_OPEN and OPEN_CONFIRMATION.
    public var initialWindowSize: Int
    /// The largest the receive window grows to (equal to ``initialWindowSize`` for a fixed window).
    public var maximumWindowSize: Int
    /// The largest data we accept in one packet (announced as "maximum packet size").
    public var maximumPacketSize: Int
    /// When true, received data counts as consumed at once and WINDOW_ADJUST goes out when half
    /// the window is used. When false, the owner reports consumption with
    /// ``ChannelMultiplexer/consume(_:on:)`` so the peer is held back while the owner is busy.
    public var automaticWindowAdjust: Bool

    public init(
        initialWindowSize: Int = ConnectionLimits.defaultInitialWindowSize,
        maximumWindowSize: Int = ConnectionLimits.defaultMaximumWindowSize,
        maximumPacketSize: Int = ConnectionLimits.defaultMaximumPacketSize,
        automaticWindowAdjust: Bool = true
    ) {
        self.initialWindowSize = initialWindowSize
        self.maximumWindowSize = maximumWindowSize
        self.maximumPacketSize = maximumPacketSize
        self.automaticWindowAdjust = automaticWindowAdjust
    }

    /// The same settings clamped to what RFC 4254 §5.2 and the transport allow: windows between
    /// one packet and 2^32 − 1, the maximum never below the initial size, packets of at least one
    /// byte that fit in a transport packet.
    var validated: ConnectionConfiguration {
        var result = self
        result.maximumPacketSize = min(max(maximumPacketSize, 1), ConnectionLimits.largestDataPerPacket)
        result.initialWindowSize = min(max(initialWindowSize, result.maximumPacketSize), ConnectionLimits.largestWindowSize)
        result.maximumWindowSize = min(max(maximumWindowSize, result.initialWindowSize), ConnectionLimits.largestWindowSize)
        return result
    }
}
