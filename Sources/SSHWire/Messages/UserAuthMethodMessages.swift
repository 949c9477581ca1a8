// User-authentication method messages (numbers 60–79).
//
// These numbers are reused by every method (RFC 4250 §4.1.2), so ``SSHMessage/decode(_:)``
// returns them as ``SSHMessage/userAuthMethod(number:payload:)`` and the party that knows the
// method in progress decodes them with one of these types.

// MARK: - publickey and password

/// `SSH_MSG_USERAUTH_PK_OK` (RFC 4252 §7): the server would accept a signature from this key.
public struct SSHMsgUserAuthPKOK: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.userAuthPKOK

    public var algorithm: String
    public var publicKeyBlob: [UInt8]

    public init(algorithm: String, publicKeyBlob: [UInt8]) {
        self.algorithm = algorithm
        self.publicKeyBlob = publicKeyBlob
    }

    public init(from reader: inout SSHReader) throws {
        algorithm = try reader.readText("pk_ok algorithm")
        publicKeyBlob = try reader.readString("pk_ok blob")
    }

    public func writeBody(to writer: inout SSHWriter) {
        writer.writeText(algorithm)
        writer.writeString(publicKeyBlob)
    }
}

/// `SSH_MSG_USERAUTH_PASSWD_CHANGEREQ` (RFC 4252 §8): the password has expired.
public struct SSHMsgUserAuthPasswdChangeReq: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.userAuthPasswdChangeReq

    public var prompt: String
    public var languageTag: String

    public init(prompt: String, languageTag: String = "") {
        self.prompt = prompt
        self.languageTag = languageTag
    }

    public init(from reader: inout SSHReader) throws {
        prompt = try reader.readText("password change prompt")
        languageTag = try reader.readText("password change language tag")
    }

    public func writeBody(to writer: inout SSHWriter) {
        writer.writeText(prompt)
        writer.writeText(languageTag)
    }
}

// MARK: - keyboard-interactive (RFC 4256 §3.2–§3.4)

/// `SSH_MSG_USERAUTH_INFO_REQUEST` (RFC 4256 §3.2).
public struct SSHMsgUserAuthInfoRequest: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.userAuthInfoRequest

    public var name: String
    public var instruction: String
    public var languageTag: String
    /// At most ``SSHWireLimits/maximumKeyboardInteractivePromptCount``.
    public var prompts: [SSHKeyboardInteractivePrompt]

    public init(
        name: String, instruction: String, languageTag: String = "", prompts: [SSHKeyboardInteractivePrompt]
    ) {
        self.name = name
        self.instruction = instruction
        self.languageTag = languageTag
        self.prompts = prompts
    }

    public init(from reader: inout SSHReader) throws {
        name = try reader.readText("info request name")
        instruction = try reader.readText("info request instruction")
        languageTag = try reader.readText("info request language tag")
        let count = try reader.readCount(
            "info request prompt count", limit: SSHWireLimits.maximumKeyboardInteractivePromptCount)
        var prompts: [SSHKeyboardInteractivePrompt] = []
        prompts.reserveCapacity(count)
        for _ in 0..<count {
            let prompt = try reader.readText("info request prompt")
            let echo = try reader.readBool("info request echo")
            prompts.append(SSHKeyboardInteractivePrompt(prompt: prompt, echo: echo))
        }
        self.prompts = prompts
    }

    public func writeBody(to writer: inout SSHWriter) {
        writer.writeText(name)
        writer.writeText(instruction)
        writer.writeText(languageTag)
        writer.writeUInt32(UInt32(truncatingIfNeeded: prompts.count))
        for prompt in prompts {
            writer.writeText(prompt.prompt)
            writer.writeBool(prompt.echo)
        }
    }
}

/// One prompt of ``SSHMsgUserAuthInfoRequest`` (RFC 4256 §3.2).
public struct SSHKeyboardInteractivePrompt: Equatable, Sendable {
    public var prompt: String
    /// Whether the client should echo what the user types.
    public var echo: Bool

    public init(prompt: String, echo: Bool) {
        self.prompt = prompt
        self.echo = echo
    }
}

/// `SSH_MSG_USERAUTH_INFO_RESPONSE` (RFC 4256 §3.4): one response per prompt, in order.
public struct SSHMsgUserAuthInfoResponse: SSHMessageCodable, Equatable, Sendable {
    public static let messageNumber = SSHMessageNumber.userAuthInfoResponse

    /// At most ``SSHWireLimits/maximumKeyboardInteractiveResponseCount``.
    public var responses: [String]

    public init(responses: [String]) { self.responses = responses }

    public init(from reader: inout SSHReader) throws {
        let count = try reader.readCount(
            "info response count", limit: SSHWireLimits.maximumKeyboardInteractiveResponseCount)
        var responses: [String] = []
        responses.reserveCapacity(count)
        for _ in 0..<count {
            responses.append(try reader.readText("info response"))
        }
        self.responses = responses
    }

    public func writeBody(to writer: inout SSHWriter) {
        writer.writeUInt32(UInt32(truncatingIfNeeded: responses.count))
        for response in responses { writer.writeText(response) }
    }
}
