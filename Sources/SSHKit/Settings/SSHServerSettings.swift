import SSHCore
import SSHCrypto

/// Every server-wide setting of the `SSHServer` class (server digest §1.2 and §4) as a typed value
/// with its documented default. `config("Name=Value")` and the daemon's config file reach these
/// through ``SSHServerSettingTable``; Swift callers may set them directly.
///
/// Deviations from the seeds are marked **Deviation** and listed in the class documentation.
public struct SSHServerSettings: Sendable, Equatable {
    // MARK: - Listening (§1.2, §4.2)

    /// Bind address; "" = every interface of the `UseIPv6` family.
    public var localHost = ""
    /// 0 = kernel-chosen, readable after listening starts.
    public var localPort = 22
    /// The `listen()` backlog.
    public var connectionBacklog = 5
    /// 0 = IPv4 only, 1 = IPv6 only, 2 = both (dual stack).
    public var useIPv6 = 0
    /// At most this many simultaneous connections (1…100,000); more are accepted and closed at once
    /// (digest §9 item 13).
    public var maxConnections = 1000
    /// Host patterns allowed to connect ("*" = all). **Extension**: IPv6 addresses and CIDR blocks.
    public var allowedClients = ["*"]
    /// Host patterns refused.
    public var blockedClients: [String] = []
    public var tcpNoDelay = false
    /// SO_RCVBUF / SO_SNDBUF for accepted sockets; nil = the system's.
    public var inBufferSize: Int?
    public var outBufferSize: Int?
    /// TCP keep-alive: idle time and probe interval in milliseconds, probe count; nil = the system's.
    /// Setting any of them enables SO_KEEPALIVE.
    public var keepAliveTime: Int?
    public var keepAliveInterval: Int?
    public var keepAliveRetryCount: Int?

    // MARK: - Event loop (§4.2)

    /// How long `doEvents()` waits for something to happen.
    public var selectWaitMillis = 20
    /// The most time spent reading one connection before serving others; 0 = no limit.
    public var maxReadTime = 50

    // MARK: - Timeouts (§1.2, §4.1)

    /// The initial per-connection timeout in seconds (0 = asynchronous sends).
    public var defaultTimeout = 60
    /// Idle disconnect in seconds; 0 = off.
    public var defaultIdleTimeout = 0
    /// **Extension** (not in the seeds; OpenSSH's LoginGraceTime): seconds a client has to
    /// authenticate; 0 = no limit.
    public var loginGraceTime = 120
    /// Seconds of silence before an SSH keep-alive (`keepalive@openssh.com`); 0 = off.
    public var sshKeepAliveInterval = 0
    /// Unanswered keep-alives before the connection is dropped.
    public var sshKeepAliveCountMax = 5

    // MARK: - Protocol (§4.1, §4.3)

    public var serverSSHVersionString = TransportConfiguration.defaultVersionString
    /// Glob patterns the client's identification string must match.
    public var sshVersionPattern = ["*SSH-1.99-*", "*SSH-2.0-*"]
    /// **Deviation**: our modern defaults (DESIGN §4) instead of the seeds' lists, which lead with
    /// CBC, RC4 and SHA-1; every implemented algorithm can still be listed.
    public var sshKeyExchangeAlgorithms = AlgorithmPreferences.secureDefaults.keyExchange
    public var sshPublicKeyAlgorithms = AlgorithmPreferences.secureDefaults.hostKey
    public var sshEncryptionAlgorithms = AlgorithmPreferences.secureDefaults.ciphers
    public var sshMacAlgorithms = AlgorithmPreferences.secureDefaults.macs
    /// **Deviation**: "none" until zlib is implemented (seed default "none,zlib").
    public var sshCompressionAlgorithms = ["none"]
    /// Signature algorithms accepted for public-key user authentication. **Deviation**: without
    /// SHA-1 `ssh-rsa`, DSA and X.509 (the seeds list them all).
    public var sshPubKeyAuthSigAlgorithms = [
        "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "rsa-sha2-512", "rsa-sha2-256",
    ]
    /// KeyRenegotiationThreshold: bytes per direction since the last exchange (digest §9 item 9).
    public var keyRenegotiationThreshold: UInt64 = TransportLimits.defaultRekeyByteLimit
    public var useStrictKeyExchange = StrictKeyExchangeMode.enabled

    // MARK: - Authentication (§1.2, §3.3, §4.1)

    /// Methods offered, in order: none, password, publickey, keyboard-interactive.
    public var defaultAuthMethods = ["password", "publickey"]
    /// Failed attempts before disconnecting (digest §9 item 3: 6, OpenSSH's MaxAuthTries).
    public var maxAuthAttempts = 6
    /// The keyboard-interactive instruction text.
    public var keyboardInteractiveMessage = ""
    /// Fire SSHUserAuthRequest again after a public-key signature is checked ("sigstatus").
    public var fireAuthRequestAfterSig = false

    // MARK: - Logging (§3.8, §4.2)

    /// 0 = none … 3 = verbose.
    public var logLevel = 1
    /// Mask passwords and other secrets in log lines.
    public var maskSensitive = true

    /// Values of artifact settings (server digest §4.2), kept so `config("Name")` reads back what
    /// was set; keyed by lower-cased name.
    public var artifactValues: [String: String] = [:]

    public init() {}

    /// `config("Name=Value")` sets a setting and returns ""; `config("Name")` returns its value
    /// (server digest §2). Names are case-insensitive. Throws ``SSHServerError`` with
    /// ``SSHServerError/invalidSetting`` naming what is allowed, or the documented code when the
    /// setting cannot change while listening.
    @discardableResult
    public mutating func config(_ configuration: String, isListening: Bool = false) throws(SSHServerError) -> String {
        let name: String
        let value: String?
        if let equals = configuration.firstIndex(of: "=") {
            name = String(configuration[..<equals]).trimmed
            value = String(configuration[configuration.index(after: equals)...])
        } else {
            name = configuration.trimmed
            value = nil
        }
        guard let entry = SSHServerSettingTable.entry(named: name) else {
            throw SSHServerError(code: SSHServerError.invalidSetting, "unknown setting \"\(name)\"")
        }
        guard let value else { return entry.read(self) }
        if isListening, let code = entry.lockedWhileListening {
            throw SSHServerError(code: code, "\(entry.name) cannot change while listening")
        }
        guard entry.write(&self, value.trimmed) else {
            throw SSHServerError(
                code: SSHServerError.invalidSetting,
                "\(entry.name): \"\(value.trimmed)\" is not allowed; expected \(entry.allowed)")
        }
        return ""
    }

    /// The transport's algorithm lists from these settings, validated against the registry.
    public func algorithmPreferences() throws -> AlgorithmPreferences {
        try AlgorithmPreferences(
            keyExchange: sshKeyExchangeAlgorithms, hostKey: sshPublicKeyAlgorithms,
            ciphers: sshEncryptionAlgorithms, macs: sshMacAlgorithms, compression: sshCompressionAlgorithms
        ).validated()
    }
}
