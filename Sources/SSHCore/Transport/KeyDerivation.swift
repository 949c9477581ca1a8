import SSHCrypto
import SSHWire

/// The six keys of RFC 4253 §7.2, derived from K, H and the session identifier.
struct DerivedKeys {
    var ivClientToServer: SecureBytes
    var ivServerToClient: SecureBytes
    var keyClientToServer: SecureBytes
    var keyServerToClient: SecureBytes
    var macKeyClientToServer: SecureBytes
    var macKeyServerToClient: SecureBytes

    /// RFC 4253 §7.2: `K1 = HASH(K || H || X || session_id)`, `Kn = HASH(K || H || K1 || … || Kn-1)`,
    /// where K is the wire-encoded shared secret and X the letter "A" … "F".
    static func derive(
        hash: HashFunction, sharedSecret: SecureBytes, exchangeHash: [UInt8], sessionIdentifier: [UInt8],
        letter: UInt8, length: Int
    ) -> SecureBytes {
        guard length > 0 else { return SecureBytes([]) }
        var hasher = HashFunction.Hasher(hash)
        sharedSecret.withUnsafeBytes { hasher.update($0) }
        hasher.update(exchangeHash)
        hasher.update([letter])
        hasher.update(sessionIdentifier)
        var output = hasher.finalize()
        while output.count < length {
            var more = HashFunction.Hasher(hash)
            sharedSecret.withUnsafeBytes { more.update($0) }
            more.update(exchangeHash)
            more.update(output)
            output += more.finalize()
        }
        let key = SecureBytes(Array(output.prefix(length)))
        SecureBytes.wipe(&output)
        return key
    }

    static func derive(
        hash: HashFunction, sharedSecret: SecureBytes, exchangeHash: [UInt8], sessionIdentifier: [UInt8],
        clientToServer: (cipher: any CipherAlgorithm, mac: (any MACAlgorithm)?),
        serverToClient: (cipher: any CipherAlgorithm, mac: (any MACAlgorithm)?)
    ) -> DerivedKeys {
        func key(_ letter: Unicode.Scalar, _ length: Int) -> SecureBytes {
            derive(hash: hash, sharedSecret: sharedSecret, exchangeHash: exchangeHash,
                   sessionIdentifier: sessionIdentifier, letter: UInt8(ascii: letter), length: length)
        }
        return DerivedKeys(
            ivClientToServer: key("A", clientToServer.cipher.ivLength),
            ivServerToClient: key("B", serverToClient.cipher.ivLength),
            keyClientToServer: key("C", clientToServer.cipher.keyLength),
            keyServerToClient: key("D", serverToClient.cipher.keyLength),
            macKeyClientToServer: key("E", clientToServer.mac?.keyLength ?? 0),
            macKeyServerToClient: key("F", serverToClient.mac?.keyLength ?? 0))
    }
}
