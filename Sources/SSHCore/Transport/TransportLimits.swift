/// Limits on everything a peer controls in the transport layer (DESIGN §3, STYLE §7).
public enum TransportLimits {
    /// RFC 4253 §4.2: the identification string is at most 255 characters including CR LF.
    public static let maximumVersionLineLength = 255
    /// Lines a peer may send before its identification string (RFC 4253 §4.2 allows them from the
    /// server; we accept them from either side, bounded). OpenSSH allows 1,024.
    public static let maximumPreambleLines = 1024
    /// RFC 4253 §6.1 requires 35,000; OpenSSH accepts 256 KiB (PACKET_MAX_SIZE). The packet length
    /// field may not exceed this.
    public static let maximumPacketLength = 256 * 1024
    /// RFC 4253 §6: the smallest packet (length field included) is 16 bytes or the block size.
    public static let minimumPacketSize = 16
    /// The smallest packet_length we accept: the padding-length byte and four bytes of padding.
    /// RFC 4253 §6 asks senders for 16 bytes in all, but OpenSSH's AEAD modes, whose length field
    /// is only authenticated, send packet_length 8 for a one-byte payload (REQUEST_FAILURE to a
    /// keep-alive), and OpenSSH accepts down to this on input; so do we.
    public static let minimumReceivedPacketLength = 5
    /// RFC 4253 §6: at least four bytes of padding.
    public static let minimumPadding = 4
    /// RFC 4253 §6: at most 255 bytes of padding.
    public static let maximumPadding = 255
    /// The largest payload we send in one packet: leaves room for the header, padding and tag
    /// under ``maximumPacketLength``.
    public static let maximumPayloadLength = maximumPacketLength - 1024
    /// Payload bytes the application may queue while a key exchange is in progress (RFC 4253 §7.1:
    /// no non-KEX messages may be sent then) before sending fails with backpressure.
    public static let maximumQueuedBytesDuringKeyExchange = 64 * 1024 * 1024
    /// The most buffer memory a connection keeps of its own in each direction between writes
    /// (and, in the server, between reads): enough for an SFTP DATA packet of the usual 32 KiB
    /// sealed with its neighbours, little enough for thousands of connections that transferred once.
    public static let retainedBufferSize = 64 * 1024
    /// Packets in one direction before a rekey is forced, well below the 2^32 sequence number wrap
    /// (RFC 4344 §3.1 recommends rekeying at least every 2^32 packets).
    public static let rekeyPacketLimit: UInt64 = 1 << 31
    /// Default bytes per direction before a rekey (KeyRenegotiationThreshold, "1 GB").
    public static let defaultRekeyByteLimit: UInt64 = 1 << 30
    /// The smallest rekey threshold a configuration may set (OpenSSH's RekeyLimit minimum is 16 bytes;
    /// we take 16 KiB so a misconfiguration cannot rekey on every packet).
    public static let minimumRekeyByteLimit: UInt64 = 16 * 1024
}
