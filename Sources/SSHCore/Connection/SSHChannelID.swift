/// Our local number for a channel (RFC 4254 §5.1: the "sender channel" we announce, and the
/// "recipient channel" the peer addresses).
///
/// Ids are allocated by ``ChannelMultiplexer`` and are free for reuse only once CHANNEL_CLOSE has
/// been both sent and received (RFC 4254 §5.3).
public struct SSHChannelID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    public var description: String { "channel \(rawValue)" }

    public static func < (lhs: SSHChannelID, rhs: SSHChannelID) -> Bool { lhs.rawValue < rhs.rawValue }
}
