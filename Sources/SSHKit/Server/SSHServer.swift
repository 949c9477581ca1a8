#if canImport(Glibc)
import Glibc
#endif
import Reactor
import SSHCore
import SSHCrypto
import SSHWire

/// The `SSHServer` class of the specification (also documented as SSHDaemon): one listener, many
/// connections, events fired inside ``doEvents()`` on the caller's thread (server digest §0).
///
/// Not thread-safe: create it, configure it, and call ``doEvents()`` in a loop, all on one thread.
public final class SSHServer {
    /// Every server-wide setting; also reachable through ``config(_:)``.
    public var settings = SSHServerSettings()
    /// The host keys; at least one is needed before ``startListening()`` (error 1301). Set them
    /// directly, or load them through the `SSHCert*` and `AltSSHCert*` store settings, which
    /// replace this list with the keys they loaded.
    public var hostKeys: [any SSHPrivateKey] = []
    /// The `SSHCert*` and `AltSSHCert*` stores.
    var certificates = HostKeyCertificates()

    // MARK: Events (server digest §3)

    public var onConnectionRequest: ((inout ConnectionRequestEvent) -> Void)?
    public var onConnected: ((inout ConnectedEvent) -> Void)?
    public var onDisconnected: ((DisconnectedEvent) -> Void)?
    public var onSSHStatus: ((SSHStatusEvent) -> Void)?
    public var onError: ((ErrorEvent) -> Void)?
    public var onLog: ((LogEvent) -> Void)?
    public var onServiceRequest: ((inout ServiceRequestEvent) -> Void)?
    public var onUserAuthRequest: ((inout UserAuthRequestEvent) -> Void)?
    public var onChannelOpenRequest: ((inout ChannelOpenRequestEvent) -> Void)?
    public var onChannelOpened: ((ChannelEvent) -> Void)?
    public var onChannelDataIn: ((ChannelDataEvent) -> Void)?
    /// For classes built on this one (SFTPServer): a channel's received bytes as the transport
    /// decoded them, before `SSHChannelDataIn`; true takes them (no event fires).
    var channelBytesIn: ((Int, ArraySlice<UInt8>) -> Bool)?
    public var onChannelEOF: ((ChannelEvent) -> Void)?
    public var onChannelClosed: ((ChannelEvent) -> Void)?
    public var onChannelReadyToSend: ((ChannelEvent) -> Void)?
    public var onChannelRequest: ((inout ChannelRequestEvent) -> Void)?
    public var onChannelRequested: ((ChannelRequestedEvent) -> Void)?
    public var onTunnelRequested: ((inout TunnelRequestedEvent) -> Void)?
    public var onTunnelClosed: ((TunnelClosedEvent) -> Void)?
    /// **Extension**: when set, keyboard-interactive is a conversation this handler drives
    /// (``KeyboardInteractiveEvent``) instead of the fixed `KeyboardInteractivePrompt*` prompts.
    public var onKeyboardInteractive: ((KeyboardInteractiveEvent) -> Void)?

    /// **Extension**: listen with SO_REUSEPORT, so that several servers — one per thread, each
    /// with its own `doEvents()` loop — share one port and the kernel spreads connections over
    /// them (the daemon's `Workers`).
    public var reusePort = false

    /// The keyboard-interactive prompts (the `KeyboardInteractivePromptCount`,
    /// `KeyboardInteractivePromptPrompt[i]` and `KeyboardInteractivePromptEcho[i]` properties);
    /// `KeyboardInteractivePrompts[ConnectionId]` overrides them per connection.
    public var keyboardInteractivePrompts: [SSHKeyboardInteractivePrompt] = []

    /// The event loop `doEvents()` turns. Programs built on the server register their own
    /// descriptors, timers and signals on it (the daemon's signalfd, child pipes), and hand
    /// blocking work to a pool that posts back to it.
    public let reactor: Reactor
    var listeners: [(fd: Int32, registration: RegistrationID)] = []
    var connections: [Int: ServerConnection] = [:]
    private var nextConnectionId = 1
    /// `ConnectionUID[id]`: connection ids are reused, these never are (server digest §4.2).
    var nextConnectionUID = 1
    /// Authentication requests are numbered for the server's life, so that a decision made late
    /// (PAM) can never land on another request or another connection that reused the id.
    var nextAuthRequestNumber = 1
    /// Channel ids are unique across connections (server digest §1.1).
    var nextChannelId = 1
    /// Every channel of every connection, by its class-wide id.
    var channelOwners: [Int: ServerChannel] = [:]
    private var boundPort = 0
    /// Runs host-name lookups for tunnels (getaddrinfo blocks); made on first use.
    var lookupPool: BlockingPool?

    /// Read size per socket read.
    static let readChunk = 64 * 1024
    /// One buffer per direction lent to the connection being served (``lend(_:to:)``): reads land
    /// where packets are opened and bursts are sealed into pages in use, while an idle connection
    /// keeps at most `TransportLimits.retainedBufferSize` of its own.
    var spareBuffers: [SpareBuffer: [UInt8]] = [:]

    public init() throws {
        OpenSSL.initialize()
        do {
            reactor = try Reactor()
        } catch {
            throw SSHServerError(code: SSHServerError.invalidSetting, "cannot create the event loop: \(error)")
        }
    }

    deinit {
        for connection in connections.values { Posix.close(connection.fd) }
        for listener in listeners { Posix.close(listener.fd) }
    }

    // MARK: - Properties (server digest §1.2)

    /// Whether the server accepts connections.
    public var listening: Bool { !listeners.isEmpty }

    /// `ConnectionUID[id]`: unlike the id, never reused while the server lives.
    public func connectionUID(_ connectionId: Int) throws(SSHServerError) -> Int { try connection(connectionId).uid }

    /// `LocalPort`: the configured port, or after listening on port 0, the port the kernel chose.
    public var localPort: Int { listening ? boundPort : settings.localPort }

    /// Ids of the open connections.
    public var connectionIds: [Int] { connections.keys.sorted() }

    public func remoteHost(_ connectionId: Int) throws(SSHServerError) -> String { try connection(connectionId).remoteHost }
    public func remotePort(_ connectionId: Int) throws(SSHServerError) -> Int { try connection(connectionId).remotePort }
    public func localAddress(_ connectionId: Int) throws(SSHServerError) -> String { try connection(connectionId).localAddress }

    func connection(_ id: Int) throws(SSHServerError) -> ServerConnection {
        guard let connection = connections[id] else {
            throw SSHServerError(code: SSHServerError.invalidConnectionId, "invalid ConnectionId \(id)")
        }
        return connection
    }

    // MARK: - Methods (server digest §2)

    /// `Config("Name=Value")` / `Config("Name")`, plus the per-connection read-only settings
    /// `ClientSSHVersionString[id]` and `NegotiatedStrictKex[id]`.
    @discardableResult
    public func config(_ configuration: String) throws(SSHServerError) -> String {
        if let indexed = try alternateCertificateSetting(configuration) { return indexed }
        if let indexed = try perConnectionSetting(configuration) { return indexed }
        // LocalPort 0 reads back as the port the kernel chose once listening (digest §1.2).
        if listening, configuration.trimmed.lowercased() == "localport" { return String(localPort) }
        return try settings.config(configuration, isListening: listening)
    }

    /// The indexed per-connection settings: `ClientSSHVersionString[id]`, `NegotiatedStrictKex[id]`, `ConnectionUID[id]`
    /// (read-only), `UserAuthBanner[id]` and `KeyboardInteractivePrompts[id]` (read and write).
    private func perConnectionSetting(_ configuration: String) throws(SSHServerError) -> String? {
        let assignment = configuration.firstIndex(of: "=")
        let key = assignment.map { String(configuration[..<$0]) } ?? configuration
        let trimmedKey = key.trimmed
        guard let open = trimmedKey.firstIndex(of: "["), trimmedKey.hasSuffix("]"),
              let id = Int(trimmedKey[trimmedKey.index(after: open)..<trimmedKey.index(before: trimmedKey.endIndex)])
        else { return nil }
        let name = trimmedKey[..<open].lowercased()
        let value = assignment.map { String(configuration[configuration.index(after: $0)...]) }
        let connection = try connection(id)
        switch (name, value) {
        case ("clientsshversionstring", nil): return connection.transport.peerVersion ?? ""
        case ("connectionuid", nil): return String(connection.uid)
        case ("negotiatedstrictkex", nil): return connection.transport.strictKeyExchangeNegotiated ? "True" : "False"
        case ("userauthbanner", nil): return connection.userAuthBanner ?? ""
        case ("userauthbanner", let text?): connection.userAuthBanner = text
        case ("keyboardinteractiveprompts", nil): return connection.keyboardInteractivePrompts ?? ""
        case ("keyboardinteractiveprompts", let text?): connection.keyboardInteractivePrompts = text
        default:
            throw SSHServerError(code: SSHServerError.invalidSetting, "\(trimmedKey) is not a per-connection setting that can be \(value == nil ? "read" : "set")")
        }
        return ""
    }

    /// Starts listening on `LocalHost`:`LocalPort` (`UseIPv6` chooses the family).
    public func startListening() throws(SSHServerError) {
        guard !listening else { throw SSHServerError(code: SSHServerError.alreadyListening, "already listening") }
        guard !hostKeys.isEmpty else {
            throw SSHServerError(code: SSHServerError.noHostKey, "no host key: set hostKeys before listening")
        }
        do {
            _ = try settings.algorithmPreferences()
            _ = try ClientAccessList(allowed: settings.allowedClients, blocked: settings.blockedClients)
        } catch let error as SSHServerError {
            throw error
        } catch {
            throw SSHServerError(code: SSHServerError.invalidSetting, "\(error)")
        }
        let host: String
        let ipv6Only: Bool
        switch settings.useIPv6 {
        case 1: (host, ipv6Only) = (settings.localHost.isEmpty ? "::" : settings.localHost, true)
        case 2: (host, ipv6Only) = (settings.localHost.isEmpty ? "::" : settings.localHost, false)
        default: (host, ipv6Only) = (settings.localHost.isEmpty ? "0.0.0.0" : settings.localHost, true)
        }
        do {
            let options = TCPSocket.ListenOptions(
                host: host, port: UInt16(clamping: settings.localPort), backlog: Int32(settings.connectionBacklog),
                reuseAddress: true, reusePort: reusePort, ipv6Only: ipv6Only)
            let (fd, address) = try TCPSocket.listen(options)
            let registration = try reactor.register(fd: fd, interest: .readable) { [unowned self] _ in
                self.acceptPending(listener: fd)
            }
            listeners.append((fd, registration))
            boundPort = Int(address.port)
            log(0, 1, "Server listening on \(address.host) port \(address.port).", type: "Info")
        } catch {
            throw SSHServerError(code: SSHServerError.invalidSetting, "cannot listen on \(host) port \(settings.localPort): \(error)")
        }
    }

    /// Stops accepting; open connections go on (server digest §2).
    public func stopListening() {
        for listener in listeners {
            reactor.deregister(listener.registration)
            Posix.close(listener.fd)
        }
        listeners.removeAll()
    }

    /// Disconnects one client; `Disconnected` fires.
    public func disconnect(_ connectionId: Int) throws(SSHServerError) {
        let connection = try connection(connectionId)
        connection.transport.disconnect(reason: .byApplication, description: "disconnected by server")
        flush(connection)
        close(connection, statusCode: 0, description: "disconnected by server")
    }

    /// `StopListening()` then `Disconnect()` for every connection.
    public func shutdown() {
        stopListening()
        for id in connectionIds { try? disconnect(id) }
    }

    /// `Listening` as a writable property ([002]): true starts listening, false stops accepting
    /// and leaves open connections alone.
    public func setListening(_ on: Bool) throws(SSHServerError) {
        if on && !listening { try startListening() }
        if !on { stopListening() }
    }

    /// `Reset()`: disconnects every client, stops listening, and returns every property and
    /// setting to its default (host keys and prompts included). Event handlers stay.
    public func reset() {
        shutdown()
        settings = SSHServerSettings()
        hostKeys = []
        certificates = HostKeyCertificates()
        keyboardInteractivePrompts = []
    }

    /// Starts a key re-exchange on a connection.
    public func exchangeKeys(_ connectionId: Int) throws(SSHServerError) {
        let connection = try connection(connectionId)
        do { try connection.transport.startKeyExchange() } catch {
            throw SSHServerError(code: SSHServerError.invalidConnectionId, "cannot exchange keys: \(error.message)")
        }
        flush(connection)
    }

    /// Processes what is ready; waits up to `SelectWaitMillis` when nothing is (server digest §2).
    public func doEvents() throws(SSHServerError) {
        do {
            _ = try reactor.doEvents(waitMillis: settings.selectWaitMillis)
        } catch {
            throw SSHServerError(code: SSHServerError.invalidSetting, "event loop: \(error)")
        }
    }

    // MARK: - Logging

    func log(_ connectionId: Int, _ level: Int, _ message: String, type: String) {
        guard level <= settings.logLevel else { return }
        onLog?(LogEvent(connectionId: connectionId, logLevel: level, message: message, logType: type))
    }
}
