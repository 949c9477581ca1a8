// MARK: - Requests (draft-ietf-secsh-filexfer-02 §6; -13 §8)

extension SFTPServerSession {
    typealias Work = @Sendable (any SFTPFileSystem) throws(SFTPError) -> SFTPOperationResult

    /// Queues `body` as the operation answering request `sequence`; a thrown ``SFTPError`` becomes
    /// its STATUS.
    func work(_ sequence: Int, _ body: @escaping Work) {
        enqueue(sequence) { fileSystem in
            do throws(SFTPError) { return try body(fileSystem) } catch { return .status(error) }
        }
    }

    /// Answers a decoded request: at once when no file-system work is needed, otherwise through
    /// an operation.
    func dispatch(_ request: SFTPRequest, sequence: Int, version: UInt32) {
        func fail(_ error: SFTPError) { fill(sequence, .status(error.code, message: error.message)) }
        func run(_ body: @escaping Work) { work(sequence, body) }
        /// The request's path made absolute, or nil (and INVALID_FILENAME) when it cannot be used.
        func path(_ raw: String) -> String? {
            guard let resolved = resolve(raw) else {
                fail(SFTPError(.invalidFilename, "invalid path"))
                return nil
            }
            return resolved
        }
        switch request {
        case .open(let open):
            guard let target = path(open.path) else { return }
            run { fileSystem throws(SFTPError) in
                .openedFile(try fileSystem.openFile(target, open.flags, attributes: open.attributes), path: target)
            }
        case .opendir(let request):
            guard let target = path(request.path) else { return }
            run { fileSystem throws(SFTPError) in .openedDirectory(try fileSystem.openDirectory(target), path: target) }
        case .close(let request):
            guard let handle = handles.removeValue(forKey: request.handle) else { return fail(SFTPError(.invalidHandle)) }
            run { _ throws(SFTPError) in
                switch handle {
                case .file(let file, _): try file.close()
                case .directory(let directory, _): directory.close()
                }
                return .ok
            }
        case .read(let read):
            guard case .file(let file, _)? = handles[read.handle] else { return fail(SFTPError(.invalidHandle)) }
            let length = Int(min(read.length, UInt32(SFTPLimits.maximumReadWriteLength)))
            guard length > 0 else { return fill(sequence, .data([])) }
            let id = requestId(sequence)
            run { _ throws(SFTPError) in
                // The file is read straight into the reply packet.
                guard let packet = try SFTPDataPacket.read(id: id, capacity: length, { buffer throws(SFTPError) in
                    try file.read(at: read.offset, into: buffer)
                }) else { return .response(.status(.eof, message: SFTPStatusCode.eof.message)) }
                return .response(.dataPacket(packet))
            }
        case .write(let write):
            guard case .file(let file, _)? = handles[write.handle] else { return fail(SFTPError(.invalidHandle)) }
            run { _ throws(SFTPError) in
                var outcome: Result<Void, SFTPError> = .success(())
                withUnsafeBuffers(write.dataPieces) { pieces in
                    outcome = Result { () throws(SFTPError) in try file.write(at: write.offset, pieces) }
                }
                try outcome.get()
                return .ok
            }
        case .stat(let request):
            guard let target = path(request.path) else { return }
            run { fileSystem throws(SFTPError) in .response(.attributes(try fileSystem.attributes(of: target, followLinks: true))) }
        case .lstat(let request):
            guard let target = path(request.path) else { return }
            run { fileSystem throws(SFTPError) in .response(.attributes(try fileSystem.attributes(of: target, followLinks: false))) }
        case .fstat(let request):
            guard case .file(let file, _)? = handles[request.handle] else { return fail(SFTPError(.invalidHandle)) }
            run { _ throws(SFTPError) in .response(.attributes(try file.attributes())) }
        case .setstat(let request):
            guard let target = path(request.path) else { return }
            run { fileSystem throws(SFTPError) in
                try fileSystem.setAttributes(of: target, request.attributes, followLinks: true)
                return .ok
            }
        case .fsetstat(let request):
            guard case .file(let file, _)? = handles[request.handle] else { return fail(SFTPError(.invalidHandle)) }
            run { _ throws(SFTPError) in
                try file.setAttributes(request.attributes)
                return .ok
            }
        case .readdir(let request):
            guard case .directory(let directory, let directoryPath)? = handles[request.handle] else {
                return fail(SFTPError(.invalidHandle))
            }
            let batch = configuration.directoryBatch
            run { _ throws(SFTPError) in
                guard let entries = try directory.nextEntries(limit: batch), !entries.isEmpty else {
                    return .response(.status(.eof, message: SFTPStatusCode.eof.message))
                }
                _ = directoryPath
                return .response(.name(entries.map {
                    SFTPNameEntry(name: $0.name, longName: version <= 3 ? SFTPLongName.line($0) : "", attributes: $0.attributes)
                }))
            }
        case .remove(let request):
            guard let target = path(request.path) else { return }
            run { fileSystem throws(SFTPError) in
                try fileSystem.removeFile(target)
                return .ok
            }
        case .mkdir(let request):
            guard let target = path(request.path) else { return }
            run { fileSystem throws(SFTPError) in
                try fileSystem.makeDirectory(target, attributes: request.attributes)
                return .ok
            }
        case .rmdir(let request):
            guard let target = path(request.path) else { return }
            run { fileSystem throws(SFTPError) in
                try fileSystem.removeDirectory(target)
                return .ok
            }
        case .realpath(let request):
            dispatchRealPath(request, sequence: sequence, version: version)
        case .rename(let request):
            guard let from = path(request.oldPath), let to = path(request.newPath) else { return }
            // Version 3–4 RENAME never replaces (draft-02 §6.5); version 5+ says so with a flag.
            let overwrite = version >= 5 && request.flags & SFTPRename.overwrite != 0
            run { fileSystem throws(SFTPError) in
                try fileSystem.rename(from, to: to, overwrite: overwrite)
                return .ok
            }
        case .readlink(let request):
            guard let target = path(request.path) else { return }
            run { fileSystem throws(SFTPError) in
                .response(.name([SFTPNameEntry(name: try fileSystem.readLink(target), longName: "")]))
            }
        case .link(let request):
            guard let linkPath = path(request.linkPath) else { return }
            if request.symbolic {
                // The target is stored as given: the file system resolves it within the root.
                let target = request.targetPath
                guard !target.isEmpty, !target.utf8.contains(0) else { return fail(SFTPError(.invalidFilename)) }
                run { fileSystem throws(SFTPError) in
                    try fileSystem.makeSymbolicLink(at: linkPath, to: target)
                    return .ok
                }
            } else {
                guard let existing = path(request.targetPath) else { return }
                run { fileSystem throws(SFTPError) in
                    try fileSystem.makeHardLink(at: linkPath, to: existing)
                    return .ok
                }
            }
        case .extended(let request):
            dispatchExtended(request, sequence: sequence, version: version)
        case .unsupported(let type):
            fail(SFTPError(.operationUnsupported, "packet type \(type) is not supported"))
        }
    }

    /// SSH_FXP_REALPATH: the canonical path, with attributes for version 6's STAT_IF/STAT_ALWAYS.
    private func dispatchRealPath(_ request: SFTPRealPath, sequence: Int, version: UInt32) {
        var raw = request.path
        for part in request.compose { raw = part.hasPrefix("/") ? part : raw + "/" + part }
        guard let target = resolve(raw) else {
            return fill(sequence, .status(.invalidFilename, message: "invalid path"))
        }
        let control = request.control
        work(sequence) { fileSystem throws(SFTPError) in
            let canonical = try fileSystem.canonicalPath(target, mustExist: control == .statAlways)
            var attributes = SFTPFileAttributes()
            switch control {
            case .statAlways: attributes = try fileSystem.attributes(of: canonical, followLinks: true)
            case .statIf: attributes = (try? fileSystem.attributes(of: canonical, followLinks: true)) ?? SFTPFileAttributes()
            case .noCheck, nil: break
            }
            return .response(.name([SFTPNameEntry(name: canonical, longName: canonical, attributes: attributes)]))
        }
    }

    /// An SFTP path made absolute against the home directory, or nil when it has a NUL byte or is
    /// too long. Nothing is normalised here: "..", links and magic links are the file system's to
    /// resolve inside the root.
    func resolve(_ raw: String) -> String? {
        guard !raw.utf8.contains(0) else { return nil }
        let absolute: String
        if raw.hasPrefix("/") {
            absolute = raw
        } else if raw.isEmpty || raw == "." {
            absolute = configuration.homeDirectory
        } else {
            absolute = configuration.homeDirectory.hasSuffix("/") ? configuration.homeDirectory + raw : configuration.homeDirectory + "/" + raw
        }
        guard absolute.utf8.count <= SFTPFileSystemLimits.maximumPathLength else { return nil }
        return absolute
    }
}

/// The raw bytes of every slice at once, for the body's duration.
func withUnsafeBuffers<R>(_ slices: [ArraySlice<UInt8>], _ body: ([UnsafeRawBufferPointer]) -> R) -> R {
    func nest(_ index: Int, _ collected: [UnsafeRawBufferPointer]) -> R {
        guard index < slices.count else { return body(collected) }
        return slices[index].withUnsafeBytes { nest(index + 1, collected + [$0]) }
    }
    return nest(0, [])
}
