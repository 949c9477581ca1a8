/// The events of the `SSHServer` class (server digest §3), as value types whose writable fields the
/// handler may change. Handlers run inside ``SSHServer/doEvents()`` on the caller's thread.

/// Fires for every accepted TCP connection before anything is sent. `accept` starts as false when
/// the peer is refused by `AllowedClients`/`BlockedClients`, true otherwise (digest §3.2).
public struct ConnectionRequestEvent: Sendable {
    public let address: String
    public let port: Int
    public var accept: Bool
}

/// A connection was accepted and has an id. It fires before the server sends anything, so the
/// handler may choose another host key for this connection alone: set the `cert*` fields as the
/// `SSHCert*` properties (digest §3.2); `certSubject` non-empty loads it. A key that cannot be
/// loaded fires `Error` 1301 and ends that connection.
public struct ConnectedEvent: Sendable {
    public let connectionId: Int
    public let statusCode: Int
    public let description: String
    public var certStoreType = HostKeyStoreType.auto.rawValue
    public var certStore = ""
    public var certPassword = ""
    public var certSubject = ""

    public init(connectionId: Int, statusCode: Int, description: String) {
        self.connectionId = connectionId
        self.statusCode = statusCode
        self.description = description
    }
}

/// A connection ended. `statusCode` is 0 for an orderly end, otherwise the SSH disconnect reason.
public struct DisconnectedEvent: Sendable {
    public let connectionId: Int
    public let statusCode: Int
    public let description: String
    /// **Extension**: the connection's `ConnectionUID`, which no later connection reuses.
    public var connectionUID = 0
}

/// Progress of the SSH handshake and other protocol milestones, as text.
public struct SSHStatusEvent: Sendable {
    public let connectionId: Int
    public let message: String
}

/// An error on a connection (or, with `connectionId` 0, in the server).
public struct ErrorEvent: Sendable {
    public let connectionId: Int
    public let errorCode: Int
    public let description: String
}

/// A log line at `logLevel` (1 info, 2 verbose, 3 debug); only levels up to `LogLevel` fire.
public struct LogEvent: Sendable {
    public let connectionId: Int
    public let logLevel: Int
    public let message: String
    public let logType: String
}
