/// Splits the byte stream of an SFTP channel into packets: uint32 length, then that many bytes
/// (draft-02 §3). Holds at most one partial packet.
public struct SFTPPacketFramer: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0

    public init() {}

    /// Bytes received and not yet returned as packets.
    public var bufferedCount: Int { buffer.count - start }

    public mutating func append<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete packet's payload, nil when more bytes are needed. Throws when a length
    /// exceeds ``SFTPLimits/maximumPacketLength`` or is zero: the stream cannot be resynchronised
    /// and the session must end.
    public mutating func nextPacket() throws(SFTPFramingError) -> [UInt8]? {
        guard buffer.count - start >= 4 else { return nil }
        let length = Int(buffer[start]) << 24 | Int(buffer[start + 1]) << 16 | Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])
        guard length > 0, length <= SFTPLimits.maximumPacketLength else { throw SFTPFramingError(length: length) }
        guard buffer.count - start - 4 >= length else { return nil }
        let packet = Array(buffer[(start + 4)..<(start + 4 + length)])
        start += 4 + length
        if start > 1 << 20 {
            buffer.removeFirst(start)
            start = 0
        }
        return packet
    }

    /// `payload` with its uint32 length in front.
    public static func frame(_ payload: [UInt8]) -> [UInt8] {
        var framed = [UInt8]()
        framed.reserveCapacity(4 + payload.count)
        let length = UInt32(truncatingIfNeeded: payload.count)
        framed.append(UInt8(truncatingIfNeeded: length >> 24))
        framed.append(UInt8(truncatingIfNeeded: length >> 16))
        framed.append(UInt8(truncatingIfNeeded: length >> 8))
        framed.append(UInt8(truncatingIfNeeded: length))
        framed.append(contentsOf: payload)
        return framed
    }
}

/// A packet length the protocol does not allow.
public struct SFTPFramingError: Error, Equatable, Sendable, CustomStringConvertible {
    public let length: Int
    public var description: String { "SFTP packet length \(length) is outside 1…\(SFTPLimits.maximumPacketLength)" }
}
