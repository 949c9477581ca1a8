import SSHCrypto
import SSHWire
@testable import SSHCore

/// User keys for the authentication tests (distinct from the host keys; RSA once, it is slow).
enum TestUserKeys {
    static let ed25519: any SSHPrivateKey = try! SSHKeyGenerator.generateEd25519()
    static let p256: any SSHPrivateKey = try! SSHKeyGenerator.generateECDSA(curve: .p256)
    static let rsa: any SSHPrivateKey = try! SSHKeyGenerator.generateRSA(bits: 2048)
}

/// Two transports back to back (``EnginePair``) with the authentication layers on top, wired the
/// way an owner wires them: payloads from the transport go to the layer, the layer's output goes
/// to `transport.send(_:)`, and a disconnect event becomes `transport.disconnect`.
///
/// With `client == nil` the test drives the client side by hand through ``sendRaw(_:)`` and
/// reads what the server sent in ``receivedByClient``.
final class AuthPair {
    let engines: EnginePair
    let sessionIdentifier: [UInt8]
    let hostKeyBlob: [UInt8]
    let server: UserAuthServer
    var client: UserAuthClient?

    var serverEvents: [UserAuthServerEvent] = []
    var clientEvents: [UserAuthClientEvent] = []
    /// Every message the server's transport delivered to the client side, decoded.
    var receivedByClient: [SSHMessage] = []
    /// The application's policy: a decision now, or nil to leave the request pending.
    var decide: (UserAuthRequestID, String, UserAuthMethodRequest) -> UserAuthDecision? = { _, _, _ in nil }
    /// The client user's answers to keyboard-interactive prompts.
    var answerPrompts: ([SSHKeyboardInteractivePrompt]) -> [String] = { $0.map { _ in "" } }
    /// The client user's new password when the server asks for a change (nil gives up).
    var newPassword: SecureBytes?

    private var seenClientTransportEvents = 0
    private var seenServerTransportEvents = 0

    /// Completes the key exchange, then builds the server layer from `serverConfiguration`
    /// (given the session identifier and our host key blobs) and, when `credentials` is given, a
    /// client that starts at once. Nothing moves until ``run()`` or ``sendRaw(_:)``.
    init(
        serverConfiguration: ([UInt8], [[UInt8]]) -> UserAuthServerConfiguration,
        user: String = "alice",
        credentials: [UserAuthCredential]? = nil,
        hostBound: Bool = false
    ) throws {
        let (clientTransport, serverTransport) = EnginePair.configurations()
        engines = try EnginePair(client: clientTransport, server: serverTransport)
        engines.pump()
        guard let summary = EnginePair.completedExchanges(engines.serverEvents).first else {
            throw AuthPairError.keyExchangeFailed
        }
        sessionIdentifier = summary.sessionIdentifier
        hostKeyBlob = summary.hostKeyBlob
        server = UserAuthServer(
            configuration: serverConfiguration(sessionIdentifier, TestHostKeys.all.map(\.publicKey.wireBlob)))
        if let credentials {
            let client = UserAuthClient(
                configuration: UserAuthClientConfiguration(
                    user: user, sessionIdentifier: sessionIdentifier, credentials: credentials,
                    hostBoundHostKey: hostBound ? hostKeyBlob : nil,
                    serverSignatureAlgorithms: engines.client.serverSignatureAlgorithms))
            self.client = client
            client.start()
        }
        seenClientTransportEvents = engines.clientEvents.count
        seenServerTransportEvents = engines.serverEvents.count
    }

    /// Sends a message from the client side by hand.
    func sendRaw(_ message: some SSHMessageCodable) throws {
        try engines.client.send(message.encoded())
        run()
    }

    /// Sends raw payload bytes from the client side by hand.
    func sendRaw(bytes: [UInt8]) throws {
        try engines.client.send(bytes)
        run()
    }

    /// Moves everything until no side has anything left to do.
    func run() {
        var progressed = true
        var rounds = 0
        while progressed && rounds < 10_000 {
            rounds += 1
            progressed = false
            for payload in server.takeOutgoing() {
                try? engines.server.send(payload)
                progressed = true
            }
            if let client {
                for payload in client.takeOutgoing() {
                    try? engines.client.send(payload)
                    progressed = true
                }
            }
            engines.pump()
            while seenServerTransportEvents < engines.serverEvents.count {
                if case .payload(let bytes, _) = engines.serverEvents[seenServerTransportEvents] {
                    server.receive(bytes)
                    progressed = true
                }
                seenServerTransportEvents += 1
            }
            while seenClientTransportEvents < engines.clientEvents.count {
                if case .payload(let bytes, _) = engines.clientEvents[seenClientTransportEvents] {
                    if let message = try? SSHMessage.decode(bytes) { receivedByClient.append(message) }
                    client?.receive(bytes)
                    progressed = true
                }
                seenClientTransportEvents += 1
            }
            while let event = server.nextEvent() {
                progressed = true
                serverEvents.append(event)
                switch event {
                case .authenticationRequested(let id, let user, _, let method):
                    if let decision = decide(id, user, method) { server.complete(id, decision) }
                case .disconnect(let reason, let description):
                    engines.server.disconnect(reason: reason, description: description)
                case .authenticated, .requestRejected:
                    break
                }
            }
            while let client, let event = client.nextEvent() {
                progressed = true
                clientEvents.append(event)
                switch event {
                case .infoRequested(_, _, let prompts):
                    client.respond(answerPrompts(prompts))
                case .passwordChangeRequested:
                    client.changePassword(to: newPassword)
                case .disconnect(let reason, let description):
                    engines.client.disconnect(reason: reason, description: description)
                case .banner, .methodFailed, .partialSuccess, .publicKeyAccepted, .authenticated, .exhausted:
                    break
                }
            }
        }
    }

    // MARK: - What happened

    /// The requests the application was asked to decide, in order.
    var requests: [(id: UserAuthRequestID, user: String, method: UserAuthMethodRequest)] {
        serverEvents.compactMap {
            if case .authenticationRequested(let id, let user, _, let method) = $0 { (id, user, method) } else { nil }
        }
    }

    var rejections: [String] {
        serverEvents.compactMap { if case .requestRejected(_, _, let why) = $0 { why } else { nil } }
    }

    var authenticatedUsers: [String] {
        serverEvents.compactMap { if case .authenticated(let user, _) = $0 { user } else { nil } }
    }

    /// The FAILURE messages the client received, in order.
    var failures: [SSHMsgUserAuthFailure] {
        receivedByClient.compactMap { if case .userAuthFailure(let m) = $0 { m } else { nil } }
    }

    var successes: Int {
        receivedByClient.filter { if case .userAuthSuccess = $0 { true } else { false } }.count
    }

    /// The disconnect the client's transport saw, if any.
    var clientDisconnect: (reason: UInt32, description: String, byPeer: Bool)? {
        EnginePair.disconnect(engines.clientEvents)
    }

    var serverDisconnect: (reason: UInt32, description: String, byPeer: Bool)? {
        EnginePair.disconnect(engines.serverEvents)
    }
}

enum AuthPairError: Error { case keyExchangeFailed }

extension UserAuthMethodRequest {
    /// A short label for assertions.
    var label: String {
        switch self {
        case .none: "none"
        case .password: "password"
        case .passwordChange: "passwordChange"
        case .publicKeyQuery: "publicKeyQuery"
        case .publicKey(_, _, let hostBound): hostBound ? "publicKeyHostBound" : "publicKey"
        case .keyboardInteractiveStarted: "keyboardInteractiveStarted"
        case .keyboardInteractiveResponses: "keyboardInteractiveResponses"
        }
    }
}

extension SecureBytes {
    /// The secret as text, for test assertions only.
    var testText: String { String(decoding: bytes, as: UTF8.self) }
}

func testSecret(_ text: String) -> SecureBytes { SecureBytes(Array(text.utf8)) }

/// A server configuration builder for ``AuthPair``.
func authServerConfiguration(
    methods: [String] = ["publickey", "password", "keyboard-interactive"],
    maximumAttempts: Int = UserAuthLimits.defaultMaximumAttempts,
    banner: String? = nil,
    algorithms: [String] = SignatureAlgorithm.defaultNames
) -> ([UInt8], [[UInt8]]) -> UserAuthServerConfiguration {
    { sessionIdentifier, hostKeys in
        UserAuthServerConfiguration(
            methods: methods, maximumAttempts: maximumAttempts, banner: banner,
            publicKeySignatureAlgorithms: algorithms, sessionIdentifier: sessionIdentifier, hostKeyBlobs: hostKeys)
    }
}
