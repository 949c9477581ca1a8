/// Why a byte sequence is not a valid SSH wire value or message (RFC 4251 §5).
///
/// Decoders throw this for malformed input; "need more bytes" is never an error at this layer,
/// because messages are decoded from complete packet payloads.
public enum SSHWireError: Error, Equatable, Sendable {
    /// The input ended inside a field.
    case truncated(field: String)
    /// A length prefix exceeds its limit or the remaining input.
    case lengthTooLarge(field: String, length: UInt64, limit: Int)
    /// Bytes left after the last field of a message (STYLE §2: trailing bytes are an error).
    case trailingBytes(count: Int)
    /// A string that must be UTF-8 (or US-ASCII) is not.
    case invalidText(field: String)
    /// A name-list contains an empty name, a comma-only entry or a non-ASCII byte (RFC 4251 §5).
    case invalidNameList
    /// An mpint has a superfluous leading byte or is negative where that is not allowed (RFC 4251 §5).
    case invalidMPInt
    /// A message started with a number other than the one its decoder reads.
    case unexpectedMessageType(expected: UInt8, actual: UInt8)
    /// A message number no decoder in this context knows (RFC 4253 §11.4: reply UNIMPLEMENTED).
    case unknownMessageType(UInt8)
    /// A field holds a value outside what the protocol allows.
    case invalidValue(field: String)
}
