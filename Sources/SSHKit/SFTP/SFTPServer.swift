import Reactor
import SFTP
import SSHCore
import SSHWire

/// The `SFTPServer` class of the specification (client-and-SFTP digest part B): an SSH server
/// whose sessions serve the `sftp` subsystem from `RootDirectory`, confined to it by the kernel.
///
/// SSH-level settings, authentication and connection events are those of ``ssh`` (configure it,
/// set its `onUserAuthRequest`, and so on); the channel events belong to this class. File-system
/// work runs on a worker thread, one request at a time per session, so a slow disk never stalls
/// `doEvents()`; replies go out in request order.
///
/// Without `RootDirectory` the class touches no file: the events answer every request (FileRead
/// supplies `fileData`, DirList calls `setFileList`, GetAttributes fills the attributes, …) on
/// the `doEvents()` thread, and a request whose event has no handler is answered
/// SSH_FX_OP_UNSUPPORTED.
public final class SFTPServer {
    /// The SSH server underneath: settings, host keys, authentication, connection events.
    public let ssh: SSHServer
    /// `RootDirectory`: the directory served as "/"; empty, the events answer every request.
    public var rootDirectory = ""
    /// `ProtocolVersion`: the highest SFTP version offered (3 to 6).
    public var protocolVersion: UInt32 = 3
    /// The initial directory of every session ("/" = the root).
    public var homeDirectory = "/"

    /// `SFTPErrorMessage`: the text of a status a handler sets; empty uses the code's own
    /// (`SFTPErrorMessage[id]` overrides it per connection).
    public var sftpErrorMessage = ""
    /// `ServerEOL`: the line ending announced to version 4+ clients ("newline"); LF by default.
    public var serverEOL = "\n"
    var connectionSettings: [Int: SFTPConnectionSettings] = [:]
    /// What SetFileList gave during a DirList event, by connection, until the event returns.
    var fileLists: [Int: [String]] = [:]

    // MARK: Events (client-and-SFTP digest §B3.4)

    public var onDirCreate: ((inout SFTPFileEvent) -> Void)?
    public var onDirList: ((inout SFTPFileEvent) -> Void)?
    public var onDirRemove: ((inout SFTPFileEvent) -> Void)?
    public var onFileOpen: ((inout SFTPFileEvent) -> Void)?
    public var onFileRead: ((inout SFTPFileEvent) -> Void)?
    public var onFileWrite: ((inout SFTPFileEvent) -> Void)?
    public var onFileClose: ((inout SFTPFileEvent) -> Void)?
    public var onFileRemove: ((inout SFTPFileEvent) -> Void)?
    public var onFileRename: ((inout SFTPFileEvent) -> Void)?
    public var onGetAttributes: ((inout SFTPFileEvent) -> Void)?
    public var onSetAttributes: ((inout SFTPFileEvent) -> Void)?
    public var onResolvePath: ((inout SFTPFileEvent) -> Void)?

    var sessions: [Int: SFTPChannelSession] = [:]

    /// Worker threads for file-system calls, shared by every session. A session runs one call at
    /// a time, so a call that hangs on a slow disk holds one worker and the other sessions go on.
    public static let fileWorkerThreads = 8
    /// The most operations of one session handed to a worker thread at once; with READs of up
    /// to 255 KiB each, what one session's batch holds is bounded by about 4 MiB.
    static let operationsPerHandOff = 16
    private var filePool: BlockingPool?

    /// A file system of the owner's to serve instead of `RootDirectory` (the connection id in,
    /// the tree out; nil falls back to `RootDirectory`). Its calls run on the worker threads.
    public var fileSystemProvider: ((Int) -> (any SFTPFileSystem)?)?

    /// Whether a connection may open the `sftp` subsystem (a daemon's per-account permission);
    /// nil lets every authenticated connection. **Extension**: the seeds serve every client.
    public var allowsSession: ((Int) -> Bool)?

    public init() throws {
        ssh = try SSHServer()
        // Replies are queued and sent as the channel allows: never wait inside a handler.
        ssh.settings.defaultTimeout = 0
        installHandlers()
    }

    public func startListening() throws(SSHServerError) { try ssh.startListening() }
    public func stopListening() { ssh.stopListening() }
    public func doEvents() throws(SSHServerError) { try ssh.doEvents() }
    public func shutdown() { ssh.shutdown() }

    /// `Reset()`: the SSH server's reset (every client disconnected, listening stopped, its
    /// settings back to their defaults), and this class's properties and settings back to theirs.
    /// Event handlers stay.
    public func reset() {
        ssh.reset()
        ssh.settings.defaultTimeout = 0
        rootDirectory = ""
        protocolVersion = 3
        homeDirectory = "/"
        sftpErrorMessage = ""
        serverEOL = "\n"
        connectionSettings = [:]
        fileLists = [:]
    }
    public var localPort: Int { ssh.localPort }

    /// `Connections[id].ProtocolVersion`: the SFTP version negotiated on the connection's session
    /// (3 before one is negotiated, as the seeds default it).
    public func negotiatedVersion(_ connectionId: Int) -> UInt32 {
        sessions.values.first { $0.connectionId == connectionId && $0.protocolSession.version != nil }?.protocolSession.version ?? 3
    }

    private func installHandlers() {
        ssh.onChannelRequest = { [unowned self] request in
            switch request.payload {
            case .subsystem(let name):
                request.success = name == "sftp" && sessions[request.channelId] == nil && allowsSession?(request.connectionId) ?? true
            case .env:
                request.success = false
            default:
                request.success = false
            }
        }
        ssh.onChannelRequested = { [unowned self] requested in
            guard case .subsystem = requested.payload else { return }
            startSession(requested.connectionId, requested.channelId)
        }
        ssh.channelBytesIn = { [unowned self] channelId, bytes in
            guard let session = sessions[channelId] else { return false }
            receive(session, bytes)
            return true
        }
        ssh.onChannelEOF = { [unowned self] event in
            guard let session = sessions[event.channelId] else { return }
            session.clientEnded = true
            finishIfDone(session)
        }
        ssh.onChannelReadyToSend = { [unowned self] event in
            guard let session = sessions[event.channelId] else { return }
            sendOutput(session)
        }
        ssh.onChannelClosed = { [unowned self] event in
            guard let session = sessions.removeValue(forKey: event.channelId) else { return }
            session.closed = true
            if let closing = session.protocolSession.closeAllHandles() {
                let fileSystem = session.fileSystem
                try? workers().run({ _ = closing.run(on: fileSystem) }, on: ssh.reactor) { _ in }
            }
        }
    }

    private func startSession(_ connectionId: Int, _ channelId: Int) {
        let home = ssh.connections[connectionId]?.homeDirectory ?? homeDirectory
        let fileSystem: any SFTPFileSystem
        do {
            if let provided = fileSystemProvider?(connectionId) {
                fileSystem = provided
            } else {
                fileSystem = rootDirectory.isEmpty ? SFTPEventFileSystem() : try self.fileSystem(for: connectionId, home: home)
            }
        } catch {
            ssh.log(connectionId, 1, "sftp: cannot serve \(rootDirectory): \(error)", type: "SFTP")
            try? ssh.closeChannel(channelId)
            return
        }
        var configuration = SFTPServerSession.Configuration(
            maximumVersion: protocolVersion, homeDirectory: home,
            directoryBatch: connectionSettings[connectionId]?.directoryBatch ?? SFTPLimits.directoryBatch, newline: serverEOL)
        configuration.hashing = fileSystem is SFTPEventFileSystem ? nil : SFTPDigests.hashing
        let session = SFTPChannelSession(
            channelId: channelId, connectionId: connectionId, protocolSession: SFTPServerSession(configuration: configuration),
            fileSystem: fileSystem)
        session.server = self
        session.protocolSession.delegate = session
        sessions[channelId] = session
        // The window reopens only as packets are decoded, so a client cannot queue more than the
        // window while the disk is busy (RFC 4254 §5.2).
        if let (_, channels, channel) = try? ssh.channel(channelId) {
            try? channels.setManualWindowAdjust(on: channel, windowLimit: SFTPChannelSession.windowLimit)
        }
        ssh.log(connectionId, 2, "sftp session started on channel \(channelId)", type: "SFTP")
    }

    private func receive(_ session: SFTPChannelSession, _ data: ArraySlice<UInt8>) {
        let before = session.protocolSession.bufferedInputCount
        do throws(SFTPSessionError) {
            try session.protocolSession.receive(data)
        } catch {
            return fail(session, error.description)
        }
        consume(session, data.count + before - session.protocolSession.bufferedInputCount)
        runNext(session)
        sendOutput(session)
    }

    /// Runs the session's waiting operations, in order, on a worker thread: as many as are queued
    /// (at most ``operationsPerHandOff``) in one hand-off, so a client's pipelined READs or WRITEs
    /// cost two thread switches per batch rather than per request. Their completion runs the
    /// next batch. Without RootDirectory the operations only carry the events' answers: they run
    /// here.
    private func runNext(_ session: SFTPChannelSession) {
        while !session.running, !session.closed, let first = session.protocolSession.nextOperation() {
            guard !session.answeredByEvents else {
                guard complete(session, first, first.run(on: session.fileSystem)) else { return }
                continue
            }
            var batch = [first]
            while batch.count < Self.operationsPerHandOff, let next = session.protocolSession.nextOperation() {
                batch.append(next)
            }
            session.running = true
            let fileSystem = session.fileSystem
            let operations = batch
            do {
                try workers().run({ operations.map { $0.run(on: fileSystem) } }, on: ssh.reactor) { [weak self, weak session] results in
                    guard let self, let session else { return }
                    session.running = false
                    for (operation, result) in zip(operations, results) {
                        guard !session.closed, self.complete(session, operation, result) else { return }
                    }
                    self.runNext(session)
                    self.sendOutput(session)
                }
            } catch {
                session.running = false
                fail(session, "worker: \(error)")
            }
            return
        }
        finishIfDone(session)
    }

    private func workers() throws -> BlockingPool {
        if let filePool { return filePool }
        let pool = try BlockingPool(threadCount: Self.fileWorkerThreads)
        filePool = pool
        return pool
    }

    /// Hands an operation's result to the session and reopens the window by what it decoded;
    /// false when the session had to end.
    private func complete(_ session: SFTPChannelSession, _ operation: SFTPOperation, _ result: SFTPOperationResult) -> Bool {
        let before = session.protocolSession.bufferedInputCount
        do throws(SFTPSessionError) {
            try session.protocolSession.complete(operation, result)
        } catch {
            fail(session, error.description)
            return false
        }
        consume(session, before - session.protocolSession.bufferedInputCount)
        return true
    }

    private func consume(_ session: SFTPChannelSession, _ count: Int) {
        guard count > 0, let (connection, channels, channel) = try? ssh.channel(session.channelId) else { return }
        try? channels.consume(count, on: channel)
        ssh.sendChannelOutput(connection)
        ssh.flush(connection)
    }

    /// Hands the replies to the channel as far as it takes them, chunk by chunk, without copying
    /// them into one buffer; the rest waits for `readyToSend`.
    private func sendOutput(_ session: SFTPChannelSession) {
        if session.protocolSession.hasOutput {
            session.pendingOutput += session.protocolSession.takeOutputChunks()
        }
        ssh.coalescingWrites(session.channelId) { sendPendingOutput(session) }
        finishIfDone(session)
    }

    private func sendPendingOutput(_ session: SFTPChannelSession) {
        while session.pendingIndex < session.pendingOutput.count {
            let chunk = session.pendingOutput[session.pendingIndex]
            guard let taken = try? ssh.sendChannelBytes(session.channelId, chunk), taken > 0 else { break }
            if taken < chunk.count {
                session.pendingOutput[session.pendingIndex] = chunk.dropFirst(taken)
                break
            }
            session.pendingOutput[session.pendingIndex] = []
            session.pendingIndex += 1
        }
        if session.pendingIndex == session.pendingOutput.count {
            session.pendingOutput.removeAll(keepingCapacity: true)
            session.pendingIndex = 0
        }
    }

    /// After the client's EOF, once every reply has gone: exit status 0 and CLOSE, as sftp-server.
    private func finishIfDone(_ session: SFTPChannelSession) {
        guard session.clientEnded, !session.running, !session.finished,
              session.pendingOutput.isEmpty, !session.protocolSession.hasOutput
        else { return }
        session.finished = true
        try? ssh.sendExitStatus(session.channelId, 0)
        try? ssh.closeChannel(session.channelId)
    }

    private func fail(_ session: SFTPChannelSession, _ error: String) {
        ssh.log(0, 1, "sftp session on channel \(session.channelId) ended: \(error)", type: "SFTP")
        session.finished = true
        try? ssh.sendExitStatus(session.channelId, 1)
        try? ssh.closeChannel(session.channelId)
    }
}

/// One `sftp` subsystem channel.
final class SFTPChannelSession {
    /// The largest receive window of an SFTP channel: what a client may have sent that is not yet
    /// decoded, at most.
    static let windowLimit = 4 * 1024 * 1024

    let channelId: Int
    let connectionId: Int
    weak var server: SFTPServer?
    let protocolSession: SFTPServerSession
    let fileSystem: any SFTPFileSystem
    /// No RootDirectory: the file events answer, on the event loop.
    var answeredByEvents: Bool { fileSystem is SFTPEventFileSystem }
    var running = false
    var clientEnded = false
    var finished = false
    var closed = false
    /// Replies the channel has not taken yet, and the first of them still to send.
    var pendingOutput: [ArraySlice<UInt8>] = []
    var pendingIndex = 0

    init(channelId: Int, connectionId: Int, protocolSession: SFTPServerSession, fileSystem: any SFTPFileSystem) {
        self.channelId = channelId
        self.connectionId = connectionId
        self.protocolSession = protocolSession
        self.fileSystem = fileSystem
    }
}
