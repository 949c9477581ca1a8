import Foundation

/// `swift-sshd demo`: the README's embedded default. Everything lives in one local state folder —
/// host keys, a users file with the account `demo` (a new password at every start), and the
/// `RootDirectory` its files go in — and the daemon listens on loopback.
public struct DemoDeployment {
    public let state: String
    public let configuration: DaemonConfiguration
    /// The demo account's password for this run.
    public let password: String

    /// The account the demo makes, and what it may use.
    public static let userName = "demo"
    /// Characters of generated passwords: no look-alikes (0/O, 1/l/I).
    static let passwordAlphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")
    static let passwordLength = 16

    /// Prepares `state` (made when missing) and the configuration for `host`:`port`. Run as root,
    /// sessions run as `nobody`, which then owns the root folder.
    public init(state: String, host: String, port: Int) throws {
        let base = URL(fileURLWithPath: state).standardizedFileURL.path
        self.state = base
        let root = base + "/root"
        try FileManager.default.createDirectory(atPath: base + "/keys", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.createDirectory(atPath: root + "/" + Self.userName, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        chmod(base, 0o755)
        var configuration = DaemonConfiguration()
        configuration.hostKeys = ["ed25519", "ecdsa", "rsa"].map { base + "/keys/ssh_host_\($0)_key" }
        configuration.authMode = [.users]
        configuration.usersFile = base + "/users"
        configuration.rootDirectory = root
        configuration.server.localHost = host
        configuration.server.localPort = port
        if geteuid() == 0 {
            configuration.virtualUser = "nobody"
            if let nobody = SystemAccount.lookUp("nobody") {
                for path in [root, root + "/" + Self.userName] { chown(path, nobody.uid, nobody.gid) }
            }
        }
        _ = try HostKeyFiles.generateMissing(configuration.hostKeys)
        var generator = SystemRandomNumberGenerator()
        password = String((0..<Self.passwordLength).map { _ in Self.passwordAlphabet.randomElement(using: &generator) ?? "a" })
        guard let hash = PasswordHash.make(password) else { throw DemoError("cannot hash the demo password") }
        var users = FileManager.default.fileExists(atPath: configuration.usersFile) ? try UsersFile.load(configuration.usersFile) : UsersFile()
        let account = UserAccount(name: Self.userName, passwordHash: hash, root: Self.userName, options: [.shell, .exec, .sftp])
        if !users.update(Self.userName, { $0 = account }) { _ = users.add(account) }
        try users.write(to: configuration.usersFile)
        self.configuration = configuration
    }

    /// What to print once the daemon listens on `port`.
    public func banner(port: Int) -> String {
        let host = configuration.server.localHost == "127.0.0.1" ? "localhost" : configuration.server.localHost
        return """
            swift-sshd demo: listening on \(configuration.server.localHost) port \(port)
              user \(Self.userName), password \(password)   (a new one at every start)
              ssh -p \(port) \(Self.userName)@\(host)
              sftp -P \(port) \(Self.userName)@\(host)
              files: \(configuration.rootDirectory)/\(Self.userName)    state: \(state)
            """
    }
}

struct DemoError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
