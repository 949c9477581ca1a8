import Foundation
import Logging
import Reactor
import SSHKit
import SSHWire

// MARK: - Sessions: shell, exec, pty, env, signals (RFC 4254 §6; issue 5 item 5)

extension Daemon {
    /// The most session channels one connection may have open (OpenSSH's MaxSessions default).
    static let maximumSessionsPerConnection = 10

    /// Installs the session handlers in front of the SFTP class's: a channel the daemon serves
    /// with a process is the daemon's; an in-process `sftp` subsystem stays the class's.
    func installSessionHandlers() {
        let ssh = server.ssh
        let classRequest = ssh.onChannelRequest
        let classRequested = ssh.onChannelRequested
        let classEOF = ssh.onChannelEOF
        let classReady = ssh.onChannelReadyToSend
        let classClosed = ssh.onChannelClosed
        ssh.onChannelOpenRequest = { [unowned self] request in
            guard request.service == "session", request.accept else { return }
            let open = openSessions.values.filter { $0 == request.connectionId }.count
            guard open < Self.maximumSessionsPerConnection else {
                logger.notice("session refused on connection \(request.connectionId): \(open) open (MaxSessions \(Self.maximumSessionsPerConnection))")
                request.accept = false
                return
            }
        }
        ssh.onChannelOpened = { [unowned self] event in
            guard (try? server.ssh.channelService(event.channelId)) == "session" else { return }
            openSessions[event.channelId] = event.connectionId
            let session = SessionChannel(channelId: event.channelId, connectionId: event.connectionId, server: server.ssh)
            sessions[event.channelId] = session
            try? server.ssh.holdReceiveWindow(event.channelId, windowLimit: SessionChannel.inputWindow)
        }
        ssh.onChannelRequest = { [unowned self] request in
            guard let session = sessions[request.channelId] else { classRequest?(&request); return }
            if case .subsystem(let name) = request.payload, name == "sftp", let owner = owners[request.connectionId],
               owner.identity == nil, owner.keyOptions.command == nil, !session.started, session.terminalRequest == nil {
                // In-process SFTP: the daemon already runs as the account's user.
                sessions[request.channelId] = nil
                classRequest?(&request)
                return
            }
            request.success = decide(&request, session)
        }
        ssh.onChannelRequested = { [unowned self] requested in
            guard let session = sessions[requested.channelId] else { classRequested?(requested); return }
            launch(session, requested.payload)
        }
        ssh.onChannelDataIn = { [unowned self] event in sessions[event.channelId]?.receive(event.data) }
        ssh.onChannelEOF = { [unowned self] event in
            guard let session = sessions[event.channelId] else { classEOF?(event); return }
            session.receiveEOF()
        }
        ssh.onChannelReadyToSend = { [unowned self] event in
            guard let session = sessions[event.channelId] else { classReady?(event); return }
            session.channelReady()
        }
        ssh.onChannelClosed = { [unowned self] event in
            openSessions[event.channelId] = nil
            guard let session = sessions.removeValue(forKey: event.channelId) else { classClosed?(event); return }
            session.channelClosed()
        }
    }

    /// Whether to accept a session request (RFC 4254 §6.2–6.9).
    private func decide(_ request: inout ChannelRequestEvent, _ session: SessionChannel) -> Bool {
        guard let owner = owners[request.connectionId] else { return false }
        switch request.payload {
        case .ptyReq(let term, let columns, let rows, let width, let height, let encodedModes):
            guard !owner.keyOptions.noPty else {
                logger.notice("pty refused for \(owner.name): the key's no-pty")
                return false
            }
            guard !session.started, session.terminalRequest == nil, let modes = try? SSHTerminalModes.parse(encodedModes) else { return false }
            session.terminalRequest = (term, columns, rows, width, height, modes)
            return true
        case .env(let name, let value):
            guard !session.started, session.variables.count < SessionEnvironment.maximumClientVariables,
                  SessionEnvironment.accepts(name, patterns: configuration.acceptEnv)
            else {
                logger.debug("env \(name) refused for \(owner.name) (AcceptEnv)")
                return false
            }
            session.variables.append((name, value))
            return true
        case .shell:
            return admitStart(session, owner, .shell, "shell")
        case .exec:
            return admitStart(session, owner, .exec, "exec")
        case .subsystem(let name):
            guard name == "sftp" else {
                logger.info("subsystem request for \(name) by user \(owner.name) failed, subsystem not found")
                return false
            }
            return admitStart(session, owner, .sftp, "sftp")
        case .windowChange(let columns, let rows, let width, let height):
            guard let terminal = session.terminal else { return false }
            return (try? terminal.resize(columns: columns, rows: rows, width: width, height: height)) != nil
        case .signal(let name):
            guard let signal = SessionChannel.signalNumber(name) else { return false }
            session.deliver(signal: signal)
            return true
        case .x11Req, .authAgentReq, .xonXoff, .breakRequest, .exitStatus, .exitSignal, .endOfWrite, .unknown:
            return false
        }
    }

    private func admitStart(_ session: SessionChannel, _ owner: SessionOwner, _ what: AccountOption, _ name: String) -> Bool {
        guard !session.started else { return false }
        // A key's forced command replaces whatever is asked; it runs where a shell or command may.
        let allowed = owner.keyOptions.command == nil
            ? owner.permissions.contains(what) : !owner.permissions.isDisjoint(with: [.shell, .exec])
        guard allowed else {
            logger.notice("\(name) refused for \(owner.name): not allowed by Allow\(name == "sftp" ? "SFTP" : name.capitalized) or the account's options")
            return false
        }
        session.started = true
        return true
    }

    /// Starts the accepted shell, command or SFTP server.
    private func launch(_ session: SessionChannel, _ payload: SSHChannelRequestPayload) {
        guard let owner = owners[session.connectionId] else { return }
        let shellName = (owner.shell as NSString).lastPathComponent
        // As the owner, in its home unless told otherwise; environment and descriptors come later.
        func start(_ path: String, _ arguments: [String], in directory: String? = nil) -> SessionLaunch {
            SessionLaunch(
                path: path, arguments: arguments, environment: [], workingDirectory: directory ?? owner.home,
                identity: owner.identity, standardInput: -1, standardOutput: -1, standardError: -1)
        }
        var launch: SessionLaunch
        let what: String
        switch payload {
        case .shell:
            launch = start(owner.shell, ["-" + shellName])
            what = "shell"
        case .exec(let command):
            launch = start(owner.shell, [shellName, "-c", String(decoding: command, as: UTF8.self)])
            what = "command"
        case .subsystem:
            launch = start(executablePath, ["swift-sshd", "sftp-server"] + sftpServerArguments(owner), in: owner.sftpRoot)
            what = "subsystem 'sftp'"
        default:
            return
        }
        var originalCommand: String?
        if let forced = owner.keyOptions.command {
            // sshd(8) command=: the client's command, if any, is in SSH_ORIGINAL_COMMAND.
            if case .exec(let command) = payload { originalCommand = String(decoding: command, as: UTF8.self) }
            launch = start(owner.shell, [shellName, "-c", forced])
            launch.confinement = owner.confinement
        } else if case .subsystem = payload {
            // The SFTP engine confines itself (openat2 RESOLVE_IN_ROOT).
        } else {
            launch.confinement = owner.confinement
        }
        let keyVariables = owner.keyOptions.environment.filter { SessionEnvironment.accepts($0.name, patterns: configuration.acceptEnv) }
        let host = (try? server.ssh.remoteHost(session.connectionId)) ?? "?"
        let port = (try? server.ssh.remotePort(session.connectionId)) ?? 0
        let local = (try? server.ssh.localAddress(session.connectionId)) ?? "?"
        do {
            // The terminal's path is known only once it is open; the environment names it.
            launch.environment = SessionEnvironment.build(
                owner: owner, client: (host, port), server: (local, server.localPort),
                clientVariables: session.variables + keyVariables, originalCommand: originalCommand)
            try session.start(launch, through: operations, owner: owner)
        } catch {
            logger.error("cannot start \(what) for \(owner.name): \(error)")
            _ = try? server.ssh.sendChannelBytes(session.channelId, Array("swift-sshd: cannot start the session: \(error)\n".utf8)[...], stderr: true)
            try? server.ssh.sendExitStatus(session.channelId, 1)
            try? server.ssh.closeChannel(session.channelId)
            return
        }
        if let pid = session.pid {
            sessionsByPid[pid] = session
            if let group, let status = group.register(child: pid, worker: workerIndex) {
                sessionsByPid.removeValue(forKey: pid)?.processEnded(status)
            }
        }
        let terminal = session.terminal.map { " on " + $0.path.replacingOccurrences(of: "/dev/", with: "") } ?? ""
        let kind = owner.keyOptions.command == nil ? what : "forced-command"
        logger.info("Starting session: \(kind)\(terminal) for \(owner.name) from \(host) port \(port) id \(session.channelId)")
    }

    /// The arguments of the SFTP server child: the account's root and the SFTP settings.
    private func sftpServerArguments(_ owner: SessionOwner) -> [String] {
        ["--root", owner.sftpRoot, "--home", owner.sftpHome, "--protocol-version", String(configuration.sftpProtocolVersion)]
    }

    /// SIGCHLD: every finished child is reaped; a session's ends its channel, in the worker that
    /// started it.
    func reapChildren() {
        while let (pid, status) = (try? Posix.reapChild()) ?? nil {
            guard let group else {
                sessionsByPid.removeValue(forKey: pid)?.processEnded(status)
                continue
            }
            guard let index = group.childEnded(pid, status) else { continue }
            group.post(to: index) { $0.sessionsByPid.removeValue(forKey: pid)?.processEnded(status) }
        }
    }
}
