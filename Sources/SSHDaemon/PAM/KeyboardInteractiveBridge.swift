import Foundation
import SSHKit

/// Carries a PAM conversation between the PAM thread and the client (RFC 4256): the thread's
/// prompts go to the reactor, which sends them as USERAUTH_INFO_REQUEST; the client's answers
/// come back and wake the thread. Text-only messages are kept and shown with the next prompts.
final class KeyboardInteractiveBridge: @unchecked Sendable {
    /// How long a PAM thread waits for the client's answers before failing the conversation.
    static let answerTimeout: TimeInterval = 120

    private let condition = NSCondition()
    private var answers: [String]?
    private var cancelled = false
    private var pendingText: [String] = []
    /// Sends one round on the reactor: instruction and prompts (text, echo).
    private let ask: @Sendable (String, [(String, Bool)]) -> Void

    init(ask: @escaping @Sendable (String, [(String, Bool)]) -> Void) { self.ask = ask }

    /// The conversation function, on the PAM thread: blocks until the client answers, the
    /// connection goes (nil), or ``answerTimeout`` passes (nil).
    func converse(_ messages: [PAMMessage]) -> [String]? {
        let prompts = messages.filter(\.isPrompt)
        guard !prompts.isEmpty else {
            condition.withLock { pendingText += messages.map(\.text) }
            return messages.map { _ in "" }
        }
        let instruction: String = condition.withLock {
            let text = (pendingText + messages.filter { !$0.isPrompt }.map(\.text)).joined(separator: "\n")
            pendingText = []
            answers = nil
            return text
        }
        ask(instruction, prompts.map { ($0.text, $0.style == .visiblePrompt) })
        let deadline = Date().addingTimeInterval(Self.answerTimeout)
        condition.lock()
        defer { condition.unlock() }
        while answers == nil, !cancelled, condition.wait(until: deadline) {}
        guard let given = answers, !cancelled, given.count == prompts.count else { return nil }
        answers = nil
        var next = given.makeIterator()
        return messages.map { $0.isPrompt ? next.next() ?? "" : "" }
    }

    /// The client's answers to the last round (on the reactor).
    func deliver(_ given: [String]) {
        condition.withLock {
            answers = given
            condition.broadcast()
        }
    }

    /// The connection is gone: the waiting conversation fails.
    func cancel() {
        condition.withLock {
            cancelled = true
            condition.broadcast()
        }
    }
}
