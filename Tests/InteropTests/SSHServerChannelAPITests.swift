import Foundation
import SSHCrypto
import SSHKit
import SSHWire
import Testing

/// The channel API of the class beyond plain data, against the real OpenSSH client: RecordLength,
/// asynchronous sends, exit-signal, server-opened channels, raw packets, keep-alives and host-key
/// rotation.
@Suite(.serialized) struct SSHServerChannelAPITests {
    let harness: ClassServerHarness

    init() throws { harness = try ClassServerHarness("sshapi") }

    func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// Records of exactly RecordLength bytes; a new length set inside SSHChannelDataIn applies to the
    /// next record; the remainder arrives just before SSHChannelEOF.
    @Test func recordLengthDeliversWholeRecords() throws {
        let payload = randomBytes(100_003)
        let input = harness.directory.appendingPathComponent("records")
        try Data(payload).write(to: input)
        var records: [[UInt8]] = []
        var eofAfter = -1
        let server = try harness.makeServer { server in
            server.onChannelOpened = { try? server.changeRecordLength($0.channelId, 1000) }
            server.onChannelRequest = { $0.success = $0.requestType == "exec" }
            server.onChannelDataIn = { event in
                records.append(event.data)
                if records.count == 1 { try? server.changeRecordLength(event.channelId, 7) }
            }
            server.onChannelEOF = { event in
                eofAfter = records.count
                try? server.sendExitStatus(event.channelId, 0)
                try? server.closeChannel(event.channelId)
            }
        }
        let result = try harness.run(server, command: "records", input: input)
        #expect(result.status == 0)
        #expect(records.first?.count == 1000)
        // 100,003 − 1,000 = 99,003 = 14,143 × 7 + 2.
        #expect(records.dropFirst().dropLast().allSatisfy { $0.count == 7 })
        #expect(records.count == 1 + 14_143 + 1)
        #expect(records.last?.count == 2)
        #expect(eofAfter == records.count)
        #expect(sameBytes(Array(records.joined()), payload))
        #expect((try? server.recordLength(1)) == nil)  // the channel is gone once closed
        #expect(throws: SSHServerError.self) { try server.changeRecordLength(99, 10) }
    }

    /// A send size that does not divide the 2 MiB channel queue, so the send that fills it is
    /// taken in part.
    static let asyncChunk = 300_000

    /// With SSHConnectionTimeout 0 a send takes what fits; one that takes nothing fails with 135;
    /// SSHChannelReadyToSend says when to go on. Everything arrives, in order.
    @Test func asynchronousSendsWouldBlockUntilReadyToSend() throws {
        let payload = randomBytes(8 << 20)
        var offset = 0
        var wouldBlock = 0
        var readyEvents = 0
        var partialBytesSent = false
        var finished = false
        func pump(_ server: SSHServer, _ channelId: Int) {
            while offset < payload.count {
                do {
                    let taken = try server.sendChannelData(channelId, Array(payload[offset..<min(offset + Self.asyncChunk, payload.count)]))
                    if taken < min(Self.asyncChunk, payload.count - offset), (try? server.bytesSent(channelId)) == taken { partialBytesSent = true }
                    offset += taken
                } catch {
                    #expect(error.code == SSHServerError.wouldBlock)
                    #expect((try? server.readyToSend(channelId)) == false)
                    wouldBlock += 1
                    return
                }
            }
            if !finished {
                finished = true
                try? server.sendExitStatus(channelId, 0)
                try? server.closeChannel(channelId)
            }
        }
        let server = try harness.makeServer { server in
            try server.config("DefaultTimeout=0")
            server.onConnected = { #expect((try? server.sshConnectionTimeout($0.connectionId)) == 0) }
            server.onChannelRequest = { $0.success = $0.requestType == "exec" }
            server.onChannelRequested = { pump(server, $0.channelId) }
            server.onChannelReadyToSend = { event in
                readyEvents += 1
                if offset > 0 { pump(server, event.channelId) }
            }
        }
        let result = try harness.run(server, command: "download")
        #expect(result.status == 0)
        #expect(result.output.count == payload.count)
        #expect(sameBytes(result.output, payload))
        #expect(wouldBlock >= 1)
        #expect(readyEvents >= 2)
        #expect(partialBytesSent)
    }

    /// exit-signal instead of exit-status: OpenSSH's client has no exit code to pass on and exits
    /// with 255.
    @Test func exitSignalEndsTheCommandWithoutAStatus() throws {
        var sent: SSHServerError?
        let server = try harness.makeServer { server in
            server.onChannelRequest = { $0.success = $0.requestType == "exec" }
            server.onChannelRequested = { event in
                do throws(SSHServerError) {
                    try server.sendExitSignal(event.channelId, "TERM", errorMessage: "terminated")
                    try server.closeChannel(event.channelId)
                } catch { sent = error }
            }
        }
        let result = try harness.run(server, command: "sleep")
        #expect(sent == nil)
        #expect(result.status == 255)
    }

    /// OpenChannel: OpenSSH's client refuses a session channel from the server; the class fires
    /// Error and SSHChannelClosed for it, and the client's own channel goes on.
    @Test func serverOpenedChannelRefusedByTheClient() throws {
        var opened: Int?
        var errors: [Int] = []
        var closed: [Int] = []
        let server = try harness.makeServer { server in
            server.onChannelRequest = { $0.success = $0.requestType == "exec" }
            server.onChannelRequested = { event in
                opened = try? server.openChannel(event.connectionId, "session")
                if let opened { #expect((try? server.channelService(opened)) == "session") }
                #expect(server.sshChannelCount == 2)
            }
            server.onError = { errors.append($0.errorCode) }
            server.onChannelClosed = { event in
                closed.append(event.channelId)
                if event.channelId == opened, let client = server.channelIds.first {
                    _ = try? server.sendText(client, "still here\n")
                    try? server.sendExitStatus(client, 0)
                    try? server.closeChannel(client)
                }
            }
        }
        let result = try harness.run(server, command: "x")
        #expect(opened != nil)
        #expect(errors == [SSHServerError.forwardFailed])
        #expect(closed.first == opened)
        #expect(result.status == 0)
        #expect(String(decoding: result.output, as: UTF8.self) == "still here\n")
    }

    /// SendSSHPacket: a DEBUG message built by the application reaches the client, which logs it.
    @Test func sendSSHPacketSendsTheMessageAsBuilt() throws {
        var writer = SSHWriter()
        writer.writeBool(true)
        writer.writeText("raw packet from the application")
        writer.writeText("")
        let debugPayload = writer.bytes
        let server = try harness.makeServer { server in
            server.onChannelRequest = { $0.success = $0.requestType == "exec" }
            server.onChannelRequested = { event in
                try? server.sendSSHPacket(event.channelId, SSHMessageNumber.debug, debugPayload)
                try? server.sendExitStatus(event.channelId, 0)
                try? server.closeChannel(event.channelId)
            }
        }
        let result = try harness.run(server, command: "x", options: ["-o", "LogLevel=DEBUG1"])
        #expect(result.status == 0)
        #expect(String(decoding: result.output, as: UTF8.self).contains("Remote: raw packet from the application"))
    }

    /// keepalive@openssh.com: a live client answers and stays; a stopped one is disconnected after
    /// SSHKeepAliveCountMax unanswered probes.
    @Test func keepAlivesKeepALiveClientAndCloseADeadOne() throws {
        var authenticated = false
        var disconnected: DisconnectedEvent?
        let server = try harness.makeServer { server in
            try server.config("SSHKeepAliveInterval=1")
            try server.config("SSHKeepAliveCountMax=2")
            server.onSSHStatus = { if $0.message.hasPrefix("Authenticated") { authenticated = true } }
            server.onDisconnected = { disconnected = $0 }
        }
        let file = harness.directory.appendingPathComponent("keepalive.out")
        let client = try ChildProcess("/usr/bin/ssh", harness.clientArguments(server, command: nil), outputFile: file)
        defer {
            kill(client.pid, SIGCONT)
            client.terminate()
        }
        #expect(try harness.serve(server, limit: 30) { authenticated })
        // Four intervals with probes answered: still connected.
        let live = Date().addingTimeInterval(4)
        try harness.serve(server, limit: 5) { Date() > live || disconnected != nil }
        #expect(disconnected == nil)
        #expect(server.sshConnectionCount == 1)
        // A stopped client answers nothing: two unanswered probes, then the disconnect.
        kill(client.pid, SIGSTOP)
        #expect(try harness.serve(server, limit: 30) { disconnected != nil })
        #expect(disconnected?.description.hasPrefix("Timeout, client not responding") == true, "\(String(describing: disconnected))")
        #expect(server.sshConnectionCount == 0)
    }

    /// hostkeys-00 / hostkeys-prove-00 (OpenSSH PROTOCOL §2.5): a client that knows the ed25519 key
    /// learns the server's RSA key, after checking the server's proof (rsa-sha2-512), and records
    /// it in known_hosts.
    @Test func clientLearnsTheOtherHostKeyThroughProofs() throws {
        let ed25519 = try SSHKeyGenerator.generateEd25519()
        let rsa = try SSHKeyGenerator.generateRSA(bits: 2048)
        var requested: Date?
        var channel = 0
        var exited = false
        let server = try harness.makeServer(hostKeys: [ed25519, rsa]) { server in
            server.onChannelRequest = { $0.success = $0.requestType == "exec" }
            server.onChannelRequested = { event in
                requested = Date()
                channel = event.channelId
            }
        }
        let knownHosts = harness.directory.appendingPathComponent("known_hosts")
        try "[127.0.0.1]:\(server.localPort) \(SSHPublicKeyLine(key: ed25519.publicKey).text)\n".write(to: knownHosts, atomically: true, encoding: .utf8)
        let result = try harness.run(
            server, command: "x",
            options: [
                "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=\(knownHosts.path)",
                "-o", "HostKeyAlgorithms=ssh-ed25519,rsa-sha2-512", "-o", "UpdateHostKeys=yes", "-o", "LogLevel=DEBUG3",
            ]
        ) {
            // Keep the command running a moment so the proof round trip completes inside the session.
            if let requested, !exited, Date().timeIntervalSince(requested) > 1 {
                exited = true
                try? server.sendExitStatus(channel, 0)
                try? server.closeChannel(channel)
            }
        }
        #expect(result.status == 0)
        let learned = try String(contentsOf: knownHosts, encoding: .utf8)
        let rsaBase64 = SSHPublicKeyLine(key: rsa.publicKey).text.split(separator: " ").dropFirst().first.map(String.init) ?? "?"
        #expect(learned.contains(rsaBase64), "\(String(decoding: result.output, as: UTF8.self))")
    }

    /// A client's own keep-alives (ServerAliveInterval) are answered without reaching the
    /// application; setting SSHConnectionConnected to false disconnects; Reset() returns the
    /// settings to their defaults and stops listening; Listening can be set.
    @Test func clientKeepAlivesConnectedPropertyResetAndListening() throws {
        var authenticated = 0
        var requests: [String] = []
        var disconnected: [DisconnectedEvent] = []
        let server = try harness.makeServer { server in
            try server.config("MaxAuthAttempts=3")
            server.onSSHStatus = { if $0.message.hasPrefix("Authenticated") { authenticated = $0.connectionId } }
            server.onChannelRequest = { requests.append($0.requestType) }
            server.onDisconnected = { disconnected.append($0) }
        }
        let file = harness.directory.appendingPathComponent("alive.out")
        let client = try ChildProcess(
            "/usr/bin/ssh",
            harness.clientArguments(server, command: nil, options: ["-o", "ServerAliveInterval=1", "-o", "ServerAliveCountMax=1"]),
            outputFile: file)
        defer { client.terminate() }
        #expect(try harness.serve(server, limit: 30) { authenticated != 0 })
        // Three of the client's one-second probes, each answered; otherwise it would have left.
        let until = Date().addingTimeInterval(3.5)
        try harness.serve(server, limit: 5) { Date() > until }
        #expect(client.exitStatusIfExited() == nil)
        #expect(requests.isEmpty)
        #expect(server.sshConnectionConnected(authenticated))
        try server.setSSHConnectionConnected(authenticated, false)
        #expect(!server.sshConnectionConnected(authenticated))
        #expect(disconnected.count == 1)
        #expect(client.wait(limit: 20) == 255)

        try server.setListening(false)
        #expect(!server.listening)
        try server.setListening(true)
        #expect(server.listening)
        #expect(throws: SSHServerError.self) { try server.config("LocalPort=1") }
        server.reset()
        #expect(!server.listening)
        #expect(try server.config("MaxAuthAttempts") == "6")
        #expect(try server.config("LocalPort") == "22")
        #expect(server.hostKeys.isEmpty)
        #expect(throws: SSHServerError.self) { try server.startListening() }
    }
}
