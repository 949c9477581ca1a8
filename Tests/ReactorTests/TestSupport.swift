import Testing

@testable import Reactor

#if canImport(Glibc)
import Glibc
#endif

/// Hang guard for the loops below: how many turns a test drives before it gives up. Not a
/// timing assertion — a passing test stops as soon as its condition holds.
let maxTurns = 2_000

/// Hang guard: the wait of each turn.
let turnWaitMillis = 5

/// Runs `reactor` until `condition` holds or ``maxTurns`` turns have passed; returns whether
/// it holds.
@discardableResult
func drive(_ reactor: Reactor, until condition: () -> Bool) throws -> Bool {
    var turns = 0
    while !condition() {
        guard turns < maxTurns else { return false }
        try reactor.doEvents(waitMillis: turnWaitMillis)
        turns += 1
    }
    return true
}

/// Runs `body` on a new thread and returns its result (so a test can own a thread's signal
/// mask, or a reactor, without touching the test runner's threads). Expectations are checked
/// by the caller, on the test's own thread.
func onNewThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
    let box = ResultBox<T>()
    let thread = try PosixThread.spawn { box.set(Result { try body() }) }
    thread.join()
    guard let result = box.take() else { throw TestFailure("thread produced no result") }
    return try result.get()
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A value handed from one thread to another under a lock.
final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let lock = PosixLock()
    private var value: Result<T, any Error>?

    func set(_ value: Result<T, any Error>) { lock.withLock { self.value = value } }
    func take() -> Result<T, any Error>? { lock.withLock { value } }
}

/// State that only the reactor's thread touches, captured by `@Sendable` closures that run
/// there (posted work, pool completions).
final class ReactorThreadLog<Entry>: @unchecked Sendable {
    var entries: [Entry] = []
}

/// A thread-safe counter.
final class AtomicCounter: @unchecked Sendable {
    private let lock = PosixLock()
    private var count = 0

    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

/// A latch: threads wait until it is opened.
final class Gate: @unchecked Sendable {
    private let lock = PosixLock()
    private let condition = PosixCondition()
    private var isOpen = false

    func open() {
        lock.withLock { isOpen = true }
        condition.broadcast()
    }

    func wait() {
        lock.lock()
        while !isOpen { lock.wait(condition) }
        lock.unlock()
    }
}
