/// Splits the byte stream of an SFTP channel into packets: uint32 length, then that many bytes
/// (draft-02 §3).
///
/// Received chunks are kept as they came, not copied: a packet that lies within one chunk is
/// returned as a slice of it, and only one that spans chunks is gathered into an array of its own.
public struct SFTPPacketFramer: Sendable {
    private var chunks: [ArraySlice<UInt8>] = []
    private var first = 0

    public init() {}

    /// Bytes received and not yet returned as packets.
    public private(set) var bufferedCount = 0

    public mutating func append(_ chunk: ArraySlice<UInt8>) {
        guard !chunk.isEmpty else { return }
        if first > 0, first * 2 >= chunks.count {
            chunks.removeFirst(first)
            first = 0
        }
        chunks.append(chunk)
        bufferedCount += chunk.count
    }

    public mutating func append(_ bytes: [UInt8]) { append(bytes[...]) }

    public mutating func append<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        append(ArraySlice(bytes))
    }

    /// The next complete packet's payload, nil when more bytes are needed. Throws when a length
    /// exceeds ``SFTPLimits/maximumPacketLength`` or is zero: the stream cannot be resynchronised
    /// and the session must end.
    public mutating func nextPacket() throws(SFTPFramingError) -> ArraySlice<UInt8>? {
        guard let parts = try nextPacketParts() else { return nil }
        return parts.count == 1 ? parts[0] : Array(parts.joined())[...]
    }

    /// The most received chunks one packet is handed over in without being gathered.
    public static let maximumParts = 32

    /// ``nextPacket()`` without gathering: the packet's part in each received chunk it spans, in
    /// order (one part when it lies in one chunk; gathered into one when its length field itself
    /// is split or it spans more than ``maximumParts`` chunks).
    public mutating func nextPacketParts() throws(SFTPFramingError) -> [ArraySlice<UInt8>]? {
        guard bufferedCount >= 4 else { return nil }
        var length = 0
        var counted = 0
        for chunk in chunks[first...] {
            for byte in chunk.prefix(4 - counted) { length = length << 8 | Int(byte) }
            counted += min(chunk.count, 4 - counted)
            if counted == 4 { break }
        }
        guard length > 0, length <= SFTPLimits.maximumPacketLength else { throw SFTPFramingError(length: length) }
        guard bufferedCount - 4 >= length else { return nil }
        bufferedCount -= 4 + length
        let head = chunks[first]
        if head.count >= 4 + length {
            let packet = head[(head.startIndex + 4)..<(head.startIndex + 4 + length)]
            drop(4 + length)
            return [packet]
        }
        if head.count > 4 {
            var parts = [head[(head.startIndex + 4)...]]
            var collected = parts[0].count
            var index = first + 1
            while collected < length, index < chunks.count, parts.count < Self.maximumParts {
                let chunk = chunks[index]
                let take = min(chunk.count, length - collected)
                parts.append(chunk[chunk.startIndex..<(chunk.startIndex + take)])
                collected += take
                index += 1
            }
            if collected == length {
                drop(4 + length)
                return parts
            }
        }
        drop(4)
        var packet: [UInt8] = []
        packet.reserveCapacity(length)
        while packet.count < length {
            let chunk = chunks[first]
            let take = min(chunk.count, length - packet.count)
            packet.append(contentsOf: chunk.prefix(take))
            drop(take)
        }
        return [packet[...]]
    }

    /// Removes `count` bytes from the front (they are all buffered).
    private mutating func drop(_ count: Int) {
        var left = count
        while left > 0 {
            let chunk = chunks[first]
            if chunk.count > left {
                chunks[first] = chunk.dropFirst(left)
                return
            }
            left -= chunk.count
            chunks[first] = []
            first += 1
        }
        if first == chunks.count {
            chunks.removeAll(keepingCapacity: true)
            first = 0
        }
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
