// Global requests (RFC 4254 §4, §7.1; OpenSSH PROTOCOL).

/// `SSH_MSG_GLOBAL_REQUEST` (RFC 4254 §4).
///
/// Decoding picks the ``payload`` case from ``requestName``; a known name with data that does not
/// fit its layout is malformed. Build values with ``init(wantReply:payload:)`` unless the request
/// is ``SSHGlobalRequestPayload/unknown(data:)``.
public struct SSHMsgGlobalRequest: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.globalRequest

    public var requestName: String
    public var wantReply: Bool
    public var payload: SSHGlobalRequestPayload

    public init(requestName: String, wantReply: Bool, payload: SSHGlobalRequestPayload) {
        self.requestName = requestName
        self.wantReply = wantReply
        self.payload = payload
    }

    /// A request whose name follows from a typed payload. For ``SSHGlobalRequestPayload/unknown(data:)``
    /// the name is empty; use ``init(requestName:wantReply:payload:)`` instead.
    public init(wantReply: Bool, payload: SSHGlobalRequestPayload) {
        self.init(requestName: payload.requestName ?? "", wantReply: wantReply, payload: payload)
    }

    public init(from reader: inout SSHReader) throws {
        requestName = try reader.readText("global request name")
        wantReply = try reader.readBool("global request want reply")
        payload = try SSHGlobalRequestPayload(requestName: requestName, from: &reader)
    }

    public func writeBody(to writer: inout SSHWriter) {
        writer.writeText(requestName)
        writer.writeBool(wantReply)
        payload.write(to: &writer)
    }
}

/// The request-specific data of `SSH_MSG_GLOBAL_REQUEST`.
public enum SSHGlobalRequestPayload: Equatable, Sendable {
    /// `tcpip-forward` (RFC 4254 §7.1): listen on the server side; port 0 asks the server to choose.
    case tcpipForward(bindAddress: String, bindPort: UInt32)
    /// `cancel-tcpip-forward` (RFC 4254 §7.1).
    case cancelTCPIPForward(bindAddress: String, bindPort: UInt32)
    /// `hostkeys-00@openssh.com` (OpenSSH PROTOCOL, host key rotation): every host key blob of the
    /// server, as strings until the end of the message.
    case hostKeys([[UInt8]])
    /// `hostkeys-prove-00@openssh.com` (OpenSSH PROTOCOL): the host key blobs whose ownership the
    /// client asks the server to prove.
    case hostKeysProve([[UInt8]])
    /// `no-more-sessions@openssh.com` (OpenSSH PROTOCOL): no data.
    case noMoreSessions
    /// `keepalive@openssh.com`: sent by OpenSSH as a liveness probe; no data.
    case keepAlive
    /// Any other request; `data` is the rest of the payload.
    case unknown(data: [UInt8])

    /// Request names (RFC 4254 §7.1, OpenSSH PROTOCOL).
    public enum Name {
        public static let tcpipForward = "tcpip-forward"
        public static let cancelTCPIPForward = "cancel-tcpip-forward"
        public static let hostKeys = "hostkeys-00@openssh.com"
        public static let hostKeysProve = "hostkeys-prove-00@openssh.com"
        public static let noMoreSessions = "no-more-sessions@openssh.com"
        public static let keepAlive = "keepalive@openssh.com"
    }

    /// The request name of a typed case; nil for ``unknown(data:)``.
    public var requestName: String? {
        switch self {
        case .tcpipForward: Name.tcpipForward
        case .cancelTCPIPForward: Name.cancelTCPIPForward
        case .hostKeys: Name.hostKeys
        case .hostKeysProve: Name.hostKeysProve
        case .noMoreSessions: Name.noMoreSessions
        case .keepAlive: Name.keepAlive
        case .unknown: nil
        }
    }

    init(requestName: String, from reader: inout SSHReader) throws {
        switch requestName {
        case Name.tcpipForward:
            let address = try reader.readText("tcpip-forward bind address")
            let port = try reader.readUInt32("tcpip-forward bind port")
            self = .tcpipForward(bindAddress: address, bindPort: port)
        case Name.cancelTCPIPForward:
            let address = try reader.readText("cancel-tcpip-forward bind address")
            let port = try reader.readUInt32("cancel-tcpip-forward bind port")
            self = .cancelTCPIPForward(bindAddress: address, bindPort: port)
        case Name.hostKeys:
            self = .hostKeys(try Self.readHostKeys(from: &reader))
        case Name.hostKeysProve:
            self = .hostKeysProve(try Self.readHostKeys(from: &reader))
        case Name.noMoreSessions:
            self = .noMoreSessions
        case Name.keepAlive:
            self = .keepAlive
        default:
            self = .unknown(data: reader.readRemaining())
        }
    }

    /// Strings until the end of the input, at most ``SSHWireLimits/maximumHostKeyCount``.
    static func readHostKeys(from reader: inout SSHReader) throws -> [[UInt8]] {
        var keys: [[UInt8]] = []
        while !reader.isAtEnd {
            guard keys.count < SSHWireLimits.maximumHostKeyCount else {
                throw SSHWireError.lengthTooLarge(
                    field: "host key count", length: UInt64(keys.count) + 1, limit: SSHWireLimits.maximumHostKeyCount)
            }
            keys.append(try reader.readString("host key"))
        }
        return keys
    }

    func write(to writer: inout SSHWriter) {
        switch self {
        case .tcpipForward(let address, let port), .cancelTCPIPForward(let address, let port):
            writer.writeText(address)
            writer.writeUInt32(port)
        case .hostKeys(let keys), .hostKeysProve(let keys):
            for key in keys { writer.writeString(key) }
        case .noMoreSessions, .keepAlive:
            break
        case .unknown(let data):
            writer.writeBytes(data)
        }
    }
}

/// `SSH_MSG_REQUEST_SUCCESS` (RFC 4254 §4): request-specific data follows, e.g. the bound port of
/// a `tcpip-forward` with port 0 (RFC 4254 §7.1) or the signatures of `hostkeys-prove-00@openssh.com`.
public struct SSHMsgRequestSuccess: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.requestSuccess

    /// The rest of the payload; its layout depends on the request answered.
    public var data: [UInt8]

    public init(data: [UInt8] = []) { self.data = data }

    public init(from reader: inout SSHReader) throws {
        data = reader.readRemaining()
    }

    public func writeBody(to writer: inout SSHWriter) { writer.writeBytes(data) }
}

/// `SSH_MSG_REQUEST_FAILURE` (RFC 4254 §4): no fields.
public struct SSHMsgRequestFailure: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.requestFailure

    public init() {}

    public init(from reader: inout SSHReader) throws {}

    public func writeBody(to writer: inout SSHWriter) {}
}
