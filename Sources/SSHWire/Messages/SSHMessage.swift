/// Every SSH message a connection can receive, for exhaustive dispatch (STYLE §1).
///
/// Messages whose number is reused by negotiated methods (30–49 key exchange, 60–79 user
/// authentication, RFC 4250 §4.1.2) are carried undecoded in ``keyExchangeMethod(number:payload:)``
/// and ``userAuthMethod(number:payload:)``; the party that knows the method decodes them with
/// ``decodeMethodMessage(as:)``. Numbers no decoder knows become ``unknown(number:)``, which the
/// engine answers with `SSH_MSG_UNIMPLEMENTED` (RFC 4253 §11.4).
public enum SSHMessage: Equatable, Sendable {
    // MARK: Transport (RFC 4253, RFC 8308, OpenSSH PROTOCOL)
    case disconnect(SSHMsgDisconnect)
    case ignore(SSHMsgIgnore)
    case unimplemented(SSHMsgUnimplemented)
    case debug(SSHMsgDebug)
    case serviceRequest(SSHMsgServiceRequest)
    case serviceAccept(SSHMsgServiceAccept)
    case extInfo(SSHMsgExtInfo)
    case kexInit(SSHMsgKexInit)
    case newKeys(SSHMsgNewKeys)
    /// A message numbered 30–49; `payload` is the whole payload, number byte included.
    case keyExchangeMethod(number: UInt8, payload: [UInt8])
    case ping(SSHMsgPing)
    case pong(SSHMsgPong)

    // MARK: User authentication (RFC 4252)
    case userAuthRequest(SSHMsgUserAuthRequest)
    case userAuthFailure(SSHMsgUserAuthFailure)
    case userAuthSuccess(SSHMsgUserAuthSuccess)
    case userAuthBanner(SSHMsgUserAuthBanner)
    /// A message numbered 60–79; `payload` is the whole payload, number byte included.
    case userAuthMethod(number: UInt8, payload: [UInt8])

    // MARK: Connection (RFC 4254)
    case globalRequest(SSHMsgGlobalRequest)
    case requestSuccess(SSHMsgRequestSuccess)
    case requestFailure(SSHMsgRequestFailure)
    case channelOpen(SSHMsgChannelOpen)
    case channelOpenConfirmation(SSHMsgChannelOpenConfirmation)
    case channelOpenFailure(SSHMsgChannelOpenFailure)
    case channelWindowAdjust(SSHMsgChannelWindowAdjust)
    case channelData(SSHMsgChannelData)
    case channelExtendedData(SSHMsgChannelExtendedData)
    case channelEOF(SSHMsgChannelEOF)
    case channelClose(SSHMsgChannelClose)
    case channelRequest(SSHMsgChannelRequest)
    case channelSuccess(SSHMsgChannelSuccess)
    case channelFailure(SSHMsgChannelFailure)

    /// A message number no decoder knows; the rest of the payload is not kept.
    case unknown(number: UInt8)

    // MARK: - Decoding

    /// Decodes a whole packet payload (message number first).
    ///
    /// Throws ``SSHWireError`` for an empty payload, a malformed body or trailing bytes. Never
    /// throws for an unknown number or a method-specific one: those are returned undecoded.
    public static func decode(_ payload: [UInt8]) throws -> SSHMessage {
        var reader = SSHReader(payload)
        let number = try reader.readByte("message number")
        let message: SSHMessage
        switch number {
        case SSHMessageNumber.disconnect: message = .disconnect(try SSHMsgDisconnect(from: &reader))
        case SSHMessageNumber.ignore: message = .ignore(try SSHMsgIgnore(from: &reader))
        case SSHMessageNumber.unimplemented: message = .unimplemented(try SSHMsgUnimplemented(from: &reader))
        case SSHMessageNumber.debug: message = .debug(try SSHMsgDebug(from: &reader))
        case SSHMessageNumber.serviceRequest: message = .serviceRequest(try SSHMsgServiceRequest(from: &reader))
        case SSHMessageNumber.serviceAccept: message = .serviceAccept(try SSHMsgServiceAccept(from: &reader))
        case SSHMessageNumber.extInfo: message = .extInfo(try SSHMsgExtInfo(from: &reader))
        case SSHMessageNumber.kexInit: message = .kexInit(try SSHMsgKexInit(from: &reader))
        case SSHMessageNumber.newKeys: message = .newKeys(try SSHMsgNewKeys(from: &reader))
        case SSHMessageNumber.keyExchangeMethodRange:
            return .keyExchangeMethod(number: number, payload: payload)
        case SSHMessageNumber.ping: message = .ping(try SSHMsgPing(from: &reader))
        case SSHMessageNumber.pong: message = .pong(try SSHMsgPong(from: &reader))
        case SSHMessageNumber.userAuthRequest: message = .userAuthRequest(try SSHMsgUserAuthRequest(from: &reader))
        case SSHMessageNumber.userAuthFailure: message = .userAuthFailure(try SSHMsgUserAuthFailure(from: &reader))
        case SSHMessageNumber.userAuthSuccess: message = .userAuthSuccess(try SSHMsgUserAuthSuccess(from: &reader))
        case SSHMessageNumber.userAuthBanner: message = .userAuthBanner(try SSHMsgUserAuthBanner(from: &reader))
        case SSHMessageNumber.userAuthMethodRange:
            return .userAuthMethod(number: number, payload: payload)
        case SSHMessageNumber.globalRequest: message = .globalRequest(try SSHMsgGlobalRequest(from: &reader))
        case SSHMessageNumber.requestSuccess: message = .requestSuccess(try SSHMsgRequestSuccess(from: &reader))
        case SSHMessageNumber.requestFailure: message = .requestFailure(try SSHMsgRequestFailure(from: &reader))
        case SSHMessageNumber.channelOpen: message = .channelOpen(try SSHMsgChannelOpen(from: &reader))
        case SSHMessageNumber.channelOpenConfirmation:
            message = .channelOpenConfirmation(try SSHMsgChannelOpenConfirmation(from: &reader))
        case SSHMessageNumber.channelOpenFailure:
            message = .channelOpenFailure(try SSHMsgChannelOpenFailure(from: &reader))
        case SSHMessageNumber.channelWindowAdjust:
            message = .channelWindowAdjust(try SSHMsgChannelWindowAdjust(from: &reader))
        case SSHMessageNumber.channelData: message = .channelData(try SSHMsgChannelData(from: &reader))
        case SSHMessageNumber.channelExtendedData:
            message = .channelExtendedData(try SSHMsgChannelExtendedData(from: &reader))
        case SSHMessageNumber.channelEOF: message = .channelEOF(try SSHMsgChannelEOF(from: &reader))
        case SSHMessageNumber.channelClose: message = .channelClose(try SSHMsgChannelClose(from: &reader))
        case SSHMessageNumber.channelRequest: message = .channelRequest(try SSHMsgChannelRequest(from: &reader))
        case SSHMessageNumber.channelSuccess: message = .channelSuccess(try SSHMsgChannelSuccess(from: &reader))
        case SSHMessageNumber.channelFailure: message = .channelFailure(try SSHMsgChannelFailure(from: &reader))
        default:
            return .unknown(number: number)
        }
        try reader.expectEnd()
        return message
    }

    // MARK: - Encoding

    /// The whole payload. For ``keyExchangeMethod(number:payload:)`` and
    /// ``userAuthMethod(number:payload:)`` it is `number` followed by `payload` without its first
    /// byte (so the stored payload comes back unchanged when its first byte is `number`); for
    /// ``unknown(number:)`` it is the number alone.
    public func encoded() -> [UInt8] {
        switch self {
        case .disconnect(let m): m.encoded()
        case .ignore(let m): m.encoded()
        case .unimplemented(let m): m.encoded()
        case .debug(let m): m.encoded()
        case .serviceRequest(let m): m.encoded()
        case .serviceAccept(let m): m.encoded()
        case .extInfo(let m): m.encoded()
        case .kexInit(let m): m.encoded()
        case .newKeys(let m): m.encoded()
        case .keyExchangeMethod(let number, let payload), .userAuthMethod(let number, let payload):
            [number] + payload.dropFirst()
        case .ping(let m): m.encoded()
        case .pong(let m): m.encoded()
        case .userAuthRequest(let m): m.encoded()
        case .userAuthFailure(let m): m.encoded()
        case .userAuthSuccess(let m): m.encoded()
        case .userAuthBanner(let m): m.encoded()
        case .globalRequest(let m): m.encoded()
        case .requestSuccess(let m): m.encoded()
        case .requestFailure(let m): m.encoded()
        case .channelOpen(let m): m.encoded()
        case .channelOpenConfirmation(let m): m.encoded()
        case .channelOpenFailure(let m): m.encoded()
        case .channelWindowAdjust(let m): m.encoded()
        case .channelData(let m): m.encoded()
        case .channelExtendedData(let m): m.encoded()
        case .channelEOF(let m): m.encoded()
        case .channelClose(let m): m.encoded()
        case .channelRequest(let m): m.encoded()
        case .channelSuccess(let m): m.encoded()
        case .channelFailure(let m): m.encoded()
        case .unknown(let number): [number]
        }
    }

    /// The message number (RFC 4250 §4.1).
    public var number: UInt8 {
        switch self {
        case .keyExchangeMethod(let number, _), .userAuthMethod(let number, _), .unknown(let number): number
        case .disconnect: SSHMsgDisconnect.messageNumber
        case .ignore: SSHMsgIgnore.messageNumber
        case .unimplemented: SSHMsgUnimplemented.messageNumber
        case .debug: SSHMsgDebug.messageNumber
        case .serviceRequest: SSHMsgServiceRequest.messageNumber
        case .serviceAccept: SSHMsgServiceAccept.messageNumber
        case .extInfo: SSHMsgExtInfo.messageNumber
        case .kexInit: SSHMsgKexInit.messageNumber
        case .newKeys: SSHMsgNewKeys.messageNumber
        case .ping: SSHMsgPing.messageNumber
        case .pong: SSHMsgPong.messageNumber
        case .userAuthRequest: SSHMsgUserAuthRequest.messageNumber
        case .userAuthFailure: SSHMsgUserAuthFailure.messageNumber
        case .userAuthSuccess: SSHMsgUserAuthSuccess.messageNumber
        case .userAuthBanner: SSHMsgUserAuthBanner.messageNumber
        case .globalRequest: SSHMsgGlobalRequest.messageNumber
        case .requestSuccess: SSHMsgRequestSuccess.messageNumber
        case .requestFailure: SSHMsgRequestFailure.messageNumber
        case .channelOpen: SSHMsgChannelOpen.messageNumber
        case .channelOpenConfirmation: SSHMsgChannelOpenConfirmation.messageNumber
        case .channelOpenFailure: SSHMsgChannelOpenFailure.messageNumber
        case .channelWindowAdjust: SSHMsgChannelWindowAdjust.messageNumber
        case .channelData: SSHMsgChannelData.messageNumber
        case .channelExtendedData: SSHMsgChannelExtendedData.messageNumber
        case .channelEOF: SSHMsgChannelEOF.messageNumber
        case .channelClose: SSHMsgChannelClose.messageNumber
        case .channelRequest: SSHMsgChannelRequest.messageNumber
        case .channelSuccess: SSHMsgChannelSuccess.messageNumber
        case .channelFailure: SSHMsgChannelFailure.messageNumber
        }
    }

    // MARK: - Method-specific messages

    /// Wraps a key-exchange method message (numbers 30–49) for sending through ``encoded()``.
    public static func keyExchangeMethod(_ message: some SSHMessageCodable) -> SSHMessage {
        .keyExchangeMethod(number: type(of: message).messageNumber, payload: message.encoded())
    }

    /// Wraps a user-authentication method message (numbers 60–79) for sending through ``encoded()``.
    public static func userAuthMethod(_ message: some SSHMessageCodable) -> SSHMessage {
        .userAuthMethod(number: type(of: message).messageNumber, payload: message.encoded())
    }

    /// Decodes the payload of ``keyExchangeMethod(number:payload:)`` or
    /// ``userAuthMethod(number:payload:)`` as `type`; throws ``SSHWireError/unexpectedMessageType(expected:actual:)``
    /// for another number or any other case, and the type's decoding errors otherwise.
    public func decodeMethodMessage<Message: SSHMessageCodable>(as type: Message.Type) throws -> Message {
        switch self {
        case .keyExchangeMethod(_, let payload), .userAuthMethod(_, let payload):
            return try Message.decode(payload)
        default:
            throw SSHWireError.unexpectedMessageType(expected: Message.messageNumber, actual: number)
        }
    }
}
