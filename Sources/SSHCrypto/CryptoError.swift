import CShims

/// Failures in the crypto layer. Malformed peer input (a bad point, a wrong-length key) and
/// failed verification are ordinary errors, never traps.
public enum CryptoError: Error, Equatable, Sendable {
    /// OpenSSL reported an error in the named operation.
    case openssl(operation: String, detail: String)
    /// A key, public value or signature is malformed.
    case invalidKey(String)
    /// A peer's public value failed validation (wrong length, not on the curve, out of range).
    case invalidPublicValue(String)
    /// Authentication of a packet or ciphertext failed.
    case authenticationFailure
    /// The algorithm is not in the registry.
    case unknownAlgorithm(String)
    /// A key file could not be read.
    case invalidKeyFile(String)
    /// A passphrase is needed, or the one given is wrong.
    case wrongPassphrase
    /// The key type or cipher is known but not supported here.
    case unsupported(String)

    /// Wraps the OpenSSL error queue's newest entry (and clears the queue).
    static func fromOpenSSL(_ operation: String) -> CryptoError {
        var buffer = [CChar](repeating: 0, count: 256)
        sshd_openssl_last_error(&buffer, buffer.count)
        let detail = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return .openssl(operation: operation, detail: detail)
    }
}
