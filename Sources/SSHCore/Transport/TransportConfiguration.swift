import SSHCrypto

/// Which end of the connection an engine plays.
public enum SSHRole: Sendable, Equatable {
    case client
    case server
}

/// Strict key exchange (OpenSSH PROTOCOL §1.10, the Terrapin mitigation), as the documented
/// `UseStrictKeyExchange` setting numbers it.
public enum StrictKeyExchangeMode: Int, Sendable, Equatable {
    /// 0: not advertised.
    case disabled = 0
    /// 1: advertised; a peer without it may continue.
    case enabled = 1
    /// 2: advertised; a peer without it may continue only with a cipher/MAC pair that CVE-2023-48795
    /// does not affect (not chacha20-poly1305, not CBC with an EtM MAC).
    case enabledRejectVulnerable = 2
    /// 3: required; a peer without it fails the key exchange.
    case required = 3
}

/// How a client decides on the server's host key (DESIGN §3: decisions that may take time are
/// requested as events and answered by a method call).
public enum HostKeyApproval: Sendable {
    /// Accept any host key whose signature verifies (tests, first contact tools).
    case acceptAny
    /// Accept only keys whose blob is in the list.
    case pinned([[UInt8]])
    /// Raise ``TransportEvent/hostKeyApprovalRequested(_:)`` and wait for
    /// ``SSHTransport/approveHostKey(_:)``.
    case ask
}

/// Everything the transport engine needs to know up front.
public struct TransportConfiguration: Sendable {
    public var role: SSHRole
    /// Our identification string without CR LF; must start with `SSH-2.0-` (RFC 4253 §4.2).
    public var versionString: String
    public var algorithms: AlgorithmPreferences
    /// Server only: the host keys to sign exchange hashes with.
    public var hostKeys: [any SSHPrivateKey]
    /// Client only.
    public var hostKeyApproval: HostKeyApproval
    public var strictKeyExchange: StrictKeyExchangeMode
    /// KeyRenegotiationThreshold: bytes per direction after which we start a rekey.
    public var rekeyByteLimit: UInt64
    /// Server only: the signature algorithms announced in `server-sig-algs` (RFC 8308 §3.1) for
    /// public-key user authentication.
    public var serverSignatureAlgorithms: [String]

    public static let defaultVersionString = "SSH-2.0-swift-sshd_0.1"

    public init(
        role: SSHRole,
        versionString: String = TransportConfiguration.defaultVersionString,
        algorithms: AlgorithmPreferences = .secureDefaults,
        hostKeys: [any SSHPrivateKey] = [],
        hostKeyApproval: HostKeyApproval = .ask,
        strictKeyExchange: StrictKeyExchangeMode = .enabled,
        rekeyByteLimit: UInt64 = TransportLimits.defaultRekeyByteLimit,
        serverSignatureAlgorithms: [String] = AlgorithmPreferences.secureDefaults.hostKey
    ) {
        self.role = role
        self.versionString = versionString
        self.algorithms = algorithms
        self.hostKeys = hostKeys
        self.hostKeyApproval = hostKeyApproval
        self.strictKeyExchange = strictKeyExchange
        self.rekeyByteLimit = rekeyByteLimit
        self.serverSignatureAlgorithms = serverSignatureAlgorithms
    }
}
