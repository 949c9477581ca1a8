import Logging
import SSHKit

// MARK: - TCP forwarding (issue 5 item 2: AllowTcpForwarding, PermitOpen; sshd(8) key options)

extension Daemon {
    /// Decides `ssh -L`/`-D` (direction 0) and `ssh -R` (direction 1) requests.
    func installForwarding() {
        server.ssh.onTunnelRequested = { [unowned self] event in
            event.accept = allowsTunnel(event)
        }
    }

    private func allowsTunnel(_ event: TunnelRequestedEvent) -> Bool {
        guard let owner = owners[event.connectionId] else { return false }
        let local = event.direction == 0
        let what = local ? "local port forward to \(event.address) port \(event.port)" : "remote port forward on \(event.address) port \(event.port)"
        func refuse(_ why: String) -> Bool {
            logger.notice("refused \(what) for \(owner.name): \(why)")
            return false
        }
        guard local ? configuration.allowTcpForwarding.allowsLocal : configuration.allowTcpForwarding.allowsRemote else {
            return refuse("AllowTcpForwarding=\(configuration.allowTcpForwarding.rawValue)")
        }
        guard owner.permissions.contains(.forward) else { return refuse("the account's options have no forward") }
        guard !owner.keyOptions.noPortForwarding else { return refuse("the key's no-port-forwarding") }
        if local {
            guard Self.permits(configuration.permitOpen, host: event.address, port: event.port) else { return refuse("not in PermitOpen") }
            let keyRules = owner.keyOptions.permitOpen
            guard keyRules.isEmpty || keyRules.contains(where: { PermitOpenRule($0)?.allows(host: event.address, port: event.port) == true }) else {
                return refuse("not in the key's permitopen")
            }
        } else {
            // OpenSSH's GatewayPorts=no: remote forwards listen on loopback only.
            guard ["localhost", "127.0.0.1", "::1"].contains(event.address.lowercased()) else {
                return refuse("only loopback addresses may listen (GatewayPorts no)")
            }
            // Ports below 1024 are root's, as in OpenSSH; the daemon may hold that privilege, the
            // account does not.
            guard event.port == 0 || event.port >= 1024 || owner.runsAsSuperuser else { return refuse("privileged port") }
        }
        return true
    }

    /// `PermitOpen`: `any`, `none`, or host:port rules (`*` for either).
    static func permits(_ rules: [String], host: String, port: Int) -> Bool {
        if rules == ["any"] { return true }
        if rules == ["none"] { return false }
        return rules.contains { PermitOpenRule($0)?.allows(host: host, port: port) == true }
    }
}
