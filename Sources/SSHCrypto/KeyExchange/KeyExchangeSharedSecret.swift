/// Wire encodings of a key exchange's shared secret K, built straight into ``SecureBytes`` so that
/// no unwiped copy of K is left behind.
///
/// K enters the exchange hash and the key derivation already encoded (RFC 4253 §7.2, §8).
enum KeyExchangeSharedSecret {
    /// Size of the uint32 length prefix of `string` and `mpint` (RFC 4251 §5).
    static let lengthPrefixSize = 4

    /// `mpint` of the unsigned big-endian integer `magnitude` (RFC 4251 §5): leading zero bytes
    /// dropped, one zero byte added when the top bit is set. Used by DH (RFC 4253 §8), ECDH
    /// (RFC 5656 §4) and curve25519 (RFC 8731 §3.1).
    static func mpint(magnitude: SecureBytes) -> SecureBytes {
        magnitude.withUnsafeBytes { source in
            let leadingZeros = source.prefix(while: { $0 == 0 }).count
            let significant = UnsafeRawBufferPointer(rebasing: source[leadingZeros...])
            let pad = (significant.first ?? 0) & 0x80 != 0 ? 1 : 0
            return encode(significant, padding: pad)
        }
    }

    /// `string` of `bytes` (RFC 4251 §5), as the hybrid post-quantum methods encode K.
    static func string(_ bytes: SecureBytes) -> SecureBytes {
        bytes.withUnsafeBytes { encode($0, padding: 0) }
    }

    /// uint32 length ‖ `padding` zero bytes ‖ `body`.
    private static func encode(_ body: UnsafeRawBufferPointer, padding: Int) -> SecureBytes {
        let length = body.count + padding
        let encoded = SecureBytes(count: lengthPrefixSize + length)
        encoded.withUnsafeMutableBytes { out in
            out[0] = UInt8(truncatingIfNeeded: length >> 24)
            out[1] = UInt8(truncatingIfNeeded: length >> 16)
            out[2] = UInt8(truncatingIfNeeded: length >> 8)
            out[3] = UInt8(truncatingIfNeeded: length)
            UnsafeMutableRawBufferPointer(rebasing: out[(lengthPrefixSize + padding)...]).copyMemory(from: body)
        }
        return encoded
    }
}
