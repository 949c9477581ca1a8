import Testing
@testable import SSHWire

/// Round trips, truncations and trailing bytes for every message (DESIGN §8 layer 1).
@Suite struct MessageCodecTests {
    // MARK: - Shared checks

    /// Decoding gives back the value, through the message's own type and through ``SSHMessage``.
    static func checkRoundTrip(_ sample: CodecCase) throws {
        #expect(try sample.decodesToOriginal(sample.encoded), "\(sample)")
        #expect(try SSHMessage.decode(sample.encoded) == sample.dispatched, "\(sample)")
        #expect(sample.dispatched.encoded() == sample.encoded, "\(sample)")
        #expect(sample.dispatched.number == sample.encoded.first, "\(sample)")
    }

    /// Whether decoding `bytes` throws ``SSHWireError`` (any other error counts as not throwing it).
    static func throwsWireError(_ decode: () throws -> Void) -> Bool {
        do {
            try decode()
            return false
        } catch is SSHWireError {
            return true
        } catch {
            return false
        }
    }

    /// Every proper prefix throws; where the message ends in open data, a prefix may instead decode
    /// to a different value, never to the original. (Plain checks with one issue per bad prefix:
    /// an `#expect` per prefix would dominate the run time of the random rounds.)
    static func checkTruncations(_ sample: CodecCase, sourceLocation: SourceLocation = #_sourceLocation) {
        for length in 0..<sample.encoded.count {
            let prefix = Array(sample.encoded.prefix(length))
            let ownTypeOK =
                sample.openTail
                ? (try? sample.decodesToOriginal(prefix)) != true
                : throwsWireError { _ = try sample.decodesToOriginal(prefix) }
            let dispatchOK: Bool
            if sample.isMethodSpecific {
                // Undecoded by design: the payload is passed on as it is.
                dispatchOK = length == 0 || (try? SSHMessage.decode(prefix))?.encoded() == prefix
            } else if sample.openTail {
                dispatchOK = (try? SSHMessage.decode(prefix)) != sample.dispatched
            } else {
                dispatchOK = throwsWireError { _ = try SSHMessage.decode(prefix) }
            }
            if !ownTypeOK || !dispatchOK {
                Issue.record(
                    "\(sample) prefix \(length): own type ok \(ownTypeOK), dispatch ok \(dispatchOK)",
                    sourceLocation: sourceLocation)
            }
        }
    }

    /// One extra byte throws `trailingBytes` (or, for open data, changes the value).
    static func checkTrailingByte(_ sample: CodecCase) {
        for extra: UInt8 in [0x00, 0x01, 0xFF] {
            let longer = sample.encoded + [extra]
            if sample.openTail {
                #expect((try? sample.decodesToOriginal(longer)) != true, "\(sample)")
                #expect((try? SSHMessage.decode(longer)) != sample.dispatched, "\(sample)")
            } else {
                #expect(throws: SSHWireError.trailingBytes(count: 1), "\(sample)") {
                    _ = try sample.decodesToOriginal(longer)
                }
                if !sample.isMethodSpecific {
                    #expect(throws: SSHWireError.trailingBytes(count: 1), "\(sample)") { try SSHMessage.decode(longer) }
                }
            }
        }
    }

    // MARK: - Representative values

    @Test(arguments: MessageSamples.all)
    func representativeRoundTrip(sample: CodecCase) throws {
        try Self.checkRoundTrip(sample)
    }

    @Test(arguments: MessageSamples.all)
    func representativeTruncations(sample: CodecCase) {
        Self.checkTruncations(sample)
    }

    @Test(arguments: MessageSamples.all)
    func representativeTrailingByte(sample: CodecCase) {
        Self.checkTrailingByte(sample)
    }

    /// Every message kind the dispatch enum knows has a representative sample.
    @Test func samplesCoverEveryNumber() {
        let covered = Set(MessageSamples.all.compactMap(\.encoded.first))
        let expected: Set<UInt8> = [
            1, 2, 3, 4, 5, 6, 7, 20, 21, 30, 31, 32, 33, 34, 50, 51, 52, 53, 60, 61,
            80, 81, 82, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 192, 193,
        ]
        #expect(covered == expected)
    }

    // MARK: - Random values

    @Test(arguments: 0..<32 as Range<UInt64>)
    func randomValues(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        for sample in RandomMessages.cases(&rng) {
            try Self.checkRoundTrip(sample)
            Self.checkTruncations(sample)
            Self.checkTrailingByte(sample)
        }
    }

    /// The name of an enum value's case, without its associated values.
    static func caseName(_ value: some Any) -> String {
        Mirror(reflecting: value).children.first?.label ?? String(describing: value)
    }

    /// Every seed draws every case of every payload enum, so each random run covers them all.
    @Test func randomValuesCoverEveryPayloadCase() {
        var rng = SeededGenerator(seed: 0)
        var methods: Set<String> = []
        var globals: Set<String> = []
        var opens: Set<String> = []
        var requests: Set<String> = []
        for sample in RandomMessages.cases(&rng) {
            switch sample.dispatched {
            case .userAuthRequest(let m): methods.insert(Self.caseName(m.method))
            case .globalRequest(let m): globals.insert(Self.caseName(m.payload))
            case .channelOpen(let m): opens.insert(Self.caseName(m.payload))
            case .channelRequest(let m): requests.insert(Self.caseName(m.payload))
            default: break
            }
        }
        #expect(methods.count == RandomMessages.authMethodKinds, "\(methods.sorted())")
        #expect(globals.count == RandomMessages.globalPayloadKinds, "\(globals.sorted())")
        #expect(opens.count == RandomMessages.openPayloadKinds, "\(opens.sorted())")
        #expect(requests.count == RandomMessages.requestPayloadKinds, "\(requests.sorted())")
        #expect(methods.contains("publicKeyHostBound") && requests.contains("breakRequest"))
    }

    // MARK: - Dispatch

    @Test(arguments: [UInt8](0...255))
    func unknownAndMethodNumbers(number: UInt8) throws {
        let payload = [number, 0xAB, 0xCD]
        switch number {
        case 30...49:
            #expect(try SSHMessage.decode(payload) == .keyExchangeMethod(number: number, payload: payload))
        case 60...79:
            #expect(try SSHMessage.decode(payload) == .userAuthMethod(number: number, payload: payload))
        case 0, 8...19, 22...29, 54...59, 83...89, 101...191, 194...255:
            let message = try SSHMessage.decode(payload)
            #expect(message == .unknown(number: number))
            #expect(message.encoded() == [number])
        case SSHMessageNumber.requestSuccess:
            // Its body is the rest of the payload.
            #expect(try SSHMessage.decode(payload) == .requestSuccess(SSHMsgRequestSuccess(data: [0xAB, 0xCD])))
        default:
            // A number with a decoder: these bytes are not a valid body for any of them.
            #expect(throws: SSHWireError.self) { try SSHMessage.decode(payload) }
        }
    }

    @Test func emptyPayloadThrows() {
        #expect(throws: SSHWireError.truncated(field: "message number")) { try SSHMessage.decode([]) }
    }

    @Test func methodMessagesDecodeThroughDispatch() throws {
        let reply = SSHMsgKexECDHReply(hostKey: [1], serverPublicKey: [2, 3], signature: [4])
        let message = try SSHMessage.decode(reply.encoded())
        #expect(try message.decodeMethodMessage(as: SSHMsgKexECDHReply.self) == reply)
        // The same bytes read as another method's message of the same number.
        #expect(throws: SSHWireError.self) { try message.decodeMethodMessage(as: SSHMsgKexDHGexGroup.self) }
        #expect(throws: SSHWireError.unexpectedMessageType(expected: 30, actual: 31)) {
            try message.decodeMethodMessage(as: SSHMsgKexECDHInit.self)
        }
        let pkOK = SSHMsgUserAuthPKOK(algorithm: "ssh-ed25519", publicKeyBlob: [9])
        #expect(try SSHMessage.decode(pkOK.encoded()).decodeMethodMessage(as: SSHMsgUserAuthPKOK.self) == pkOK)
        #expect(throws: SSHWireError.self) {
            try SSHMessage.channelEOF(SSHMsgChannelEOF(recipientChannel: 1)).decodeMethodMessage(as: SSHMsgKexDHInit.self)
        }
    }

    @Test func singleMessageDecodeChecksNumber() {
        #expect(throws: SSHWireError.unexpectedMessageType(expected: 97, actual: 96)) {
            try SSHMsgChannelClose.decode(SSHMsgChannelEOF(recipientChannel: 1).encoded())
        }
    }

    // MARK: - Typed payloads

    @Test func convenienceInitsDeriveNames() {
        #expect(SSHMsgGlobalRequest(wantReply: true, payload: .keepAlive).requestName == "keepalive@openssh.com")
        #expect(
            SSHMsgChannelOpen(senderChannel: 0, initialWindowSize: 0, maximumPacketSize: 0, payload: .x11(
                originatorAddress: "a", originatorPort: 1)).channelType == "x11")
        #expect(SSHMsgChannelRequest(recipientChannel: 0, wantReply: false, payload: .breakRequest(milliseconds: 1))
            .requestType == "break")
        #expect(MessageSamples.authRequest(.keyboardInteractive(languageTag: "", submethods: "")).methodName
            == "keyboard-interactive")
        #expect(SSHUserAuthMethod.publicKeyHostBound(algorithm: "a", publicKeyBlob: [], hostKeyBlob: [], signature: nil)
            .methodName == "publickey-hostbound-v00@openssh.com")
    }

    /// A known name whose data does not fit the layout is malformed, not unknown.
    @Test func knownNamesWithWrongDataThrow() {
        let badForward = SSHMsgGlobalRequest(
            requestName: "tcpip-forward", wantReply: true, payload: .unknown(data: [0, 0, 0, 1, 0x41]))
        #expect(throws: SSHWireError.truncated(field: "tcpip-forward bind port")) {
            try SSHMessage.decode(badForward.encoded())
        }
        let shellWithData = SSHMsgChannelRequest(
            recipientChannel: 0, requestType: "shell", wantReply: false, payload: .unknown(data: [0]))
        #expect(throws: SSHWireError.trailingBytes(count: 1)) { try SSHMessage.decode(shellWithData.encoded()) }
        let sessionWithData = SSHMsgChannelOpen(
            channelType: "session", senderChannel: 0, initialWindowSize: 0, maximumPacketSize: 0,
            payload: .unknown(data: [1, 2]))
        #expect(throws: SSHWireError.trailingBytes(count: 2)) { try SSHMessage.decode(sessionWithData.encoded()) }
        let noneWithData = SSHMsgUserAuthRequest(
            userName: "u", serviceName: "s", method: .unknown(name: "none", data: [7]))
        #expect(throws: SSHWireError.trailingBytes(count: 1)) { try SSHMessage.decode(noneWithData.encoded()) }
    }

    /// RFC 4251 §5: any non-zero boolean byte is TRUE; re-encoding writes 1.
    @Test func nonZeroBooleanIsTrue() throws {
        var bytes = SSHMsgUserAuthFailure(methods: ["password"], partialSuccess: true).encoded()
        bytes[bytes.count - 1] = 0x7F
        let failure = try SSHMsgUserAuthFailure.decode(bytes)
        #expect(failure.partialSuccess)
        #expect(failure.encoded().last == 1)
    }

    @Test func reasonCodes() throws {
        #expect(SSHDisconnectReason.allCases.map(\.rawValue) == Array(1...15))
        #expect(SSHDisconnectReason.illegalUserName.rawValue == 15)
        #expect(SSHChannelOpenFailureReason.allCases.map(\.rawValue) == [1, 2, 3, 4])
        #expect(SSHMsgDisconnect(reasonCode: 99, description: "", languageTag: "").reason == nil)
        #expect(SSHMsgChannelOpenFailure(recipientChannel: 0, reasonCode: 2, description: "").reason == .connectFailed)
    }

    @Test func extInfoLookup() {
        let info = SSHMsgExtInfo(extensions: [SSHExtension(name: "a", value: [1]), SSHExtension(name: "a", value: [2])])
        #expect(info.value(of: "a") == [1])
        #expect(info.value(of: "b") == nil)
    }
}
