/// Limits and defaults of the connection protocol (RFC 4254). Every peer-driven allocation is
/// bounded by one of these (DESIGN §3, STYLE §7).
public enum ConnectionLimits {
    /// The receive window we announce when a channel opens: 2 MiB, as OpenSSH's session and TCP
    /// channels (RFC 4254 §5.2 leaves the size to the implementation).
    public static let defaultInitialWindowSize = 2 * 1024 * 1024

    /// The largest our receive window grows to: each replenishment doubles it up to this size, so a
    /// long transfer runs with 16 MiB in flight (RFC 4254 §5.2: a window may be enlarged at any time
    /// with WINDOW_ADJUST).
    public static let defaultMaximumWindowSize = 16 * 1024 * 1024

    /// RFC 4254 §5.2: window sizes are uint32; a window may never exceed 2^32 − 1 bytes.
    public static let largestWindowSize = Int(UInt32.max)

    /// The largest data we accept in one CHANNEL_DATA or CHANNEL_EXTENDED_DATA (RFC 4254 §5.1:
    /// "maximum packet size"). 32 KiB, like OpenSSH's `CHAN_SES_PACKET_DEFAULT`: every peer
    /// handles it, and with windows of megabytes the per-packet cost is already small.
    public static let defaultMaximumPacketSize = 32 * 1024

    /// Header bytes of CHANNEL_EXTENDED_DATA before the data: message number, recipient channel,
    /// data type code, string length (RFC 4254 §5.2).
    static let extendedDataHeaderLength = 13

    /// The largest data we put in one packet, whatever the peer's maximum packet size: what fits
    /// in one transport packet (RFC 4253 §6.1) after the CHANNEL_EXTENDED_DATA header.
    public static let largestDataPerPacket = TransportLimits.maximumPayloadLength - extendedDataHeaderLength

    /// Channels open, opening or closing at once on one connection. Beyond it a peer's
    /// CHANNEL_OPEN gets OPEN_FAILURE with RESOURCE_SHORTAGE (RFC 4254 §5.1).
    public static let maximumChannels = 1024

    /// Bytes the owner may queue on one channel beyond the peer's window (RFC 4254 §5.2 forbids
    /// sending more than the window). ``ChannelMultiplexer/send(_:on:stream:)`` accepts only what
    /// fits and reports the count, so the owner applies backpressure.
    public static let maximumQueuedBytesPerChannel = 2 * 1024 * 1024

    /// Channel requests with want-reply the peer may have outstanding on one channel
    /// (RFC 4254 §5.4: replies are sent in order; the queue of pending replies is bounded).
    public static let maximumPendingChannelRequests = 64

    /// Global requests with want-reply the peer may have outstanding (RFC 4254 §4).
    public static let maximumPendingGlobalRequests = 64
}
