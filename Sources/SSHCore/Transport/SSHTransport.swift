import SSHCrypto
import SSHWire

/// The SSH transport layer (RFC 4253) as a sans-I/O engine, for either role.
///
/// Feed it the peer's bytes with ``receive(_:)``, write what ``takeOutput()`` returns to the peer,
/// and handle what ``nextEvent()`` returns. It opens no socket, reads no clock and never blocks
/// (DESIGN §3). Messages above the transport (service request, user authentication, connection
/// protocol) pass through as ``TransportEvent/payload(_:sequenceNumber:)`` and are sent with
/// ``send(_:)``, which queues them while a key exchange is in progress (RFC 4253 §7.1).
///
/// Not thread-safe: one owner drives it.
public final class SSHTransport {
    public let configuration: TransportConfiguration
    public var role: SSHRole { configuration.role }

    enum Phase {
        case awaitingVersion
        case binaryPackets
        case closed
    }

    var phase: Phase = .awaitingVersion
    var versionExchange = VersionExchange()
    var receiver = PacketReceiver()
    var sender = PacketSender()
    private var events: [TransportEvent] = []
    private var eventIndex = 0

    /// Our KEXINIT (payload) while we have sent one and not yet NEWKEYS: no other messages may go
    /// out then (RFC 4253 §7.1).
    var ourKexInit: (message: SSHMsgKexInit, payload: [UInt8])?
    /// The peer's KEXINIT payload while the peer is between its KEXINIT and NEWKEYS.
    var peerKexInit: (message: SSHMsgKexInit, payload: [UInt8])?
    var keyExchange: KeyExchangeState = .idle
    /// RFC 4253 §7: the peer guessed its first KEX packet wrong; drop the next one.
    var ignoreNextKeyExchangePacket = false
    /// Payloads the application sent while a key exchange was in progress.
    private var queued: [[UInt8]] = []
    private var queuedBytes = 0
    /// Input is held while the application decides on a host key.
    var inputHeld = false

    public private(set) var peerVersion: String?
    /// H of the first key exchange (RFC 4253 §7.2); nil until it completes.
    public internal(set) var sessionIdentifier: [UInt8]?
    /// The server's host key blob from the first exchange; later exchanges must present the same.
    public internal(set) var hostKeyBlob: [UInt8]?
    public internal(set) var isEstablished = false
    public internal(set) var strictKeyExchangeNegotiated = false
    /// The algorithms of the last completed exchange.
    public internal(set) var negotiatedAlgorithms: NegotiatedAlgorithms?
    /// Server: the client announced `ext-info-c` (RFC 8308 §2.1).
    var peerAcceptsExtensionInfo = false
    /// Client: the server's `server-sig-algs` (RFC 8308 §3.1), once received.
    public internal(set) var serverSignatureAlgorithms: [String]?
    /// The closing error, once the connection is over.
    public private(set) var closeReason: TransportError?

    public var isClosed: Bool { phase == .closed }
    /// Whether a key exchange is in progress in either direction.
    public var isKeyExchangeInProgress: Bool { ourKexInit != nil || peerKexInit != nil }

    /// Validates the configuration and queues our identification string and first KEXINIT.
    public init(configuration: TransportConfiguration) throws {
        guard configuration.versionString.hasPrefix("SSH-2.0-"),
              configuration.versionString.utf8.count + 2 <= TransportLimits.maximumVersionLineLength,
              configuration.versionString.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F })
        else {
            throw TransportError.invalidConfiguration("the identification string must start with SSH-2.0-, be printable ASCII and fit in 253 bytes")
        }
        guard configuration.rekeyByteLimit >= TransportLimits.minimumRekeyByteLimit else {
            throw TransportError.invalidConfiguration(
                "the rekey threshold must be at least \(TransportLimits.minimumRekeyByteLimit) bytes")
        }
        var validated = configuration
        validated.algorithms = try configuration.algorithms.validated()
        if configuration.role == .server {
            validated.algorithms.hostKey = configuration.algorithms.hostKey.filter { name in
                configuration.hostKeys.contains { $0.publicKey.signatureAlgorithms.contains(name) }
            }
            guard !validated.algorithms.hostKey.isEmpty else {
                throw CryptoError.invalidKey("no host key can sign with any of: \(configuration.algorithms.hostKey.joined(separator: ","))")
            }
        }
        self.configuration = validated
        sender.appendRaw(Array((validated.versionString + "\r\n").utf8))
        try sendKexInit()
    }

    // MARK: - Input and output

    /// Takes bytes from the peer and processes every complete message in them.
    public func receive(_ bytes: [UInt8]) {
        guard phase != .closed else { return }
        receiver.append(bytes)
        process()
    }

    /// Takes bytes from the peer from a raw buffer.
    public func receive(_ bytes: UnsafeRawBufferPointer) {
        guard phase != .closed else { return }
        receiver.append(bytes)
        process()
    }

    /// Reads the peer's bytes straight into the receive buffer: `read` gets room for up to
    /// `count` bytes and returns how many it wrote; they are processed at once, as by
    /// ``receive(_:)-(UnsafeRawBufferPointer)``.
    /// Once closed, what is read is dropped (the caller still learns of the peer's end of stream).
    public func receive<E: Error>(upTo count: Int, _ read: (UnsafeMutableRawBufferPointer) throws(E) -> Int) throws(E) {
        let before = receiver.bufferedByteCount
        try receiver.fill(upTo: count, read)
        guard phase != .closed else { return receiver.discardBuffered() }
        if receiver.bufferedByteCount > before { process() }
    }

    /// Swaps the receive buffer with `buffer` when nothing received waits in it (true), so a
    /// caller can lend a buffer with room for its reads and take it back afterwards.
    public func exchangeReceiveBuffer(_ buffer: inout [UInt8]) -> Bool {
        receiver.exchangeBuffer(&buffer)
    }

    /// The receive buffer's size in bytes (what it holds and its room).
    public var receiveBufferSize: Int { receiver.storageSize }

    /// Everything to write to the peer now.
    public func takeOutput() -> [UInt8] { sender.takeOutput() }

    /// Writes output in place: `write` gets the bytes not yet written and returns how many the
    /// peer took; the rest wait for the next call (``hasOutput``). No copy of the sealed bytes.
    /// With `keepingCapacity`, a buffer written to the end keeps all its memory (for a caller that
    /// lent it with ``exchangeOutputBuffer(_:)`` and takes it back).
    public func writeOutput<E: Error>(
        keepingCapacity: Bool = false, _ write: (UnsafeRawBufferPointer) throws(E) -> Int
    ) throws(E) {
        try sender.writeOutput(keepingCapacity: keepingCapacity, write)
    }

    /// Swaps the output buffer with `buffer` when no output is waiting (true), so a caller can
    /// lend the transport a buffer with room and take it back after writing; `buffer` comes back
    /// empty with its capacity. False, and nothing changes, while output is waiting.
    public func exchangeOutputBuffer(_ buffer: inout [UInt8]) -> Bool {
        sender.exchangeOutputBuffer(&buffer)
    }

    /// The output buffer's size in bytes (what waits in it and its room).
    public var outputBufferSize: Int { sender.storageSize }

    /// Sealed bytes not yet written or taken.
    public var hasOutput: Bool { sender.hasOutput }

    /// The next event, in order, or nil.
    public func nextEvent() -> TransportEvent? {
        guard eventIndex < events.count else {
            if !events.isEmpty { events.removeAll(keepingCapacity: true); eventIndex = 0 }
            return nil
        }
        defer { eventIndex += 1 }
        return events[eventIndex]
    }

    func emit(_ event: TransportEvent) { events.append(event) }

    private func process() {
        do {
            while phase != .closed, !inputHeld {
                switch phase {
                case .awaitingVersion:
                    guard try receiveVersion() else { return }
                case .binaryPackets:
                    guard let (payload, sequence) = try receiver.nextPayload() else { return }
                    try checkSequenceWrap()
                    try handle(payload, sequenceNumber: sequence)
                    try startRekeyIfDue()
                case .closed:
                    return
                }
            }
        } catch let error as TransportError {
            fail(error)
        } catch let error as SSHWireError {
            fail(.malformed(error))
        } catch let error as CryptoError {
            fail(.keyExchangeFailed("\(error)"))
        } catch {
            fail(.protocolError("\(error)"))
        }
    }

    private func receiveVersion() throws(TransportError) -> Bool {
        let outcome = try receiver.withUnconsumedBytes { bytes throws(TransportError) in
            let outcome = try versionExchange.parse(bytes)
            return (outcome, outcome.consumed)
        }
        guard case .version(let version, _) = outcome else { return false }
        guard VersionExchange.isVersion2(version) else {
            throw .versionNotSupported(version)
        }
        peerVersion = version
        phase = .binaryPackets
        emit(.peerVersion(version))
        return true
    }

    /// OpenSSH (and strict KEX, PROTOCOL §1.10) refuse a sequence number that wraps before the
    /// first exchange completes: that is what the Terrapin attack relies on.
    private func checkSequenceWrap() throws(TransportError) {
        // The receiver has just counted a packet; zero means its counter wrapped.
        if !isEstablished && receiver.sequenceNumber == 0 {
            throw .protocolError("sequence number wrapped before the first key exchange completed")
        }
    }

    // MARK: - Sending

    /// Sends a message of a layer above the transport, or queues it while a key exchange is in
    /// progress (RFC 4253 §7.1). Throws when closed or when the queue is full.
    public func send(_ payload: [UInt8]) throws(TransportError) {
        guard phase != .closed else { throw .closed }
        guard payload.count <= TransportLimits.maximumPayloadLength else {
            throw .protocolError("payload of \(payload.count) bytes exceeds the packet limit")
        }
        if !isEstablished || ourKexInit != nil {
            guard queuedBytes + payload.count <= TransportLimits.maximumQueuedBytesDuringKeyExchange else {
                throw .outputQueueFull
            }
            queued.append(payload)
            queuedBytes += payload.count
            return
        }
        try sendPacket(payload)
        do { try startRekeyIfDue() } catch { fail(error) }
    }

    /// Sends a message held in two parts (``OutgoingPayload``): sealed straight from them, with
    /// no copy of the body before it lands in the output buffer.
    public func send(_ payload: OutgoingPayload) throws(TransportError) {
        guard !payload.body.isEmpty else { return try send(payload.header) }
        guard phase != .closed else { throw .closed }
        guard payload.count <= TransportLimits.maximumPayloadLength, isEstablished, ourKexInit == nil else {
            return try send(payload.joined)
        }
        try sender.send(payload.header, payload.body)
        do { try startRekeyIfDue() } catch { fail(error) }
    }

    /// Sends a message of any kind now, with the keys in force.
    func sendPacket(_ payload: [UInt8]) throws(TransportError) {
        try sender.send(payload)
    }

    func flushQueued() throws(TransportError) {
        let pending = queued
        queued.removeAll()
        queuedBytes = 0
        for payload in pending { try sendPacket(payload) }
    }

    /// RFC 4253 §11.2: data the peer must ignore (also used as traffic padding).
    public func sendIgnore(_ data: [UInt8] = []) throws(TransportError) {
        try send(SSHMsgIgnore(data: data).encoded())
    }

    /// RFC 4253 §11.3.
    public func sendDebug(_ message: String, alwaysDisplay: Bool = false) throws(TransportError) {
        try send(SSHMsgDebug(alwaysDisplay: alwaysDisplay, message: message, languageTag: "").encoded())
    }

    /// OpenSSH `ping@openssh.com`: the peer answers with a PONG carrying `data`.
    public func ping(_ data: [UInt8] = []) throws(TransportError) {
        try send(SSHMsgPing(data: data).encoded())
    }

    /// Replies to a message number the layers above do not implement (RFC 4253 §11.4).
    public func sendUnimplemented(sequenceNumber: UInt32) throws(TransportError) {
        try send(SSHMsgUnimplemented(sequenceNumber: sequenceNumber).encoded())
    }

    /// Sends DISCONNECT and closes (RFC 4253 §11.1).
    public func disconnect(reason: SSHDisconnectReason = .byApplication, description: String = "") {
        fail(.byApplication(reason: reason.rawValue, description: description))
    }

    /// Closes because of `error`: sends DISCONNECT with its reason (best effort) and reports it.
    func fail(_ error: TransportError) {
        guard phase != .closed else { return }
        if phase == .binaryPackets {
            let message = SSHMsgDisconnect(reasonCode: error.disconnectReason.rawValue, description: error.message, languageTag: "")
            try? sender.send(message.encoded())
        }
        phase = .closed
        closeReason = error
        inputHeld = false
        emit(.disconnected(reason: error.disconnectReason.rawValue, description: error.message, byPeer: false))
    }

    // MARK: - Dispatch

    private func handle(_ payload: [UInt8], sequenceNumber: UInt32) throws {
        guard let number = payload.first else { throw TransportError.protocolError("empty payload") }
        // PROTOCOL §1.10: during the initial exchange under strict KEX, only KEX messages are allowed.
        if !isEstablished, strictKeyExchangeNegotiated, !Self.isKeyExchangeMessage(number) {
            throw TransportError.protocolError("strict key exchange: unexpected message \(number) during initial key exchange")
        }
        switch number {
        case SSHMsgDisconnect.messageNumber:
            let message = try SSHMsgDisconnect.decode(payload)
            phase = .closed
            closeReason = .byApplication(reason: message.reasonCode, description: message.description)
            emit(.disconnected(reason: message.reasonCode, description: message.description, byPeer: true))
        case SSHMsgIgnore.messageNumber:
            _ = try SSHMsgIgnore.decode(payload)
        case SSHMsgUnimplemented.messageNumber:
            emit(.unimplemented(sequenceNumber: try SSHMsgUnimplemented.decode(payload).sequenceNumber))
        case SSHMsgDebug.messageNumber:
            let message = try SSHMsgDebug.decode(payload)
            emit(.debug(alwaysDisplay: message.alwaysDisplay, message: message.message))
        case SSHMsgExtInfo.messageNumber:
            guard isEstablished || receiver.protection != nil else {
                throw TransportError.protocolError("EXT_INFO before the first NEWKEYS")
            }
            let message = try SSHMsgExtInfo.decode(payload)
            if let sigAlgs = message.extensions.first(where: { $0.name == "server-sig-algs" }) {
                serverSignatureAlgorithms = String(decoding: sigAlgs.value, as: UTF8.self)
                    .split(separator: ",").map(String.init)
            }
            emit(.extensionInfo(message.extensions))
        case SSHMsgKexInit.messageNumber:
            try receiveKexInit(payload, sequenceNumber: sequenceNumber)
        case SSHMsgNewKeys.messageNumber:
            _ = try SSHMsgNewKeys.decode(payload)
            try receiveNewKeys()
        case 30...49:
            try receiveKeyExchangeMethodMessage(payload)
        case SSHMsgPing.messageNumber:
            let ping = try SSHMsgPing.decode(payload)
            guard isEstablished else { throw TransportError.protocolError("PING before key exchange") }
            // A reply to a peer's message bypasses the KEX queue only when allowed; PONG is not a
            // KEX message, so it queues like any other.
            try send(SSHMsgPong(data: ping.data).encoded())
        case SSHMsgPong.messageNumber:
            emit(.pong(try SSHMsgPong.decode(payload).data))
        case SSHMsgServiceRequest.messageNumber, SSHMsgServiceAccept.messageNumber, 50...255:
            // RFC 4253 §7.1: a peer between KEXINIT and NEWKEYS sends only transport messages.
            guard isEstablished, peerKexInit == nil else {
                throw TransportError.protocolError("message \(number) during key exchange")
            }
            emit(.payload(payload, sequenceNumber: sequenceNumber))
        default:
            // RFC 4253 §11.4: an unrecognised transport message gets UNIMPLEMENTED.
            // UNIMPLEMENTED is a transport generic message (1–19): it may go out during a key
            // exchange, so it bypasses the queue.
            try sendPacket(SSHMsgUnimplemented(sequenceNumber: sequenceNumber).encoded())
        }
    }

    static func isKeyExchangeMessage(_ number: UInt8) -> Bool {
        number == SSHMsgKexInit.messageNumber || number == SSHMsgNewKeys.messageNumber || (30...49).contains(number)
            || number == SSHMsgDisconnect.messageNumber
    }
}
