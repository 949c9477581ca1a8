import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SSHCrypto
import SSHKit
import Testing

/// Bulk transfers through the class with the real OpenSSH client: 100 MiB each way with matching
/// SHA-256 sums, two channels at once on one connection, a client-driven rekey during a transfer,
/// and an idle OpenSSH client disconnected by DefaultIdleTimeout.
@Suite(.serialized) struct SSHServerTransferTests {
    let harness: ClassServerHarness

    init() throws { harness = try ClassServerHarness("sshbulk") }

    /// SHA-256 over data as it passes.
    final class RunningDigest {
        private var hasher: HashFunction.Hasher? = HashFunction.Hasher(.sha256)
        private(set) var count = 0

        func update(_ bytes: [UInt8]) {
            count += bytes.count
            hasher?.update(bytes)
        }

        /// The hex digest; the digest cannot be updated afterwards.
        func finish() -> String {
            guard let hasher = hasher.take() else { return "" }
            return hasher.finalize().map { String(format: "%02x", $0) }.joined()
        }
    }

    /// A file of `megabytes` MiB from /dev/urandom, and its SHA-256 as `sha256sum` prints it.
    func randomFile(_ name: String, megabytes: Int) throws -> (url: URL, sha256: String) {
        let url = harness.directory.appendingPathComponent(name)
        let made = try run("/bin/sh", ["-c", "head -c \(megabytes << 20) /dev/urandom > '\(url.path)'"])
        guard made.status == 0 else { throw InteropError("cannot make \(name): \(made.output)") }
        return (url, try sha256sum(url))
    }

    func sha256sum(_ url: URL) throws -> String {
        let result = try run("/usr/bin/sha256sum", [url.path])
        guard result.status == 0, let digest = result.output.split(separator: " ").first else {
            throw InteropError("sha256sum \(url.path): \(result.output)")
        }
        return String(digest)
    }

    /// 100 MiB from the client (`ssh host cmd < file`): the server's digest of what arrived equals
    /// the file's.
    @Test func upload100MiBWithMatchingChecksum() throws {
        let file = try randomFile("upload", megabytes: 100)
        let digest = RunningDigest()
        var serverSum = ""
        let server = try harness.makeServer { server in
            server.onChannelRequest = { $0.success = $0.requestType == "exec" }
            server.onChannelDataIn = { digest.update($0.data) }
            server.onChannelEOF = { event in
                serverSum = digest.finish()
                _ = try? server.sendText(event.channelId, serverSum)
                try? server.sendExitStatus(event.channelId, 0)
                try? server.closeChannel(event.channelId)
            }
        }
        let result = try harness.run(server, command: "upload", input: file.url, limit: 600)
        #expect(result.status == 0)
        #expect(digest.count == 100 << 20)
        #expect(serverSum == file.sha256)
        #expect(String(decoding: result.output, as: UTF8.self) == file.sha256)
    }

    /// 100 MiB from the server with synchronous sends (DefaultTimeout 60): `sha256sum` of the
    /// client's output equals the server's digest of what it sent.
    @Test func download100MiBWithMatchingChecksum() throws {
        let chunk = try Array(Data(contentsOf: try randomFile("chunk", megabytes: 1).url))
        let digest = RunningDigest()
        let server = try harness.makeServer { server in
            server.onChannelRequest = { $0.success = $0.requestType == "exec" }
            server.onChannelRequested = { event in
                for index in 0..<100 {
                    // Each MiB differs: the chunk with its index in the first bytes.
                    var block = chunk
                    block[0] = UInt8(index)
                    guard (try? server.sendChannelData(event.channelId, block)) == block.count else { return }
                    digest.update(block)
                }
                try? server.sendExitStatus(event.channelId, 0)
                try? server.closeChannel(event.channelId)
            }
        }
        let output = harness.directory.appendingPathComponent("download")
        let client = try ChildProcess(
            "/bin/sh", ["-c", "exec /usr/bin/ssh \(harness.clientArguments(server, command: "download").map { "'\($0)'" }.joined(separator: " ")) > '\(output.path)'"],
            outputFile: harness.directory.appendingPathComponent("download.err"))
        try harness.serve(server, limit: 600) { client.exitStatusIfExited() != nil }
        #expect(client.wait(limit: 5) == 0, "\(client.output)")
        #expect(digest.count == 100 << 20)
        #expect(try sha256sum(output) == digest.finish())
    }

    /// Two sessions at once on one connection (OpenSSH connection sharing): each gets its own data
    /// back, while the server has both channels of that connection open.
    @Test func twoChannelsAtOnceOnOneConnection() throws {
        let first = try randomFile("first", megabytes: 8)
        let second = try randomFile("second", megabytes: 8)
        var open: [Int: Set<Int>] = [:]
        var mostAtOnce = 0
        var authenticated = false
        var echoes: [Int: [UInt8]] = [:]
        var finished = Set<Int>()
        func pump(_ server: SSHServer, _ channel: Int) {
            while var pending = echoes[channel], !pending.isEmpty {
                let taken = (try? server.sendChannelData(channel, pending)) ?? 0
                if taken == 0 { return }
                pending.removeFirst(taken)
                echoes[channel] = pending
            }
            if finished.contains(channel) {
                try? server.sendExitStatus(channel, 0)
                try? server.closeChannel(channel)
            }
        }
        let server = try harness.makeServer { server in
            try server.config("DefaultTimeout=0")
            server.onSSHStatus = { if $0.message.hasPrefix("Authenticated") { authenticated = true } }
            server.onChannelOpened = { event in
                open[event.connectionId, default: []].insert(event.channelId)
                mostAtOnce = max(mostAtOnce, open[event.connectionId]?.count ?? 0)
            }
            server.onChannelClosed = { event in _ = open[event.connectionId]?.remove(event.channelId) }
            server.onChannelRequest = { $0.success = $0.requestType == "exec" }
            server.onChannelDataIn = { event in
                echoes[event.channelId, default: []] += event.data
                pump(server, event.channelId)
            }
            server.onChannelReadyToSend = { pump(server, $0.channelId) }
            server.onChannelEOF = { event in
                finished.insert(event.channelId)
                pump(server, event.channelId)
            }
        }
        let control = harness.directory.appendingPathComponent("mux")
        let master = try ChildProcess(
            "/usr/bin/ssh", harness.clientArguments(server, command: nil, options: ["-M", "-S", control.path]),
            outputFile: harness.directory.appendingPathComponent("master.out"))
        defer { master.terminate() }
        #expect(try harness.serve(server, limit: 30) { authenticated })
        func session(_ input: URL, _ name: String) throws -> (ChildProcess, URL) {
            let output = harness.directory.appendingPathComponent(name)
            let client = try ChildProcess(
                "/bin/sh", ["-c", "exec /usr/bin/ssh -S '\(control.path)' demo@127.0.0.1 echo < '\(input.path)' > '\(output.path)'"],
                outputFile: harness.directory.appendingPathComponent("\(name).err"))
            return (client, output)
        }
        let (clientA, outputA) = try session(first.url, "outA")
        let (clientB, outputB) = try session(second.url, "outB")
        try harness.serve(server, limit: 300) { clientA.exitStatusIfExited() != nil && clientB.exitStatusIfExited() != nil }
        #expect(clientA.wait(limit: 5) == 0, "\(clientA.output)")
        #expect(clientB.wait(limit: 5) == 0, "\(clientB.output)")
        #expect(try sha256sum(outputA) == first.sha256)
        #expect(try sha256sum(outputB) == second.sha256)
        #expect(mostAtOnce == 2)
        #expect(server.sshConnectionCount == 1)
    }

    /// `-o RekeyLimit=1M` on a 16 MiB upload: the client starts key exchanges during the transfer
    /// (after each NEWKEYS, strict KEX restarts the sequence numbers) and nothing is lost.
    @Test func clientRekeysDuringATransfer() throws {
        let file = try randomFile("rekey", megabytes: 16)
        let digest = RunningDigest()
        var exchanges = 0
        var serverSum = ""
        let server = try harness.makeServer { server in
            server.onSSHStatus = { if $0.message.hasPrefix("Key exchange complete") { exchanges += 1 } }
            server.onChannelRequest = { $0.success = $0.requestType == "exec" }
            server.onChannelDataIn = { digest.update($0.data) }
            server.onChannelEOF = { event in
                serverSum = digest.finish()
                try? server.sendExitStatus(event.channelId, 0)
                try? server.closeChannel(event.channelId)
            }
        }
        let result = try harness.run(server, command: "upload", input: file.url, options: ["-o", "RekeyLimit=1M"], limit: 300)
        #expect(result.status == 0, "\(String(decoding: result.output, as: UTF8.self))")
        #expect(serverSum == file.sha256)
        // One exchange per MiB or so from the client: well beyond the first.
        #expect(exchanges >= 8)
    }

    /// DefaultIdleTimeout with an OpenSSH client that sits idle after logging in.
    @Test func idleOpenSSHClientIsDisconnected() throws {
        var authenticated = false
        var disconnected: DisconnectedEvent?
        let server = try harness.makeServer { server in
            try server.config("DefaultIdleTimeout=2")
            server.onSSHStatus = { if $0.message.hasPrefix("Authenticated") { authenticated = true } }
            server.onDisconnected = { disconnected = $0 }
        }
        let client = try ChildProcess(
            "/usr/bin/ssh", harness.clientArguments(server, command: nil),
            outputFile: harness.directory.appendingPathComponent("idle.out"))
        defer { client.terminate() }
        #expect(try harness.serve(server, limit: 30) { authenticated })
        #expect(try harness.serve(server, limit: 30) { disconnected != nil && client.exitStatusIfExited() != nil })
        #expect(disconnected?.description == "idle timeout")
        #expect(client.wait(limit: 5) == 255)
    }
}
