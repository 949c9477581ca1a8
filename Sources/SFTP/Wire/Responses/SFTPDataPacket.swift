/// An SSH_FXP_DATA reply laid out as the framed packet it leaves as — uint32 length, type, id,
/// uint32 data length, data (draft-02 §3, §7) — so that a READ reads from the file straight into
/// it and nothing copies the data again before the channel seals it.
public struct SFTPDataPacket: Equatable, Sendable {
    /// Length, type, id and data length in front of the data.
    public static let headerLength = 13

    /// The whole framed packet.
    public let bytes: [UInt8]

    /// Reads at most `capacity` bytes with `read` (given the data's room, returning how many it
    /// filled) into a packet answering request `id`; nil when it read nothing.
    public static func read(
        id: UInt32, capacity: Int, _ read: (UnsafeMutableRawBufferPointer) throws(SFTPError) -> Int
    ) throws(SFTPError) -> SFTPDataPacket? {
        let room = max(0, capacity)
        var outcome: Result<Int, SFTPError> = .success(0)
        // Not zeroed first: the header is written below and only the bytes read are kept.
        var bytes = [UInt8](unsafeUninitializedCapacity: headerLength + room) { buffer, initialized in
            UnsafeMutableBufferPointer(rebasing: buffer[0..<headerLength]).initialize(repeating: 0)
            outcome = Result { () throws(SFTPError) in
                try read(UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[headerLength...]))
            }
            initialized = headerLength + min(max(0, (try? outcome.get()) ?? 0), room)
        }
        let count = bytes.count - headerLength
        _ = try outcome.get()
        guard count > 0 else { return nil }
        func put(_ value: UInt32, at index: Int) {
            bytes[index] = UInt8(truncatingIfNeeded: value >> 24)
            bytes[index + 1] = UInt8(truncatingIfNeeded: value >> 16)
            bytes[index + 2] = UInt8(truncatingIfNeeded: value >> 8)
            bytes[index + 3] = UInt8(truncatingIfNeeded: value)
        }
        put(UInt32(truncatingIfNeeded: bytes.count - 4), at: 0)
        bytes[4] = SFTPPacketType.data
        put(id, at: 5)
        put(UInt32(truncatingIfNeeded: count), at: 9)
        return SFTPDataPacket(bytes: bytes)
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    /// The data read.
    public var data: ArraySlice<UInt8> { bytes[Self.headerLength...] }
}
