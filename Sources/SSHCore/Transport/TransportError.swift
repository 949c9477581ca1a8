import SSHCrypto
import SSHWire

/// Why the transport closed the connection. Mapped once to an RFC 4253 §11.1 disconnect reason.
public enum TransportError: Error, Equatable, Sendable {
    case protocolError(String)
    case keyExchangeFailed(String)
    case macError
    case hostKeyNotVerifiable(String)
    case versionNotSupported(String)
    case malformed(SSHWireError)
    case byApplication(reason: UInt32, description: String)
    /// The application queued more than ``TransportLimits/maximumQueuedBytesDuringKeyExchange``.
    case outputQueueFull
    /// The connection is closed; nothing more can be sent.
    case closed
    /// The configuration cannot be used (thrown by the initializer; never sent to a peer).
    case invalidConfiguration(String)

    /// The RFC 4253 §11.1 reason code sent in SSH_MSG_DISCONNECT.
    public var disconnectReason: SSHDisconnectReason {
        switch self {
        case .protocolError, .malformed, .outputQueueFull, .closed: .protocolError
        case .keyExchangeFailed: .keyExchangeFailed
        case .macError: .macError
        case .hostKeyNotVerifiable: .hostKeyNotVerifiable
        case .versionNotSupported: .protocolVersionNotSupported
        case .byApplication(let reason, _): SSHDisconnectReason(rawValue: reason) ?? .byApplication
        case .invalidConfiguration: .byApplication
        }
    }

    /// The human-readable description sent with the disconnect.
    public var message: String {
        switch self {
        case .protocolError(let text): "protocol error: \(text)"
        case .keyExchangeFailed(let text): "key exchange failed: \(text)"
        case .macError: "message authentication failed"
        case .hostKeyNotVerifiable(let text): "host key not verifiable: \(text)"
        case .versionNotSupported(let text): "protocol version not supported: \(text)"
        case .malformed(let error): "malformed message: \(error)"
        case .byApplication(_, let description): description
        case .outputQueueFull: "output queue full during key exchange"
        case .closed: "connection closed"
        case .invalidConfiguration(let text): "invalid configuration: \(text)"
        }
    }
}
