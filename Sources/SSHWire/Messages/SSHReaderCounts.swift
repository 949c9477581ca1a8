extension SSHReader {
    /// A `uint32` element count that must not exceed `limit` (each message's named limit,
    /// DESIGN §3), so that no peer-chosen count drives an allocation or a long loop. On a throw the
    /// reader is left where it was, like every other read.
    mutating func readCount(_ field: String, limit: Int) throws -> Int {
        var ahead = self
        let count = try ahead.readUInt32(field)
        guard count <= limit else {
            throw SSHWireError.lengthTooLarge(field: field, length: UInt64(count), limit: limit)
        }
        self = ahead
        return Int(count)
    }
}
