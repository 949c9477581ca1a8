// User-authentication generic messages (RFC 4252 §5, numbers 50–59).

// MARK: - Request

/// `SSH_MSG_USERAUTH_REQUEST` (RFC 4252 §5): one authentication attempt.
public struct SSHMsgUserAuthRequest: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.userAuthRequest

    /// UTF-8 user name (RFC 4252 §5).
    public var userName: String
    /// The service to start after authentication, e.g. `ssh-connection`.
    public var serviceName: String
    /// The method and its method-specific fields; the method name on the wire is
    /// ``SSHUserAuthMethod/methodName``.
    public var method: SSHUserAuthMethod

    public init(userName: String, serviceName: String, method: SSHUserAuthMethod) {
        self.userName = userName
        self.serviceName = serviceName
        self.method = method
    }

    /// The method name on the wire (``SSHUserAuthMethod/methodName``).
    public var methodName: String { method.methodName }

    public init(from reader: inout SSHReader) throws {
        userName = try reader.readText("user name")
        serviceName = try reader.readText("service name")
        method = try SSHUserAuthMethod(from: &reader)
    }

    public func writeBody(to writer: inout SSHWriter) {
        writer.writeText(userName)
        writer.writeText(serviceName)
        method.write(to: &writer)
    }

    /// The bytes a `publickey` (RFC 4252 §7) or `publickey-hostbound-v00@openssh.com` (OpenSSH
    /// PROTOCOL, `publickey-hostbound@openssh.com`) signature covers:
    ///
    ///     string  session identifier
    ///     byte    SSH_MSG_USERAUTH_REQUEST
    ///     string  user name
    ///     string  service name
    ///     string  method name
    ///     boolean TRUE
    ///     string  public key algorithm name
    ///     string  public key blob
    ///     string  server host key blob      (hostbound variant only, when `hostKeyBlob` is non-nil)
    public static func publicKeySignedData(
        sessionIdentifier: [UInt8],
        userName: String,
        serviceName: String,
        methodName: String,
        algorithm: String,
        publicKeyBlob: [UInt8],
        hostKeyBlob: [UInt8]?
    ) -> [UInt8] {
        SSHWriter.encode { writer in
            writer.writeString(sessionIdentifier)
            writer.writeByte(messageNumber)
            writer.writeText(userName)
            writer.writeText(serviceName)
            writer.writeText(methodName)
            writer.writeBool(true)
            writer.writeText(algorithm)
            writer.writeString(publicKeyBlob)
            if let hostKeyBlob { writer.writeString(hostKeyBlob) }
        }
    }

    /// The bytes this request's signature covers, or nil unless the method is `publickey` or
    /// `publickey-hostbound-v00@openssh.com` (whether or not a signature is attached).
    public func publicKeySignedData(sessionIdentifier: [UInt8]) -> [UInt8]? {
        switch method {
        case .publicKey(let algorithm, let blob, _):
            return Self.publicKeySignedData(
                sessionIdentifier: sessionIdentifier, userName: userName, serviceName: serviceName,
                methodName: method.methodName, algorithm: algorithm, publicKeyBlob: blob, hostKeyBlob: nil)
        case .publicKeyHostBound(let algorithm, let blob, let hostKey, _):
            return Self.publicKeySignedData(
                sessionIdentifier: sessionIdentifier, userName: userName, serviceName: serviceName,
                methodName: method.methodName, algorithm: algorithm, publicKeyBlob: blob, hostKeyBlob: hostKey)
        case .none, .password, .keyboardInteractive, .hostBased, .unknown:
            return nil
        }
    }
}

// MARK: - Failure, success, banner

/// `SSH_MSG_USERAUTH_FAILURE` (RFC 4252 §5.1).
public struct SSHMsgUserAuthFailure: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.userAuthFailure

    /// The methods that may productively continue.
    public var methods: [String]
    /// TRUE when this attempt succeeded but more methods are required.
    public var partialSuccess: Bool

    public init(methods: [String], partialSuccess: Bool) {
        self.methods = methods
        self.partialSuccess = partialSuccess
    }

    public init(from reader: inout SSHReader) throws {
        methods = try reader.readNameList("authentications that can continue")
        partialSuccess = try reader.readBool("partial success")
    }

    public func writeBody(to writer: inout SSHWriter) {
        writer.writeNameList(methods)
        writer.writeBool(partialSuccess)
    }
}

/// `SSH_MSG_USERAUTH_SUCCESS` (RFC 4252 §5.1): no fields.
public struct SSHMsgUserAuthSuccess: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.userAuthSuccess

    public init() {}

    public init(from reader: inout SSHReader) throws {}

    public func writeBody(to writer: inout SSHWriter) {}
}

/// `SSH_MSG_USERAUTH_BANNER` (RFC 4252 §5.4).
public struct SSHMsgUserAuthBanner: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.userAuthBanner

    public var message: String
    public var languageTag: String

    public init(message: String, languageTag: String = "") {
        self.message = message
        self.languageTag = languageTag
    }

    public init(from reader: inout SSHReader) throws {
        message = try reader.readText("banner message")
        languageTag = try reader.readText("banner language tag")
    }

    public func writeBody(to writer: inout SSHWriter) {
        writer.writeText(message)
        writer.writeText(languageTag)
    }
}
