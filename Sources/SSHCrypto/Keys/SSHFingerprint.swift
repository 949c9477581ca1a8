import COpenSSL

/// Key fingerprints as `ssh-keygen -l` prints them.
public enum SSHFingerprint {
    /// `SHA256:` and the unpadded base64 of the SHA-256 of the public key blob (OpenSSH 6.8+ default).
    public static func sha256(blob: [UInt8]) -> String {
        "SHA256:" + Base64.encode(HashFunction.sha256.hash(blob), padding: false)
    }

    /// `MD5:` and the colon-separated hex of the MD5 of the blob (RFC 4716 §4; the legacy form
    /// `ssh-keygen -E md5` prints).
    public static func md5(blob: [UInt8]) -> String {
        OpenSSL.initialize()
        var digest = [UInt8](repeating: 0, count: 16)
        var length: UInt32 = 0
        let ok = digest.withUnsafeMutableBufferPointer { out in
            EVPKey.withNonNullBytes(blob) { EVP_Digest($0, $1, out.baseAddress, &length, EVP_md5(), nil) }
        }
        guard ok == 1, length == 16 else { return "MD5:" }
        let hex = Array("0123456789abcdef".utf8)
        let pairs = digest.map { String(decoding: [hex[Int($0 >> 4)], hex[Int($0 & 0x0F)]], as: UTF8.self) }
        return "MD5:" + pairs.joined(separator: ":")
    }
}

extension SSHPublicKey {
    /// The `SHA256:…` fingerprint (``SSHFingerprint/sha256(blob:)``).
    public var sha256Fingerprint: String { SSHFingerprint.sha256(blob: wireBlob) }
    /// The legacy `MD5:xx:…` fingerprint (``SSHFingerprint/md5(blob:)``).
    public var md5Fingerprint: String { SSHFingerprint.md5(blob: wireBlob) }
}

extension SSHPublicKey {
    /// The key size in bits as `ssh-keygen -l` prints it: 256 for Ed25519, the curve size for
    /// ECDSA, the modulus size for RSA; 0 for a type we do not know.
    public var bits: Int {
        switch self {
        case is Ed25519PublicKey: 256
        case let key as ECDSAPublicKey: key.curve.bits
        case let key as RSAPublicKey: RSAPublicKey.bitCount(key.modulus)
        default: 0
        }
    }

    /// The short type name OpenSSH prints in `ssh-keygen -l` and in its log lines
    /// (`Accepted publickey for … ssh2: ED25519 SHA256:…`): `ED25519`, `ECDSA`, `RSA`.
    public var displayTypeName: String {
        switch keyType {
        case "ssh-ed25519": "ED25519"
        case "ssh-rsa": "RSA"
        case let type where type.hasPrefix("ecdsa-sha2-"): "ECDSA"
        case let type: type.uppercased()
        }
    }
}
