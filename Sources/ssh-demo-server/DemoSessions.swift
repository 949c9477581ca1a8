// What the demo server does with the class's events: the demo user, an echo shell, exec, and
// tunnels to loopback. Every handler runs inside `doEvents()` on the main thread.
import SSHKit
import SSHWire

/// The demo account: `demo` with the password `demo` (password or keyboard-interactive), or any
/// key listed in `authorized_keys` in the state folder.
struct DemoAccount {
    static let user = "demo"
    static let password = "demo"
    var authorizedKeyBlobs: [[UInt8]] = []
}

/// Per-channel state of the echo shell: the line typed so far.
final class DemoShells {
    var lines: [Int: [UInt8]] = [:]
}

/// Installs the demo's handlers on `server`.
func installDemoHandlers(_ server: SSHServer, account: DemoAccount, log: @escaping (String) -> Void) {
    let shells = DemoShells()
    server.keyboardInteractivePrompts = [SSHKeyboardInteractivePrompt(prompt: "Password: ", echo: false)]

    server.onUserAuthRequest = { request in
        guard request.user == DemoAccount.user else { return }
        switch request.authMethod {
        case "password", "keyboard-interactive-1":
            request.accept = request.authParam == Array(DemoAccount.password.utf8)
        case "keyboard-interactive":
            request.accept = true  // fires only once every response was accepted
        case "publickey":
            request.accept = account.authorizedKeyBlobs.contains(request.authParam)
        default:
            break
        }
    }

    // Sessions: a pty, an echo shell, or one command that is echoed back.
    server.onChannelRequest = { request in
        switch request.payload {
        case .ptyReq, .shell, .exec, .env, .windowChange: request.success = true
        default: request.success = false
        }
    }
    server.onChannelRequested = { requested in
        switch requested.payload {
        case .shell:
            shells.lines[requested.channelId] = []
            _ = try? server.sendText(requested.channelId, "Echo shell of the swift-sshd demo server; type exit to leave.\r\n$ ")
        case .exec(let command):
            _ = try? server.sendText(requested.channelId, "demo: \(String(decoding: command, as: UTF8.self))\n")
            try? server.sendExitStatus(requested.channelId, 0)
            try? server.closeChannel(requested.channelId)
        default:
            break
        }
    }
    server.onChannelDataIn = { event in
        guard var line = shells.lines[event.channelId] else { return }
        for byte in event.data {
            switch byte {
            case 0x0D, 0x0A:
                let text = String(decoding: line, as: UTF8.self)
                line = []
                if text == "exit" {
                    _ = try? server.sendText(event.channelId, "\r\n")
                    try? server.sendExitStatus(event.channelId, 0)
                    try? server.closeChannel(event.channelId)
                    shells.lines[event.channelId] = nil
                    return
                }
                _ = try? server.sendText(event.channelId, "\r\n\(text)\r\n$ ")
            case 0x04:  // ^D
                try? server.sendExitStatus(event.channelId, 0)
                try? server.closeChannel(event.channelId)
                shells.lines[event.channelId] = nil
                return
            case 0x7F, 0x08:
                if !line.isEmpty {
                    line.removeLast()
                    _ = try? server.sendBytes(event.channelId, [0x08, 0x20, 0x08])
                }
            default:
                line.append(byte)
                _ = try? server.sendBytes(event.channelId, [byte])
            }
        }
        shells.lines[event.channelId] = line
    }
    server.onChannelClosed = { shells.lines[$0.channelId] = nil }

    // Tunnels (ssh -L, -D, -R): loopback only.
    server.onTunnelRequested = { tunnel in
        let loopback = ["127.0.0.1", "::1", "localhost", ""]
        tunnel.accept = loopback.contains(tunnel.address)
        log("tunnel \(tunnel.direction == 0 ? "to" : "from") \(tunnel.address) port \(tunnel.port): \(tunnel.accept ? "allowed" : "refused (loopback only)")")
    }
}
