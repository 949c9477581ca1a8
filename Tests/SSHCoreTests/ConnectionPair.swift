import SSHWire
import Testing
@testable import SSHCore

/// A client-role and a server-role ``ChannelMultiplexer`` back to back: payloads move directly
/// between them, with no transport.
final class ConnectionPair {
    let client: ChannelMultiplexer
    let server: ChannelMultiplexer
    var clientEvents: [ConnectionEvent] = []
    var serverEvents: [ConnectionEvent] = []
    var clientError: ConnectionError?
    var serverError: ConnectionError?
    /// Accept every channel open request as it arrives.
    var autoAccept = true
    /// Payloads moved client → server and server → client.
    var toServer: [[UInt8]] = []
    var toClient: [[UInt8]] = []

    init(client: ConnectionConfiguration = .init(), server: ConnectionConfiguration = .init()) {
        self.client = ChannelMultiplexer(role: .client, configuration: client)
        self.server = ChannelMultiplexer(role: .server, configuration: server)
    }

    /// Delivers everything both ways until neither side has anything to say.
    func pump(maxRounds: Int = 100_000) {
        for _ in 0..<maxRounds {
            let a = client.takeOutgoing()
            let b = server.takeOutgoing()
            if a.isEmpty && b.isEmpty { return }
            toServer += a
            toClient += b
            for payload in a where serverError == nil {
                do { try server.receive(payload) } catch { serverError = error }
            }
            for payload in b where clientError == nil {
                do { try client.receive(payload) } catch { clientError = error }
            }
            drain()
        }
    }

    /// Collects events, accepting channel opens when ``autoAccept`` is set.
    func drain() {
        while let event = client.nextEvent() {
            clientEvents.append(event)
            if autoAccept, case .channelOpenRequested(let request) = event { try? client.acceptChannel(request.channel) }
        }
        while let event = server.nextEvent() {
            serverEvents.append(event)
            if autoAccept, case .channelOpenRequested(let request) = event { try? server.acceptChannel(request.channel) }
        }
    }

    /// Opens a session from the client and returns both sides' ids.
    func openSession() throws -> (client: SSHChannelID, server: SSHChannelID) {
        let before = serverEvents.count
        let id = try client.openChannel(.session)
        pump()
        let requests = serverEvents[before...].compactMap { event -> ChannelOpenRequest? in
            if case .channelOpenRequested(let request) = event { request } else { nil }
        }
        let request = try #require(requests.last)
        #expect(clientEvents.contains(.channelOpened(id)))
        return (id, request.channel)
    }

    /// Feeds one crafted payload to the server and returns the error it raised, if any.
    func injectToServer(_ message: some SSHMessageCodable) -> ConnectionError? {
        do {
            try server.receive(message.encoded())
            return nil
        } catch {
            return error
        }
    }

    func injectToClient(_ message: some SSHMessageCodable) -> ConnectionError? {
        do {
            try client.receive(message.encoded())
            return nil
        } catch {
            return error
        }
    }

    /// Every byte of standard data delivered on `id` in `events`.
    static func data(on id: SSHChannelID, in events: [ConnectionEvent]) -> [UInt8] {
        var bytes: [UInt8] = []
        for event in events { if case .data(id, let slice) = event { bytes += slice } }
        return bytes
    }

    static func extendedData(on id: SSHChannelID, in events: [ConnectionEvent]) -> [UInt8] {
        var bytes: [UInt8] = []
        for event in events { if case .extendedData(id, _, let slice) = event { bytes += slice } }
        return bytes
    }

    /// Message numbers of `payloads`.
    static func numbers(_ payloads: [[UInt8]]) -> [UInt8] { payloads.compactMap(\.first) }
}

/// A deterministic byte pattern of `count` bytes.
func patternBytes(_ count: Int, seed: UInt8 = 0) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed) &+ ($0 >> 8)) }
}
