import Foundation
import SSHCrypto

/// The daemon's host keys: OpenSSH-format private key files (`HostKey`), as `ssh-keygen` writes
/// them, and `swift-sshd keygen`, which makes the missing ones (ssh-keygen -A's job for sshd).
public enum HostKeyFiles {
    /// The key a file's name asks for: ed25519, ECDSA P-256 or RSA 3072, as in OpenSSH's
    /// `ssh_host_ed25519_key`, `ssh_host_ecdsa_key` and `ssh_host_rsa_key`.
    public enum Kind: String, Sendable, CaseIterable {
        case ed25519, ecdsa, rsa

        /// The kind named in `path`'s file name, or nil.
        public init?(path: String) {
            let name = (path as NSString).lastPathComponent.lowercased()
            guard let kind = Kind.allCases.first(where: { name.contains($0.rawValue) }) else { return nil }
            self = kind
        }

        func generate() throws -> any SSHPrivateKey {
            switch self {
            case .ed25519: try SSHKeyGenerator.generateEd25519()
            case .ecdsa: try SSHKeyGenerator.generateECDSA(curve: .p256)
            case .rsa: try SSHKeyGenerator.generateRSA(bits: 3072)
            }
        }
    }

    /// A host key file that cannot be used, with the reason.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Reads every file; a missing or unreadable file, a bad key, or a file others may read is a
    /// problem (like sshd, a private key readable by group or others is refused).
    public static func load(_ paths: [String], passphrase: String = "") throws(Problem) -> [any SSHPrivateKey] {
        var keys: [any SSHPrivateKey] = []
        for path in paths {
            var info = stat()
            guard stat(path, &info) == 0 else {
                throw Problem(path: path, reason: "\(String(cString: strerror(errno))) (run swift-sshd keygen to make the host keys)")
            }
            guard info.st_mode & 0o077 == 0 else {
                throw Problem(path: path, reason: "permissions \(String(info.st_mode & 0o777, radix: 8)) are too open: a private key must not be readable by others (chmod 600)")
            }
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw Problem(path: path, reason: "cannot be read")
            }
            do {
                keys.append(try SSHPrivateKeyFile.parse(text, passphrase: passphrase.isEmpty ? nil : passphrase).key)
            } catch {
                throw Problem(path: path, reason: "not a private key: \(error)")
            }
        }
        return keys
    }

    /// Makes each missing file (mode 0600, with a `.pub` beside it), creating its directory
    /// (0755); files that exist are left alone. Returns one line per key made: the path and its
    /// SHA256 fingerprint.
    public static func generateMissing(_ paths: [String]) throws(Problem) -> [String] {
        var made: [String] = []
        for path in paths where !FileManager.default.fileExists(atPath: path) {
            guard let kind = Kind(path: path) else {
                throw Problem(path: path, reason: "the file name must contain ed25519, ecdsa or rsa to say which key to make")
            }
            do {
                let directory = (path as NSString).deletingLastPathComponent
                if !directory.isEmpty {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
                }
                let key = try kind.generate()
                let comment = "root@\(ProcessInfo.processInfo.hostName)"
                let text = try SSHPrivateKeyFile.openSSHFormat(key, comment: comment, passphrase: nil)
                let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
                guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
                let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
                try handle.write(contentsOf: Data(text.utf8))
                try handle.close()
                let publicLine = SSHPublicKeyLine(key: key.publicKey, comment: comment).text + "\n"
                _ = FileManager.default.createFile(atPath: path + ".pub", contents: Data(publicLine.utf8), attributes: [.posixPermissions: 0o644])
                made.append("\(path): \(kind.rawValue) \(SSHFingerprint.sha256(blob: key.publicKey.wireBlob))")
            } catch {
                throw Problem(path: path, reason: "cannot be written: \(error)")
            }
        }
        return made
    }
}
