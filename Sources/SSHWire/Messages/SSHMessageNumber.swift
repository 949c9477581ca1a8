/// SSH message numbers (RFC 4250 §4.1, RFC 4253 §12, RFC 8308 §2.3, and OpenSSH PROTOCOL for
/// `ping@openssh.com`).
///
/// Numbers 30–49 and 60–79 are reused by key-exchange and user-authentication methods, so several
/// names share one number here; only the party that knows the negotiated method can tell them
/// apart (RFC 4250 §4.1.1).
public enum SSHMessageNumber {
    // MARK: - Transport layer generic, 1–19 (RFC 4253 §12)

    public static let disconnect: UInt8 = 1
    public static let ignore: UInt8 = 2
    public static let unimplemented: UInt8 = 3
    public static let debug: UInt8 = 4
    public static let serviceRequest: UInt8 = 5
    public static let serviceAccept: UInt8 = 6
    /// RFC 8308 §2.3.
    public static let extInfo: UInt8 = 7

    // MARK: - Algorithm negotiation, 20–29 (RFC 4253 §12)

    public static let kexInit: UInt8 = 20
    public static let newKeys: UInt8 = 21

    // MARK: - Key-exchange method specific, 30–49

    /// RFC 4253 §8.
    public static let kexDHInit: UInt8 = 30
    /// RFC 4253 §8.
    public static let kexDHReply: UInt8 = 31
    /// RFC 5656 §7.1; also curve25519 (RFC 8731) and the hybrid post-quantum methods.
    public static let kexECDHInit: UInt8 = 30
    /// RFC 5656 §7.1.
    public static let kexECDHReply: UInt8 = 31
    /// RFC 4419 §5.
    public static let kexDHGexRequestOld: UInt8 = 30
    /// RFC 4419 §5.
    public static let kexDHGexGroup: UInt8 = 31
    /// RFC 4419 §5.
    public static let kexDHGexInit: UInt8 = 32
    /// RFC 4419 §5.
    public static let kexDHGexReply: UInt8 = 33
    /// RFC 4419 §5.
    public static let kexDHGexRequest: UInt8 = 34
    /// The range reserved for key-exchange method messages (RFC 4250 §4.1.2).
    public static let keyExchangeMethodRange: ClosedRange<UInt8> = 30...49

    // MARK: - User authentication generic, 50–59 (RFC 4252 §6)

    public static let userAuthRequest: UInt8 = 50
    public static let userAuthFailure: UInt8 = 51
    public static let userAuthSuccess: UInt8 = 52
    public static let userAuthBanner: UInt8 = 53

    // MARK: - User authentication method specific, 60–79

    /// RFC 4252 §7.
    public static let userAuthPKOK: UInt8 = 60
    /// RFC 4252 §8.
    public static let userAuthPasswdChangeReq: UInt8 = 60
    /// RFC 4256 §5.
    public static let userAuthInfoRequest: UInt8 = 60
    /// RFC 4256 §5.
    public static let userAuthInfoResponse: UInt8 = 61
    /// The range reserved for user-authentication method messages (RFC 4250 §4.1.2).
    public static let userAuthMethodRange: ClosedRange<UInt8> = 60...79

    // MARK: - Connection protocol generic, 80–89 (RFC 4254 §9)

    public static let globalRequest: UInt8 = 80
    public static let requestSuccess: UInt8 = 81
    public static let requestFailure: UInt8 = 82

    // MARK: - Channel related, 90–127 (RFC 4254 §9)

    public static let channelOpen: UInt8 = 90
    public static let channelOpenConfirmation: UInt8 = 91
    public static let channelOpenFailure: UInt8 = 92
    public static let channelWindowAdjust: UInt8 = 93
    public static let channelData: UInt8 = 94
    public static let channelExtendedData: UInt8 = 95
    public static let channelEOF: UInt8 = 96
    public static let channelClose: UInt8 = 97
    public static let channelRequest: UInt8 = 98
    public static let channelSuccess: UInt8 = 99
    public static let channelFailure: UInt8 = 100

    // MARK: - Local extensions, 192–255

    /// OpenSSH PROTOCOL, `ping@openssh.com`.
    public static let ping: UInt8 = 192
    /// OpenSSH PROTOCOL, `ping@openssh.com`.
    public static let pong: UInt8 = 193
}
