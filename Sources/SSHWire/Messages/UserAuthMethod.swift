/// The method-specific part of `SSH_MSG_USERAUTH_REQUEST`: the method name and its fields.
///
/// Decoding picks the case from the method name. A value built by hand must not use
/// ``unknown(name:data:)`` with the name of a typed case, or it would encode to a request that
/// decodes as that case.
public enum SSHUserAuthMethod: Equatable, Sendable {
    /// `none` (RFC 4252 §5.2): asks for the list of methods that can continue.
    case none
    /// `password` (RFC 4252 §8). With `newPassword`, the boolean on the wire is TRUE and
    /// `password` is the old password.
    case password(password: String, newPassword: String?)
    /// `publickey` (RFC 4252 §7). Without a signature (boolean FALSE) it is a query answered by
    /// `SSH_MSG_USERAUTH_PK_OK`.
    case publicKey(algorithm: String, publicKeyBlob: [UInt8], signature: [UInt8]?)
    /// `publickey-hostbound-v00@openssh.com` (OpenSSH PROTOCOL, `publickey-hostbound@openssh.com`):
    /// `publickey` plus the server host key blob, which the signature also covers.
    case publicKeyHostBound(algorithm: String, publicKeyBlob: [UInt8], hostKeyBlob: [UInt8], signature: [UInt8]?)
    /// `keyboard-interactive` (RFC 4256 §3.1).
    case keyboardInteractive(languageTag: String, submethods: String)
    /// `hostbased` (RFC 4252 §9).
    case hostBased(
        algorithm: String, hostKeyBlob: [UInt8], clientHostName: String, clientUserName: String,
        signature: [UInt8])
    /// Any other method; `data` is the rest of the payload after the method name.
    case unknown(name: String, data: [UInt8])

    /// Method names (RFC 4252 §5, RFC 4256 §3.1, OpenSSH PROTOCOL, `publickey-hostbound@openssh.com`).
    public enum Name {
        public static let none = "none"
        public static let password = "password"
        public static let publicKey = "publickey"
        public static let publicKeyHostBound = "publickey-hostbound-v00@openssh.com"
        public static let keyboardInteractive = "keyboard-interactive"
        public static let hostBased = "hostbased"
    }

    /// The method name written on the wire.
    public var methodName: String {
        switch self {
        case .none: Name.none
        case .password: Name.password
        case .publicKey: Name.publicKey
        case .publicKeyHostBound: Name.publicKeyHostBound
        case .keyboardInteractive: Name.keyboardInteractive
        case .hostBased: Name.hostBased
        case .unknown(let name, _): name
        }
    }

    /// Reads the method name and the method's fields; an unknown method takes the rest of the input.
    init(from reader: inout SSHReader) throws {
        let name = try reader.readText("method name")
        switch name {
        case Name.none:
            self = .none
        case Name.password:
            let changing = try reader.readBool("password change flag")
            let password = try reader.readText("password")
            let newPassword = changing ? try reader.readText("new password") : nil
            self = .password(password: password, newPassword: newPassword)
        case Name.publicKey:
            let hasSignature = try reader.readBool("publickey has signature")
            let algorithm = try reader.readText("publickey algorithm")
            let blob = try reader.readString("publickey blob")
            let signature = hasSignature ? try reader.readString("publickey signature") : nil
            self = .publicKey(algorithm: algorithm, publicKeyBlob: blob, signature: signature)
        case Name.publicKeyHostBound:
            let hasSignature = try reader.readBool("publickey has signature")
            let algorithm = try reader.readText("publickey algorithm")
            let blob = try reader.readString("publickey blob")
            let hostKey = try reader.readString("server host key")
            let signature = hasSignature ? try reader.readString("publickey signature") : nil
            self = .publicKeyHostBound(
                algorithm: algorithm, publicKeyBlob: blob, hostKeyBlob: hostKey, signature: signature)
        case Name.keyboardInteractive:
            let languageTag = try reader.readText("keyboard-interactive language tag")
            let submethods = try reader.readText("keyboard-interactive submethods")
            self = .keyboardInteractive(languageTag: languageTag, submethods: submethods)
        case Name.hostBased:
            let algorithm = try reader.readText("hostbased algorithm")
            let hostKey = try reader.readString("hostbased host key")
            let hostName = try reader.readText("hostbased client host name")
            let userName = try reader.readText("hostbased client user name")
            let signature = try reader.readString("hostbased signature")
            self = .hostBased(
                algorithm: algorithm, hostKeyBlob: hostKey, clientHostName: hostName, clientUserName: userName,
                signature: signature)
        default:
            self = .unknown(name: name, data: reader.readRemaining())
        }
    }

    /// Writes the method name and the method's fields.
    func write(to writer: inout SSHWriter) {
        writer.writeText(methodName)
        switch self {
        case .none:
            break
        case .password(let password, let newPassword):
            writer.writeBool(newPassword != nil)
            writer.writeText(password)
            if let newPassword { writer.writeText(newPassword) }
        case .publicKey(let algorithm, let blob, let signature):
            writer.writeBool(signature != nil)
            writer.writeText(algorithm)
            writer.writeString(blob)
            if let signature { writer.writeString(signature) }
        case .publicKeyHostBound(let algorithm, let blob, let hostKey, let signature):
            writer.writeBool(signature != nil)
            writer.writeText(algorithm)
            writer.writeString(blob)
            writer.writeString(hostKey)
            if let signature { writer.writeString(signature) }
        case .keyboardInteractive(let languageTag, let submethods):
            writer.writeText(languageTag)
            writer.writeText(submethods)
        case .hostBased(let algorithm, let hostKey, let hostName, let userName, let signature):
            writer.writeText(algorithm)
            writer.writeString(hostKey)
            writer.writeText(hostName)
            writer.writeText(userName)
            writer.writeString(signature)
        case .unknown(_, let data):
            writer.writeBytes(data)
        }
    }
}
