import Testing

@testable import Reactor

@Suite("Reactor timers")
struct TimerTests {
    @Test("timers fire in deadline order and a cancelled timer never fires")
    func deadlineOrder() throws {
        let reactor = try Reactor()
        var fired: [Int] = []
        var cancelledFromHandler: TimerID?
        for delay in [30, 20, 0, 50] {
            reactor.schedule(after: delay) { fired.append(delay) }
        }
        reactor.schedule(after: 10) {
            fired.append(10)
            if let cancelledFromHandler { reactor.cancel(cancelledFromHandler) }
        }
        let cancelled = reactor.schedule(after: 15) { fired.append(15) }
        cancelledFromHandler = reactor.schedule(after: 40) { fired.append(40) }
        reactor.cancel(cancelled)
        #expect(reactor.pendingTimers == 6)
        try drive(reactor) { fired.count >= 5 }
        #expect(fired == [0, 10, 20, 30, 50])
        #expect(reactor.pendingTimers == 0)
    }

    @Test("timers with the same deadline fire in the order they were scheduled")
    func sameDeadline() throws {
        let reactor = try Reactor()
        var fired: [Int] = []
        for index in 0..<20 { reactor.schedule(after: 0) { fired.append(index) } }
        try drive(reactor) { fired.count == 20 }
        #expect(fired == Array(0..<20))
    }

    @Test("a timer scheduled inside a handler fires, on a later turn")
    func scheduleFromHandler() throws {
        let reactor = try Reactor()
        var turn = 0
        var firstTurn = -1
        var secondTurn = -1
        reactor.schedule(after: 0) {
            firstTurn = turn
            reactor.schedule(after: 0) { secondTurn = turn }
        }
        var turns = 0
        while secondTurn < 0 && turns < maxTurns {
            try reactor.doEvents(waitMillis: turnWaitMillis)
            turn += 1
            turns += 1
        }
        #expect(firstTurn >= 0)
        #expect(secondTurn > firstTurn)
    }

    @Test("a timer cancelled by an earlier handler in the same turn does not fire")
    func cancelInsideTurn() throws {
        let reactor = try Reactor()
        var fired: [String] = []
        var victim: TimerID?
        reactor.schedule(after: 0) {
            fired.append("first")
            if let victim { reactor.cancel(victim) }
        }
        victim = reactor.schedule(after: 0) { fired.append("victim") }
        reactor.schedule(after: 1) { fired.append("last") }
        try drive(reactor) { fired.contains("last") }
        #expect(fired == ["first", "last"])
    }

    @Test("doEvents returns when the wait elapses with nothing ready")
    func emptyWait() throws {
        let reactor = try Reactor()
        #expect(try reactor.doEvents(waitMillis: 1) == 0)
        #expect(try reactor.doEvents(waitMillis: 0) == 0)
        // A far-off timer does not make the wait longer, nor fire.
        var fired = false
        reactor.schedule(after: 3_600_000) { fired = true }
        #expect(try reactor.doEvents(waitMillis: 2) == 0)
        #expect(!fired)
    }

    @Test("re-arming a timer many times keeps the heap bounded")
    func rearmBounded() throws {
        let reactor = try Reactor()
        var timer = reactor.schedule(after: 3_600_000) {}
        for _ in 0..<10_000 {
            reactor.cancel(timer)
            timer = reactor.schedule(after: 3_600_000) {}
        }
        #expect(reactor.pendingTimers == 1)
        #expect(reactor.timerHeapCountForTesting <= 2 + Reactor.Limits.timerCompactionSlack + 1)
    }

    /// Deadlines from a fixed scramble of the ids (7919 is prime), so ties and disorder both occur.
    @Test("the timer heap pops in (deadline, id) order", arguments: [1, 2, 7, 64, 500])
    func heapOrder(count: Int) {
        var heap = TimerHeap()
        var inserted: [TimerHeap.Entry] = []
        for id in 0..<UInt64(count) {
            let entry = TimerHeap.Entry(deadline: (id &* 7_919 &+ UInt64(count)) % 50, id: id)
            inserted.append(entry)
            heap.insert(entry)
        }
        var popped: [UInt64] = []
        while let entry = heap.popFirst() { popped.append(entry.id) }
        let expected = inserted.sorted { ($0.deadline, $0.id) < ($1.deadline, $1.id) }.map(\.id)
        #expect(popped == expected)
    }
}
