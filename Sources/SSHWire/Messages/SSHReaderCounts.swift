extension SSHReader {
    /// A `uint32` element count that must not exceed `limit` (each message's named limit,
    /// DESIGN §3), so that no peer-chosen count drives an allocation or a long loop.
    mutating func readCount(_ field: String, limit: Int) throws -> Int {
        let count = try readUInt32(field)
        guard count <= limit else {
            throw SSHWireError.lengthTooLarge(field: field, length: UInt64(count), limit: limit)
        }
        return Int(count)
    }
}
