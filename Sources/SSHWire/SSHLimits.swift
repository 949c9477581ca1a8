/// Limits on peer-controlled sizes in the wire layer. Every peer-driven allocation has a named
/// limit (DESIGN §3).
public enum SSHWireLimits {
    /// The largest string any decoder accepts. RFC 4253 §6.1 requires support for packets of
    /// 35,000 bytes; OpenSSH accepts up to 256 KiB (PACKET_MAX_SIZE), and so do we.
    public static let maximumStringLength = 256 * 1024
    /// The most names a name-list may hold (OpenSSH accepts up to 1,024 characters per list in
    /// practice; this bounds the array, not the bytes).
    public static let maximumNameListCount = 256
    /// The longest mpint in bytes: 16,384-bit DH values plus a sign byte (RFC 4419 caps groups at 8,192 bits).
    public static let maximumMPIntLength = 2049
    /// The most extensions one EXT_INFO may carry (RFC 8308 §2.3 sets no bound; a handful exist).
    public static let maximumExtensionCount = 64
}
