import Foundation
import SSHCrypto
import SSHKit
import SSHWire
import Testing

/// Channels through the class with the real OpenSSH client: exec with an exit status, and data
/// both ways through one channel.
@Suite(.serialized) struct SSHServerChannelTests {
    let harness: ClassServerHarness

    init() throws { harness = try ClassServerHarness("sshchan") }

    func makeServer(_ configure: (SSHServer) -> Void) throws -> SSHServer { try harness.makeServer(configure) }

    func run(_ server: SSHServer, command: String, input: URL? = nil) throws -> (status: Int32, output: [UInt8]) {
        try harness.run(server, command: command, input: input)
    }

    @Test(arguments: [0 as UInt32, 3, 42])
    func execExitStatusBecomesTheClientsExitCode(code: UInt32) throws {
        var commands: [String] = []
        var opened = 0
        let server = try makeServer { server in
            server.onChannelOpened = { _ in opened += 1 }
            server.onChannelRequest = { request in
                if case .exec = request.payload {
                    commands.append((try? server.getSSHParam(request.packet, "Command")) ?? "?")
                    request.success = true
                }
            }
            server.onChannelRequested = { requested in
                _ = try? server.sendText(requested.channelId, "hello from exec\n")
                try? server.sendExitStatus(requested.channelId, code)
                try? server.closeChannel(requested.channelId)
            }
        }
        let result = try run(server, command: "say hello")
        #expect(result.status == Int32(code))
        #expect(String(decoding: result.output, as: UTF8.self) == "hello from exec\n")
        #expect(commands == ["say hello"])
        #expect(opened == 1)
    }

    @Test func refusedExecFailsTheClient() throws {
        let server = try makeServer { server in
            server.onChannelRequest = { $0.success = false }
        }
        let result = try run(server, command: "anything")
        #expect(result.status != 0)
    }

    @Test func dataBothWaysThroughOneChannel() throws {
        // 4 MiB of random bytes echoed back: crosses many windows in both directions.
        var generator = SystemRandomNumberGenerator()
        let payload = (0..<(4 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let input = harness.directory.appendingPathComponent("input")
        try Data(payload).write(to: input)
        var received = 0
        var closed = 0
        var readyEvents = 0
        // Echo with backpressure: what the channel does not take waits for SSHChannelReadyToSend.
        var pending: [UInt8] = []
        var sawEOF = false
        var finished = false
        func pump(_ server: SSHServer, _ channelId: Int) {
            while !pending.isEmpty {
                let taken = (try? server.sendChannelData(channelId, pending)) ?? 0
                if taken == 0 { return }
                pending.removeFirst(taken)
            }
            if sawEOF && !finished {
                finished = true
                try? server.sendExitStatus(channelId, 0)
                try? server.closeChannel(channelId)
            }
        }
        let server = try makeServer { server in
            server.onChannelRequest = { $0.success = $0.requestType == "exec" }
            server.onChannelDataIn = { event in
                received += event.data.count
                pending += event.data
                pump(server, event.channelId)
            }
            server.onChannelReadyToSend = { event in
                readyEvents += 1
                pump(server, event.channelId)
            }
            server.onChannelEOF = { event in
                sawEOF = true
                pump(server, event.channelId)
            }
            server.onChannelClosed = { _ in closed += 1 }
        }
        let result = try run(server, command: "cat", input: input)
        #expect(result.status == 0)
        #expect(received == payload.count)
        #expect(result.output.count == payload.count)
        #expect(sameBytes(result.output, payload))
        for _ in 0..<20 { try server.doEvents() }
        #expect(closed == 1)
        #expect(pending.isEmpty && finished)
        #expect(readyEvents >= 1)
    }
}
