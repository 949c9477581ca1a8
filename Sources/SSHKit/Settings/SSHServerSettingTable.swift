import SSHCore
import SSHCrypto

/// One row per setting that `config("Name=Value")`, `config("Name")` and the daemon's config file
/// know (STYLE §11: behaviour that is data lives in a table). Names match case-insensitively.
public enum SSHServerSettingTable {
    /// What a setting is for on Linux (server digest §4 "Relevance").
    public enum Relevance: Sendable {
        case ssh, network, eventLoop
        /// A Windows, TLS or licensing item: accepted and stored, with no effect.
        case artifact
    }

    public struct Entry: Sendable {
        public let name: String
        public let relevance: Relevance
        /// What values are allowed, for error messages ("an integer from 0 to 65535", …).
        public let allowed: String
        /// The error code when the setting is changed while listening (server digest §6.2), or nil.
        public let lockedWhileListening: Int?
        let read: @Sendable (SSHServerSettings) -> String
        /// Returns false when the value is not allowed; the settings are then unchanged.
        let write: @Sendable (inout SSHServerSettings, String) -> Bool
    }

    /// The row for `name` (case-insensitive), or nil.
    public static func entry(named name: String) -> Entry? {
        let key = name.lowercased()
        return entries.first { $0.name.lowercased() == key }
    }

    // MARK: - Row builders

    static func bool(_ name: String, _ path: any WritableKeyPath<SSHServerSettings, Bool> & Sendable, _ relevance: Relevance = .ssh) -> Entry {
        Entry(name: name, relevance: relevance, allowed: "True, False, Yes, No, 1 or 0", lockedWhileListening: nil,
              read: { $0[keyPath: path] ? "True" : "False" },
              write: { settings, text in
                  guard let value = SettingValueParser.bool(text) else { return false }
                  settings[keyPath: path] = value
                  return true
              })
    }

    static func integer(
        _ name: String, _ path: any WritableKeyPath<SSHServerSettings, Int> & Sendable, _ range: ClosedRange<Int>,
        _ relevance: Relevance = .ssh, locked: Int? = nil
    ) -> Entry {
        Entry(name: name, relevance: relevance, allowed: "an integer from \(range.lowerBound) to \(range.upperBound)",
              lockedWhileListening: locked,
              read: { String($0[keyPath: path]) },
              write: { settings, text in
                  guard let value = SettingValueParser.integer(text, in: range) else { return false }
                  settings[keyPath: path] = value
                  return true
              })
    }

    /// An integer whose empty value means "the system's default".
    static func systemInteger(
        _ name: String, _ path: any WritableKeyPath<SSHServerSettings, Int?> & Sendable, _ range: ClosedRange<Int>
    ) -> Entry {
        Entry(name: name, relevance: .network,
              allowed: "an integer from \(range.lowerBound) to \(range.upperBound), or empty for the system default",
              lockedWhileListening: nil,
              read: { $0[keyPath: path].map(String.init) ?? "" },
              write: { settings, text in
                  if text.trimmed.isEmpty {
                      settings[keyPath: path] = nil
                      return true
                  }
                  guard let value = SettingValueParser.integer(text, in: range) else { return false }
                  settings[keyPath: path] = value
                  return true
              })
    }

    static func text(
        _ name: String, _ path: any WritableKeyPath<SSHServerSettings, String> & Sendable, allowed: String = "any text",
        locked: Int? = nil, valid: @escaping @Sendable (String) -> Bool = { _ in true }
    ) -> Entry {
        Entry(name: name, relevance: .ssh, allowed: allowed, lockedWhileListening: locked,
              read: { $0[keyPath: path] },
              write: { settings, text in
                  guard valid(text) else { return false }
                  settings[keyPath: path] = text
                  return true
              })
    }

    /// A comma list whose items must each be one of `known()` (nil = anything), at least one.
    static func list(
        _ name: String, _ path: any WritableKeyPath<SSHServerSettings, [String]> & Sendable, _ relevance: Relevance = .ssh,
        allowEmpty: Bool = false, known: (@Sendable () -> [String])? = nil,
        itemsAllowed: String? = nil, validItem: (@Sendable (String) -> Bool)? = nil
    ) -> Entry {
        let allowed = known.map { "a comma list of: \($0().joined(separator: ", "))" }
            ?? itemsAllowed.map { "a comma list of \($0)" } ?? "a comma list"
        return Entry(name: name, relevance: relevance, allowed: allowed, lockedWhileListening: nil,
              read: { $0[keyPath: path].joined(separator: ",") },
              write: { settings, text in
                  let items = SettingValueParser.list(text)
                  guard allowEmpty || !items.isEmpty else { return false }
                  if let validItem, !items.allSatisfy(validItem) { return false }
                  if let known {
                      let names = Set(known().map { $0.lowercased() })
                      guard items.allSatisfy({ names.contains($0.lowercased()) }) else { return false }
                  }
                  settings[keyPath: path] = items
                  return true
              })
    }

    /// A Windows, TLS or licensing setting: accepted, stored, without effect.
    static func artifact(_ name: String, fixed: String? = nil) -> Entry {
        Entry(name: name, relevance: .artifact,
              allowed: fixed.map { "\($0) (fixed on Linux)" } ?? "any value (no effect on Linux)",
              lockedWhileListening: nil,
              read: { settings in fixed ?? settings.artifactValues[name.lowercased()] ?? "" },
              write: { settings, text in
                  if let fixed { return text.trimmed == fixed }
                  settings.artifactValues[name.lowercased()] = text
                  return true
              })
    }

    // MARK: - The table

    public static let entries: [Entry] = [
        // Listening and sockets (§1.2, §4.2).
        text("LocalHost", \.localHost, allowed: "an IP address or host name, or empty for all", locked: SSHServerError.localHostLocked),
        integer("LocalPort", \.localPort, 0...65535, .network, locked: SSHServerError.localPortLocked),
        integer("ConnectionBacklog", \.connectionBacklog, 1...65535, .network),
        integer("UseIPv6", \.useIPv6, 0...2, .network),
        integer("MaxConnections", \.maxConnections, 1...100_000, .network, locked: SSHServerError.maxConnectionsLocked),
        list("AllowedClients", \.allowedClients, .network, itemsAllowed: ClientAccessList.allowedForms,
             validItem: { ClientAddressPattern($0) != nil }),
        list("BlockedClients", \.blockedClients, .network, allowEmpty: true, itemsAllowed: ClientAccessList.allowedForms,
             validItem: { ClientAddressPattern($0) != nil }),
        bool("TcpNoDelay", \.tcpNoDelay, .network),
        systemInteger("InBufferSize", \.inBufferSize, 1...(1 << 30)),
        systemInteger("OutBufferSize", \.outBufferSize, 1...(1 << 30)),
        systemInteger("KeepAliveTime", \.keepAliveTime, 1000...(24 * 3_600_000)),
        systemInteger("KeepAliveInterval", \.keepAliveInterval, 1000...3_600_000),
        systemInteger("KeepAliveRetryCount", \.keepAliveRetryCount, 1...127),
        // Event loop (§4.2).
        integer("SelectWaitMillis", \.selectWaitMillis, 0...60_000, .eventLoop),
        integer("MaxReadTime", \.maxReadTime, 0...60_000, .eventLoop),
        // Timeouts (§1.2, §4.1).
        integer("DefaultTimeout", \.defaultTimeout, 0...86_400),
        integer("DefaultIdleTimeout", \.defaultIdleTimeout, 0...31_536_000),
        integer("LoginGraceTime", \.loginGraceTime, 0...86_400),
        integer("SSHKeepAliveInterval", \.sshKeepAliveInterval, 0...86_400),
        integer("SSHKeepAliveCountMax", \.sshKeepAliveCountMax, 1...1000),
        // Protocol (§4.1, §4.3).
        text("ServerSSHVersionString", \.serverSSHVersionString,
             allowed: "printable ASCII starting with SSH-2.0-, at most 253 characters") { value in
            value.hasPrefix("SSH-2.0-") && value.utf8.count <= TransportLimits.maximumVersionLineLength - 2
                && value.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        },
        list("SSHVersionPattern", \.sshVersionPattern),
        list("SSHKeyExchangeAlgorithms", \.sshKeyExchangeAlgorithms) { AlgorithmRegistry.allKeyExchangeNames },
        list("SSHPublicKeyAlgorithms", \.sshPublicKeyAlgorithms) { AlgorithmRegistry.allSignatureNames },
        list("SSHEncryptionAlgorithms", \.sshEncryptionAlgorithms) { AlgorithmRegistry.allCipherNames },
        list("SSHMacAlgorithms", \.sshMacAlgorithms) { AlgorithmRegistry.allMACNames },
        list("SSHCompressionAlgorithms", \.sshCompressionAlgorithms) { AlgorithmRegistry.compression },
        list("SSHPubKeyAuthSigAlgorithms", \.sshPubKeyAuthSigAlgorithms) { AlgorithmRegistry.allSignatureNames },
        Entry(name: "KeyRenegotiationThreshold", relevance: .ssh,
              allowed: "a byte count of at least \(TransportLimits.minimumRekeyByteLimit) (units K, M, G allowed, e.g. 1 GB)",
              lockedWhileListening: nil,
              read: { String($0.keyRenegotiationThreshold) },
              write: { settings, text in
                  guard let value = SettingValueParser.byteCount(text, in: TransportLimits.minimumRekeyByteLimit...UInt64.max) else { return false }
                  settings.keyRenegotiationThreshold = value
                  return true
              }),
        Entry(name: "UseStrictKeyExchange", relevance: .ssh, allowed: "0, 1, 2 or 3", lockedWhileListening: nil,
              read: { String($0.useStrictKeyExchange.rawValue) },
              write: { settings, text in
                  guard let number = SettingValueParser.integer(text, in: 0...3),
                        let mode = StrictKeyExchangeMode(rawValue: number) else { return false }
                  settings.useStrictKeyExchange = mode
                  return true
              }),
        // Authentication (§1.2, §4.1).
        list("DefaultAuthMethods", \.defaultAuthMethods) { ["none", "password", "publickey", "keyboard-interactive"] },
        integer("MaxAuthAttempts", \.maxAuthAttempts, 1...100),
        text("KeyboardInteractiveMessage", \.keyboardInteractiveMessage),
        bool("FireAuthRequestAfterSig", \.fireAuthRequestAfterSig),
        // Logging (§3.8, §4.2).
        integer("LogLevel", \.logLevel, 0...3),
        bool("MaskSensitive", \.maskSensitive),
        bool("MaskSensitiveData", \.maskSensitive),
        // Artifacts (§4.2): accepted, no effect on Linux.
        artifact("BindExclusively"), artifact("UseIOCP"), artifact("UseWindowsMessages"),
        artifact("ProcessIdleEvents"), artifact("UseFIPSCompliantAPI"), artifact("UseInternalSecurityAPI"),
        artifact("DefaultConnectionTimeout"), artifact("LicenseInfo"),
        artifact("CodePage", fixed: "65001"),
        artifact("BuildInfo", fixed: "swift-sshd 0.1"),
    ]
}
