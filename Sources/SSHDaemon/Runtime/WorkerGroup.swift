import Foundation
import Reactor

/// What the workers of one daemon process share (`Workers`: one SSH server and event loop per
/// thread, all listening on one port with SO_REUSEPORT so the kernel spreads connections):
/// each worker's loop, to post work to it; which worker started each session's process, since
/// SIGCHLD arrives once, at worker 0; and the count of connections not logged in, since
/// MaxStartups counts the whole process, as in OpenSSH.
final class WorkerGroup: @unchecked Sendable {
    private let lock = NSLock()
    private var members: [(reactor: Reactor, daemon: ReactorBound<Daemon>)] = []
    private var childOwners: [pid_t: Int] = [:]
    /// Processes that ended before their worker registered them (SIGCHLD can win that race).
    /// Kept for ``unclaimedLifetime``: a process no worker registers (a failed start, a PAM
    /// module's helper) is forgotten before its pid can come round again.
    private var endedEarly: [pid_t: (status: Posix.ChildStatus, at: Date)] = [:]
    static let unclaimedLifetime: TimeInterval = 30
    private var unauthenticatedCount = 0
    private var connectionCount = 0
    private let finished = DispatchGroup()

    /// Adds a worker (on its own thread); returns its index.
    func join(_ daemon: Daemon) -> Int {
        lock.withLock {
            members.append((daemon.server.ssh.reactor, ReactorBound(daemon)))
            return members.count - 1
        }
    }

    /// Runs `work` with worker `index` on that worker's thread.
    func post(to index: Int, _ work: @escaping @Sendable (Daemon) -> Void) {
        guard let member = lock.withLock({ members.indices.contains(index) ? members[index] : nil }) else { return }
        let daemon = member.daemon
        member.reactor.post { if let value = daemon.value { work(value) } }
    }

    /// Runs `work` on every worker but `index`.
    func postToOthers(than index: Int, _ work: @escaping @Sendable (Daemon) -> Void) {
        let count = lock.withLock { members.count }
        for other in 0..<count where other != index { post(to: other, work) }
    }

    /// Records that worker `index` started `pid`; the status when it has ended already.
    func register(child pid: pid_t, worker index: Int) -> Posix.ChildStatus? {
        lock.withLock {
            if let early = endedEarly.removeValue(forKey: pid) { return early.status }
            childOwners[pid] = index
            return nil
        }
    }

    /// A reaped process: the worker that started it, or nil (kept until that worker registers it).
    func childEnded(_ pid: pid_t, _ status: Posix.ChildStatus) -> Int? {
        lock.withLock {
            if let index = childOwners.removeValue(forKey: pid) { return index }
            let now = Date()
            endedEarly = endedEarly.filter { now.timeIntervalSince($0.value.at) < Self.unclaimedLifetime }
            endedEarly[pid] = (status, now)
            return nil
        }
    }

    /// Connections not logged in, in every worker.
    var unauthenticated: Int { lock.withLock { unauthenticatedCount } }

    func addUnauthenticated(_ delta: Int) { lock.withLock { unauthenticatedCount += delta } }

    /// Open connections, in every worker.
    var connections: Int { lock.withLock { connectionCount } }

    func addConnections(_ delta: Int) { lock.withLock { connectionCount += delta } }

    /// A worker thread starts and ends: worker 0 waits for every other before the process exits.
    func workerStarted() { finished.enter() }
    func workerEnded() { finished.leave() }
    func waitForWorkers() { finished.wait() }
}
