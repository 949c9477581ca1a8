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
            path: context.path, newPath: context.newPath, handle: String(decoding: context.handle, as: UTF8.self),
            fileOffset: Int64(clamping: context.offset), length: Int(context.length), flags: Int(context.flags),
            beforeExec: before, statusCode: Int(status.rawValue), attributes: context.attributes, realPath: "",
            fileData: context.kind == .writeFile ? Array(context.data) : [])
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
        let code = SFTPStatusCode(rawValue: UInt32(clamping: event.statusCode)) ?? .failure
        return SFTPError(code, errorMessage(session, code))
    }

    /// After phase: the handler sees the outcome and may replace it.
    func didRun(_ session: SFTPChannelSession, _ context: SFTPRequestContext, _ response: SFTPResponse) -> SFTPResponse {
        guard let handler = handler(for: context.kind).handler else { return response }
        var status = SFTPStatusCode.ok
        if case .status(let code, _) = response { status = code }
        var event = event(session, context, before: false, status: status)
        if case .attributes(let attributes) = response { event.attributes = attributes }
        if case .name(let entries) = response, context.kind == .resolvePath, let first = entries.first { event.realPath = first.name }
        let original = event
        handler(&event)
        if event.statusCode != original.statusCode {
            let code = SFTPStatusCode(rawValue: UInt32(clamping: event.statusCode)) ?? .failure
            return .status(code, message: errorMessage(session, code))
        }
        if context.kind == .getAttributes, event.attributes != original.attributes, case .attributes = response {
            return .attributes(event.attributes)
        }
        if context.kind == .resolvePath, event.realPath != original.realPath, case .name = response {
            return .name([SFTPNameEntry(name: event.realPath, longName: event.realPath)])
        }
        return response
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
