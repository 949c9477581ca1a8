import Reactor
import SSHCore

/// One accepted connection: its socket, its engine and what is waiting to be written.
final class ServerConnection {
    let id: Int
    let fd: Int32
    let remoteHost: String
    let remotePort: Int
    let localAddress: String
    let transport: SSHTransport
    var registration: RegistrationID?
    /// Sealed bytes the socket has not taken yet.
    var pendingOutput: [UInt8] = []
    var pendingOffset = 0
    /// Whether writable interest is on (only while output is pending: the reactor is level-triggered).
    var wantsWritable = false
    var loginGraceTimer: TimerID?
    var idleTimer: TimerID?
    /// `CLOCK_MONOTONIC` nanoseconds of the last byte read or written (DefaultIdleTimeout).
    var lastActivity = MonotonicClock.nanoseconds()
    var isClosing = false

    init(id: Int, fd: Int32, remoteHost: String, remotePort: Int, localAddress: String, transport: SSHTransport) {
        self.id = id
        self.fd = fd
        self.remoteHost = remoteHost
        self.remotePort = remotePort
        self.localAddress = localAddress
        self.transport = transport
    }

    var hasPendingOutput: Bool { pendingOffset < pendingOutput.count }
}
