import Foundation
import SSHCrypto
import SSHKit
import Testing

/// Connection-level methods and per-connection settings of the class against the real OpenSSH
/// client: ExchangeKeys, NegotiatedStrictKex, the connection's addresses, UserAuthBanner,
/// FireAuthRequestAfterSig and Shutdown.
@Suite(.serialized) struct SSHServerConnectionTests {
    let harness: ClassServerHarness

    init() throws { harness = try ClassServerHarness("sshconn") }

    /// ExchangeKeys in the middle of a session: a second exchange completes, and data sent after
    /// it reaches the client intact.
    @Test func serverStartedKeyExchangeDuringASession() throws {
        var exchanges = 0
        var channel = 0
        var connection = 0
        var rekeyed = false
        var finished = false
        var strict = ""
        var addresses: (String, Int, String)?
        let server = try harness.makeServer { server in
            server.onSSHStatus = { if $0.message.hasPrefix("Key exchange complete") { exchanges += 1 } }
            server.onChannelRequest = { $0.success = $0.requestType == "exec" }
            server.onChannelRequested = { event in
                channel = event.channelId
                connection = event.connectionId
                strict = (try? server.config("NegotiatedStrictKex[\(event.connectionId)]")) ?? "?"
                addresses = try? (server.remoteHost(event.connectionId), server.remotePort(event.connectionId), server.localAddress(event.connectionId))
                _ = try? server.sendText(channel, "before\n")
                try? server.exchangeKeys(event.connectionId)
                rekeyed = true
            }
        }
        let result = try harness.run(server, command: "x", limit: 60) {
            if rekeyed, exchanges >= 2, !finished {
                finished = true
                _ = try? server.sendText(channel, "after\n")
                try? server.sendExitStatus(channel, 0)
                try? server.closeChannel(channel)
            }
        }
        #expect(result.status == 0)
        #expect(String(decoding: result.output, as: UTF8.self) == "before\nafter\n")
        #expect(exchanges == 2, "\(String(decoding: result.output, as: UTF8.self))")
        #expect(strict == "True")
        #expect(addresses?.0 == "127.0.0.1")
        #expect((addresses?.1 ?? 0) > 0)
        #expect(addresses?.2 == "127.0.0.1")
        #expect(throws: SSHServerError.self) { try server.exchangeKeys(connection) }  // gone by now
    }

    /// UserAuthBanner[ConnectionId] set while the `none` request is decided is shown by the client;
    /// FireAuthRequestAfterSig adds a `sigstatus` firing with "1" after a good signature.
    @Test func bannerAndSignatureStatus() throws {
        var methods: [String] = []
        var sigstatus: [String] = []
        let blob = harness.key.publicKey.wireBlob
        let server = try harness.makeServer { server in
            try server.config("FireAuthRequestAfterSig=true")
            server.onUserAuthRequest = { event in
                methods.append(event.authMethod)
                switch event.authMethod {
                case "none": _ = try? server.config("UserAuthBanner[\(event.connectionId)]=Authorised use only.\n")
                case "sigstatus": sigstatus.append(String(decoding: event.authParam, as: UTF8.self))
                case "publickey": event.accept = event.authParam == blob
                default: break
                }
            }
            server.onChannelRequest = { $0.success = $0.requestType == "exec" }
            server.onChannelRequested = { event in
                try? server.sendExitStatus(event.channelId, 0)
                try? server.closeChannel(event.channelId)
            }
        }
        let result = try harness.run(server, command: "x", options: ["-o", "LogLevel=INFO"])
        #expect(result.status == 0)
        #expect(String(decoding: result.output, as: UTF8.self).contains("Authorised use only."))
        #expect(sigstatus == ["1"])
        #expect(methods.first == "none")
    }

    /// Shutdown: listening stops and every client is disconnected.
    @Test func shutdownEndsEveryConnection() throws {
        var authenticated = 0
        var disconnected = 0
        let server = try harness.makeServer { server in
            server.onSSHStatus = { if $0.message.hasPrefix("Authenticated") { authenticated += 1 } }
            server.onDisconnected = { _ in disconnected += 1 }
        }
        let clients = try (0..<2).map { index in
            try ChildProcess(
                "/usr/bin/ssh", harness.clientArguments(server, command: nil),
                outputFile: harness.directory.appendingPathComponent("shutdown-\(index).out"))
        }
        #expect(try harness.serve(server, limit: 30) { authenticated == 2 })
        #expect(server.sshConnectionCount == 2)
        // ConnectionUID: distinct, and never reused even when connection ids are.
        let uids = try server.connectionIds.map { try server.config("ConnectionUID[\($0)]") }
        #expect(Set(uids).count == 2)
        server.shutdown()
        #expect(!server.listening)
        #expect(disconnected == 2)
        #expect(server.sshConnectionCount == 0)
        for client in clients { #expect(client.wait(limit: 20) == 255) }
    }

    /// KeyRenegotiationThreshold: the server re-exchanges keys on its own after that many bytes
    /// in one direction, and the data is intact.
    @Test func keyRenegotiationThresholdRekeysDuringATransfer() throws {
        var generator = SystemRandomNumberGenerator()
        let payload = (0..<(4 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var exchanges = 0
        let server = try harness.makeServer { server in
            try server.config("KeyRenegotiationThreshold=1M")
            server.onSSHStatus = { if $0.message.hasPrefix("Key exchange complete") { exchanges += 1 } }
            server.onChannelRequest = { $0.success = $0.requestType == "exec" }
            server.onChannelRequested = { event in
                // Synchronous (DefaultTimeout 60): the call returns once the channel took everything.
                let taken = try? server.sendChannelData(event.channelId, payload)
                #expect(taken == payload.count)
                try? server.sendExitStatus(event.channelId, 0)
                try? server.closeChannel(event.channelId)
            }
        }
        // The client must not rekey on its own account: its limit is far above the transfer.
        let result = try harness.run(server, command: "download", options: ["-o", "RekeyLimit=1G"])
        #expect(result.status == 0)
        #expect(sameBytes(result.output, payload))
        // 4 MiB out at 1 MiB per key: the first exchange and re-exchanges (data sent while one
        // runs waits and counts toward the next keys, so fewer than four is possible).
        #expect(exchanges >= 3)
    }
}
