#if canImport(Glibc)
import Glibc
#endif
import SSHCrypto

/// The `SSHCertStoreType` values (server digest §5), with what each means on Linux.
public enum HostKeyStoreType: Int, Sendable, CaseIterable {
    case user = 0, machine = 1, pfxFile = 2, pfxBlob = 3, jksFile = 4, jksBlob = 5
    case pemKeyFile = 6, pemKeyBlob = 7
    case publicKeyFile = 8, publicKeyBlob = 9, sshPublicKeyBlob = 10, p7bFile = 11, p7bBlob = 12, sshPublicKeyFile = 13
    case ppkFile = 14, ppkBlob = 15, xmlFile = 16, xmlBlob = 17, jwkFile = 18, jwkBlob = 19
    case securityKey = 20, bcfksFile = 21, bcfksBlob = 22, pkcs11 = 23
    /// Ours by default (the seeds' 0, a Windows store, means nothing on Linux): a path when it
    /// names a file, otherwise the key itself.
    case auto = 99

    /// Why a type cannot give a host key here, or nil for the types we load.
    var unsupportedReason: String? {
        switch self {
        case .pemKeyFile, .pemKeyBlob, .auto: nil
        case .user, .machine: "a Windows certificate store, which Linux does not have"
        case .jksFile, .jksBlob, .bcfksFile, .bcfksBlob: "a Java keystore, available only in Java"
        case .publicKeyFile, .publicKeyBlob, .sshPublicKeyBlob, .p7bFile, .p7bBlob, .sshPublicKeyFile:
            "a public key or certificate only, without the private key a host key needs"
        case .pfxFile, .pfxBlob: "PKCS#12 (PFX), not supported yet: convert it with `openssl pkcs12 -nocerts -nodes` to PEM"
        case .ppkFile, .ppkBlob: "a PuTTY key, not supported yet: convert it with `puttygen KEY -O private-openssh`"
        case .xmlFile, .xmlBlob, .jwkFile, .jwkBlob: "XML and JSON Web Key formats, not supported"
        case .securityKey, .pkcs11: "a hardware token (PKCS#11), not supported"
        }
    }
}

/// Loads host keys from the store settings (`SSHCertStoreType`, `SSHCertStore`,
/// `SSHCertStorePassword`, `SSHCertSubject`, and the `AltSSHCert*` equivalents).
enum HostKeyStore {
    /// The largest key file read: far above any key's few kilobytes.
    static let maximumKeyFileBytes = 1 << 20

    /// The key of one store. Every failure is 1301 with what went wrong and where.
    static func load(type code: Int, store: String, password: String, subject: String) throws(SSHServerError) -> any SSHPrivateKey {
        func fail(_ why: String) -> SSHServerError {
            SSHServerError(code: SSHServerError.noHostKey, "no private key found: \(why)")
        }
        guard let type = HostKeyStoreType(rawValue: code) else {
            throw fail("SSHCertStoreType \(code) is not a store type (0–23 or 99)")
        }
        if let reason = type.unsupportedReason { throw fail("SSHCertStoreType \(code) is \(reason)") }
        let text: String
        let origin: String
        if type == .pemKeyFile || (type == .auto && fileExists(store)) {
            text = try readKeyFile(store)
            origin = store
        } else if type == .pemKeyFile || store.isEmpty {
            throw fail(store.isEmpty ? "SSHCertStore is empty" : "\(store): no such file")
        } else {
            text = blobText(store)
            origin = "the key in SSHCertStore"
        }
        let parsed: (key: any SSHPrivateKey, comment: String)
        do {
            parsed = try SSHPrivateKeyFile.parse(text, passphrase: password.isEmpty ? nil : password)
        } catch CryptoError.wrongPassphrase {
            throw fail("\(origin): \(password.isEmpty ? "the key is encrypted; set SSHCertStorePassword" : "wrong passphrase")")
        } catch {
            throw fail("\(origin): \(error)")
        }
        // A bare key has no certificate subject: "*" or "" take it, or its comment names it.
        let wanted = subject.trimmed
        guard wanted.isEmpty || wanted == "*" || wanted == parsed.comment else {
            throw fail("\(origin): its comment \"\(parsed.comment)\" does not match SSHCertSubject \"\(wanted)\"")
        }
        return parsed.key
    }

    private static func fileExists(_ path: String) -> Bool {
        var info = stat()
        return !path.isEmpty && stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// Reads a key file; like sshd, refuses one that others may read.
    private static func readKeyFile(_ path: String) throws(SSHServerError) -> String {
        func fail(_ why: String) -> SSHServerError {
            SSHServerError(code: SSHServerError.noHostKey, "no private key found: \(path): \(why)")
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw fail(String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { throw fail("not a regular file") }
        guard info.st_mode & 0o077 == 0 else {
            throw fail("permissions \(String(info.st_mode & 0o777, radix: 8)) are too open; a host key must not be readable by others (chmod 600)")
        }
        guard info.st_size <= maximumKeyFileBytes else { throw fail("larger than \(maximumKeyFileBytes) bytes") }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var offset = 0
        while offset < bytes.count {
            let got = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress.map { $0 + offset }, $0.count - offset) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { throw fail("read failed") }
            offset += got
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw fail("not a text key file") }
        return text
    }

    /// A blob is the key's text, or that text in base64.
    private static func blobText(_ store: String) -> String {
        if store.contains("-----BEGIN") { return store }
        let compact = store.filter { !$0.isWhitespace }
        if let decoded = Base64.decode(bytes: Array(compact.utf8)), let text = String(validating: decoded, as: UTF8.self),
           text.contains("-----BEGIN")
        {
            return text
        }
        return store
    }
}
