/// One direction of the binary packet protection (RFC 4253 §6): cipher plus MAC, or an AEAD
/// construction that does both. Stateful (cipher contexts); used by one connection direction only.
///
/// A packet on the wire is `uint32 packet_length ‖ byte padding_length ‖ payload ‖ padding ‖ tag`,
/// where `tag` has ``tagLength`` bytes.
///
/// ### Invariants
/// - Receiving: ``decryptLength(_:sequenceNumber:)`` is called exactly once per packet, on the first
///   ``lengthFieldSpan`` bytes, and may decrypt them in place. Then ``open(_:sequenceNumber:)`` is
///   called on the whole packet (`4 + packet_length + tagLength` bytes). Nothing but the length is
///   trusted before `open` returns.
/// - After `open`, bytes `0..<4+packet_length` hold the plaintext packet, length field included.
/// - Sending: ``seal(_:sequenceNumber:)`` takes the plaintext packet in bytes `0..<count-tagLength`
///   and writes ciphertext and tag in place.
public protocol PacketProtection: AnyObject {
    /// The cipher block size; `packet_length` (+4 unless ``lengthIsAuthenticatedOnly``) is a
    /// multiple of `max(8, blockSize)`.
    var blockSize: Int { get }
    /// Bytes of MAC or AEAD tag after each packet.
    var tagLength: Int { get }
    /// How many leading bytes ``decryptLength(_:sequenceNumber:)`` needs.
    var lengthFieldSpan: Int { get }
    /// True when the length field is excluded from the padding-multiple rule (EtM, AES-GCM,
    /// chacha20-poly1305): then `packet_length` alone is a multiple of the block size.
    var lengthIsAuthenticatedOnly: Bool { get }

    /// Returns `packet_length` from the first ``lengthFieldSpan`` bytes of a packet.
    func decryptLength(_ head: UnsafeMutableRawBufferPointer, sequenceNumber: UInt32) throws -> UInt32
    /// Verifies and decrypts a whole packet in place; throws ``CryptoError/authenticationFailure``.
    func open(_ packet: UnsafeMutableRawBufferPointer, sequenceNumber: UInt32) throws
    /// Encrypts and authenticates a whole packet in place.
    func seal(_ packet: UnsafeMutableRawBufferPointer, sequenceNumber: UInt32) throws
    /// Seals a packet whose bytes `packet[body]` are still in `source` (`source.count ==
    /// body.count`): they are encrypted from there into the packet while the rest is sealed in
    /// place, so the payload is read once instead of copied and then encrypted.
    func seal(
        _ packet: UnsafeMutableRawBufferPointer, body: Range<Int>, from source: UnsafeRawBufferPointer,
        sequenceNumber: UInt32
    ) throws
}

extension PacketProtection {
    /// Copies the body into place, then seals the whole packet in place.
    public func seal(
        _ packet: UnsafeMutableRawBufferPointer, body: Range<Int>, from source: UnsafeRawBufferPointer,
        sequenceNumber: UInt32
    ) throws {
        UnsafeMutableRawBufferPointer(rebasing: packet[body]).copyMemory(from: source)
        try seal(packet, sequenceNumber: sequenceNumber)
    }
}
