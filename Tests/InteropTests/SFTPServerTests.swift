import Foundation
import SSHCrypto
import SSHKit
import SFTP
import SSHWire
import Testing

/// The SFTPServer class with OpenSSH's `sftp` (batch mode) and `scp`, over loopback, serving a
/// temporary directory as its root.
@Suite(.serialized) struct SFTPServerTests {
    let harness: ClassServerHarness
    let root: URL
    let local: URL

    init() throws {
        harness = try ClassServerHarness("sftpserver")
        root = harness.directory.appendingPathComponent("root")
        local = harness.directory.appendingPathComponent("local")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: local, withIntermediateDirectories: true)
    }

    func makeServer() throws -> SFTPServer {
        let server = try SFTPServer()
        server.ssh.hostKeys = [try SSHKeyGenerator.generateEd25519()]
        try server.ssh.config("LocalHost=127.0.0.1")
        try server.ssh.config("LocalPort=0")
        try server.ssh.config("DefaultAuthMethods=publickey")
        let blob = harness.key.publicKey.wireBlob
        server.ssh.onUserAuthRequest = { $0.accept = $0.authMethod == "publickey" && $0.authParam == blob }
        server.rootDirectory = root.path
        try server.startListening()
        return server
    }

    func clientOptions(_ server: SFTPServer) -> [String] {
        [
            "-F", "/dev/null", "-i", harness.keyFile.path, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
        ]
    }

    /// Runs `program arguments` (in `local` as its working directory through `sh -c cd`), serving
    /// the server until it exits.
    func run(_ server: SFTPServer, _ command: String, limit: TimeInterval = 300) throws -> (status: Int32, output: String) {
        let output = harness.directory.appendingPathComponent("client-\(UUID().uuidString).out")
        let client = try ChildProcess("/bin/sh", ["-c", "cd '\(local.path)' && \(command)"], outputFile: output)
        let deadline = Date().addingTimeInterval(limit)
        while client.exitStatusIfExited() == nil, Date() < deadline { try server.doEvents() }
        return (client.wait(limit: 5), client.output)
    }

    func quoted(_ arguments: [String]) -> String { arguments.map { "'\($0)'" }.joined(separator: " ") }

    func sha256(_ url: URL) throws -> String {
        let result = try InteropTests.run("/usr/bin/sha256sum", [url.path])
        return String(result.output.split(separator: " ").first ?? "")
    }

    @Test func sftpBatchCoversTheEverydayCommands() throws {
        let server = try makeServer()
        let made = try InteropTests.run("/bin/sh", ["-c", "head -c 33554432 /dev/urandom > '\(local.path)/big.bin'; echo hello > '\(local.path)/small.txt'"])
        #expect(made.status == 0)
        let batch = harness.directory.appendingPathComponent("batch")
        try """
        mkdir upload
        cd upload
        put big.bin
        put small.txt
        ls -l
        rename small.txt renamed.txt
        chmod 600 renamed.txt
        symlink renamed.txt link.txt
        ln renamed.txt hard.txt
        mkdir gone
        rmdir gone
        df -h
        get big.bin back.bin
        get link.txt fromlink.txt
        pwd

        """.write(to: batch, atomically: true, encoding: .utf8)
        let result = try run(server, "/usr/bin/sftp \(quoted(clientOptions(server))) -P \(server.localPort) -b '\(batch.path)' demo@127.0.0.1")
        #expect(result.status == 0, "\(result.output)")
        let upload = root.appendingPathComponent("upload")
        #expect(try sha256(upload.appendingPathComponent("big.bin")) == sha256(local.appendingPathComponent("big.bin")))
        #expect(try sha256(local.appendingPathComponent("back.bin")) == sha256(local.appendingPathComponent("big.bin")))
        #expect(try String(contentsOf: local.appendingPathComponent("fromlink.txt"), encoding: .utf8) == "hello\n")
        let renamed = upload.appendingPathComponent("renamed.txt")
        #expect((try FileManager.default.attributesOfItem(atPath: renamed.path)[.posixPermissions] as? Int) == 0o600)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: upload.appendingPathComponent("link.txt").path) == "renamed.txt")
        #expect((try FileManager.default.attributesOfItem(atPath: renamed.path)[.referenceCount] as? Int) == 2)
        #expect(!FileManager.default.fileExists(atPath: upload.appendingPathComponent("gone").path))
        #expect(result.output.contains("renamed.txt") || result.output.contains("small.txt"))
        #expect(result.output.contains("Remote working directory: /upload"), "\(result.output)")
    }

    @Test func scpBothWays() throws {
        let server = try makeServer()
        let made = try InteropTests.run("/bin/sh", ["-c", "head -c 5000000 /dev/urandom > '\(local.path)/up.bin'"])
        #expect(made.status == 0)
        let options = quoted(clientOptions(server)) + " -P \(server.localPort)"
        let up = try run(server, "/usr/bin/scp \(options) up.bin demo@127.0.0.1:/copied.bin")
        #expect(up.status == 0, "\(up.output)")
        #expect(try sha256(root.appendingPathComponent("copied.bin")) == sha256(local.appendingPathComponent("up.bin")))
        let down = try run(server, "/usr/bin/scp \(options) demo@127.0.0.1:/copied.bin down.bin")
        #expect(down.status == 0, "\(down.output)")
        #expect(try sha256(local.appendingPathComponent("down.bin")) == sha256(local.appendingPathComponent("up.bin")))
    }

    /// The root confines the client: `..` and absolute paths end inside it.
    @Test func clientCannotLeaveTheRoot() throws {
        let server = try makeServer()
        let secret = harness.directory.appendingPathComponent("secret.txt")
        try "outside".write(to: secret, atomically: true, encoding: .utf8)
        let batch = harness.directory.appendingPathComponent("escape")
        try """
        -get ../secret.txt a.txt
        -get /../../secret.txt b.txt
        -symlink \(secret.path) out.txt
        -get out.txt c.txt
        cd ../../..
        pwd

        """.write(to: batch, atomically: true, encoding: .utf8)
        let result = try run(server, "/usr/bin/sftp \(quoted(clientOptions(server))) -P \(server.localPort) -b '\(batch.path)' demo@127.0.0.1")
        #expect(result.status == 0, "\(result.output)")
        for name in ["a.txt", "b.txt", "c.txt"] {
            #expect(!FileManager.default.fileExists(atPath: local.appendingPathComponent(name).path), "\(name)")
        }
        #expect(result.output.contains("Remote working directory: /\n"), "\(result.output)")
    }

    /// The file events: before and after phases, a refusal from FileOpen's before phase, and the
    /// outcomes the handler sees.
    @Test func fileEventsFireBeforeAndAfter() throws {
        let server = try makeServer()
        var seen: [String] = []
        server.onDirCreate = { seen.append("DirCreate \($0.path) before=\($0.beforeExec) status=\($0.statusCode)") }
        server.onFileOpen = { event in
            seen.append("FileOpen \(event.path) before=\(event.beforeExec) status=\(event.statusCode)")
            if event.beforeExec, event.path.hasSuffix(".secret") { event.statusCode = 3 }  // SSH_FX_PERMISSION_DENIED
        }
        server.onFileWrite = { if !$0.beforeExec { seen.append("FileWrite \($0.fileData.count)") } }
        server.onFileClose = { seen.append("FileClose \($0.path)") }
        server.onFileRename = { seen.append("FileRename \($0.path) -> \($0.newPath) before=\($0.beforeExec)") }
        server.onFileRemove = { seen.append("FileRemove \($0.path) before=\($0.beforeExec)") }
        server.onGetAttributes = { _ in seen.append("GetAttributes") }
        server.onResolvePath = { seen.append("ResolvePath \($0.realPath)") }
        try "hi".write(to: local.appendingPathComponent("plain.txt"), atomically: true, encoding: .utf8)
        try "no".write(to: local.appendingPathComponent("x.secret"), atomically: true, encoding: .utf8)
        let batch = harness.directory.appendingPathComponent("events")
        try """
        mkdir d
        put plain.txt d/plain.txt
        -put x.secret d/x.secret
        rename d/plain.txt d/moved.txt
        rm d/moved.txt

        """.write(to: batch, atomically: true, encoding: .utf8)
        let result = try run(server, "/usr/bin/sftp \(quoted(clientOptions(server))) -P \(server.localPort) -b '\(batch.path)' demo@127.0.0.1")
        #expect(result.status == 0, "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("d/x.secret").path))
        #expect(result.output.contains("Permission denied"), "\(result.output)")
        #expect(seen.contains("DirCreate /d before=true status=0"))
        #expect(seen.contains("DirCreate /d before=false status=0"))
        #expect(seen.contains("FileOpen /d/plain.txt before=true status=0"))
        #expect(seen.contains("FileOpen /d/plain.txt before=false status=0"))
        #expect(seen.contains("FileOpen /d/x.secret before=true status=0"))
        #expect(!seen.contains("FileOpen /d/x.secret before=false status=0"))
        #expect(seen.contains("FileWrite 2"))
        #expect(seen.contains("FileOpen /d/x.secret before=false status=3"))
        #expect(seen.contains("FileClose /d/plain.txt"))
        #expect(seen.contains { $0.hasPrefix("FileRename /d/plain.txt -> /d/moved.txt before=false") })
        #expect(seen.contains("FileRemove /d/moved.txt before=false"))
        #expect(seen.contains("ResolvePath /"))
        #expect(seen.contains("GetAttributes"))
    }

    /// reput and reget resume interrupted transfers from where the partial file ends.
    @Test func reputAndRegetResume() throws {
        let server = try makeServer()
        let made = try InteropTests.run("/bin/sh", ["-c", """
            head -c 3000000 /dev/urandom > '\(local.path)/whole.bin' &&
            head -c 1234567 '\(local.path)/whole.bin' > '\(root.path)/whole.bin' &&
            cp '\(local.path)/whole.bin' '\(root.path)/other.bin' &&
            head -c 777777 '\(local.path)/whole.bin' > '\(local.path)/other.bin'
            """])
        #expect(made.status == 0, "\(made.output)")
        let batch = harness.directory.appendingPathComponent("resume")
        try "reput whole.bin\nreget other.bin\n".write(to: batch, atomically: true, encoding: .utf8)
        let result = try run(server, "/usr/bin/sftp \(quoted(clientOptions(server))) -P \(server.localPort) -b '\(batch.path)' demo@127.0.0.1")
        #expect(result.status == 0, "\(result.output)")
        let expected = try sha256(local.appendingPathComponent("whole.bin"))
        #expect(try sha256(root.appendingPathComponent("whole.bin")) == expected)
        #expect(try sha256(local.appendingPathComponent("other.bin")) == expected)
    }

    /// 1 GiB up and down, and 1,000 small files up and down with `put -r` / `get -r`: every
    /// SHA-256 equal. The temporary files are removed afterwards.
    @Test func oneGibibyteAndAThousandFiles() throws {
        let server = try makeServer()
        let made = try InteropTests.run("/bin/sh", ["-c", """
            cd '\(local.path)' && head -c 1073741824 /dev/urandom > huge.bin && mkdir many &&
            i=0; while [ $i -lt 1000 ]; do head -c $((i * 37 + 1)) /dev/urandom > many/f$i; i=$((i + 1)); done
            """], limit: 300)
        #expect(made.status == 0, "\(made.output)")
        let batch = harness.directory.appendingPathComponent("bulk")
        try "put huge.bin\nput -r many\nget huge.bin huge.back\nget -r many many.back\n".write(to: batch, atomically: true, encoding: .utf8)
        let result = try run(server, "/usr/bin/sftp \(quoted(clientOptions(server))) -P \(server.localPort) -b '\(batch.path)' demo@127.0.0.1", limit: 900)
        #expect(result.status == 0, "\(result.output)")
        let original = try sha256(local.appendingPathComponent("huge.bin"))
        #expect(try sha256(root.appendingPathComponent("huge.bin")) == original)
        #expect(try sha256(local.appendingPathComponent("huge.back")) == original)
        let sums = try InteropTests.run("/bin/sh", ["-c", """
            cd '\(local.path)/many' && sha256sum f* | sort > ../a.sum &&
            cd '\(root.path)/many' && sha256sum f* | sort > '\(local.path)/b.sum' &&
            cd '\(local.path)/many.back' && sha256sum f* | sort > '\(local.path)/c.sum' &&
            cd '\(local.path)' && wc -l < a.sum && cmp a.sum b.sum && cmp a.sum c.sum
            """])
        #expect(sums.status == 0, "\(sums.output)")
        #expect(sums.output.trimmingCharacters(in: .whitespacesAndNewlines) == "1000")
    }

    /// HomeDir with RestrictUserToHomeDir (the client sees whole-tree paths but reaches only its
    /// home), and UserRootDirectory (the home as the client's whole tree); DirListBufferSize 1.
    @Test(arguments: ["restrict", "userRoot"])
    func perUserRoots(mode: String) throws {
        try FileManager.default.createDirectory(at: root.appendingPathComponent("home/alice/sub"), withIntermediateDirectories: true)
        try "alice's".write(to: root.appendingPathComponent("home/alice/own.txt"), atomically: true, encoding: .utf8)
        try "top".write(to: root.appendingPathComponent("top.txt"), atomically: true, encoding: .utf8)
        let server = try makeServer()
        let blob = harness.key.publicKey.wireBlob
        var configured: [String] = []
        server.ssh.onUserAuthRequest = { event in
            event.accept = event.authMethod == "publickey" && event.authParam == blob
            guard event.accept, event.hasSignature else { return }
            let id = event.connectionId
            if mode == "restrict" {
                event.homeDir = "/home/alice"
                _ = try? server.config("RestrictUserToHomeDir[\(id)]=true")
            } else {
                _ = try? server.config("UserRootDirectory[\(id)]=home/alice")
            }
            _ = try? server.config("DirListBufferSize[\(id)]=1")
            configured = [
                (try? server.config("RestrictUserToHomeDir[\(id)]")) ?? "?", (try? server.config("UserRootDirectory[\(id)]")) ?? "?",
                (try? server.config("DirListBufferSize[\(id)]")) ?? "?",
            ]
        }
        let home = mode == "restrict" ? "/home/alice" : "/"
        let batch = harness.directory.appendingPathComponent("user")
        try """
        pwd
        ls
        get own.txt got.txt
        -get /top.txt top1.txt
        -get ../../top.txt top2.txt
        -get \(home == "/" ? "/home/alice/own.txt" : "/home/alice/../../top.txt") top3.txt
        cd ..
        pwd

        """.write(to: batch, atomically: true, encoding: .utf8)
        let result = try run(server, "/usr/bin/sftp \(quoted(clientOptions(server))) -P \(server.localPort) -b '\(batch.path)' demo@127.0.0.1")
        #expect(result.status == 0, "\(result.output)")
        #expect(configured == (mode == "restrict" ? ["True", "", "1"] : ["False", "home/alice", "1"]))
        #expect(try String(contentsOf: local.appendingPathComponent("got.txt"), encoding: .utf8) == "alice's")
        for name in ["top1.txt", "top2.txt", "top3.txt"] {
            #expect(!FileManager.default.fileExists(atPath: local.appendingPathComponent(name).path), "\(name)")
        }
        #expect(result.output.contains("Remote working directory: \(home)\n"), "\(result.output)")
        #expect(result.output.components(separatedBy: "Remote working directory: \(home)\n").count == 3, "cd .. stays at the home or root")
        #expect(result.output.contains("own.txt") && result.output.contains("sub"))
    }

    @Test func settingsReadBackAndRefuseBadValues() throws {
        let server = try SFTPServer()
        #expect(try server.config("ProtocolVersion") == "3")
        try server.config("ProtocolVersion=6")
        #expect(server.protocolVersion == 6)
        #expect(try server.config("ServerEOL") == "Lf")
        try server.config("ServerEOL=CrLf")
        #expect(server.serverEOL == "\r\n")
        #expect(throws: SSHServerError.self) { try server.config("ProtocolVersion=7") }
        #expect(throws: SSHServerError.self) { try server.config("ServerEOL=LFCR") }
        #expect(throws: SSHServerError.self) { try server.config("DirListBufferSize[5]=1") }  // no such connection
        #expect(try server.config("MaxAuthAttempts") == "6")  // the SSH server's settings pass through
        server.rootDirectory = "/srv"
        try server.config("MaxAuthAttempts=2")
        server.reset()
        #expect(server.protocolVersion == 3 && server.serverEOL == "\n" && server.rootDirectory.isEmpty)
        #expect(try server.config("MaxAuthAttempts") == "6")
        #expect(try server.config("DefaultTimeout") == "0")  // replies never wait inside a handler
    }

    /// A version 6 session over a real SSH connection: our own client's packets through
    /// `ssh -s … sftp` (OpenSSH carries the bytes; its sftp client speaks only version 3), fed
    /// through a FIFO in rounds, each waiting for the replies it needs.
    @Test func version6SessionOverSSH() throws {
        let server = try makeServer()
        server.protocolVersion = 6
        try "v6 content".write(to: root.appendingPathComponent("existing.txt"), atomically: true, encoding: .utf8)
        let fifo = harness.directory.appendingPathComponent("v6.fifo")
        let output = harness.directory.appendingPathComponent("v6.out")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        // Opened for reading and writing, so neither this open nor the child's blocks.
        let feed = open(fifo.path, O_RDWR | O_CLOEXEC)
        #expect(feed >= 0)
        let client = try ChildProcess(
            "/usr/bin/ssh", clientOptions(server) + ["-p", "\(server.localPort)", "-s", "demo@127.0.0.1", "sftp"],
            outputFile: output, inputFile: fifo)
        defer { client.terminate() }
        var framer = SFTPPacketFramer()
        var consumed = 0
        var replies: [UInt32: SFTPResponse] = [:]
        var version: SFTPVersion?
        /// Sends `packets`, then serves until `count` more packets have come back.
        func round(_ packets: [[UInt8]], expecting count: Int) throws {
            for packet in packets { _ = SFTPPacketFramer.frame(packet).withUnsafeBytes { write(feed, $0.baseAddress, $0.count) } }
            var received = 0
            let deadline = Date().addingTimeInterval(30)
            while received < count, Date() < deadline {
                try server.doEvents()
                let data = (try? Data(contentsOf: output)) ?? Data()
                if data.count > consumed {
                    framer.append(data[consumed...])
                    consumed = data.count
                }
                while let packet = try framer.nextPacket() {
                    received += 1
                    if packet.first == SFTPPacketType.version {
                        var reader = SSHReader(packet)
                        _ = try reader.readByte()
                        version = try SFTPVersion(from: &reader)
                    } else {
                        let (id, response) = try SFTPResponse.decode(packet, version: 6)
                        replies[id] = response
                    }
                }
            }
        }
        var initialize = SSHWriter()
        initialize.writeByte(SFTPPacketType.initialize)
        SFTPInit(version: 6).write(to: &initialize)
        try round([initialize.bytes], expecting: 1)
        #expect(version?.version == 6)
        #expect(server.ssh.connectionIds.map { server.negotiatedVersion($0) } == [6])
        #expect(version?.extensions.contains(SFTPExtensionPair(name: "newline", text: "\n")) == true)
        func packet(_ id: UInt32, _ request: SFTPRequest) -> [UInt8] { request.encoded(id: id, version: 6) }
        try round([packet(1, .open(SFTPOpen(path: "/new.txt", flags: [.write, .create, .truncate], attributes: SFTPFileAttributes(permissions: 0o640))))], expecting: 1)
        guard case .handle(let file)? = replies[1] else { throw InteropError("open: \(String(describing: replies[1]))") }
        try round([
            packet(2, .write(SFTPWrite(handle: file, offset: 0, data: Array("written in v6".utf8)[...]))),
            packet(3, .close(SFTPHandleRequest(handle: file))),
            packet(4, .rename(SFTPRename(oldPath: "/new.txt", newPath: "/existing.txt", flags: SFTPRename.overwrite))),
            packet(5, .link(SFTPLink(linkPath: "/link", targetPath: "existing.txt", symbolic: true))),
            packet(6, .readlink(SFTPPathRequest(path: "/link"))),
            packet(7, .realpath(SFTPRealPath(path: "/link", control: .statAlways))),
            packet(8, .stat(SFTPPathRequest(path: "/existing.txt"))),
            packet(9, .opendir(SFTPPathRequest(path: "/"))),
        ], expecting: 8)
        guard case .handle(let directory)? = replies[9] else { throw InteropError("opendir: \(String(describing: replies[9]))") }
        try round([packet(10, .readdir(SFTPHandleRequest(handle: directory)))], expecting: 1)
        close(feed)  // EOF: the session ends once every reply is out
        try harness.serve(server.ssh, limit: 20) { client.exitStatusIfExited() != nil }
        #expect(client.wait(limit: 5) == 0, "\(client.output)")

        for id: UInt32 in [2, 3, 4, 5] { #expect(replies[id] == .status(.ok, message: "Success"), "\(id)") }
        #expect(replies[6] == .name([SFTPNameEntry(name: "existing.txt")]))
        if case .name(let entries)? = replies[7] {
            #expect(entries.first?.name == "/existing.txt")
            #expect(entries.first?.attributes.size == 13)
        } else {
            Issue.record("realpath: \(String(describing: replies[7]))")
        }
        if case .attributes(let attributes)? = replies[8] {
            #expect(attributes.fileType == .regular)
            #expect(attributes.permissions.map { $0 & 0o777 } == 0o640)
            #expect(attributes.owner != nil && attributes.modifyTime != nil)
        } else {
            Issue.record("stat: \(String(describing: replies[8]))")
        }
        if case .name(let entries)? = replies[10] {
            #expect(Set(entries.map(\.name)).isSuperset(of: ["existing.txt", "link"]))
            #expect(entries.allSatisfy { $0.longName.isEmpty })  // no long names after version 3
        } else {
            Issue.record("readdir: \(String(describing: replies[10]))")
        }
        #expect(try String(contentsOf: root.appendingPathComponent("existing.txt"), encoding: .utf8) == "written in v6")
    }

    /// asyncssh (installed by `make deps` from PyPI) exercises the extensions OpenSSH's sftp
    /// client leaves alone: fsync, fstatvfs, statvfs, hardlink, posix-rename, copy-data,
    /// lsetstat, limits.
    @Test func asyncsshUsesTheOpenSSHExtensions() throws {
        let server = try makeServer()
        // A refusal with the connection's own SFTPErrorMessage.
        server.onFileRemove = { [unowned server] event in
            guard event.beforeExec, event.path == "/copy.bin" else { return }
            _ = try? server.config("SFTPErrorMessage[\(event.connectionId)]=copies are kept")
            event.statusCode = 3  // SSH_FX_PERMISSION_DENIED
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/asyncssh_sftp_extensions.py")
        let output = harness.directory.appendingPathComponent("asyncssh.out")
        let client = try ChildProcess("/usr/bin/env", ["python3", script.path, "\(server.localPort)", harness.keyFile.path], outputFile: output)
        defer { client.terminate() }
        try harness.serve(server.ssh, limit: 120) { client.exitStatusIfExited() != nil }
        let text = client.output
        #expect(client.wait(limit: 5) == 0, "\(text)")
        #expect(text.contains("done"), "\(text)")
        for name in ["fsync", "fstatvfs", "statvfs", "hardlink", "posix-rename", "copy-data", "lsetstat", "limits", "realpath"] {
            #expect(text.contains("\n\(name) ok") || text.hasPrefix("\(name) ok"), "\(name): \(text)")
        }
        #expect(text.contains("copy-size ok 10000"), "\(text)")
        // asyncssh keeps only the read and write lengths of limits@openssh.com: 255 KiB each.
        #expect(text.contains("limits ok 0 261120 261120 0"), "\(text)")
        #expect(text.contains("realpath ok /data.bin"), "\(text)")
        #expect(text.contains("refused-remove error SFTPPermissionDenied: copies are kept"), "\(text)")
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("copy.bin").path))
        // check-file: SHA-256 of the whole file, and of each 4 KiB block (three: 4096, 4096, 1808).
        let content = Array(String(repeating: "0123456789", count: 1000).utf8)
        let whole = HashFunction.sha256.hash(content).map { String(format: "%02x", $0) }.joined()
        #expect(text.contains("check-file-name ok sha256 \(whole)"), "\(text)")
        let blocks = stride(from: 0, to: content.count, by: 4096).map { start in
            HashFunction.sha256.hash(Array(content[start..<min(start + 4096, content.count)])).map { String(format: "%02x", $0) }.joined()
        }.joined()
        #expect(text.contains("check-file-blocks ok sha256 \(blocks)"), "\(text)")
        #expect((try FileManager.default.attributesOfItem(atPath: root.appendingPathComponent("renamed.bin").path)[.posixPermissions] as? Int) == 0o600)
    }
}
