/// A message payload to send, held in two parts that the transport seals one after the other:
/// the message's own fields, then the caller's data when the message carries some
/// (CHANNEL_DATA, RFC 4254 §5.2). The data is the caller's buffer, not a copy of it.
public struct OutgoingPayload: Sendable {
    public let header: [UInt8]
    public let body: ArraySlice<UInt8>

    public init(_ header: [UInt8], body: ArraySlice<UInt8> = []) {
        self.header = header
        self.body = body
    }

    public var count: Int { header.count + body.count }

    /// Both parts in one array.
    public var joined: [UInt8] { body.isEmpty ? header : header + body }
}
