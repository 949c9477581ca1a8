/// A few threads for work that can block — PAM, `getpwnam_r`, `crypt_r`, DNS, regular-file I/O
/// — so that a ``Reactor`` never blocks on it (DESIGN §5, STYLE habit 8).
///
/// ### Invariants
/// - Jobs start in the order they were submitted; with more than one thread they may finish in
///   any order.
/// - A result goes back to the reactor through its eventfd (``Reactor/makeCallback(_:)``), and
///   its completion runs on the reactor's thread, exactly once.
/// - The queue is bounded (``Limits/defaultMaxQueuedJobs``); a full queue is an error the caller
///   sees at once, never a wait.
/// - ``shutdown()`` lets the queued jobs finish, then joins the threads. It must not be called
///   from one of the pool's own threads.
public final class BlockingPool: Sendable {
    /// The pool's limits.
    public enum Limits {
        /// Worker threads when none are asked for.
        public static let defaultThreadCount = 2
        /// The most worker threads one pool starts.
        public static let maxThreadCount = 64
        /// Jobs waiting for a thread before ``BlockingPool/submit(_:)`` refuses more.
        public static let defaultMaxQueuedJobs = 4096
    }

    private final class State: @unchecked Sendable {
        let lock = PosixLock()
        let condition = PosixCondition()
        var queue: [@Sendable () -> Void] = []  // guarded by lock
        var head = 0  // guarded by lock; index of the next job in queue
        var shuttingDown = false  // guarded by lock
        var threads: [PosixThread] = []  // guarded by lock
    }

    private let state = State()
    /// The most jobs that may wait for a thread.
    public let maxQueuedJobs: Int

    /// Starts `threadCount` threads (clamped to 1…``Limits/maxThreadCount``).
    public init(threadCount: Int = Limits.defaultThreadCount, maxQueuedJobs: Int = Limits.defaultMaxQueuedJobs) throws {
        self.maxQueuedJobs = max(1, maxQueuedJobs)
        let state = self.state
        var started: [PosixThread] = []
        for _ in 0..<min(max(1, threadCount), Limits.maxThreadCount) {
            do {
                started.append(try PosixThread.spawn { Self.workerLoop(state) })
            } catch {
                state.lock.withLock { state.threads = started }
                shutdown()
                throw error
            }
        }
        state.lock.withLock { state.threads = started }
    }

    deinit {
        shutdown()
    }

    /// Queues `work` for a pool thread. Throws ``ReactorError/poolQueueFull`` or
    /// ``ReactorError/poolShutDown``.
    public func submit(_ work: @escaping @Sendable () -> Void) throws {
        try state.lock.withLock {
            if state.shuttingDown { throw ReactorError.poolShutDown }
            if state.queue.count - state.head >= maxQueuedJobs { throw ReactorError.poolQueueFull }
            state.queue.append(work)
        }
        state.condition.signal()
    }

    /// Runs `work` on a pool thread, then `completion` with its result on `reactor`'s thread.
    /// Call it on the reactor's thread; `completion` need not be `Sendable`.
    public func run<Result: Sendable>(
        _ work: @escaping @Sendable () -> Result, on reactor: Reactor,
        then completion: @escaping (Result) -> Void
    ) throws {
        let callback = reactor.makeCallback(completion)
        try submit { callback.fulfill(work()) }
    }

    /// Finishes the queued jobs, then stops and joins the threads. Later submissions throw.
    public func shutdown() {
        let threads = state.lock.withLock {
            state.shuttingDown = true
            defer { state.threads = [] }
            return state.threads
        }
        state.condition.broadcast()
        for thread in threads where !thread.isCurrent { thread.join() }
    }

    /// Jobs taken from the front of the queue before the array is shifted down.
    private static let compactionThreshold = 1024

    private static func workerLoop(_ state: State) {
        while true {
            state.lock.lock()
            while state.head == state.queue.count && !state.shuttingDown {
                state.lock.wait(state.condition)
            }
            if state.head == state.queue.count {
                state.lock.unlock()
                return
            }
            let job = state.queue[state.head]
            state.head += 1
            if state.head == state.queue.count {
                state.queue.removeAll(keepingCapacity: true)
                state.head = 0
            } else if state.head >= compactionThreshold && state.head * 2 >= state.queue.count {
                state.queue.removeFirst(state.head)
                state.head = 0
            }
            state.lock.unlock()
            job()
        }
    }
}
