import SFTP

// MARK: - SFTPServer config settings (client-and-SFTP digest §B4.1, §B6.6, §B6.8)

/// The per-connection SFTP settings, normally set in `SSHUserAuthRequest`.
struct SFTPConnectionSettings {
    var directoryBatch: Int?
    var restrictToHome = false
    var errorMessage: String?
    var userRootDirectory: String?
}

extension SFTPServer {
    /// `Config("Name=Value")` / `Config("Name")`: the SFTPServer settings — `ProtocolVersion`,
    /// `ServerEOL`, `UnixStyleDateFormat`, and per connection `DirListBufferSize[id]`,
    /// `RestrictUserToHomeDir[id]`, `SFTPErrorMessage[id]`, `UserRootDirectory[id]` — and every
    /// setting of the SSH server underneath.
    @discardableResult
    public func config(_ configuration: String) throws(SSHServerError) -> String {
        let equals = configuration.firstIndex(of: "=")
        let key = (equals.map { String(configuration[..<$0]) } ?? configuration).trimmed
        let value = equals.map { String(configuration[configuration.index(after: $0)...]).trimmed }
        func bad(_ allowed: String) -> SSHServerError {
            SSHServerError(code: SSHServerError.invalidSetting, "\(key): \"\(value ?? "")\" is not allowed; expected \(allowed)")
        }
        var name = key.lowercased()
        var connectionId: Int?
        if let open = name.firstIndex(of: "["), name.hasSuffix("]") {
            guard let id = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) else { throw bad("an index") }
            connectionId = id
            name = String(name[..<open])
        }
        switch (name, connectionId) {
        case ("protocolversion", nil):
            guard let value else { return String(protocolVersion) }
            guard let version = UInt32(value), (3...6).contains(version) else { throw bad("3, 4, 5 or 6") }
            protocolVersion = version
        case ("servereol", nil):
            guard let value else { return serverEOLName }
            switch value.lowercased() {
            case "crlf", "\r\n": serverEOL = "\r\n"
            case "lf", "\n": serverEOL = "\n"
            case "cr", "\r": serverEOL = "\r"
            default: throw bad("CrLf, Lf or Cr")
            }
        case ("unixstyledateformat", nil):
            guard let value else { return "True" }
            // Long names are always in `ls -l` style: the seeds give no other format.
            guard SettingValueParser.bool(value) == true else { throw bad("True (long names are always in ls style)") }
        case ("dirlistbuffersize", let id?):
            try requireConnection(id)
            guard let value else { return String(connectionSettings[id]?.directoryBatch ?? SFTPLimits.directoryBatch) }
            guard let size = Int(value), (1...SFTPLimits.directoryBatch).contains(size) else { throw bad("1 to \(SFTPLimits.directoryBatch)") }
            connectionSettings[id, default: SFTPConnectionSettings()].directoryBatch = size
        case ("restrictusertohomedir", let id?):
            try requireConnection(id)
            guard let value else { return (connectionSettings[id]?.restrictToHome ?? false) ? "True" : "False" }
            guard let flag = SettingValueParser.bool(value) else { throw bad("True or False") }
            connectionSettings[id, default: SFTPConnectionSettings()].restrictToHome = flag
        case ("sftperrormessage", let id?):
            try requireConnection(id)
            guard let value else { return connectionSettings[id]?.errorMessage ?? "" }
            connectionSettings[id, default: SFTPConnectionSettings()].errorMessage = value
        case ("userrootdirectory", let id?):
            try requireConnection(id)
            guard let value else { return connectionSettings[id]?.userRootDirectory ?? "" }
            guard !value.utf8.contains(0) else { throw bad("a directory under RootDirectory") }
            connectionSettings[id, default: SFTPConnectionSettings()].userRootDirectory = value
        default:
            return try ssh.config(configuration)
        }
        return ""
    }

    private func requireConnection(_ id: Int) throws(SSHServerError) {
        guard ssh.connections[id] != nil else {
            throw SSHServerError(code: SSHServerError.invalidConnectionId, "invalid ConnectionId \(id)")
        }
        connectionSettings = connectionSettings.filter { ssh.connections[$0.key] != nil }
    }

    var serverEOLName: String {
        switch serverEOL {
        case "\r\n": "CrLf"
        case "\r": "Cr"
        default: "Lf"
        }
    }

    /// The file system a connection's session serves: RootDirectory, or UserRootDirectory[id]
    /// under it; with RestrictUserToHomeDir[id], only the home directory and below.
    func fileSystem(for connectionId: Int, home: String) throws(SFTPError) -> any SFTPFileSystem {
        var tree = try ConfinedFileSystem(root: rootDirectory)
        let settings = connectionSettings[connectionId] ?? SFTPConnectionSettings()
        if let userRoot = settings.userRootDirectory, !userRoot.isEmpty {
            tree = try ConfinedFileSystem(within: tree, subdirectory: userRoot)
        }
        guard settings.restrictToHome, home != "/" else { return tree }
        return HomeRestrictedFileSystem(home: home, inner: try ConfinedFileSystem(within: tree, subdirectory: home))
    }
}
