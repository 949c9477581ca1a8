import SSHCrypto
import SSHWire

/// The settings of one ``UserAuthServer`` (RFC 4252, RFC 4256; server digest §3.3).
public struct UserAuthServerConfiguration: Sendable {
    /// `DefaultAuthMethods`: the methods a client may use, in the order they are advertised in
    /// `SSH_MSG_USERAUTH_FAILURE`. `none` is passed to the application only when listed here, and
    /// is never advertised (RFC 4252 §5.2). `publickey` also enables
    /// `publickey-hostbound-v00@openssh.com`.
    public var methods: [String]
    /// `MaxAuthAttempts`: failed attempts after which the connection is closed with
    /// `SSH_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE` (RFC 4252 §4 leaves the number to the server).
    public var maximumAttempts: Int
    /// `UserAuthBanner`: sent once as `SSH_MSG_USERAUTH_BANNER` (RFC 4252 §5.4) before the first
    /// reply to a request. ``UserAuthServer/banner`` may change it until then.
    public var banner: String?
    /// `SSHPubKeyAuthSigAlgorithms`: the signature algorithms accepted for `publickey`; a request
    /// naming another is a failure without asking the application.
    public var publicKeySignatureAlgorithms: [String]
    /// The session identifier of the transport (RFC 4253 §7.2): the first exchange hash, which every
    /// `publickey` signature covers (RFC 4252 §7).
    public var sessionIdentifier: [UInt8]
    /// Our host key blobs; a `publickey-hostbound-v00@openssh.com` request must name one of them
    /// (OpenSSH PROTOCOL, `publickey-hostbound@openssh.com`).
    public var hostKeyBlobs: [[UInt8]]

    /// The methods advertised when the configuration does not say: the digest's
    /// `DefaultAuthMethods` default, "password,publickey" (server digest §2, row 16).
    public static let defaultMethods = [
        SSHUserAuthMethod.Name.password, SSHUserAuthMethod.Name.publicKey,
    ]

    public init(
        methods: [String] = UserAuthServerConfiguration.defaultMethods,
        maximumAttempts: Int = UserAuthLimits.defaultMaximumAttempts,
        banner: String? = nil,
        publicKeySignatureAlgorithms: [String] = SignatureAlgorithm.defaultNames,
        sessionIdentifier: [UInt8],
        hostKeyBlobs: [[UInt8]] = []
    ) {
        self.methods = methods
        self.maximumAttempts = maximumAttempts
        self.banner = banner
        self.publicKeySignatureAlgorithms = publicKeySignatureAlgorithms
        self.sessionIdentifier = sessionIdentifier
        self.hostKeyBlobs = hostKeyBlobs
    }
}
