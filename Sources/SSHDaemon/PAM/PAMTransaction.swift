import CPAM
import CShims
#if canImport(Glibc)
import Glibc
#endif

/// One message of a PAM conversation (pam_conv(3)).
struct PAMMessage: Sendable {
    enum Style: Sendable {
        /// A question whose answer is not shown (a password).
        case hiddenPrompt
        /// A question whose answer is shown.
        case visiblePrompt
        case error
        case info
    }

    let style: Style
    let text: String
    var isPrompt: Bool { style == .hiddenPrompt || style == .visiblePrompt }
}

/// One PAM transaction (pam_start … pam_end) for one login, called from one thread at a time
/// off the reactor: every PAM call may block (password hashing, NSS, a conversation waiting for
/// the client). `converse` answers the modules' messages — an answer per message, "" for
/// those that are not prompts — or nil to fail the conversation (PAM_CONV_ERR).
final class PAMTransaction: @unchecked Sendable {
    private var handle: OpaquePointer?
    private let conversation: UnsafeMutablePointer<pam_conv>
    private let box: Unmanaged<ConversationBox>
    private var sessionOpen = false
    let user: String

    /// The most messages one conversation call may carry (PAM_MAX_NUM_MSG).
    static let maximumMessages = 32

    final class ConversationBox {
        let converse: ([PAMMessage]) -> [String]?
        init(_ converse: @escaping ([PAMMessage]) -> [String]?) { self.converse = converse }
    }

    /// Starts a transaction of `service` for `user`, from `remoteHost` (PAM_RHOST, which modules
    /// such as pam_access and faillock read).
    init(service: String, user: String, remoteHost: String, converse: @escaping ([PAMMessage]) -> [String]?) throws(PAMError) {
        self.user = user
        box = Unmanaged.passRetained(ConversationBox(converse))
        conversation = .allocate(capacity: 1)
        conversation.initialize(to: pam_conv(conv: pamConversation, appdata_ptr: box.toOpaque()))
        var started: OpaquePointer?
        let status = pam_start(service, user, conversation, &started)
        guard status == PAM_SUCCESS, let started else {
            conversation.deallocate()
            box.release()
            throw PAMError(status: status, step: "pam_start", text: "cannot start PAM service \(service)")
        }
        handle = started
        pam_set_item(started, PAM_RHOST, remoteHost)
        pam_set_item(started, PAM_TTY, "ssh")
    }

    deinit {
        end()
        conversation.deallocate()
        box.release()
    }

    /// The auth stack (pam_authenticate): the modules ask for the password through `converse`.
    func authenticate() throws(PAMError) {
        try call("pam_authenticate") { pam_authenticate($0, 0) }
    }

    /// The account stack (pam_acct_mgmt): expired, locked, /etc/nologin. Run for every method.
    func checkAccount() throws(PAMError) {
        try call("pam_acct_mgmt") { pam_acct_mgmt($0, 0) }
    }

    /// The session stack (pam_open_session); closed by ``end()``.
    func openSession() throws(PAMError) {
        try call("pam_open_session") { pam_open_session($0, 0) }
        sessionOpen = true
    }

    /// The variables the modules set (pam_getenvlist), `NAME=value`.
    func environment() -> [String] {
        guard let handle, let list = pam_getenvlist(handle) else { return [] }
        var result: [String] = []
        var index = 0
        while let entry = list[index] {
            result.append(String(cString: entry))
            sshd_cleanse(entry, strlen(entry))
            free(entry)
            index += 1
        }
        free(list)
        return result
    }

    /// Closes the session (when open) and ends the transaction. Safe to call twice.
    func end() {
        guard let handle else { return }
        if sessionOpen { pam_close_session(handle, 0) }
        pam_end(handle, PAM_SUCCESS)
        self.handle = nil
    }

    private func call(_ step: String, _ body: (OpaquePointer) -> Int32) throws(PAMError) {
        guard let handle else { throw PAMError(status: PAM_SYSTEM_ERR, step: step, text: "the transaction has ended") }
        let status = body(handle)
        guard status == PAM_SUCCESS else {
            throw PAMError(status: status, step: step, text: pam_strerror(handle, status).map { String(cString: $0) } ?? "error \(status)")
        }
    }
}

/// A PAM call that did not return PAM_SUCCESS.
struct PAMError: Error, CustomStringConvertible {
    let status: Int32
    let step: String
    let text: String
    var description: String { "\(step): \(text)" }
    /// pam_acct_mgmt's "the password has expired and must be changed".
    var needsNewPassword: Bool { status == PAM_NEW_AUTHTOK_REQD }
}

/// The C conversation function: turns the modules' messages into ``PAMMessage``s, asks the
/// transaction's `converse`, and returns malloc'd responses that PAM frees.
private let pamConversation: @convention(c) (
    Int32, UnsafeMutablePointer<UnsafePointer<pam_message>?>?, UnsafeMutablePointer<UnsafeMutablePointer<pam_response>?>?,
    UnsafeMutableRawPointer?
) -> Int32 = { count, messages, responses, appdata in
    guard count > 0, Int(count) <= PAMTransaction.maximumMessages, let messages, let responses, let appdata else { return PAM_CONV_ERR }
    let box = Unmanaged<PAMTransaction.ConversationBox>.fromOpaque(appdata).takeUnretainedValue()
    var asked: [PAMMessage] = []
    for index in 0..<Int(count) {
        guard let message = messages[index]?.pointee else { return PAM_CONV_ERR }
        let text = message.msg.map { String(cString: $0) } ?? ""
        switch message.msg_style {
        case PAM_PROMPT_ECHO_OFF: asked.append(PAMMessage(style: .hiddenPrompt, text: text))
        case PAM_PROMPT_ECHO_ON: asked.append(PAMMessage(style: .visiblePrompt, text: text))
        case PAM_ERROR_MSG: asked.append(PAMMessage(style: .error, text: text))
        case PAM_TEXT_INFO: asked.append(PAMMessage(style: .info, text: text))
        default: return PAM_CONV_ERR
        }
    }
    guard let answers = box.converse(asked), answers.count == asked.count else { return PAM_CONV_ERR }
    guard let array = calloc(Int(count), MemoryLayout<pam_response>.stride)?.assumingMemoryBound(to: pam_response.self) else {
        return PAM_BUF_ERR
    }
    for (index, answer) in answers.enumerated() {
        array[index].resp = asked[index].isPrompt ? strdup(answer) : nil
        array[index].resp_retcode = 0
    }
    responses.pointee = array
    return PAM_SUCCESS
}
