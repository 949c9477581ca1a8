/// Limits on peer-controlled sizes in the wire layer. Every peer-driven allocation has a named
/// limit (DESIGN §3).
public enum SSHWireLimits {
    /// The largest string any decoder accepts. RFC 4253 §6.1 requires support for packets of
    /// 35,000 bytes; OpenSSH accepts up to 256 KiB (PACKET_MAX_SIZE), and so do we.
    public static let maximumStringLength = 256 * 1024
    /// The most names a name-list may hold. RFC 4251 §5 sets no bound; real lists hold a few
    /// dozen names. This bounds the array; ``maximumStringLength`` bounds the bytes.
    public static let maximumNameListCount = 256
    /// The longest mpint in bytes: 16,384-bit DH values plus a sign byte (RFC 4419 caps groups at 8,192 bits).
    public static let maximumMPIntLength = 2049

    /// The most extensions one `SSH_MSG_EXT_INFO` may carry. RFC 8308 §2.3 sets no bound; the
    /// extensions defined so far (RFC 8308 §3, OpenSSH PROTOCOL) number about ten.
    public static let maximumExtensionCount = 64
    /// The most prompts in one `SSH_MSG_USERAUTH_INFO_REQUEST` (RFC 4256 §3.2 sets no bound;
    /// OpenSSH rejects more than 100 in either direction).
    public static let maximumKeyboardInteractivePromptCount = 100
    /// The most responses in one `SSH_MSG_USERAUTH_INFO_RESPONSE` (RFC 4256 §3.4; same bound as
    /// the prompts they answer).
    public static let maximumKeyboardInteractiveResponseCount = 100
    /// The most host key blobs in one `hostkeys-00@openssh.com` or `hostkeys-prove-00@openssh.com`
    /// global request (OpenSSH PROTOCOL, host key rotation; a server holds a handful of keys).
    public static let maximumHostKeyCount = 64
}
