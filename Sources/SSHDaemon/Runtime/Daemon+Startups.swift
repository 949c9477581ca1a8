import Logging
import SSHKit

// MARK: - MaxStartups (OpenSSH's random early drop of unauthenticated connections)

extension Daemon {
    /// Counts connections that have not logged in, and refuses new ones past `MaxStartups`.
    func installStartupLimit() {
        server.ssh.onConnectionRequest = { [unowned self] request in
            guard request.accept else { return }
            request.accept = admitsStartup(address: request.address, port: request.port)
        }
        let classConnected = server.ssh.onConnected
        server.ssh.onConnected = { [unowned self] event in
            if unauthenticated.insert(event.connectionId).inserted { group?.addUnauthenticated(1) }
            group?.addConnections(1)
            classConnected?(&event)
        }
        server.ssh.onSSHStatus = { [unowned self] event in
            if event.message.hasPrefix("Authenticated "), unauthenticated.remove(event.connectionId) != nil { group?.addUnauthenticated(-1) }
        }
    }

    /// `start:rate:full`: below `start` every connection is admitted; from `start`, a new one is
    /// refused with probability `rate`% rising linearly to 100% at `full`.
    func admitsStartup(address: String, port: Int) -> Bool {
        let count = group?.unauthenticated ?? unauthenticated.count
        let limit = configuration.maxStartups
        guard count >= limit.start else { return true }
        var refuse = count >= limit.full
        if !refuse {
            let span = max(1, limit.full - limit.start)
            let probability = limit.rate + (100 - limit.rate) * (count - limit.start) / span
            refuse = Int.random(in: 0..<100) < probability
        }
        if refuse {
            logger.notice("drop connection from \(address) port \(port): \(count) unauthenticated, past MaxStartups \(limit)")
        }
        return !refuse
    }
}
