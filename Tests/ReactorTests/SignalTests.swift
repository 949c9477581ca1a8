import Testing

@testable import Reactor

#if canImport(Glibc)
import Glibc
#endif

@Suite("Reactor signals")
struct SignalTests {
    /// Each case runs on a thread of its own that blocks the signal and then sends it to
    /// itself with `pthread_kill`. A thread-directed signal can only be taken by the thread it
    /// is sent to, and that thread blocks it, so no other thread of the (multi-threaded) test
    /// process can take it and the default action (terminate, for SIGUSR1) cannot happen: it
    /// stays pending until the reactor's signalfd reads it.
    @Test("a blocked signal sent to the reactor's thread arrives through the signalfd",
          arguments: [SIGUSR1, SIGUSR2, SIGWINCH])
    func signalArrives(signal: Int32) throws {
        let received = try onNewThread { () throws -> [Int32] in
            try Signals.blockInThisThread([signal])
            let reactor = try Reactor()
            var received: [Int32] = []
            try reactor.watchSignals([signal]) { received.append($0.signal) }
            let rc = pthread_kill(pthread_self(), signal)
            guard rc == 0 else { throw SystemError(syscall: "pthread_kill", errno: rc) }
            try drive(reactor) { !received.isEmpty }
            return received
        }
        #expect(received == [signal])
    }

    @Test("two watched signals each reach their own handler, and the sender is this process")
    func twoSignals() throws {
        let result = try onNewThread { () throws -> ([String], [pid_t]) in
            try Signals.blockInThisThread([SIGUSR1, SIGUSR2])
            let reactor = try Reactor()
            var received: [String] = []
            var senders: [pid_t] = []
            try reactor.watchSignals([SIGUSR1]) { received.append("usr1"); senders.append($0.pid) }
            try reactor.watchSignals([SIGUSR2]) { received.append("usr2"); senders.append($0.pid) }
            _ = pthread_kill(pthread_self(), SIGUSR2)
            try drive(reactor) { received.count == 1 }
            _ = pthread_kill(pthread_self(), SIGUSR1)
            try drive(reactor) { received.count == 2 }
            return (received, senders)
        }
        #expect(result.0 == ["usr2", "usr1"])
        #expect(result.1 == [getpid(), getpid()])
    }

    @Test("watching a signal that is not blocked is refused")
    func notBlocked() throws {
        let outcome = try onNewThread { () -> ReactorError? in
            // A new thread inherits its creator's mask, and the test runner's threads may block
            // everything, so unblock SIGTTOU here (only in this thread) first.
            try Signals.unblockInThisThread([SIGTTOU])
            let reactor = try Reactor()
            do {
                try reactor.watchSignals([SIGTTOU]) { _ in }
                return nil
            } catch let error as ReactorError {
                return error
            }
        }
        #expect(outcome == .signalNotBlocked(SIGTTOU))
    }

    @Test("blocking and unblocking change this thread's mask")
    func maskRoundTrip() throws {
        let states = try onNewThread { () throws -> [Bool] in
            try Signals.unblockInThisThread([SIGUSR1])  // start from a known mask (see above)
            var states = [Signals.isBlockedInThisThread(SIGUSR1)]
            try Signals.blockInThisThread([SIGUSR1])
            states.append(Signals.isBlockedInThisThread(SIGUSR1))
            try Signals.unblockInThisThread([SIGUSR1])
            states.append(Signals.isBlockedInThisThread(SIGUSR1))
            return states
        }
        #expect(states == [false, true, false])
    }

    @Test("SIGRTMIN is a real-time signal number")
    func realTimeMinimum() {
        #expect(Signals.realTimeMinimum > SIGSYS)
    }
}
