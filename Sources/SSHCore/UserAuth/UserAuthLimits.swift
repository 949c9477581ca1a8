/// Limits on what a peer controls in the user-authentication layer (DESIGN §3, STYLE §7).
public enum UserAuthLimits {
    /// The longest user name we pass to the application, in UTF-8 bytes. RFC 4252 §5 sets no
    /// bound; Linux's `LOGIN_NAME_MAX` is 256 including the terminating NUL, so no real account
    /// name is longer than 255 bytes. A longer name ends the connection with
    /// `SSH_DISCONNECT_ILLEGAL_USER_NAME` (RFC 4250 §4.2.2).
    public static let maximumUserNameLength = 255
    /// The longest password (or new password, or keyboard-interactive response) we pass to the
    /// application, in bytes. RFC 4252 §8 and RFC 4256 §3.4 set no bound; Linux-PAM's
    /// `PAM_MAX_RESP_SIZE` is 512, so a longer secret could never be checked anyway. A longer one is
    /// a failed attempt.
    public static let maximumPasswordLength = 512
    /// The most prompts in one `SSH_MSG_USERAUTH_INFO_REQUEST` we send or answer (RFC 4256 §3.2;
    /// the wire layer's bound).
    public static let maximumPromptCount = 100
    /// `MaxAuthAttempts` when the configuration does not say (server digest §3.3 and its
    /// resolution 3: the OpenSSH `MaxAuthTries` default).
    public static let defaultMaximumAttempts = 6
    /// The most keyboard-interactive rounds (INFO_REQUEST / INFO_RESPONSE pairs) in one attempt.
    /// RFC 4256 §3.2 lets the server send as many as it likes; this bounds an application that
    /// loops.
    public static let maximumInfoRounds = 16
}
