import SSHKit

/// The environment a session starts with (issue 5 item 5): nothing inherited from the daemon, the
/// variables OpenSSH sets, and the client's `env` requests that `AcceptEnv` allows.
struct SessionEnvironment {
    /// The most `env` requests a channel keeps; later ones are refused.
    static let maximumClientVariables = 64
    /// PATH for an ordinary account and for root (Debian's OpenSSH defaults).
    static let userPath = "/usr/local/bin:/usr/bin:/bin:/usr/games"
    static let superuserPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// Names the client may never set, whatever `AcceptEnv` says: they describe the login.
    static let reservedNames: Set<String> = [
        "HOME", "USER", "LOGNAME", "SHELL", "PATH", "MAIL", "TERM", "SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY",
        "SSH_ORIGINAL_COMMAND", "SSH_AUTH_SOCK", "LD_PRELOAD", "LD_LIBRARY_PATH",
    ]

    /// Names that change how programs load or start, refused whatever `AcceptEnv` says: an
    /// SFTP-only account must not get code run in its (unconfined) SFTP server child.
    static let loaderNames: Set<String> = ["GLIBC_TUNABLES", "BASH_ENV", "ENV", "PYTHONSTARTUP", "PERL5OPT", "IFS"]

    /// Whether `AcceptEnv` lets a client set `name`.
    static func accepts(_ name: String, patterns: [String]) -> Bool {
        guard !name.isEmpty, !name.contains("="), !reservedNames.contains(name), !loaderNames.contains(name), !name.hasPrefix("LD_")
        else { return false }
        return patterns.contains { GlobPattern($0).matches(name) }
    }

    /// The variables for a session of `owner` on a connection from `client` to `server`; a pty
    /// session adds TERM and SSH_TTY (``terminalVariables(type:path:)``) once its terminal is open.
    static func build(
        owner: SessionOwner, client: (host: String, port: Int), server: (host: String, port: Int),
        clientVariables: [(name: String, value: String)], originalCommand: String?
    ) -> [String] {
        var variables: [(String, String)] = [
            ("HOME", owner.home), ("USER", owner.name), ("LOGNAME", owner.name), ("SHELL", owner.shell),
            ("PATH", owner.runsAsSuperuser ? superuserPath : userPath), ("MAIL", "/var/mail/\(owner.name)"),
            ("SSH_CLIENT", "\(client.host) \(client.port) \(server.port)"),
            ("SSH_CONNECTION", "\(client.host) \(client.port) \(server.host) \(server.port)"),
        ]
        if let originalCommand { variables.append(("SSH_ORIGINAL_COMMAND", originalCommand)) }
        var seen = Set(variables.map(\.0))
        for entry in owner.extraEnvironment {
            guard let equals = entry.firstIndex(of: "=") else { continue }
            let name = String(entry[..<equals])
            if !reservedNames.contains(name), seen.insert(name).inserted { variables.append((name, String(entry[entry.index(after: equals)...]))) }
        }
        for (name, value) in clientVariables.reversed() where seen.insert(name).inserted {
            variables.append((name, value))
        }
        return variables.map { "\($0.0)=\($0.1)" }
    }

    static func terminalVariables(type: String, path: String) -> [String] {
        ["TERM=\(type.isEmpty ? "dumb" : type)", "SSH_TTY=\(path)"]
    }
}
