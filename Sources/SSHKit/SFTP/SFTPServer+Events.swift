import SFTP

// MARK: - File events (client-and-SFTP digest §B3.1, §B3.4)

extension SFTPServer {
    /// The handler of an event kind, and whether it also fires before the operation.
    func handler(for kind: SFTPRequestContext.Kind) -> (handler: ((inout SFTPFileEvent) -> Void)?, before: Bool) {
        switch kind {
        case .makeDirectory: (onDirCreate, true)
        case .listDirectory: (onDirList, true)
        case .removeDirectory: (onDirRemove, true)
        case .openFile: (onFileOpen, true)
        case .writeFile: (onFileWrite, true)
        case .removeFile: (onFileRemove, true)
        case .rename: (onFileRename, true)
        case .setAttributes: (onSetAttributes, true)
        case .readFile: (onFileRead, false)
        case .closeHandle: (onFileClose, false)
        case .getAttributes: (onGetAttributes, false)
        case .resolvePath: (onResolvePath, false)
        case .other: (nil, false)
        }
    }

    func event(_ session: SFTPChannelSession, _ context: SFTPRequestContext, before: Bool, status: SFTPStatusCode) -> SFTPFileEvent {
        SFTPFileEvent(
            connectionId: session.connectionId, user: ssh.connections[session.connectionId]?.lastAuthUser ?? "",
            path: session.answeredByEvents ? SFTPEventFileSystem.lexical(context.path) : context.path,
            newPath: session.answeredByEvents && !context.newPath.isEmpty ? SFTPEventFileSystem.lexical(context.newPath) : context.newPath, handle: String(decoding: context.handle, as: UTF8.self),
            fileOffset: Int64(clamping: context.offset), length: Int(context.length), flags: Int(context.flags),
            beforeExec: before, statusCode: Int(status.rawValue), attributes: context.attributes, realPath: "",
            fileData: context.kind == .writeFile ? Array(([context.data] + context.moreData).joined()) : [])
    }

    /// The text for a status a handler set: SFTPErrorMessage[id], SFTPErrorMessage, or the code's.
    func errorMessage(_ session: SFTPChannelSession, _ code: SFTPStatusCode) -> String {
        if let text = connectionSettings[session.connectionId]?.errorMessage, !text.isEmpty { return text }
        return sftpErrorMessage.isEmpty ? code.message : sftpErrorMessage
    }

    /// Before phase: a non-zero status refuses the operation.
    func willRun(_ session: SFTPChannelSession, _ context: SFTPRequestContext) -> SFTPError? {
        let (handler, fires) = handler(for: context.kind)
        guard fires, let handler else { return nil }
        var event = event(session, context, before: true, status: .ok)
        handler(&event)
        guard event.statusCode != 0 else { return nil }
        if context.kind == .listDirectory { fileLists.removeValue(forKey: session.connectionId) }
        let code = SFTPStatusCode(rawValue: UInt32(clamping: event.statusCode)) ?? .failure
        return SFTPError(code, errorMessage(session, code))
    }

    /// After phase: the handler sees the outcome and may replace it.
    func didRun(_ session: SFTPChannelSession, _ context: SFTPRequestContext, _ response: SFTPResponse) -> SFTPResponse {
        guard let handler = handler(for: context.kind).handler else {
            // Without RootDirectory an unhandled event has nobody to answer it.
            guard session.answeredByEvents, context.kind != .resolvePath, context.kind != .closeHandle else { return response }
            return .status(.operationUnsupported, message: "no handler answers \(context.kind) without RootDirectory")
        }
        var status = SFTPStatusCode.ok
        if case .status(let code, _) = response { status = code }
        var event = event(session, context, before: false, status: status)
        switch response {
        case .attributes(let attributes): event.attributes = attributes
        case .name(let entries) where context.kind == .resolvePath: event.realPath = entries.first?.name ?? ""
        case .data(let data) where context.kind == .readFile: event.fileData = Array(data)
        case .dataPacket(let packet) where context.kind == .readFile: event.fileData = Array(packet.data)
        case .handle(let key): event.handle = String(decoding: key, as: UTF8.self)
        default: break
        }
        let original = event
        handler(&event)
        if event.statusCode != original.statusCode {
            let code = SFTPStatusCode(rawValue: UInt32(clamping: event.statusCode)) ?? .failure
            if code == .ok, context.kind == .readFile, !event.fileData.isEmpty { return readReply(event, context) }
            return .status(code, message: errorMessage(session, code))
        }
        switch (context.kind, response) {
        case (.getAttributes, .attributes) where event.attributes != original.attributes:
            return .attributes(event.attributes)
        case (.resolvePath, .name) where event.realPath != original.realPath:
            return .name([SFTPNameEntry(name: event.realPath, longName: event.realPath)])
        case (.readFile, _) where event.fileData != original.fileData:
            return readReply(event, context)
        case (.openFile, .handle(let key)) where event.handle != original.handle:
            let renamed = Array(event.handle.utf8)
            guard session.protocolSession.renameHandle(key, to: renamed) else {
                ssh.log(session.connectionId, 1, "sftp: FileOpen handle \"\(event.handle)\" is empty, over \(SFTPLimits.maximumHandleLength) bytes or in use; kept \(original.handle)", type: "SFTP")
                return response
            }
            return .handle(renamed)
        case (.listDirectory, .handle(let key)):
            guard let names = fileLists.removeValue(forKey: session.connectionId) else { return response }
            let listing = ListedDirectoryHandle(names: names, in: context.path, attributes: listedAttributes(session))
            if let previous = session.protocolSession.replaceListing(of: key, with: listing) { previous.close() }
            return response
        default:
            return response
        }
    }

    /// FileRead's reply from the handler's data: at most the length asked for; none is the end.
    private func readReply(_ event: SFTPFileEvent, _ context: SFTPRequestContext) -> SFTPResponse {
        guard !event.fileData.isEmpty else { return .status(.eof, message: SFTPStatusCode.eof.message) }
        return .data(event.fileData.prefix(Int(min(context.length, UInt32(SFTPLimits.maximumReadWriteLength)))))
    }

    /// The attributes of a SetFileList name: from the served tree, or without RootDirectory from
    /// the GetAttributes event (fired after, status 0, for the handler to fill).
    private func listedAttributes(_ session: SFTPChannelSession) -> (String) -> SFTPFileAttributes {
        guard session.answeredByEvents else {
            let fileSystem = session.fileSystem
            return { path in (try? fileSystem.attributes(of: path, followLinks: false)) ?? SFTPFileAttributes() }
        }
        return { [weak self, weak session] path in
            guard let self, let session, let handler = self.onGetAttributes else { return SFTPFileAttributes() }
            let context = SFTPRequestContext(kind: .getAttributes, path: path)
            var event = self.event(session, context, before: false, status: .ok)
            handler(&event)
            return event.statusCode == 0 ? event.attributes : SFTPFileAttributes()
        }
    }

    /// `SetFileList`: the entries of the directory being listed, given in the DirList event
    /// (client-and-SFTP digest §B2, §B6.5). Without `RootDirectory` each name's attributes come
    /// from the GetAttributes event; with it, from the file system. Names with "/" or NUL are
    /// left out.
    public func setFileList(_ connectionId: Int, _ names: [String]) {
        fileLists[connectionId] = names
    }

    /// `SetFileList` in the seeds' string form: names separated by CRLF (or LF).
    public func setFileList(_ connectionId: Int, _ list: String) {
        setFileList(connectionId, list.split(whereSeparator: \.isNewline).map(String.init))
    }
}

extension SFTPChannelSession: SFTPSessionDelegate {
    func sftpSession(_ session: SFTPServerSession, willRun context: SFTPRequestContext) -> SFTPError? {
        server?.willRun(self, context)
    }

    func sftpSession(_ session: SFTPServerSession, didRun context: SFTPRequestContext, response: SFTPResponse) -> SFTPResponse {
        server?.didRun(self, context, response) ?? response
    }
}
