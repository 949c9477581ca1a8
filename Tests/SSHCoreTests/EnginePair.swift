import SSHCrypto
import SSHWire
@testable import SSHCore

/// Host keys shared by the engine tests (RSA generation is slow; do it once).
enum TestHostKeys {
    static let ed25519: any SSHPrivateKey = try! SSHKeyGenerator.generateEd25519()
    static let p256: any SSHPrivateKey = try! SSHKeyGenerator.generateECDSA(curve: .p256)
    static let p384: any SSHPrivateKey = try! SSHKeyGenerator.generateECDSA(curve: .p384)
    static let p521: any SSHPrivateKey = try! SSHKeyGenerator.generateECDSA(curve: .p521)
    static let rsa: any SSHPrivateKey = try! SSHKeyGenerator.generateRSA(bits: 2048)
    static let all: [any SSHPrivateKey] = [ed25519, p256, p384, p521, rsa]
}

/// A client engine and a server engine wired back to back in memory.
final class EnginePair {
    let client: SSHTransport
    let server: SSHTransport
    var clientEvents: [TransportEvent] = []
    var serverEvents: [TransportEvent] = []
    /// Bytes moved per delivery: nil = everything available, 1 = drip-feed.
    var chunkSize: Int?

    init(client: TransportConfiguration, server: TransportConfiguration, chunkSize: Int? = nil) throws {
        self.client = try SSHTransport(configuration: client)
        self.server = try SSHTransport(configuration: server)
        self.chunkSize = chunkSize
    }

    static func configurations(
        kex: String? = nil, hostKey: String? = nil, cipher: String? = nil, mac: String? = nil,
        strict: StrictKeyExchangeMode = .enabled
    ) -> (TransportConfiguration, TransportConfiguration) {
        var prefs = AlgorithmPreferences.secureDefaults
        if let kex { prefs.keyExchange = [kex] }
        if let hostKey { prefs.hostKey = [hostKey] }
        if let cipher { prefs.ciphers = [cipher] }
        if let mac { prefs.macs = [mac] }
        let client = TransportConfiguration(role: .client, algorithms: prefs, hostKeyApproval: .acceptAny, strictKeyExchange: strict)
        let server = TransportConfiguration(role: .server, algorithms: prefs, hostKeys: TestHostKeys.all, strictKeyExchange: strict)
        return (client, server)
    }

    /// Moves bytes both ways until neither side has anything to say, collecting events.
    func pump(maxRounds: Int = 1_000_000) {
        var rounds = 0
        while rounds < maxRounds {
            rounds += 1
            let a = move(from: client, to: server)
            let b = move(from: server, to: client)
            drainEvents()
            if !a && !b { break }
        }
    }

    private var pendingToServer: [UInt8] = []
    private var pendingToClient: [UInt8] = []

    private func move(from source: SSHTransport, to destination: SSHTransport) -> Bool {
        let toServer = source === client
        if toServer { pendingToServer += source.takeOutput() } else { pendingToClient += source.takeOutput() }
        var pending = toServer ? pendingToServer : pendingToClient
        guard !pending.isEmpty else { return false }
        let count = min(chunkSize ?? pending.count, pending.count)
        destination.receive(Array(pending.prefix(count)))
        pending.removeFirst(count)
        if toServer { pendingToServer = pending } else { pendingToClient = pending }
        return true
    }

    func drainEvents() {
        while let event = client.nextEvent() { clientEvents.append(event) }
        while let event = server.nextEvent() { serverEvents.append(event) }
    }

    /// Payloads delivered to one side, in order.
    static func payloads(_ events: [TransportEvent]) -> [[UInt8]] {
        events.compactMap { if case .payload(let bytes, _) = $0 { bytes } else { nil } }
    }

    static func completedExchanges(_ events: [TransportEvent]) -> [KeyExchangeSummary] {
        events.compactMap { if case .keyExchangeCompleted(let summary) = $0 { summary } else { nil } }
    }

    static func disconnect(_ events: [TransportEvent]) -> (reason: UInt32, description: String, byPeer: Bool)? {
        for event in events { if case .disconnected(let r, let d, let p) = event { return (r, d, p) } }
        return nil
    }
}

/// A deterministic generator so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Array where Element == UInt8 {
    static func random(count: Int, using generator: inout SeededGenerator) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}

/// A USERAUTH_REQUEST "none" for user `u`: a message of the layers above the transport.
func sampleUpperLayerPayload(_ index: Int, size: Int = 0) -> [UInt8] {
    var writer = SSHWriter()
    writer.writeByte(94)  // SSH_MSG_CHANNEL_DATA
    writer.writeUInt32(UInt32(index))
    writer.writeString([UInt8](repeating: UInt8(truncatingIfNeeded: index), count: size))
    return writer.bytes
}
