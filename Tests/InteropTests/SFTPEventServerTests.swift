import Foundation
import SFTP
import SSHKit
import Testing

/// A tree kept in memory by the test: what the handlers of an SFTPServer without RootDirectory
/// serve.
private final class VirtualTree {
    var files: [String: [UInt8]] = [:]
    var directories: Set<String> = ["/", "/docs"]
    var handles: [String: String] = [:]
    var reads: [String] = []
    var nextHandle = 0

    func children(of directory: String) -> [String] {
        let prefix = directory == "/" ? "/" : directory + "/"
        return (Array(files.keys) + Array(directories)).compactMap { path in
            guard path.hasPrefix(prefix), path != directory else { return nil }
            let rest = path.dropFirst(prefix.count)
            return rest.contains("/") ? nil : String(rest)
        }.sorted()
    }

    func attributes(_ path: String) -> SFTPFileAttributes? {
        if directories.contains(path) { return SFTPFileAttributes(size: 0, userId: 1000, groupId: 1000, permissions: 0o40755, modifyTime: SFTPTime(seconds: 1_700_000_000)) }
        guard let data = files[path] else { return nil }
        return SFTPFileAttributes(size: UInt64(data.count), userId: 1000, groupId: 1000, permissions: 0o100644, modifyTime: SFTPTime(seconds: 1_700_000_000))
    }

    /// Serves `server`'s file events from this tree.
    func serve(_ server: SFTPServer) {
        server.onResolvePath = { _ in }
        server.onGetAttributes = { [unowned self] event in
            guard let attributes = attributes(event.path) else { return event.statusCode = 2 }  // SSH_FX_NO_SUCH_FILE
            event.attributes = attributes
        }
        server.onDirList = { [unowned self, unowned server] event in
            guard directories.contains(event.path) else { return event.statusCode = 2 }
            if !event.beforeExec { server.setFileList(event.connectionId, children(of: event.path).joined(separator: "\r\n")) }
        }
        server.onDirCreate = { [unowned self] event in
            if event.beforeExec, attributes(event.path) != nil { return event.statusCode = 11 }  // SSH_FX_FILE_ALREADY_EXISTS
            if !event.beforeExec { directories.insert(event.path) }
        }
        server.onFileOpen = { [unowned self] event in
            let write = event.flags & 2 != 0, create = event.flags & 8 != 0, truncate = event.flags & 16 != 0
            if event.beforeExec {
                if write, event.path.hasPrefix("/docs/") { event.statusCode = 3 }  // SSH_FX_PERMISSION_DENIED
                else if files[event.path] == nil, !create { event.statusCode = 2 }
                return
            }
            guard event.statusCode == 0 else { return }
            if files[event.path] == nil || truncate { files[event.path] = [] }
            nextHandle += 1
            event.handle = event.path == "/long.bin" ? String(repeating: "h", count: 300) : "vh\(nextHandle)"
            handles[event.handle] = event.path
        }
        server.onFileRead = { [unowned self] event in
            reads.append(event.handle)
            let data = files[event.path] ?? []
            guard event.fileOffset < data.count else { return event.statusCode = 1 }  // SSH_FX_EOF
            let start = Int(event.fileOffset)
            event.fileData = Array(data[start..<min(data.count, start + event.length)])
        }
        server.onFileWrite = { [unowned self] event in
            guard !event.beforeExec, var data = files[event.path] else { return }
            let end = Int(event.fileOffset) + event.fileData.count
            if data.count < end { data += [UInt8](repeating: 0, count: end - data.count) }
            data.replaceSubrange(Int(event.fileOffset)..<end, with: event.fileData)
            files[event.path] = data
        }
        server.onFileClose = { _ in }
        server.onFileRename = { [unowned self] event in
            guard !event.beforeExec else { return event.statusCode = files[event.path] == nil ? 2 : 0 }
            files[event.newPath] = files.removeValue(forKey: event.path)
        }
        server.onFileRemove = { [unowned self] event in
            if !event.beforeExec { files.removeValue(forKey: event.path) }
        }
    }
}

extension SFTPServerTests {
    /// Without RootDirectory the events answer everything: OpenSSH's `sftp` lists, downloads,
    /// uploads, renames and removes files that live only in the handlers' dictionary; FileOpen's
    /// handle is the handler's; what no handler answers is SSH_FX_OP_UNSUPPORTED.
    @Test func eventsAloneServeWithoutRootDirectory() throws {
        let server = try makeServer()
        server.rootDirectory = ""
        let tree = VirtualTree()
        var random = SystemRandomNumberGenerator()
        let report = (0..<700_000).map { _ in UInt8.random(in: 0...255, using: &random) }
        tree.files["/docs/report.bin"] = report
        tree.files["/docs/readme.txt"] = Array("served from a dictionary\n".utf8)
        tree.files["/long.bin"] = Array("long handle\n".utf8)
        tree.serve(server)
        let upload = (0..<500_000).map { _ in UInt8.random(in: 0...255, using: &random) }
        try Data(upload).write(to: local.appendingPathComponent("up.bin"))
        let batch = harness.directory.appendingPathComponent("events-only")
        try """
        ls -l /docs
        get /docs/report.bin report.bin
        get /docs/readme.txt
        get /long.bin
        put up.bin /up.bin
        -put up.bin /docs/denied.bin
        mkdir /made
        rename /up.bin /made/up.bin
        ls /made
        -chmod 600 /made/up.bin
        -ln -s /made/up.bin /link
        rm /docs/readme.txt
        ls /docs

        """.write(to: batch, atomically: true, encoding: .utf8)
        let result = try run(server, "/usr/bin/sftp \(quoted(clientOptions(server))) -P \(server.localPort) -b '\(batch.path)' demo@127.0.0.1")
        #expect(result.status == 0, "\(result.output)")
        let lines = result.output.split(whereSeparator: \.isNewline).map(String.init)
        #expect(lines.contains { $0.hasPrefix("-rw-r--r--") && $0.contains(" 700000 ") && $0.hasSuffix("report.bin") }, "\(result.output)")
        #expect(lines.contains { $0.hasPrefix("-rw-r--r--") && $0.hasSuffix("readme.txt") }, "\(result.output)")
        #expect(sameBytes(Array(try Data(contentsOf: local.appendingPathComponent("report.bin"))), report))
        #expect(try String(contentsOf: local.appendingPathComponent("readme.txt"), encoding: .utf8) == "served from a dictionary\n")
        #expect(try String(contentsOf: local.appendingPathComponent("long.bin"), encoding: .utf8) == "long handle\n")
        #expect(sameBytes(tree.files["/made/up.bin"] ?? [], upload))
        #expect(tree.files["/up.bin"] == nil && tree.files["/docs/denied.bin"] == nil)
        #expect(tree.directories.contains("/made"))
        #expect(tree.files["/docs/readme.txt"] == nil)
        #expect(result.output.contains("Permission denied"), "\(result.output)")
        // SetAttributes and SYMLINK have no handler here.
        #expect(lines.filter { $0.contains("Operation unsupported") }.count == 2, "\(result.output)")
        // Reads came through the handler's own handles; a 300-byte one was refused and the
        // class's number kept.
        #expect(tree.reads.contains { $0.hasPrefix("vh") })
        #expect(tree.reads.contains { !$0.hasPrefix("vh") && !$0.isEmpty && $0.allSatisfy(\.isNumber) })
        #expect(!tree.reads.contains { $0.count > 256 })
    }
}

extension SFTPServerTests {
    /// With RootDirectory the class does the work and the events override it: SetFileList hides
    /// what a listing holds (attributes still come from the disk), and FileRead's data is
    /// replaced on its way out.
    @Test func eventsOverrideListingAndReadData() throws {
        let server = try makeServer()
        try "visible\n".write(to: root.appendingPathComponent("shown.txt"), atomically: true, encoding: .utf8)
        try "hidden\n".write(to: root.appendingPathComponent("hidden.txt"), atomically: true, encoding: .utf8)
        server.onDirList = { [unowned server] event in
            if !event.beforeExec, event.path == "/" { server.setFileList(event.connectionId, ["shown.txt", "absent.txt"]) }
        }
        server.onFileRead = { event in
            if !event.fileData.isEmpty { event.fileData = event.fileData.map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 } }
        }
        let batch = harness.directory.appendingPathComponent("override")
        try "ls -l /\nget /shown.txt\n".write(to: batch, atomically: true, encoding: .utf8)
        let result = try run(server, "/usr/bin/sftp \(quoted(clientOptions(server))) -P \(server.localPort) -b '\(batch.path)' demo@127.0.0.1")
        #expect(result.status == 0, "\(result.output)")
        let lines = result.output.split(whereSeparator: \.isNewline).map(String.init)
        #expect(lines.contains { $0.hasPrefix("-rw") && $0.contains(" 8 ") && $0.hasSuffix("shown.txt") }, "\(result.output)")
        #expect(lines.contains { $0.hasSuffix("absent.txt") }, "\(result.output)")
        #expect(!result.output.contains("hidden.txt"), "\(result.output)")
        #expect(try String(contentsOf: local.appendingPathComponent("shown.txt"), encoding: .utf8) == "VISIBLE\n")
    }
}
