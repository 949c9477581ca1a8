/// A wire message with its own codec (STYLE §1).
///
/// `init(from:)` reads the body after the message-number byte; `writeBody(to:)` writes the body
/// only. Use ``decode(_:)`` and ``encoded()`` for whole payloads: they handle the number byte and
/// reject trailing bytes.
public protocol SSHMessageCodable: Sendable {
    /// The message number (RFC 4250 §4.1).
    static var messageNumber: UInt8 { get }
    init(from reader: inout SSHReader) throws
    func writeBody(to writer: inout SSHWriter)
}

extension SSHMessageCodable {
    /// The whole payload: message number, then body.
    public func encoded() -> [UInt8] {
        var writer = SSHWriter()
        writer.writeByte(Self.messageNumber)
        writeBody(to: &writer)
        return writer.bytes
    }

    /// Decodes a whole payload; throws on a different message number or trailing bytes.
    public static func decode(_ payload: [UInt8]) throws -> Self {
        var reader = SSHReader(payload)
        let number = try reader.readByte("message number")
        guard number == messageNumber else {
            throw SSHWireError.unexpectedMessageType(expected: messageNumber, actual: number)
        }
        let message = try Self(from: &reader)
        try reader.expectEnd()
        return message
    }
}
