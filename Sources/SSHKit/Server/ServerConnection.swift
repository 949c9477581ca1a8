import Reactor
import SSHCore
import SSHCrypto

/// One accepted connection: its socket, its engine and what is waiting to be written.
final class ServerConnection {
    let id: Int
    /// `ConnectionUID[ConnectionId]`: unique for the life of the server, unlike `id`.
    var uid = 0
    let fd: Int32
    let remoteHost: String
    let remotePort: Int
    let localAddress: String
    /// The engine; replaced once, before anything is sent, when `Connected` chooses another host key.
    var transport: SSHTransport
    var registration: RegistrationID?
    /// Whether writable interest is on (only while output is pending: the reactor is level-triggered).
    var wantsWritable = false
    var loginGraceTimer: TimerID?
    var idleTimer: TimerID?
    /// `CLOCK_MONOTONIC` nanoseconds of the last byte read or written (DefaultIdleTimeout).
    var lastActivity = MonotonicClock.nanoseconds()
    /// `CLOCK_MONOTONIC` nanoseconds of the last byte read (SSH keep-alives).
    var lastReceived = MonotonicClock.nanoseconds()
    /// `SSHConnectionTimeout[ConnectionId]` in seconds: 0 makes sends return at once, above 0 they
    /// wait for the peer up to this long without progress (server digest §1.2 #15).
    var timeout: Int
    /// Keep-alives sent without an answer, and the timer of the next check.
    var unansweredKeepAlives = 0
    var keepAliveTimer: TimerID?
    /// Set while a synchronous send waits on this connection: the connection protocol's events
    /// then stay queued and fire after the send returns, so no handler runs inside another.
    var deferringChannelEvents = false
    /// Set while ``SSHServer/pumpChannels(_:)`` fires this connection's channel events.
    var pumpingChannels = false
    /// From the first key exchange: what `hostkeys-prove-00@openssh.com` signs over, and the
    /// negotiated host-key algorithm (which an RSA proof must use).
    var sessionIdentifier: [UInt8] = []
    var negotiatedHostKeyAlgorithm = ""
    /// `hostkeys-00@openssh.com` went out (once, right after USERAUTH_SUCCESS).
    var hostKeysAdvertised = false
    var isClosing = false
    /// The client sent DISCONNECT.
    var disconnectedByPeer = false
    /// Above 0 while ``SSHServer/coalescingWrites(_:_:)`` gathers sealed packets for one write.
    var writesHeld = 0
    /// The server's spare buffers the transport works in now (``SSHServer/lend(_:to:)``).
    var borrowedSpares: Set<SpareBuffer> = []
    /// The user-authentication layer, once the first key exchange gave a session identifier.
    var auth: UserAuthServer?
    /// The request whose decision the application deferred, and what to do with it.
    var deferredAuth: DeferredAuth?
    /// The number of the authentication request being decided.
    var authRequestNumber = 0
    /// `KeyboardInteractivePrompts[ConnectionId]` and `UserAuthBanner[ConnectionId]`.
    var keyboardInteractivePrompts: String?
    var userAuthBanner: String?
    /// `CLOCK_MONOTONIC` nanoseconds when the request now being decided arrived (minimum failure time).
    var authRequestStarted: UInt64 = 0
    /// The method of the request being decided, for the "Accepted …" log line.
    var lastAuthMethod = ""
    var lastAuthUser = ""
    /// The key of the last public-key request with a signature, as OpenSSH logs it
    /// (`ED25519 SHA256:…`); nil for other methods.
    var lastAuthKey: String?
    /// The handler said the last user does not exist (`invalidUser`).
    var lastAuthUserInvalid = false
    /// `HomeDir` from the accepting `SSHUserAuthRequest` (SFTPServer); nil for "/".
    var homeDirectory: String?
    /// The connection protocol, once the user is authenticated.
    var channels: ChannelMultiplexer?
    /// This connection's channels by their class-wide ids.
    var channelIds: [SSHChannelID: Int] = [:]
    /// Forward and reverse tunnels of this connection.
    let tunnels = ConnectionTunnels()

    init(
        id: Int, fd: Int32, remoteHost: String, remotePort: Int, localAddress: String, transport: SSHTransport,
        timeout: Int
    ) {
        self.id = id
        self.timeout = timeout
        self.fd = fd
        self.remoteHost = remoteHost
        self.remotePort = remotePort
        self.localAddress = localAddress
        self.transport = transport
    }

    /// How a close the client made is described (``SSHServer/closingLine(_:_:)`` reads it so).
    var closedByPeerDescription: String { "Connection closed by \(remoteHost) port \(remotePort)" }

    /// Sealed bytes the socket has not taken yet (they wait in the transport's buffer).
    var hasPendingOutput: Bool { transport.hasOutput }
}

/// A user-authentication request the application has not decided yet.
struct DeferredAuth {
    let id: UserAuthRequestID
    /// The request's number (``UserAuthRequestEvent/requestNumber``), unique for the server's life.
    let number: Int
    let isQuery: Bool
    let delaysFailure: Bool
}

/// The two buffers a server lends its connections: one for sealed output, one for reads.
enum SpareBuffer: Hashable {
    case output, input
}
