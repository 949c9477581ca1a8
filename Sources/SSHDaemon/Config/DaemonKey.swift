import SSHKit

/// One key of the config file that is the daemon's own (DESIGN §7), or an SFTP setting: how its
/// value is read into a ``DaemonConfiguration`` and shown back (`-T`). Keys that name the SSH
/// server's properties and settings are `SSHServerSettingTable`'s rows instead.
struct DaemonKey: Sendable {
    let name: String
    /// May appear on more than one line; each adds to the list.
    let repeatable: Bool
    /// What values are allowed, for error messages.
    let allowed: String
    /// Reads `value` into the configuration; false when it is not allowed.
    let apply: @Sendable (inout DaemonConfiguration, String) -> Bool
    /// The values `-T` prints, one line each.
    let show: @Sendable (DaemonConfiguration) -> [String]
    /// For lists: the first line of any key of the group replaces the default instead of adding
    /// to it.
    var resets: (group: String, reset: @Sendable (inout DaemonConfiguration) -> Void)? = nil
}

extension DaemonKey {
    /// Every daemon key, in the order `-T` and the manual list them.
    static let all: [DaemonKey] = [
        list("HostKey", "a path to a private key file", \.hostKeys, repeatable: true, word: false),
        DaemonKey(
            name: "SSHCertStore", repeatable: true, allowed: "a path to a private key file (one more HostKey)",
            apply: { config, value in
                guard !value.isEmpty, !value.utf8.contains(0) else { return false }
                config.hostKeys.append(value)
                return true
            },
            show: { _ in [] }, resets: ("HostKey", { $0.hostKeys = [] })),
        text("SSHCertStorePassword", "the passphrase of the host key files", read: { $0.hostKeyPassword.isEmpty ? "" : "(set)" }) {
            $0.hostKeyPassword = $1
        },
        DaemonKey(
            name: "SSHCertStoreType", repeatable: false, allowed: "6 or PEMKeyFile (OpenSSH or PEM key files)",
            apply: { _, value in ["6", "pemkeyfile"].contains(value.lowercased()) }, show: { _ in ["PEMKeyFile"] }),
        DaemonKey(
            name: "SSHCertSubject", repeatable: false, allowed: "* (the key in the file)",
            apply: { _, value in value == "*" }, show: { _ in ["*"] }),
        DaemonKey(
            name: "AuthMode", repeatable: false, allowed: "pam, users, or both in the order to try them (pam,users)",
            apply: { config, value in
                let modes = SettingValueParser.list(value).map { AuthenticationSource(rawValue: $0.lowercased()) }
                guard !modes.isEmpty, modes.count <= 2, !modes.contains(nil), Set(modes).count == modes.count else { return false }
                config.authMode = modes.compactMap { $0 }
                return true
            },
            show: { [$0.authMode.map(\.rawValue).joined(separator: ",")] }),
        text("PAMService", "a PAM service name (a file in /etc/pam.d)", read: \.pamService) { $0.pamService = $1 },
        path("UsersFile", \.usersFile),
        list("AuthorizedKeysFile", "paths, absolute or under the home; %u is the user, %h the home, %% a %", \.authorizedKeysFiles, repeatable: false, word: true),
        path("RootDirectory", \.rootDirectory),
        flag("AllowShell", \.allowShell),
        flag("AllowExec", \.allowExec),
        flag("AllowSFTP", \.allowSFTP),
        DaemonKey(
            name: "AllowTcpForwarding", repeatable: false, allowed: "yes, no, local or remote",
            apply: { config, value in
                guard let mode = TCPForwarding(rawValue: value.lowercased()) else { return false }
                config.allowTcpForwarding = mode
                return true
            },
            show: { [$0.allowTcpForwarding.rawValue] }),
        DaemonKey(
            name: "PermitOpen", repeatable: false, allowed: "any, none, or host:port targets separated by spaces (* for any host or port)",
            apply: { config, value in
                let targets = value.split(whereSeparator: \.isWhitespace).map(String.init)
                guard !targets.isEmpty else { return false }
                if targets.count == 1, ["any", "none"].contains(targets[0].lowercased()) {
                    config.permitOpen = [targets[0].lowercased()]
                    return true
                }
                guard targets.allSatisfy(Self.isForwardTarget) else { return false }
                config.permitOpen = targets
                return true
            },
            show: { [$0.permitOpen.joined(separator: " ")] }),
        list("AcceptEnv", "variable names, * and ? as wildcards, separated by spaces", \.acceptEnv, repeatable: true, word: true),
        DaemonKey(
            name: "MaxStartups", repeatable: false, allowed: "a number, or start:rate:full with 0 < start ≤ full and rate 1 to 100",
            apply: { config, value in
                let parts = value.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
                guard !parts.contains(nil) else { return false }
                let numbers = parts.compactMap { $0 }
                let limit: StartupLimit
                switch numbers.count {
                case 1: limit = StartupLimit(start: numbers[0], rate: 100, full: numbers[0])
                case 3: limit = StartupLimit(start: numbers[0], rate: numbers[1], full: numbers[2])
                default: return false
                }
                guard limit.start > 0, limit.start <= limit.full, (1...100).contains(limit.rate), limit.full <= 1_000_000 else { return false }
                config.maxStartups = limit
                return true
            },
            show: { [$0.maxStartups.description] }),
        DaemonKey(
            name: "LogLevel", repeatable: false,
            allowed: "QUIET, FATAL, ERROR, INFO, VERBOSE, DEBUG, DEBUG1, DEBUG2, DEBUG3, or the class's 0 to 3",
            apply: { config, value in
                let level: DaemonLogLevel
                switch value.uppercased() {
                case "0": level = .error
                case "1": level = .info
                case "2": level = .verbose
                case "3": level = .debug
                case let name: guard let named = DaemonLogLevel(rawValue: name) else { return false }; level = named
                }
                config.logLevel = level
                config.server.logLevel = level.classLevel
                return true
            },
            show: { [$0.logLevel.rawValue] }),
        DaemonKey(
            name: "Workers", repeatable: false, allowed: "0 (one per core) to \(DaemonLimits.maximumWorkers)",
            apply: { config, value in
                guard let count = SettingValueParser.integer(value, in: 0...DaemonLimits.maximumWorkers) else { return false }
                config.workers = count
                return true
            },
            show: { [String($0.workers)] }),
        text("VirtualUser", "a system user name (empty: the daemon's own user, or swift-sshd when it runs as root)", read: \.virtualUser) {
            $0.virtualUser = $1
        },
        text("UserAuthBanner", "text sent before authentication; \\n starts a new line", read: { $0.banner.replacingOccurrences(of: "\n", with: "\\n") }) {
            $0.banner = $1.replacingOccurrences(of: "\\n", with: "\n")
        },
        // SFTP (client-and-SFTP digest §B4.1)
        DaemonKey(
            name: "ProtocolVersion", repeatable: false, allowed: "3, 4, 5 or 6 (the highest SFTP version offered)",
            apply: { config, value in
                guard let version = SettingValueParser.integer(value, in: 3...6) else { return false }
                config.sftpProtocolVersion = UInt32(version)
                return true
            },
            show: { [String($0.sftpProtocolVersion)] }),
        DaemonKey(
            name: "ServerEOL", repeatable: false, allowed: "Lf, CrLf or Cr",
            apply: { config, value in
                switch value.lowercased() {
                case "lf": config.serverEOL = "\n"
                case "crlf": config.serverEOL = "\r\n"
                case "cr": config.serverEOL = "\r"
                default: return false
                }
                return true
            },
            show: { [$0.serverEOL == "\r\n" ? "CrLf" : $0.serverEOL == "\r" ? "Cr" : "Lf"] }),
        DaemonKey(
            name: "DirListBufferSize", repeatable: false, allowed: "1 to 100 (names per directory-listing reply)",
            apply: { config, value in
                guard let size = SettingValueParser.integer(value, in: 1...100) else { return false }
                config.directoryListBatch = size
                return true
            },
            show: { [String($0.directoryListBatch)] }),
        DaemonKey(
            name: "UnixStyleDateFormat", repeatable: false, allowed: "True (long names are always in ls style)",
            apply: { _, value in SettingValueParser.bool(value) == true }, show: { _ in ["True"] }),
    ]

    /// The key named `name` (case-insensitive).
    static func named(_ name: String) -> DaemonKey? {
        let key = name.lowercased()
        return all.first { $0.name.lowercased() == key }
    }

    /// `host:port` with a port number or `*`; the host a name, an address, `[v6]` or `*`.
    static func isForwardTarget(_ text: String) -> Bool {
        guard let rule = PermitOpenRule(text), rule.port != 0 else { return false }
        return rule.host.allSatisfy { $0.isLetter || $0.isNumber || "-.:*_".contains($0) }
    }

    // MARK: - Row builders

    private static func flag(_ name: String, _ path: any WritableKeyPath<DaemonConfiguration, Bool> & Sendable) -> DaemonKey {
        DaemonKey(
            name: name, repeatable: false, allowed: "yes or no",
            apply: { config, value in
                guard let flag = SettingValueParser.bool(value) else { return false }
                config[keyPath: path] = flag
                return true
            },
            show: { [$0[keyPath: path] ? "yes" : "no"] })
    }

    private static func path(_ name: String, _ path: any WritableKeyPath<DaemonConfiguration, String> & Sendable) -> DaemonKey {
        DaemonKey(
            name: name, repeatable: false, allowed: "an absolute path",
            apply: { config, value in
                guard value.hasPrefix("/"), !value.utf8.contains(0) else { return false }
                config[keyPath: path] = value
                return true
            },
            show: { [$0[keyPath: path]] })
    }

    private static func text(
        _ name: String, _ allowed: String, read: @escaping @Sendable (DaemonConfiguration) -> String,
        _ write: @escaping @Sendable (inout DaemonConfiguration, String) -> Void
    ) -> DaemonKey {
        DaemonKey(
            name: name, repeatable: false, allowed: allowed,
            apply: { config, value in
                write(&config, value)
                return true
            },
            show: { [read($0)] })
    }

    /// A list: with `word`, one line holds several values separated by spaces; a repeatable key
    /// adds each line's values, and the first line replaces the default.
    private static func list(
        _ name: String, _ allowed: String, _ path: any WritableKeyPath<DaemonConfiguration, [String]> & Sendable,
        repeatable: Bool, word: Bool
    ) -> DaemonKey {
        DaemonKey(
            name: name, repeatable: repeatable, allowed: allowed,
            apply: { config, value in
                let items = word ? value.split(whereSeparator: \.isWhitespace).map(String.init) : [value]
                guard !items.isEmpty, !items.contains(where: { $0.utf8.contains(0) }) else { return false }
                config[keyPath: path] += items
                return true
            },
            show: { repeatable && !word ? $0[keyPath: path] : [$0[keyPath: path].joined(separator: " ")] },
            resets: (name, { $0[keyPath: path] = [] }))
    }
}

/// Bounds of the daemon's settings.
public enum DaemonLimits {
    /// The most server threads `Workers` may ask for.
    public static let maximumWorkers = 256
    /// The longest config file line accepted.
    public static let maximumLineLength = 8192
    /// The largest config file read.
    public static let maximumConfigFileSize = 1 << 20
}
