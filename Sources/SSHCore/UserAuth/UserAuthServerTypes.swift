import SSHCrypto
import SSHWire

/// Names one request the application is asked to decide. A request that a newer one superseded
/// (RFC 4252 §5: a client may send a new request before the last one is answered) keeps its id, but
/// completing it does nothing.
public struct UserAuthRequestID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public var description: String { "auth#\(rawValue)" }
}

/// What the client asks for, after the layer has checked everything it can check itself.
///
/// Secrets are ``SecureBytes``: they are wiped once the request is completed or superseded, so
/// copy out what the check needs before calling ``UserAuthServer/complete(_:_:availableMethods:)``.
public enum UserAuthMethodRequest: Sendable {
    /// `none` (RFC 4252 §5.2); asked only when `none` is in the configured methods.
    case none
    /// `password` (RFC 4252 §8).
    case password(SecureBytes)
    /// `password` with a new password (RFC 4252 §8), after a PASSWD_CHANGEREQ or unprompted.
    case passwordChange(old: SecureBytes, new: SecureBytes)
    /// `publickey` without a signature (RFC 4252 §7): would this key be accepted? Answer
    /// ``UserAuthDecision/publicKeyAcceptable`` (sends `SSH_MSG_USERAUTH_PK_OK`) or
    /// ``UserAuthDecision/publicKeyNotAcceptable``.
    case publicKeyQuery(algorithm: String, key: any SSHPublicKey)
    /// `publickey` (or `publickey-hostbound-v00@openssh.com` when `hostBound`) whose signature
    /// the layer has already verified over the session identifier (RFC 4252 §7) with an accepted
    /// algorithm: only "is this key allowed for this user?" remains.
    case publicKey(algorithm: String, key: any SSHPublicKey, hostBound: Bool)
    /// `keyboard-interactive` started (RFC 4256 §3.1). Answer with prompts
    /// (``UserAuthDecision/infoRequest(name:instruction:prompts:)``) or a final decision.
    case keyboardInteractiveStarted(submethods: String)
    /// The answers to the last prompts (RFC 4256 §3.4), one per prompt, in order. Answer with
    /// another round of prompts or a final decision.
    case keyboardInteractiveResponses([SecureBytes])

    /// The method name as configured and advertised: `publickey` for both public-key variants.
    public var methodName: String {
        switch self {
        case .none: SSHUserAuthMethod.Name.none
        case .password, .passwordChange: SSHUserAuthMethod.Name.password
        case .publicKeyQuery, .publicKey: SSHUserAuthMethod.Name.publicKey
        case .keyboardInteractiveStarted, .keyboardInteractiveResponses: SSHUserAuthMethod.Name.keyboardInteractive
        }
    }
}

/// The application's answer to one ``UserAuthServerEvent/authenticationRequested(_:user:service:method:)``.
///
/// A decision that does not fit the request is read as the closest safe answer:
///
/// | request | `success` / `partialSuccess` | `publicKeyAcceptable` | `passwordChangeRequired` | `infoRequest` |
/// | --- | --- | --- | --- | --- |
/// | publickey query | PK_OK | PK_OK | failure | failure |
/// | signed publickey | as named | success | failure | failure |
/// | password, password change | as named | failure | PASSWD_CHANGEREQ | failure |
/// | keyboard-interactive | as named | failure | failure | INFO_REQUEST |
/// | none | as named | failure | failure | failure |
public enum UserAuthDecision: Sendable, Equatable {
    /// `SSH_MSG_USERAUTH_SUCCESS` (RFC 4252 §5.1).
    case success
    /// This method passed but more are needed: `SSH_MSG_USERAUTH_FAILURE` with partial success
    /// TRUE (RFC 4252 §5.1). `remainingMethods`, when given, become the only methods allowed next
    /// and the list advertised; otherwise the configured methods minus those already passed.
    case partialSuccess(remainingMethods: [String]?)
    /// `SSH_MSG_USERAUTH_FAILURE` with partial success FALSE; counts towards `MaxAuthAttempts`.
    case failure
    /// `SSH_MSG_USERAUTH_PASSWD_CHANGEREQ` (RFC 4252 §8): the password is right but expired.
    case passwordChangeRequired(prompt: String)
    /// `SSH_MSG_USERAUTH_INFO_REQUEST` (RFC 4256 §3.2): another round of prompts, at most
    /// ``UserAuthLimits/maximumPromptCount``.
    case infoRequest(name: String, instruction: String, prompts: [SSHKeyboardInteractivePrompt])
    /// A publickey query may go ahead (`SSH_MSG_USERAUTH_PK_OK`, RFC 4252 §7).
    case publicKeyAcceptable
    /// A publickey query is refused (`SSH_MSG_USERAUTH_FAILURE`).
    case publicKeyNotAcceptable
}

/// What the server side of user authentication tells its owner, in order.
public enum UserAuthServerEvent: Sendable {
    /// Decide this request and answer later with ``UserAuthServer/complete(_:_:availableMethods:)``
    /// (DESIGN §3: the check may run off the reactor).
    case authenticationRequested(UserAuthRequestID, user: String, service: String, method: UserAuthMethodRequest)
    /// The client is authenticated (reported once); the connection protocol may start (RFC 4252 §5.1).
    case authenticated(user: String, service: String)
    /// A request was refused without asking the application (a bad signature, a method not
    /// allowed, …): for logs. `method` is the name the client sent.
    case requestRejected(user: String, method: String, why: String)
    /// The connection must end: the owner calls `transport.disconnect(reason:description:)`.
    case disconnect(reason: SSHDisconnectReason, description: String)
}
