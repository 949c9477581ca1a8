import SSHWire

/// The server side of one SFTP session (draft-ietf-secsh-filexfer-02 for version 3, -13 for 4–6)
/// as a sans-I/O state machine: bytes from the channel in, file-system operations and reply bytes
/// out. It opens no file itself — every file-system call is an ``SFTPOperation`` the owner runs
/// off the event loop — and never blocks.
///
/// Replies leave in the order the requests arrived, whether answered at once (a bad handle, a
/// malformed packet) or after an operation. At most ``SFTPLimits/maximumOutstandingRequests`` are
/// in progress; beyond that packets wait in the framer and ``wantsInput`` turns false, so the owner
/// stops granting channel window. A framing error or a packet before INIT ends the session
/// (``receive(_:)`` throws); a malformed request gets SSH_FX_BAD_MESSAGE and the session goes on.
public final class SFTPServerSession {
    public struct Configuration: Sendable {
        /// The highest version offered (`ProtocolVersion`, 3 to 6).
        public var maximumVersion: UInt32
        /// The initial directory: relative paths start here ("/" is the served tree's root).
        public var homeDirectory: String

        /// Entries per NAME reply to READDIR (`DirListBufferSize`), 1 to ``SFTPLimits/directoryBatch``.
        public var directoryBatch: Int
        /// The line ending announced to version 4+ clients in the "newline" extension (`ServerEOL`).
        public var newline: String
        /// Digests for check-file-handle / check-file-name; nil leaves both out.
        public var hashing: SFTPContentHashing?

        public init(maximumVersion: UInt32 = 3, homeDirectory: String = "/", directoryBatch: Int = SFTPLimits.directoryBatch, newline: String = "\n") {
            self.maximumVersion = min(max(maximumVersion, 3), 6)
            self.homeDirectory = homeDirectory.hasPrefix("/") ? homeDirectory : "/" + homeDirectory
            self.directoryBatch = min(max(directoryBatch, 1), SFTPLimits.directoryBatch)
            self.newline = newline
            self.hashing = nil
        }
    }

    enum OpenHandle: Sendable {
        case file(any SFTPFileHandle, path: String)
        case directory(any SFTPDirectoryHandle, path: String)
    }

    public let configuration: Configuration
    /// Told before and after each request (the SFTPServer events); nil runs everything as is.
    public weak var delegate: (any SFTPSessionDelegate)?
    /// The contexts of requests in progress, by sequence, while a delegate listens.
    private var contexts: [Int: SFTPRequestContext] = [:]
    /// The negotiated version, once INIT has been answered.
    public private(set) var version: UInt32?

    private var framer = SFTPPacketFramer()
    /// Replies in request order: a slot per request, filled when its answer is known.
    private var slots: [(id: UInt32, response: SFTPResponse?)] = []
    /// The sequence number of `slots[0]`.
    private var firstSlot = 0
    private var operations: [SFTPOperation] = []
    private var operationIndex = 0
    var handles: [[UInt8]: OpenHandle] = [:]
    private var nextHandle: UInt64 = 1
    /// Replies not yet taken: whole chunks, then the small replies gathered in `output`.
    private var chunks: [ArraySlice<UInt8>] = []
    private var output: [UInt8] = []
    /// Replies up to this size are gathered into one buffer; larger read data goes out by itself.
    static let smallReply = 4096

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Whether the session takes more packets now (fewer than the limit are in progress).
    public var wantsInput: Bool { slots.count < SFTPLimits.maximumOutstandingRequests }

    /// Open file and directory handles.
    public var openHandleCount: Int { handles.count }

    /// Received bytes not yet decoded (a partial packet, or packets waiting for room): the owner
    /// reopens the channel's window by what this shrinks.
    public var bufferedInputCount: Int { framer.bufferedCount }

    // MARK: - Input

    /// Takes bytes from the channel and decodes every complete packet it may.
    public func receive<Bytes: Collection>(_ bytes: Bytes) throws(SFTPSessionError) where Bytes.Element == UInt8 {
        framer.append(bytes)
        try processPackets()
    }

    /// Takes a chunk from the channel without copying it: a request that lies within one chunk
    /// is decoded, and a WRITE's data written, from the chunk itself.
    public func receive(_ chunk: ArraySlice<UInt8>) throws(SFTPSessionError) {
        framer.append(chunk)
        try processPackets()
    }

    private func processPackets() throws(SFTPSessionError) {
        while wantsInput {
            let parts: [ArraySlice<UInt8>]
            do {
                guard let next = try framer.nextPacketParts() else { return }
                parts = next
            } catch {
                throw SFTPSessionError(error.description)
            }
            if parts.count > 1, version != nil, let (id, write) = SFTPWrite.decode(parts: parts) {
                // A WRITE over several channel messages: its data is written from the pieces.
                handle(decoded: (id, .write(write)))
            } else {
                try handle(parts.count == 1 ? parts[0] : Array(parts.joined())[...])
            }
        }
    }

    private func handle(_ packet: ArraySlice<UInt8>) throws(SFTPSessionError) {
        guard let version else {
            var reader = SSHReader(packet)
            guard (try? reader.readByte()) == SFTPPacketType.initialize, let message = try? SFTPInit(from: &reader) else {
                throw SFTPSessionError("the first SFTP packet must be INIT")
            }
            let chosen = min(message.version, configuration.maximumVersion)
            guard chosen >= 3 else { throw SFTPSessionError("SFTP version \(message.version) is not supported (3 to 6 are)") }
            self.version = chosen
            var writer = SSHWriter()
            writer.writeByte(SFTPPacketType.version)
            SFTPVersion(version: chosen, extensions: SFTPServerExtensions.advertised(version: chosen, newline: configuration.newline, checksFiles: configuration.hashing != nil)).write(to: &writer)
            output += SFTPPacketFramer.frame(writer.bytes)
            return
        }
        do {
            handle(decoded: try SFTPRequest.decode(packet, version: version))
        } catch {
            // Without an id no reply can be matched: the stream is broken.
            guard let id = error.id else { throw SFTPSessionError(error.reason) }
            slots.append((id, .status(.badMessage, message: error.reason)))
            flushReplies()
        }
    }

    /// Runs a decoded request (after INIT): the delegate's say first, then the operation.
    private func handle(decoded: (id: UInt32, request: SFTPRequest)) {
        guard let version else { return }
        let (id, request) = decoded
        let sequence = firstSlot + slots.count
        slots.append((id, nil))
        if let delegate {
            let context = context(of: request)
            if context.kind != .other {
                contexts[sequence] = context
                if let refusal = delegate.sftpSession(self, willRun: context) {
                    fill(sequence, .status(refusal.code, message: refusal.message))
                    flushReplies()
                    return
                }
            }
        }
        dispatch(request, sequence: sequence, version: version)
        flushReplies()
    }

    // MARK: - Operations

    /// The next operation to run, in order; nil when none is waiting.
    public func nextOperation() -> SFTPOperation? {
        guard operationIndex < operations.count else {
            if !operations.isEmpty {
                operations.removeAll(keepingCapacity: true)
                operationIndex = 0
            }
            return nil
        }
        defer { operationIndex += 1 }
        return operations[operationIndex]
    }

    /// Hands back an operation's result; replies that are now in order go out, and packets that
    /// waited for room are decoded.
    public func complete(_ operation: SFTPOperation, _ result: SFTPOperationResult) throws(SFTPSessionError) {
        let response: SFTPResponse
        switch result {
        case .response(let value):
            response = value
        case .openedFile(let file, let path):
            response = register(.file(file, path: path)) ?? .status(.failure, message: "too many open handles")
            if case .status = response { try? file.close() }
        case .openedDirectory(let directory, let path):
            response = register(.directory(directory, path: path)) ?? .status(.failure, message: "too many open handles")
            if case .status = response { directory.close() }
        }
        fill(operation.sequence, response)
        flushReplies()
        try processPackets()
    }

    func enqueue(_ sequence: Int, _ work: @escaping @Sendable (any SFTPFileSystem) -> SFTPOperationResult) {
        operations.append(SFTPOperation(sequence: sequence, work: work))
    }

    func fill(_ sequence: Int, _ response: SFTPResponse) {
        let index = sequence - firstSlot
        guard slots.indices.contains(index) else { return }
        if let context = contexts.removeValue(forKey: sequence), let delegate {
            slots[index].response = delegate.sftpSession(self, didRun: context, response: response)
        } else {
            slots[index].response = response
        }
    }

    /// Gives an open handle the name `newKey` (the SFTPServer class's FileOpen `Handle`): 1 to
    /// ``SFTPLimits/maximumHandleLength`` bytes, not in use. Returns whether it was renamed.
    public func renameHandle(_ key: [UInt8], to newKey: [UInt8]) -> Bool {
        guard key != newKey, (1...SFTPLimits.maximumHandleLength).contains(newKey.count), handles[newKey] == nil,
              let handle = handles.removeValue(forKey: key)
        else { return false }
        handles[newKey] = handle
        return true
    }

    /// Lists `entries` instead of what the directory behind `key` holds (the SFTPServer class's
    /// SetFileList). The directory handle it replaces is returned for the owner to close off the
    /// event loop; nil when `key` is not an open directory.
    public func replaceListing(of key: [UInt8], with entries: any SFTPDirectoryHandle) -> (any SFTPDirectoryHandle)? {
        guard case .directory(let previous, let path)? = handles[key] else { return nil }
        handles[key] = .directory(entries, path: path)
        return previous
    }

    private func register(_ handle: OpenHandle) -> SFTPResponse? {
        guard handles.count < SFTPLimits.maximumOpenHandles else { return nil }
        let key = Array(String(nextHandle).utf8)
        nextHandle += 1
        handles[key] = handle
        return .handle(key)
    }

    // MARK: - Output

    /// The id of the request in reply slot `sequence`.
    func requestId(_ sequence: Int) -> UInt32 {
        let index = sequence - firstSlot
        return slots.indices.contains(index) ? slots[index].id : 0
    }

    private func flushReplies() {
        guard let version else { return }
        var done = 0
        while done < slots.count, let response = slots[done].response {
            if case .dataPacket(let packet) = response, packet.bytes.count > Self.smallReply {
                // Read data leaves in the buffer it was read into.
                if !output.isEmpty { chunks.append(takeSmall()) }
                chunks.append(packet.bytes[...])
            } else {
                output += SFTPPacketFramer.frame(response.encoded(id: slots[done].id, version: version))
            }
            done += 1
        }
        if done > 0 {
            slots.removeFirst(done)
            firstSlot += done
        }
    }

    private func takeSmall() -> ArraySlice<UInt8> {
        var taken: [UInt8] = []
        swap(&taken, &output)
        return taken[...]
    }

    /// The reply bytes to send, in order, as the chunks they are held in: read data is not copied
    /// into one buffer with the rest.
    public func takeOutputChunks() -> [ArraySlice<UInt8>] {
        if !output.isEmpty { chunks.append(takeSmall()) }
        var taken: [ArraySlice<UInt8>] = []
        swap(&taken, &chunks)
        return taken
    }

    /// The reply bytes to send, in order, in one array.
    public func takeOutput() -> [UInt8] {
        Array(takeOutputChunks().joined())
    }

    public var hasOutput: Bool { !output.isEmpty || !chunks.isEmpty }

    /// When the channel closes: an operation that closes every handle still open (OpenSSH's
    /// sftp-server does the same at end of session), or nil when none is.
    public func closeAllHandles() -> SFTPOperation? {
        guard !handles.isEmpty else { return nil }
        let open = Array(handles.values)
        handles.removeAll()
        return SFTPOperation(sequence: -1) { _ in
            for handle in open {
                switch handle {
                case .file(let file, _): try? file.close()
                case .directory(let directory, _): directory.close()
                }
            }
            return .ok
        }
    }
}

/// The session cannot go on: the channel must close.
public struct SFTPSessionError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
