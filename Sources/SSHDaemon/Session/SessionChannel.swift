import CShims
import Reactor
import SSHKit
import SSHWire
#if canImport(Glibc)
import Glibc
#endif

/// One session channel with a process behind it (RFC 4254 §6): the channel's data goes to the
/// process's stdin, its stdout and stderr come back as data and extended data, and its end as
/// `exit-status` or `exit-signal`, then EOF and CLOSE.
///
/// Flow control both ways: the client's window reopens only as stdin takes the bytes, and the
/// process's output is read only while the channel's queue has room.
final class SessionChannel {
    let channelId: Int
    let connectionId: Int
    unowned let server: SSHServer

    /// `pty-req` (RFC 4254 §6.2), kept until the process starts.
    var terminalRequest: (term: String, columns: UInt32, rows: UInt32, width: UInt32, height: UInt32, modes: [SSHTerminalMode])?
    var terminal: PseudoTerminal?
    /// `env` requests AcceptEnv allowed, in order.
    var variables: [(name: String, value: String)] = []
    /// shell, exec or subsystem has been accepted: no second one (RFC 4254 §6.5).
    var started = false
    private(set) var pid: pid_t?
    var exitStatus: Posix.ChildStatus?

    /// Bytes a read takes from the process at a time.
    static let readChunk = 32 * 1024
    /// The most the client may have in flight toward the process's stdin.
    static let inputWindow = 256 * 1024

    private var input: Pipe?
    private var output: Pipe?
    private var errorOutput: Pipe?
    /// Client bytes not yet written to stdin (at most the window).
    private var pendingInput: [UInt8] = []
    private var clientEnded = false
    private var finished = false
    /// Called once the channel is closed and its descriptors released.
    var onFinished: ((SessionChannel) -> Void)?

    /// One descriptor the session reads or writes, with its reactor registration and output held
    /// back while the channel is full.
    private final class Pipe {
        let fd: Int32
        var registration: RegistrationID?
        var held: ArraySlice<UInt8> = []
        let stderr: Bool
        init(fd: Int32, stderr: Bool) {
            self.fd = fd
            self.stderr = stderr
        }
    }

    init(channelId: Int, connectionId: Int, server: SSHServer) {
        self.channelId = channelId
        self.connectionId = connectionId
        self.server = server
    }

    // MARK: - Starting

    /// Starts the process: on a pty when one was requested, else on three pipes. Throws when any
    /// step fails; the caller closes the channel.
    func start(_ launch: SessionLaunch, through operations: any PrivilegedOperations, owner: SessionOwner) throws {
        var launch = launch
        if let request = terminalRequest {
            let pty = try operations.openTerminal(
                modes: request.modes, columns: request.columns, rows: request.rows, width: request.width, height: request.height,
                owner: owner.identity)
            launch.standardInput = pty.slave
            launch.standardOutput = pty.slave
            launch.standardError = pty.slave
            launch.controllingTerminal = true
            launch.environment += SessionEnvironment.terminalVariables(type: request.term, path: pty.path)
            launch.confinement?.writable.append(pty.path)
            do {
                pid = try operations.startProcess(launch)
            } catch {
                pty.close()
                throw error
            }
            pty.closeSlave()
            terminal = pty
            let shared = Pipe(fd: pty.master, stderr: false)
            input = shared
            output = shared
        } else {
            // The daemon's ends close when a step fails; the child's ends always (it has copies).
            var daemonEnds: [Int32] = []
            var childEnds: [Int32] = []
            defer { for fd in childEnds { Posix.close(fd) } }
            do {
                let stdin = try Self.pipe(childReads: true)
                daemonEnds.append(stdin.write)
                childEnds.append(stdin.read)
                let stdout = try Self.pipe(childReads: false)
                daemonEnds.append(stdout.read)
                childEnds.append(stdout.write)
                let stderr = try Self.pipe(childReads: false)
                daemonEnds.append(stderr.read)
                childEnds.append(stderr.write)
                launch.standardInput = stdin.read
                launch.standardOutput = stdout.write
                launch.standardError = stderr.write
                pid = try operations.startProcess(launch)
            } catch {
                for fd in daemonEnds { Posix.close(fd) }
                throw error
            }
            input = Pipe(fd: daemonEnds[0], stderr: false)
            output = Pipe(fd: daemonEnds[1], stderr: false)
            errorOutput = Pipe(fd: daemonEnds[2], stderr: true)
        }
        try watch()
        flushInput()
    }

    /// A pipe with both ends close-on-exec (the child gets dup2'd copies); the daemon's end is
    /// non-blocking, the child's blocks, as a program expects of its stdin and stdout.
    private static func pipe(childReads: Bool) throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard sshd_pipe2(&fds, O_CLOEXEC) == 0 else { throw SystemError(syscall: "pipe2", errno: errno) }
        do {
            try Posix.setNonBlocking(childReads ? fds[1] : fds[0])
        } catch {
            Posix.close(fds[0])
            Posix.close(fds[1])
            throw error
        }
        return (fds[0], fds[1])
    }

    private func watch() throws {
        if let input, input !== output {
            input.registration = try server.reactor.register(fd: input.fd, interest: []) { [unowned self] readiness in
                // The process closed its stdin: an error or hang-up that would repeat forever.
                if pendingInput.isEmpty, !readiness.isDisjoint(with: [.error, .hangup]) { return closeInput() }
                flushInput()
            }
        }
        updateInterest()
    }

    // MARK: - Input (client → process)

    /// The client's bytes for stdin; written now as far as the pipe takes them.
    func receive(_ bytes: [UInt8]) {
        guard !clientEnded else { return }
        pendingInput.append(contentsOf: bytes)
        flushInput()
    }

    /// The client's EOF: stdin closes once what is pending is written (not on a pty, whose one
    /// descriptor also carries the output; OpenSSH leaves it open too).
    func receiveEOF() {
        clientEnded = true
        flushInput()
    }

    private func flushInput() {
        guard let input, pid != nil else { return }
        var written = 0
        while written < pendingInput.count {
            let result = try? pendingInput.withUnsafeBytes { try Posix.write(input.fd, UnsafeRawBufferPointer(rebasing: $0[written...])) }
            guard case .bytes(let n)? = result, n > 0 else {
                if case .wouldBlock? = result { break }
                // The process closed its stdin: what the client sends now is dropped.
                pendingInput.removeAll()
                server.consumeChannelData(channelId, Self.inputWindow)
                closeInput()
                return
            }
            written += n
        }
        if written > 0 {
            pendingInput.removeFirst(written)
            server.consumeChannelData(channelId, written)
        }
        updateInterest()
        if clientEnded, pendingInput.isEmpty, input !== output { closeInput() }
    }

    private func closeInput() {
        guard let input, input !== output else { return }
        if let registration = input.registration { server.reactor.deregister(registration) }
        Posix.close(input.fd)
        self.input = nil
    }

    // MARK: - Output (process → client)

    /// What each descriptor waits for. Output is watched only while nothing is held back for the
    /// channel: a paused descriptor is taken off the reactor altogether, since a hang-up would
    /// otherwise be reported on every turn. Stdin waits for room only while client bytes are
    /// pending (on a pty, through the output's registration).
    private func updateInterest() {
        let writing = !pendingInput.isEmpty
        for pipe in [output, errorOutput] {
            guard let pipe else { continue }
            guard pipe.held.isEmpty else {
                if let registration = pipe.registration { server.reactor.deregister(registration) }
                pipe.registration = nil
                continue
            }
            var interest: Interest = .readable
            if pipe === input, writing { interest.insert(.writable) }
            if let registration = pipe.registration {
                try? server.reactor.modify(registration, interest: interest)
            } else {
                pipe.registration = try? server.reactor.register(fd: pipe.fd, interest: interest) { [unowned self, unowned pipe] readiness in
                    if pipe === input, readiness.contains(.writable) { flushInput() }
                    if readiness != .writable, isLive(pipe) { pumpOutput(pipe) }
                }
            }
        }
        if let input, input !== output, let registration = input.registration {
            try? server.reactor.modify(registration, interest: writing ? .writable : [])
        }
    }

    private func isLive(_ pipe: Pipe) -> Bool { pipe === output || pipe === errorOutput }

    /// Reads and sends until the descriptor would block, the channel's queue is full, or the end.
    private func pumpOutput(_ pipe: Pipe) {
        defer { updateInterest() }
        var buffer = [UInt8](repeating: 0, count: Self.readChunk)
        while sendHeld(pipe), isLive(pipe) {
            let result: TransferResult
            do {
                result = try buffer.withUnsafeMutableBytes { try Posix.read(pipe.fd, into: $0) }
            } catch {
                // EIO on a pty master: every process let go of the slave.
                return endOutput(pipe)
            }
            switch result {
            case .bytes(let n):
                pipe.held = buffer[0..<n]
                buffer = [UInt8](repeating: 0, count: Self.readChunk)
            case .wouldBlock:
                return
            case .closed:
                return endOutput(pipe)
            }
        }
    }

    /// Sends what is held; false (and reading paused) when the channel could not take it all.
    private func sendHeld(_ pipe: Pipe) -> Bool {
        guard !pipe.held.isEmpty else { return true }
        let taken = (try? server.sendChannelBytes(channelId, pipe.held, stderr: pipe.stderr)) ?? 0
        pipe.held = pipe.held.dropFirst(taken)
        return pipe.held.isEmpty
    }

    /// The channel has room again: send what was held and read on.
    func channelReady() {
        for pipe in [output, errorOutput] {
            guard let pipe else { continue }
            pumpOutput(pipe)
        }
    }

    private func endOutput(_ pipe: Pipe) {
        if let registration = pipe.registration { server.reactor.deregister(registration) }
        pipe.registration = nil
        if pipe === output {
            if input === output { input = nil }
            output = nil
            if let terminal {
                terminal.close()
                self.terminal = nil
            } else {
                Posix.close(pipe.fd)
            }
        } else {
            Posix.close(pipe.fd)
            errorOutput = nil
        }
        finishIfDone()
    }

    // MARK: - The end

    /// The process ended (from the daemon's SIGCHLD reaping). On a pty, what it wrote is read now
    /// and the session ends even if a background process still holds the terminal (OpenSSH's
    /// rule); on pipes, the output's end of file ends it.
    func processEnded(_ status: Posix.ChildStatus) {
        exitStatus = status
        if terminal != nil, let output {
            // The kernel hands the last bytes to the master a moment later: read until EIO, or
            // for ``terminalDrainMillis`` when a background process keeps the terminal open.
            pumpOutput(output)
            _ = server.reactor.schedule(after: Self.terminalDrainMillis) { [weak self, weak output] in
                guard let self, let output, self.output === output else { return }
                self.pumpOutput(output)
                if self.output === output { self.endOutput(output) }
            }
        }
        finishIfDone()
    }

    /// How long a pty session's output is read after its process ended.
    static let terminalDrainMillis = 200

    private func finishIfDone() {
        guard !finished, let status = exitStatus, output == nil, errorOutput == nil else { return }
        finished = true
        closeInput()
        switch status {
        case .exited(let code):
            try? server.sendExitStatus(channelId, UInt32(bitPattern: code))
        case .signaled(let signal):
            try? server.sendExitSignal(channelId, Self.signalName(signal), coreDumped: false)
        }
        try? server.closeChannel(channelId)
    }

    /// `signal` (RFC 4254 §6.9): to the terminal's foreground group, or the process.
    func deliver(signal: Int32) {
        guard let pid, exitStatus == nil else { return }
        if let group = terminal?.foregroundGroup {
            kill(-group, signal)
        } else {
            kill(pid, signal)
        }
    }

    /// The channel is gone (closed by either side, or the connection ended): the process's
    /// descriptors close, and its process group, still running, gets SIGHUP, as from a hung-up
    /// terminal.
    func channelClosed() {
        for pipe in [input, output, errorOutput] {
            guard let pipe, let registration = pipe.registration else { continue }
            server.reactor.deregister(registration)
            pipe.registration = nil
        }
        if let terminal {
            terminal.close()
        } else {
            for pipe in [input, output, errorOutput] { if let pipe { Posix.close(pipe.fd) } }
        }
        input = nil
        output = nil
        errorOutput = nil
        terminal = nil
        // The process leads its own session and process group (setsid): the whole group hears it.
        if let pid, exitStatus == nil { kill(-pid, SIGHUP) }
        finished = true
    }

    /// RFC 4254 §6.10 signal names (without "SIG"); others as `NUMBER@openssh.com`-style names.
    static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGABRT: "ABRT"
        case SIGALRM: "ALRM"
        case SIGFPE: "FPE"
        case SIGHUP: "HUP"
        case SIGILL: "ILL"
        case SIGINT: "INT"
        case SIGKILL: "KILL"
        case SIGPIPE: "PIPE"
        case SIGQUIT: "QUIT"
        case SIGSEGV: "SEGV"
        case SIGTERM: "TERM"
        case SIGUSR1: "USR1"
        case SIGUSR2: "USR2"
        default: "SIG\(signal)@openssh.com"
        }
    }

    /// The signal an RFC 4254 §6.9 name asks for, among those the RFC lists; nil otherwise.
    static func signalNumber(_ name: String) -> Int32? {
        let known: [String: Int32] = [
            "ABRT": SIGABRT, "ALRM": SIGALRM, "FPE": SIGFPE, "HUP": SIGHUP, "ILL": SIGILL, "INT": SIGINT, "KILL": SIGKILL,
            "PIPE": SIGPIPE, "QUIT": SIGQUIT, "SEGV": SIGSEGV, "TERM": SIGTERM, "USR1": SIGUSR1, "USR2": SIGUSR2,
        ]
        return known[name]
    }
}
