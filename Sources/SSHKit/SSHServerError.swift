/// The public error of the server classes: a documented code and a human-readable diagnostic
/// (STYLE §9: a struct, so codes can be added without breaking callers).
///
/// Codes are those of the specification's error tables (server digest §6), plus
/// ``invalidSetting`` for a configuration value the class cannot use (the seeds have no code for it).
public struct SSHServerError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: Int
    public var diagnostics: String

    public init(code: Int, _ diagnostics: String) {
        self.code = code
        self.diagnostics = diagnostics
    }

    public var description: String { "[\(code)] \(diagnostics)" }

    /// 104: already listening.
    public static let alreadyListening = 104
    /// 106: LocalPort cannot change while listening.
    public static let localPortLocked = 106
    /// 107: LocalHost cannot change while listening.
    public static let localHostLocked = 107
    /// 108: MaxConnections cannot change while listening.
    public static let maxConnectionsLocked = 108
    /// 126: no connection with that id.
    public static let invalidConnectionId = 126
    /// 135: the operation would block (asynchronous sends, `SSHConnectionTimeout` = 0).
    public static let wouldBlock = 135
    /// 1201: a forwarded connection could not be made.
    public static let forwardFailed = 1201
    /// 1202: forwarded data could not be delivered.
    public static let forwardDataFailed = 1202
    /// 1300: the client could not be authenticated.
    public static let authenticationFailed = 1300
    /// 1301: no host key.
    public static let noHostKey = 1301
    /// A setting's name is unknown or its value is not allowed (ours; the seeds have none).
    public static let invalidSetting = 2001
}
