#if canImport(Glibc)
import Glibc
#endif

// The epoll event loop (DESIGN §5). It knows nothing of SSH.

/// What a registration waits for.
public struct Interest: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Data to read, a connection to accept, or end of file.
    public static let readable = Interest(rawValue: 1 << 0)
    /// Room to write, or a non-blocking connect has finished.
    public static let writable = Interest(rawValue: 1 << 1)
}

/// What epoll reported for a descriptor. `hangup` and `error` come whatever the interest.
public struct Readiness: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let readable = Readiness(rawValue: 1 << 0)
    public static let writable = Readiness(rawValue: 1 << 1)
    /// The peer shut down its writing side (`EPOLLRDHUP`); reads will reach end of file.
    public static let readHangup = Readiness(rawValue: 1 << 2)
    /// Both directions are closed (`EPOLLHUP`).
    public static let hangup = Readiness(rawValue: 1 << 3)
    /// An error is pending (`EPOLLERR`); for a socket, `SO_ERROR` says which.
    public static let error = Readiness(rawValue: 1 << 4)

    init(epollEvents events: UInt32) {
        var readiness: Readiness = []
        if events & Epoll.readable != 0 { readiness.insert(.readable) }
        if events & Epoll.writable != 0 { readiness.insert(.writable) }
        if events & Epoll.readHangup != 0 { readiness.insert(.readHangup) }
        if events & Epoll.hangup != 0 { readiness.insert(.hangup) }
        if events & Epoll.error != 0 { readiness.insert(.error) }
        self = readiness
    }
}

/// Names one descriptor registration. It is packed into `epoll_data.u64` as the slot index
/// (low 32 bits) and the slot's generation (high 32 bits), so an event that was already
/// collected for a registration that has since been removed (and whose slot, or descriptor
/// number, was reused) is recognised as stale and dropped.
public struct RegistrationID: Hashable, Sendable, CustomStringConvertible {
    let slot: UInt32
    let generation: UInt32

    var packed: UInt64 { UInt64(generation) << 32 | UInt64(slot) }

    init(slot: UInt32, generation: UInt32) {
        self.slot = slot
        self.generation = generation
    }

    init(packed: UInt64) {
        self.slot = UInt32(truncatingIfNeeded: packed)
        self.generation = UInt32(truncatingIfNeeded: packed >> 32)
    }

    public var description: String { "registration \(slot).\(generation)" }
}

/// Names one scheduled timer.
public struct TimerID: Hashable, Sendable {
    let raw: UInt64
}

/// A one-thread epoll event loop: descriptor readiness, timers, signals through a signalfd, and
/// closures posted from other threads through an eventfd (DESIGN §5, STYLE habit 8).
///
/// Registrations are **level-triggered**: a handler that leaves data unread, or a socket
/// writable, is called again on the next ``doEvents(waitMillis:)``. That lets a handler take a
/// bounded amount of work per turn (fairness between connections) without losing readiness.
/// The price is that writable interest must be asked for only while there is output queued
/// (``modify(_:interest:)``), or the handler is called on every turn.
///
/// ### Invariants
/// - One owning thread: the thread that created the reactor. Every method asserts (in debug
///   builds) that it is called there, except ``post(_:)``, ``wakeUp()``, ``stop()`` and
///   ``ReactorCallback/fulfill(_:)``, which any thread may call.
/// - All handlers run on the owning thread, inside ``doEvents(waitMillis:)``, one at a time.
/// - After ``deregister(_:)`` or ``cancel(_:)`` returns, that handler is never called again,
///   even for an event collected in the same `epoll_wait` batch. Both are safe inside handlers.
/// - A timer fires at most once, never before its deadline on `CLOCK_MONOTONIC`; timers due at
///   the same turn fire in deadline order, then in the order they were scheduled. A timer
///   scheduled by a handler fires on a later turn, never in the turn that scheduled it.
/// - Every posted closure runs exactly once, in the order posted from each thread, unless the
///   reactor is destroyed first.
/// - The descriptors the reactor owns (epoll, eventfd, signalfd) are close-on-exec. Descriptors
///   given to ``register(fd:interest:handler:)`` stay the caller's: deregister before closing.
public final class Reactor: @unchecked Sendable {
    /// The reactor's limits.
    public enum Limits {
        /// The most events taken from one `epoll_wait`; more ready descriptors wait for the next
        /// turn (level-triggered, so nothing is lost).
        public static let maxEventsPerWait = 256
        /// The default wait of ``Reactor/doEvents(waitMillis:)``: the documented
        /// `SelectWaitMillis` default of 20 ms.
        public static let defaultWaitMillis = 20
        /// Cancelled timers left in the heap before it is compacted, beyond twice the live ones.
        public static let timerCompactionSlack = 64
        /// The most signals read from the signalfd in one turn.
        public static let maxSignalsPerTurn = 64
    }

    private enum SlotRole {
        case free
        case user(fd: Int32, interest: Interest, handler: (Readiness) -> Void)
        case wake
        case signals
    }

    private struct Slot {
        var generation: UInt32
        var role: SlotRole
    }

    private let epollFd: Int32
    private let wakeFd: Int32
    private var signalFd: Int32 = -1
    private let owner: pthread_t

    private var slots: [Slot] = []
    private var freeSlots: [UInt32] = []
    private var registrationCount = 0

    private var timerHeap = TimerHeap()
    private var timerHandlers: [UInt64: () -> Void] = [:]
    private var nextTimerID: UInt64 = 1

    private var watchedSignals: [Int32] = []
    private var signalHandlers: [Int32: (SignalInfo) -> Void] = [:]
    private var signalSlot: RegistrationID?

    private var callbacks: [UInt64: AnyObject] = [:]
    private var nextCallbackID: UInt64 = 1

    private var dispatching = false
    private let eventMasks: UnsafeMutablePointer<UInt32>
    private let eventData: UnsafeMutablePointer<UInt64>

    // Shared with other threads, under `lock`.
    private let lock = PosixLock()
    private var postedWork: [@Sendable () -> Void] = []
    private var wakePending = false
    private var stopRequested = false

    /// A reactor owned by the calling thread.
    public init() throws {
        owner = pthread_self()
        epollFd = try Epoll.create()
        do {
            wakeFd = try EventFd.create()
        } catch {
            Posix.close(epollFd)
            throw error
        }
        eventMasks = .allocate(capacity: Limits.maxEventsPerWait)
        eventData = .allocate(capacity: Limits.maxEventsPerWait)
        do {
            _ = try addSlot(fd: wakeFd, events: Epoll.readable, role: .wake)
        } catch {
            Posix.close(wakeFd)
            Posix.close(epollFd)
            eventMasks.deallocate()
            eventData.deallocate()
            throw error
        }
    }

    deinit {
        if signalFd >= 0 { Posix.close(signalFd) }
        Posix.close(wakeFd)
        Posix.close(epollFd)
        eventMasks.deallocate()
        eventData.deallocate()
    }

    /// Whether the calling thread owns this reactor.
    public var isOnReactorThread: Bool { pthread_equal(owner, pthread_self()) != 0 }

    private func assertOwner(_ function: StaticString = #function) {
        assert(isOnReactorThread, "Reactor.\(function) called off the reactor's thread")
    }

    // MARK: - Descriptors

    /// Starts watching `fd` (level-triggered). `handler` runs on this thread with what is ready.
    ///
    /// Throws ``SystemError``: `EEXIST` if `fd` is registered already, `EPERM` for a regular
    /// file (epoll does not take those; read them on a ``BlockingPool``).
    @discardableResult
    public func register(
        fd: Int32, interest: Interest, handler: @escaping (Readiness) -> Void
    ) throws -> RegistrationID {
        assertOwner()
        let id = try addSlot(
            fd: fd, events: Self.epollEvents(interest), role: .user(fd: fd, interest: interest, handler: handler))
        registrationCount += 1
        return id
    }

    /// Changes what `id` waits for. Ignored for an id already deregistered.
    public func modify(_ id: RegistrationID, interest: Interest) throws {
        assertOwner()
        guard let slot = liveSlot(id), case .user(let fd, _, let handler) = slots[slot].role else { return }
        try Epoll.modify(epollFd, fd: fd, events: Self.epollEvents(interest), data: id.packed)
        slots[slot].role = .user(fd: fd, interest: interest, handler: handler)
    }

    /// Stops watching; the handler is never called again, not even for an event collected in
    /// the current batch. Safe inside any handler, and for an id already deregistered. Call it
    /// before closing the descriptor.
    public func deregister(_ id: RegistrationID) {
        assertOwner()
        guard let slot = liveSlot(id), case .user(let fd, _, _) = slots[slot].role else { return }
        // A failure here leaves the kernel's entry, but its events carry the old generation
        // and are dropped; closing the descriptor removes the entry.
        try? Epoll.delete(epollFd, fd: fd)
        releaseSlot(slot)
        registrationCount -= 1
    }

    /// The number of live descriptor registrations made through ``register(fd:interest:handler:)``.
    public var registrations: Int {
        assertOwner()
        return registrationCount
    }

    private static func epollEvents(_ interest: Interest) -> UInt32 {
        var events: UInt32 = 0
        if interest.contains(.readable) { events |= Epoll.readable | Epoll.readHangup }
        if interest.contains(.writable) { events |= Epoll.writable }
        return events
    }

    private func addSlot(fd: Int32, events: UInt32, role: SlotRole) throws -> RegistrationID {
        let index: UInt32
        if let reused = freeSlots.popLast() {
            index = reused
        } else {
            index = UInt32(slots.count)
            slots.append(Slot(generation: 0, role: .free))
        }
        let slotIndex = Int(index)
        slots[slotIndex].generation &+= 1
        let id = RegistrationID(slot: index, generation: slots[slotIndex].generation)
        do {
            try Epoll.add(epollFd, fd: fd, events: events, data: id.packed)
        } catch {
            freeSlots.append(index)
            throw error
        }
        slots[slotIndex].role = role
        return id
    }

    private func releaseSlot(_ slot: Int) {
        slots[slot].role = .free
        slots[slot].generation &+= 1  // stale events for the old id no longer match
        freeSlots.append(UInt32(slot))
    }

    private func liveSlot(_ id: RegistrationID) -> Int? {
        let slot = Int(id.slot)
        guard slot < slots.count, slots[slot].generation == id.generation else { return nil }
        if case .free = slots[slot].role { return nil }
        return slot
    }

    // MARK: - Timers

    /// Runs `handler` once, on this thread, no sooner than `milliseconds` from now on the
    /// monotonic clock (negative counts as 0). A timer scheduled inside a handler fires on a
    /// later turn.
    @discardableResult
    public func schedule(after milliseconds: Int, _ handler: @escaping () -> Void) -> TimerID {
        assertOwner()
        let delay = UInt64(max(0, milliseconds)).multipliedReportingOverflow(by: 1_000_000)
        let (deadline, overflow) = MonotonicClock.nanoseconds().addingReportingOverflow(
            delay.overflow ? UInt64.max : delay.partialValue)
        let id = nextTimerID
        nextTimerID += 1
        timerHeap.insert(.init(deadline: overflow ? UInt64.max : deadline, id: id))
        timerHandlers[id] = handler
        return TimerID(raw: id)
    }

    /// Cancels a timer: it never fires. Safe inside handlers and for a timer that already fired.
    public func cancel(_ id: TimerID) {
        assertOwner()
        guard timerHandlers.removeValue(forKey: id.raw) != nil else { return }
        if timerHeap.count > 2 * timerHandlers.count + Limits.timerCompactionSlack {
            timerHeap.compact { timerHandlers[$0.id] != nil }
        }
    }

    /// The number of timers scheduled and not yet fired or cancelled.
    public var pendingTimers: Int {
        assertOwner()
        return timerHandlers.count
    }

    /// Heap entries, live and cancelled (for tests of the compaction bound).
    var timerHeapCountForTesting: Int { timerHeap.count }

    /// Drops cancelled entries from the top of the heap, then returns the next live deadline.
    private func nextDeadline() -> UInt64? {
        while let top = timerHeap.first, timerHandlers[top.id] == nil { _ = timerHeap.popFirst() }
        return timerHeap.first?.deadline
    }

    /// Fires the timers due now that existed before this turn; returns how many fired.
    private func runDueTimers() -> Int {
        let now = MonotonicClock.nanoseconds()
        let firstNewID = nextTimerID
        var fired = 0
        while let top = timerHeap.first, top.deadline <= now, top.id < firstNewID {
            _ = timerHeap.popFirst()
            if let handler = timerHandlers.removeValue(forKey: top.id) {
                handler()
                fired += 1
            }
        }
        return fired
    }

    // MARK: - Signals

    /// Delivers `signals` through a signalfd: `handler` runs on this thread for each one.
    /// A later call for the same signal replaces its handler.
    ///
    /// The caller must block these signals with `pthread_sigmask` in **every** thread first —
    /// ideally ``Signals/blockInThisThread(_:)`` at the very start of `main`, before any thread
    /// exists — or a thread that does not block one takes it instead. Throws
    /// ``ReactorError/signalNotBlocked(_:)`` for a signal not blocked in this thread.
    public func watchSignals(_ signals: [Int32], handler: @escaping (SignalInfo) -> Void) throws {
        assertOwner()
        for signal in signals where !Signals.isBlockedInThisThread(signal) {
            throw ReactorError.signalNotBlocked(signal)
        }
        let all = watchedSignals + signals.filter { !watchedSignals.contains($0) }
        if signalFd < 0 {
            let fd = try SignalFd.create(all)
            do {
                signalSlot = try addSlot(fd: fd, events: Epoll.readable, role: .signals)
            } catch {
                Posix.close(fd)
                throw error
            }
            signalFd = fd
        } else {
            _ = try SignalFd.create(all, replacing: signalFd)
        }
        watchedSignals = all
        for signal in signals { signalHandlers[signal] = handler }
    }

    private func dispatchSignals() -> Int {
        var handled = 0
        while handled < Limits.maxSignalsPerTurn, let info = try? SignalFd.read(signalFd) {
            if let handler = signalHandlers[info.signal] { handler(info) }
            handled += 1
        }
        return handled
    }

    // MARK: - Other threads

    /// Runs `work` on the reactor's thread during a later turn. Any thread may call it.
    public func post(_ work: @escaping @Sendable () -> Void) {
        let needsWake = lock.withLock {
            postedWork.append(work)
            defer { wakePending = true }
            return !wakePending
        }
        if needsWake { wakeUp() }
    }

    /// Makes a blocked ``doEvents(waitMillis:)`` return now. Any thread may call it.
    public func wakeUp() {
        // Only EAGAIN (a saturated counter, already readable) can fail here.
        try? EventFd.signal(wakeFd)
    }

    /// Makes ``run()`` return after the current turn. Any thread may call it.
    public func stop() {
        lock.withLock { stopRequested = true }
        wakeUp()
    }

    private func runPostedWork() -> Int {
        _ = try? EventFd.drain(wakeFd)
        let work = lock.withLock {
            wakePending = false
            defer { postedWork = [] }
            return postedWork
        }
        for item in work { item() }
        return work.count
    }

    /// A one-shot callback that runs `body` on this thread when any thread fulfils it — how
    /// work finished elsewhere (``BlockingPool``) hands its result back without `body` having
    /// to be `Sendable`.
    public func makeCallback<Value: Sendable>(_ body: @escaping (Value) -> Void) -> ReactorCallback<Value> {
        assertOwner()
        let id = nextCallbackID
        nextCallbackID += 1
        callbacks[id] = CallbackBox(body)
        return ReactorCallback(reactor: self, id: id)
    }

    fileprivate func complete<Value: Sendable>(callback id: UInt64, with value: Value) {
        post { [self] in
            guard let box = callbacks.removeValue(forKey: id) as? CallbackBox<Value> else { return }
            box.body(value)
        }
    }

    // MARK: - The loop

    /// Waits at most `waitMillis` milliseconds (negative: no limit) — less when a timer is due
    /// sooner — for descriptors, timers, signals or posted work, and dispatches everything
    /// ready. Returns the number of handlers run (descriptor handlers, timers, signals, posted
    /// closures); 0 when the wait ran out with nothing ready. This is the documented
    /// `doEvents()` with `SelectWaitMillis` (default 20 ms).
    ///
    /// Not reentrant: a handler must not call it.
    @discardableResult
    public func doEvents(waitMillis: Int = Limits.defaultWaitMillis) throws -> Int {
        assertOwner()
        precondition(!dispatching, "Reactor.doEvents called from inside a handler")
        let timeout = waitTimeout(waitMillis)
        let count = try Epoll.wait(
            epollFd, events: eventMasks, data: eventData, maxEvents: Int32(Limits.maxEventsPerWait),
            timeoutMillis: timeout)
        dispatching = true
        defer { dispatching = false }
        var handled = 0
        for index in 0..<count {
            handled += dispatch(events: eventMasks[index], data: eventData[index])
        }
        handled += runDueTimers()
        return handled
    }

    /// Runs ``doEvents(waitMillis:)`` until ``stop()``.
    public func run() throws {
        assertOwner()
        while !lock.withLock({ stopRequested }) {
            try doEvents(waitMillis: -1)
        }
        lock.withLock { stopRequested = false }
    }

    private func waitTimeout(_ waitMillis: Int) -> Int32 {
        var timeout = waitMillis < 0 ? -1 : min(waitMillis, Int(Int32.max))
        if let deadline = nextDeadline() {
            let now = MonotonicClock.nanoseconds()
            let remaining = deadline > now ? deadline - now : 0
            // Round up: waking a little early would only spin until the deadline.
            let millis = Int(min(remaining / 1_000_000 + (remaining % 1_000_000 == 0 ? 0 : 1), UInt64(Int32.max)))
            timeout = timeout < 0 ? millis : min(timeout, millis)
        }
        return Int32(timeout)
    }

    private func dispatch(events: UInt32, data: UInt64) -> Int {
        let id = RegistrationID(packed: data)
        guard let slot = liveSlot(id) else { return 0 }  // stale: deregistered in this batch
        switch slots[slot].role {
        case .free:
            return 0
        case .user(_, _, let handler):
            handler(Readiness(epollEvents: events))
            return 1
        case .wake:
            return runPostedWork()
        case .signals:
            return dispatchSignals()
        }
    }
}

private final class CallbackBox<Value> {
    let body: (Value) -> Void
    init(_ body: @escaping (Value) -> Void) { self.body = body }
}

/// A one-shot result channel back to a ``Reactor``'s thread (``Reactor/makeCallback(_:)``).
/// Fulfil it once, from any thread; later fulfilments are ignored.
public struct ReactorCallback<Value: Sendable>: Sendable {
    let reactor: Reactor
    let id: UInt64

    /// Runs the callback's body with `value` on the reactor's thread, on a later turn.
    public func fulfill(_ value: Value) {
        reactor.complete(callback: id, with: value)
    }
}
