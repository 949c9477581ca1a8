import COpenSSL
import CShims

/// Reading and writing private key files: OpenSSH's own format (PROTOCOL.key) and the PEM forms
/// OpenSSL writes (PKCS#1 RFC 8017 Appendix A.1.2, SEC 1 RFC 5915, PKCS#8 RFC 5958, encrypted
/// PKCS#8 and legacy `Proc-Type: 4,ENCRYPTED` PEM).
public enum SSHPrivateKeyFile {
    /// ssh-keygen's bcrypt_pbkdf rounds when `-a` is not given.
    public static let defaultBcryptRounds: UInt32 = 16

    /// The PEM labels read through OpenSSL.
    static let pemLabels: Set<String> = ["RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY"]

    /// Reads a private key file's text. PEM files carry no comment, so theirs is "".
    ///
    /// Throws ``CryptoError/wrongPassphrase`` when the file is encrypted and `passphrase` is nil or
    /// wrong, ``CryptoError/invalidKeyFile(_:)`` for malformed files, and
    /// ``CryptoError/unsupported(_:)`` for key types or ciphers we do not implement.
    public static func parse(_ text: String, passphrase: String?) throws -> (key: any SSHPrivateKey, comment: String) {
        guard text.utf8.count <= SSHKeyLimits.maximumKeyFileSize else {
            throw CryptoError.invalidKeyFile("key file larger than \(SSHKeyLimits.maximumKeyFileSize) bytes")
        }
        let armor = try PEMArmor(text)
        if armor.label == OpenSSHKeyFile.label {
            return try OpenSSHKeyFile.parse(armor.body, passphrase: passphrase)
        }
        guard pemLabels.contains(armor.label) else { throw CryptoError.unsupported("key file type \(armor.label)") }
        return (try parsePEM(text, encrypted: armor.isEncrypted, passphrase: passphrase), "")
    }

    /// The key in OpenSSH's format (`-----BEGIN OPENSSH PRIVATE KEY-----`), as `ssh-keygen` writes
    /// it: unencrypted when `passphrase` is nil or empty, otherwise aes256-ctr with bcrypt_pbkdf of
    /// `rounds` rounds (default 16).
    public static func openSSHFormat(
        _ key: any SSHPrivateKey, comment: String, passphrase: String?, rounds: UInt32 = defaultBcryptRounds
    ) throws -> String {
        let binary = try OpenSSHKeyFile.serialize(key, comment: comment, passphrase: passphrase, rounds: rounds)
        return PEMArmor.encode(label: OpenSSHKeyFile.label, body: binary, lineLength: OpenSSHKeyFile.lineLength)
    }

    private static func parsePEM(_ text: String, encrypted: Bool, passphrase: String?) throws -> any SSHPrivateKey {
        if encrypted, (passphrase ?? "").isEmpty { throw CryptoError.wrongPassphrase }
        OpenSSL.initialize()
        let pem = Array(text.utf8)
        let pointer = pem.withUnsafeBytes { pemBytes in
            if let passphrase {
                let secret = SecureBytes(Array(passphrase.utf8))
                return secret.withUnsafeBytes { pass in
                    sshd_pem_read_private_key(
                        pemBytes.baseAddress, pemBytes.count, pass.baseAddress?.assumingMemoryBound(to: CChar.self), pass.count)
                }
            }
            return sshd_pem_read_private_key(pemBytes.baseAddress, pemBytes.count, nil, 0)
        }
        guard let pointer else {
            let error = CryptoError.fromOpenSSL("PEM_read_bio_PrivateKey")
            if encrypted { throw CryptoError.wrongPassphrase }
            throw CryptoError.invalidKeyFile("PEM key could not be read: \(error.detailText)")
        }
        let key = EVPKey(taking: pointer)
        // A key read from a file is checked like one built from components.
        guard key.pairwiseCheck() else { throw CryptoError.invalidKeyFile("PEM key's private and public parts do not match") }
        return try SSHKeys.privateKey(wrapping: key)
    }
}

/// The text armor around a key: `-----BEGIN label-----`, optional RFC 1421 headers, base64 lines,
/// `-----END label-----` (RFC 7468 §2).
struct PEMArmor {
    let label: String
    /// Whether the headers say `Proc-Type: 4,ENCRYPTED` or the label is `ENCRYPTED PRIVATE KEY`.
    let isEncrypted: Bool
    /// The decoded base64 body.
    let body: [UInt8]

    init(_ text: String) throws {
        // `isNewline` also matches "\r\n", which Swift treats as one Character.
        let lines = text.split(omittingEmptySubsequences: true, whereSeparator: { $0.isNewline })
            .map { $0.trimmingBlanks() }
            .filter { !$0.isEmpty }
        guard let first = lines.first, first.hasPrefix("-----BEGIN "), first.hasSuffix("-----"), first.count > 16 else {
            throw CryptoError.invalidKeyFile("no -----BEGIN line")
        }
        let label = String(first.dropFirst("-----BEGIN ".count).dropLast(5))
        guard let endIndex = lines.firstIndex(of: "-----END \(label)-----") else {
            throw CryptoError.invalidKeyFile("no -----END \(label)----- line")
        }
        var isEncrypted = label == "ENCRYPTED PRIVATE KEY"
        var base64: [UInt8] = []
        for line in lines[1..<endIndex] {
            if line.contains(":") {
                // RFC 1421 §4.6 header lines (legacy encrypted PEM); OpenSSL parses them itself.
                if line.hasPrefix("Proc-Type:") && line.contains("ENCRYPTED") { isEncrypted = true }
                continue
            }
            base64.append(contentsOf: line.utf8)
        }
        guard let body = Base64.decode(bytes: base64) else { throw CryptoError.invalidKeyFile("body is not valid base64") }
        self.label = label
        self.isEncrypted = isEncrypted
        self.body = body
    }

    static func encode(label: String, body: [UInt8], lineLength: Int) -> String {
        let base64 = Array(Base64.encode(body).utf8)
        var text = "-----BEGIN \(label)-----\n"
        var start = 0
        while start < base64.count {
            let end = min(start + lineLength, base64.count)
            text += String(decoding: base64[start..<end], as: UTF8.self) + "\n"
            start = end
        }
        return text + "-----END \(label)-----\n"
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    fileprivate func trimmingBlanks() -> String {
        var trimmed = Substring(self)
        while let first = trimmed.first, first == " " || first == "\t" { trimmed.removeFirst() }
        while let last = trimmed.last, last == " " || last == "\t" { trimmed.removeLast() }
        return String(trimmed)
    }
}
