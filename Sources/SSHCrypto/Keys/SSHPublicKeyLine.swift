/// One public key in OpenSSH's one-line text form, `type base64-blob [comment]`, as in `.pub`
/// files and `authorized_keys` lines without options (sshd(8) "AUTHORIZED_KEYS FILE FORMAT";
/// RFC 4716 describes a different, multi-line format).
public struct SSHPublicKeyLine: Sendable {
    public let key: any SSHPublicKey
    /// The comment after the blob (may contain spaces), or "".
    public let comment: String

    public init(key: any SSHPublicKey, comment: String = "") {
        self.key = key
        self.comment = comment
    }

    /// Parses `type base64 [comment]`. Fields are separated by spaces or tabs; leading and trailing
    /// whitespace (and a final newline) is ignored. Throws when the base64 or the blob is malformed,
    /// or when the type in front does not match the type inside the blob.
    public init(parsing line: String) throws {
        let bytes = Array(line.utf8)
        guard bytes.count <= Self.maximumLineLength else {
            throw CryptoError.invalidKey("public key line longer than \(Self.maximumLineLength) bytes")
        }
        func isBlank(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
        }
        var index = 0
        func skipBlanks() { while index < bytes.count, isBlank(bytes[index]) { index += 1 } }
        func field() -> ArraySlice<UInt8> {
            let start = index
            while index < bytes.count, !isBlank(bytes[index]) { index += 1 }
            return bytes[start..<index]
        }
        skipBlanks()
        let typeField = field()
        skipBlanks()
        let blobField = field()
        skipBlanks()
        var end = bytes.count
        while end > index, isBlank(bytes[end - 1]) { end -= 1 }
        let commentBytes = bytes[index..<max(index, end)]
        guard !typeField.isEmpty, !blobField.isEmpty else { throw CryptoError.invalidKey("public key line needs a type and a key") }
        guard let blob = Base64.decode(bytes: Array(blobField)) else { throw CryptoError.invalidKey("public key is not valid base64") }
        let key = try SSHKeys.parsePublicKey(blob: blob)
        guard String(decoding: typeField, as: UTF8.self) == key.keyType else {
            throw CryptoError.invalidKey("key type \(String(decoding: typeField, as: UTF8.self)) does not match the key (\(key.keyType))")
        }
        self.key = key
        self.comment = String(decoding: commentBytes, as: UTF8.self)
    }

    /// `type base64 comment` (no comment: `type base64`), without a newline.
    public var text: String {
        let head = key.keyType + " " + Base64.encode(key.wireBlob)
        return comment.isEmpty ? head : head + " " + comment
    }

    /// The longest line we parse: OpenSSH's `SSH_MAX_PUBKEY_BYTES` (16,384) of blob in base64,
    /// plus room for the type and a comment.
    public static let maximumLineLength = SSHKeyLimits.maximumPublicKeyBlobLength * 4 / 3 + 4096
}
