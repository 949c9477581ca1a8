/// `SSHServiceRequest` (server digest §3.6): `accept` starts true for `ssh-userauth` (digest §9
/// item 1); refusing disconnects with SSH_DISCONNECT_SERVICE_NOT_AVAILABLE.
public struct ServiceRequestEvent: Sendable {
    public let connectionId: Int
    public let service: String
    public var accept: Bool
}

/// `SSHUserAuthRequest` (server digest §3.3): one firing per authentication step.
///
/// `authMethod` is `none`, `password`, `publickey`, `keyboard-interactive-N` (one per response,
/// numbered from 1), `keyboard-interactive` (the final firing) or `sigstatus` (after a public-key
/// signature was checked, when `FireAuthRequestAfterSig` is on). `authParam` holds the password,
/// the public key blob, or the response; it is wiped after the handler returns, so copy what you
/// keep. A public-key request fires twice: first without a signature (`hasSignature` false; accept
/// it to let the client sign), then, once the class has verified the signature, with it.
public struct UserAuthRequestEvent: Sendable {
    public let connectionId: Int
    public let user: String
    public let service: String
    public let authMethod: String
    public let authParam: [UInt8]
    /// For `publickey`, the signature algorithm.
    public let keyAlgorithm: String
    /// For `publickey`: whether the signature was already verified in this request. **Extension**.
    public let hasSignature: Bool
    /// For a password change request (RFC 4252 §8), the new password; `authParam` is the old one.
    /// **Extension**: the seeds do not cover password changes.
    public let newPassword: [UInt8]?
    public var accept = false
    public var partialSuccess = false
    /// The methods sent in USERAUTH_FAILURE; starts as `DefaultAuthMethods` without `none`.
    public var availableMethods: String
    /// **Extension** (DESIGN §3): leave the decision open and give it later with
    /// ``SSHServer/completeUserAuth(connectionId:accept:partialSuccess:availableMethods:)`` — for
    /// checks that must not block `doEvents()`, such as PAM. Not offered for `keyboard-interactive-N`.
    public var deferDecision = false
    /// `HomeDir` (SFTPServer, digest §B6.9): on acceptance, the connection's initial SFTP directory
    /// (a path inside the served tree); empty leaves it at "/".
    public var homeDir = ""
    /// **Extension**: the user does not exist. Failure lines then read `Failed METHOD for invalid
    /// user NAME from …`, OpenSSH's wording, which fail2ban's sshd filter matches.
    public var invalidUser = false
    /// **Extension**: this request's number, unique for the server's life. Pass it to
    /// ``SSHServer/completeUserAuth(connectionId:accept:partialSuccess:availableMethods:loggedMethod:invalidUser:requestNumber:)``
    /// so that a late decision cannot apply to a later request or to a connection that reused the id.
    public var requestNumber = 0
}

/// **Extension** (DESIGN §3): one step of keyboard-interactive run as a conversation the owner
/// drives (RFC 4256 §3.2–3.4), as PAM needs: `responses` is nil when the client starts the
/// method, then holds each round's answers. The owner replies with
/// ``SSHServer/promptKeyboardInteractive(connectionId:name:instruction:prompts:)`` (another round)
/// or ``SSHServer/completeUserAuth(connectionId:accept:partialSuccess:availableMethods:loggedMethod:)``.
/// Responses are secrets: the array is the owner's to wipe.
public struct KeyboardInteractiveEvent: Sendable {
    public let connectionId: Int
    public let user: String
    public let responses: [[UInt8]]?
    /// The request's number, as ``UserAuthRequestEvent/requestNumber``: each round has its own.
    public let requestNumber: Int
}
