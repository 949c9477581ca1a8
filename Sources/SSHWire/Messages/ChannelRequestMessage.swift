// Channel-specific requests (RFC 4254 §5.4, §6; RFC 4335; OpenSSH PROTOCOL).

/// `SSH_MSG_CHANNEL_REQUEST` (RFC 4254 §5.4).
///
/// Decoding picks the ``payload`` case from ``requestType``; a known type with data that does not
/// fit its layout is malformed. Build values with ``init(recipientChannel:wantReply:payload:)``
/// unless the request is ``SSHChannelRequestPayload/unknown(data:)``.
public struct SSHMsgChannelRequest: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.channelRequest

    public var recipientChannel: UInt32
    public var requestType: String
    public var wantReply: Bool
    public var payload: SSHChannelRequestPayload

    public init(recipientChannel: UInt32, requestType: String, wantReply: Bool, payload: SSHChannelRequestPayload) {
        self.recipientChannel = recipientChannel
        self.requestType = requestType
        self.wantReply = wantReply
        self.payload = payload
    }

    /// A request whose type follows from a typed payload. For ``SSHChannelRequestPayload/unknown(data:)``
    /// the type is empty; use the memberwise init instead.
    public init(recipientChannel: UInt32, wantReply: Bool, payload: SSHChannelRequestPayload) {
        self.init(
            recipientChannel: recipientChannel, requestType: payload.requestType ?? "", wantReply: wantReply,
            payload: payload)
    }

    public init(from reader: inout SSHReader) throws {
        recipientChannel = try reader.readUInt32("recipient channel")
        requestType = try reader.readText("channel request type")
        wantReply = try reader.readBool("channel request want reply")
        payload = try SSHChannelRequestPayload(requestType: requestType, from: &reader)
    }

    public func writeBody(to writer: inout SSHWriter) {
        writer.writeUInt32(recipientChannel)
        writer.writeText(requestType)
        writer.writeBool(wantReply)
        payload.write(to: &writer)
    }
}

/// The type-specific data of `SSH_MSG_CHANNEL_REQUEST`.
public enum SSHChannelRequestPayload: Equatable, Sendable {
    /// `pty-req` (RFC 4254 §6.2). `terminalModes` is the encoded mode string; parse it with
    /// ``SSHTerminalModes/parse(_:)``.
    case ptyReq(
        term: String, widthCharacters: UInt32, heightRows: UInt32, widthPixels: UInt32, heightPixels: UInt32,
        terminalModes: [UInt8])
    /// `x11-req` (RFC 4254 §6.3.1).
    case x11Req(singleConnection: Bool, authProtocol: String, authCookie: String, screenNumber: UInt32)
    /// `env` (RFC 4254 §6.4).
    case env(name: String, value: String)
    /// `shell` (RFC 4254 §6.5): no data.
    case shell
    /// `exec` (RFC 4254 §6.5): the command as raw bytes (not necessarily UTF-8).
    case exec(command: [UInt8])
    /// `subsystem` (RFC 4254 §6.5).
    case subsystem(name: String)
    /// `window-change` (RFC 4254 §6.7).
    case windowChange(widthCharacters: UInt32, heightRows: UInt32, widthPixels: UInt32, heightPixels: UInt32)
    /// `xon-xoff` (RFC 4254 §6.8).
    case xonXoff(clientCanDo: Bool)
    /// `signal` (RFC 4254 §6.9): the signal name without the `SIG` prefix.
    case signal(name: String)
    /// `exit-status` (RFC 4254 §6.10).
    case exitStatus(UInt32)
    /// `exit-signal` (RFC 4254 §6.10).
    case exitSignal(signalName: String, coreDumped: Bool, errorMessage: String, languageTag: String)
    /// `break` (RFC 4335 §3): break length in milliseconds.
    case breakRequest(milliseconds: UInt32)
    /// `eow@openssh.com` (OpenSSH PROTOCOL, channel write close): no data.
    case endOfWrite
    /// `auth-agent-req@openssh.com` (OpenSSH agent forwarding): no data.
    case authAgentReq
    /// Any other request; `data` is the rest of the payload.
    case unknown(data: [UInt8])

    /// Request type names (RFC 4250 §4.9.3, RFC 4335 §3, OpenSSH PROTOCOL).
    public enum Name {
        public static let ptyReq = "pty-req"
        public static let x11Req = "x11-req"
        public static let env = "env"
        public static let shell = "shell"
        public static let exec = "exec"
        public static let subsystem = "subsystem"
        public static let windowChange = "window-change"
        public static let xonXoff = "xon-xoff"
        public static let signal = "signal"
        public static let exitStatus = "exit-status"
        public static let exitSignal = "exit-signal"
        public static let breakRequest = "break"
        public static let endOfWrite = "eow@openssh.com"
        public static let authAgentReq = "auth-agent-req@openssh.com"
    }

    /// The request type of a typed case; nil for ``unknown(data:)``.
    public var requestType: String? {
        switch self {
        case .ptyReq: Name.ptyReq
        case .x11Req: Name.x11Req
        case .env: Name.env
        case .shell: Name.shell
        case .exec: Name.exec
        case .subsystem: Name.subsystem
        case .windowChange: Name.windowChange
        case .xonXoff: Name.xonXoff
        case .signal: Name.signal
        case .exitStatus: Name.exitStatus
        case .exitSignal: Name.exitSignal
        case .breakRequest: Name.breakRequest
        case .endOfWrite: Name.endOfWrite
        case .authAgentReq: Name.authAgentReq
        case .unknown: nil
        }
    }

    init(requestType: String, from reader: inout SSHReader) throws {
        switch requestType {
        case Name.ptyReq:
            let term = try reader.readText("pty-req TERM")
            let columns = try reader.readUInt32("pty-req width characters")
            let rows = try reader.readUInt32("pty-req height rows")
            let width = try reader.readUInt32("pty-req width pixels")
            let height = try reader.readUInt32("pty-req height pixels")
            let modes = try reader.readString("pty-req terminal modes")
            self = .ptyReq(
                term: term, widthCharacters: columns, heightRows: rows, widthPixels: width, heightPixels: height,
                terminalModes: modes)
        case Name.x11Req:
            let single = try reader.readBool("x11-req single connection")
            let proto = try reader.readText("x11-req auth protocol")
            let cookie = try reader.readText("x11-req auth cookie")
            let screen = try reader.readUInt32("x11-req screen number")
            self = .x11Req(singleConnection: single, authProtocol: proto, authCookie: cookie, screenNumber: screen)
        case Name.env:
            let name = try reader.readText("env name")
            let value = try reader.readText("env value")
            self = .env(name: name, value: value)
        case Name.shell:
            self = .shell
        case Name.exec:
            self = .exec(command: try reader.readString("exec command"))
        case Name.subsystem:
            self = .subsystem(name: try reader.readText("subsystem name"))
        case Name.windowChange:
            let columns = try reader.readUInt32("window-change width characters")
            let rows = try reader.readUInt32("window-change height rows")
            let width = try reader.readUInt32("window-change width pixels")
            let height = try reader.readUInt32("window-change height pixels")
            self = .windowChange(widthCharacters: columns, heightRows: rows, widthPixels: width, heightPixels: height)
        case Name.xonXoff:
            self = .xonXoff(clientCanDo: try reader.readBool("xon-xoff client can do"))
        case Name.signal:
            self = .signal(name: try reader.readText("signal name"))
        case Name.exitStatus:
            self = .exitStatus(try reader.readUInt32("exit status"))
        case Name.exitSignal:
            let name = try reader.readText("exit-signal name")
            let core = try reader.readBool("exit-signal core dumped")
            let message = try reader.readText("exit-signal error message")
            let language = try reader.readText("exit-signal language tag")
            self = .exitSignal(signalName: name, coreDumped: core, errorMessage: message, languageTag: language)
        case Name.breakRequest:
            self = .breakRequest(milliseconds: try reader.readUInt32("break length"))
        case Name.endOfWrite:
            self = .endOfWrite
        case Name.authAgentReq:
            self = .authAgentReq
        default:
            self = .unknown(data: reader.readRemaining())
        }
    }

    func write(to writer: inout SSHWriter) {
        switch self {
        case .ptyReq(let term, let columns, let rows, let width, let height, let modes):
            writer.writeText(term)
            writer.writeUInt32(columns)
            writer.writeUInt32(rows)
            writer.writeUInt32(width)
            writer.writeUInt32(height)
            writer.writeString(modes)
        case .x11Req(let single, let proto, let cookie, let screen):
            writer.writeBool(single)
            writer.writeText(proto)
            writer.writeText(cookie)
            writer.writeUInt32(screen)
        case .env(let name, let value):
            writer.writeText(name)
            writer.writeText(value)
        case .shell, .endOfWrite, .authAgentReq:
            break
        case .exec(let command):
            writer.writeString(command)
        case .subsystem(let name), .signal(let name):
            writer.writeText(name)
        case .windowChange(let columns, let rows, let width, let height):
            writer.writeUInt32(columns)
            writer.writeUInt32(rows)
            writer.writeUInt32(width)
            writer.writeUInt32(height)
        case .xonXoff(let canDo):
            writer.writeBool(canDo)
        case .exitStatus(let status):
            writer.writeUInt32(status)
        case .exitSignal(let name, let core, let message, let language):
            writer.writeText(name)
            writer.writeBool(core)
            writer.writeText(message)
            writer.writeText(language)
        case .breakRequest(let milliseconds):
            writer.writeUInt32(milliseconds)
        case .unknown(let data):
            writer.writeBytes(data)
        }
    }
}
