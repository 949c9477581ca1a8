import SSHCrypto
import SSHWire

/// One way the client may authenticate, tried in the configured order (RFC 4252 §5).
public enum UserAuthCredential: Sendable {
    /// `none` (RFC 4252 §5.2): learns the methods that can continue.
    case none
    /// `password` (RFC 4252 §8).
    case password(SecureBytes)
    /// `publickey` (RFC 4252 §7). `algorithm` nil picks the key's first algorithm (for RSA the
    /// strongest the server announced in `server-sig-algs`, RFC 8332 §3.3). With `queryFirst` the
    /// client asks whether the key is acceptable before signing.
    case publicKey(any SSHPrivateKey, algorithm: String? = nil, queryFirst: Bool = true)
    /// `keyboard-interactive` (RFC 4256 §3.1); the prompts arrive as
    /// ``UserAuthClientEvent/infoRequested(name:instruction:prompts:)``.
    case keyboardInteractive(submethods: String = "")

    /// The method name the server advertises for this credential.
    public var methodName: String {
        switch self {
        case .none: SSHUserAuthMethod.Name.none
        case .password: SSHUserAuthMethod.Name.password
        case .publicKey: SSHUserAuthMethod.Name.publicKey
        case .keyboardInteractive: SSHUserAuthMethod.Name.keyboardInteractive
        }
    }
}

/// The settings of one ``UserAuthClient``.
public struct UserAuthClientConfiguration: Sendable {
    public var user: String
    /// The service to start after authentication (RFC 4252 §5).
    public var service: String
    /// The transport's session identifier (RFC 4253 §7.2), covered by publickey signatures.
    public var sessionIdentifier: [UInt8]
    public var credentials: [UserAuthCredential]
    /// When set, public keys are offered with `publickey-hostbound-v00@openssh.com` bound to this
    /// server host key blob (OpenSSH PROTOCOL; use it when the server announced
    /// `publickey-hostbound@openssh.com` in EXT_INFO).
    public var hostBoundHostKey: [UInt8]?
    /// The server's `server-sig-algs` (RFC 8308 §3.1), when it sent them.
    public var serverSignatureAlgorithms: [String]?

    public init(
        user: String, service: String = UserAuthServer.connectionService, sessionIdentifier: [UInt8],
        credentials: [UserAuthCredential], hostBoundHostKey: [UInt8]? = nil, serverSignatureAlgorithms: [String]? = nil
    ) {
        self.user = user
        self.service = service
        self.sessionIdentifier = sessionIdentifier
        self.credentials = credentials
        self.hostBoundHostKey = hostBoundHostKey
        self.serverSignatureAlgorithms = serverSignatureAlgorithms
    }
}

/// What the client side of user authentication tells its owner, in order.
public enum UserAuthClientEvent: Sendable {
    /// `SSH_MSG_USERAUTH_BANNER` (RFC 4252 §5.4): show it to the user.
    case banner(String)
    /// A method failed; `methods` can continue (RFC 4252 §5.1).
    case methodFailed(method: String, methods: [String])
    /// A method passed but more are needed (RFC 4252 §5.1).
    case partialSuccess(method: String, methods: [String])
    /// The server accepts a signature from this key (`SSH_MSG_USERAUTH_PK_OK`, RFC 4252 §7).
    case publicKeyAccepted(algorithm: String)
    /// RFC 4252 §8: answer with ``UserAuthClient/changePassword(to:)``.
    case passwordChangeRequested(prompt: String)
    /// RFC 4256 §3.2: answer with ``UserAuthClient/respond(_:)``.
    case infoRequested(name: String, instruction: String, prompts: [SSHKeyboardInteractivePrompt])
    /// `SSH_MSG_USERAUTH_SUCCESS`.
    case authenticated
    /// No credential is left that the server would take; the owner disconnects
    /// (`SSH_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE`).
    case exhausted(methods: [String])
    /// The server broke the protocol: the owner calls `transport.disconnect(reason:description:)`.
    case disconnect(reason: SSHDisconnectReason, description: String)
}
