import Testing

@testable import Reactor

#if canImport(Glibc)
import Glibc
#endif

@Suite("Reactor wake-ups and the blocking pool")
struct WakeUpTests {
    static let postingThreads = 8
    static let postsPerThread = 500

    @Test("closures posted from many threads run once each, on the reactor thread")
    func concurrentPosts() throws {
        let reactor = try Reactor()
        let log = ReactorThreadLog<(id: Int, onReactor: Bool)>()
        let start = Gate()
        var threads: [PosixThread] = []
        for thread in 0..<Self.postingThreads {
            threads.append(try PosixThread.spawn {
                start.wait()
                for index in 0..<Self.postsPerThread {
                    let id = thread * Self.postsPerThread + index
                    reactor.post { log.entries.append((id, reactor.isOnReactorThread)) }
                }
            })
        }
        start.open()
        let total = Self.postingThreads * Self.postsPerThread
        try drive(reactor) { log.entries.count >= total }
        for thread in threads { thread.join() }
        // Anything posted after the last turn would show up here as an extra entry.
        try reactor.doEvents(waitMillis: 0)
        #expect(log.entries.count == total)
        #expect(Set(log.entries.map(\.id)) == Set(0..<total))
        #expect(log.entries.allSatisfy { $0.onReactor })
    }

    @Test("posts from one thread run in the order posted")
    func orderPerThread() throws {
        let reactor = try Reactor()
        let log = ReactorThreadLog<Int>()
        let thread = try PosixThread.spawn {
            for index in 0..<1_000 { reactor.post { log.entries.append(index) } }
        }
        try drive(reactor) { log.entries.count >= 1_000 }
        thread.join()
        #expect(log.entries == Array(0..<1_000))
    }

    @Test("wakeUp ends a long wait, and stop ends run")
    func wakeUpAndStop() throws {
        let reactor = try Reactor()
        let poster = try PosixThread.spawn {
            reactor.post {}
            reactor.stop()
        }
        // Without the eventfd this would wait for ever; run() returns only through stop().
        try reactor.run()
        poster.join()
        // The poster may have finished before run() began: then run() returned at once and the
        // posted closure is still waiting. Run what is ready, then check the bare wake-up.
        while try reactor.doEvents(waitMillis: 0) > 0 {}
        reactor.wakeUp()
        #expect(try reactor.doEvents(waitMillis: -1) == 0)
    }

    @Test("pool work runs off the reactor thread and completions come back on it")
    func poolJobs() throws {
        let reactor = try Reactor()
        let pool = try BlockingPool()
        defer { pool.shutdown() }
        let jobs = 300
        var results: [(value: Int, workOnReactor: Bool, completionOnReactor: Bool)] = []
        for job in 0..<jobs {
            try pool.run({ (job * job, reactor.isOnReactorThread) }, on: reactor) { value, workOnReactor in
                results.append((value, workOnReactor, reactor.isOnReactorThread))
            }
        }
        try drive(reactor) { results.count >= jobs }
        #expect(results.count == jobs)
        #expect(Set(results.map(\.value)) == Set((0..<jobs).map { $0 * $0 }))
        #expect(results.allSatisfy { !$0.workOnReactor && $0.completionOnReactor })
    }

    @Test("a full pool queue refuses work at once, and a shut-down pool refuses all work")
    func poolLimits() throws {
        let pool = try BlockingPool(threadCount: 1, maxQueuedJobs: 2)
        let started = Gate()
        let release = Gate()
        try pool.submit {
            started.open()
            release.wait()
        }
        started.wait()  // the only thread is busy; the queue is empty
        try pool.submit {}
        try pool.submit {}
        #expect(throws: ReactorError.poolQueueFull) { try pool.submit {} }
        release.open()
        pool.shutdown()
        #expect(throws: ReactorError.poolShutDown) { try pool.submit {} }
    }

    @Test("a callback fulfilled twice runs once")
    func callbackOnce() throws {
        let reactor = try Reactor()
        var values: [Int] = []
        let callback = reactor.makeCallback { (value: Int) in values.append(value) }
        let thread = try PosixThread.spawn {
            callback.fulfill(1)
            callback.fulfill(2)
        }
        thread.join()
        try drive(reactor) { !values.isEmpty }
        try reactor.doEvents(waitMillis: 0)
        #expect(values == [1])
    }
}
