import Foundation
import SSHKit

/// The options of one authorized_keys line (sshd(8) "AUTHORIZED_KEYS FILE FORMAT"): what a login
/// with that key may do. Parsed strictly: a line with an option the daemon does not know, or a
/// malformed value, gives no login at all (OpenSSH: "bad options"), since ignoring a restriction
/// would grant more than the file says.
struct AuthorizedKeyOptions: Equatable, Sendable {
    /// `from="pattern-list"`: client addresses allowed; `!` negates. nil: any.
    var from: [String]?
    /// `command="…"`: run instead of whatever the client asks (its request in SSH_ORIGINAL_COMMAND).
    var command: String?
    var noPty = false
    var noPortForwarding = false
    var noAgentForwarding = false
    var noX11Forwarding = false
    var noUserRC = false
    /// `permitopen="host:port"`, repeatable: where `ssh -L`/`-D` may connect. Empty: anywhere
    /// the configuration allows.
    var permitOpen: [String] = []
    /// `environment="NAME=value"`, repeatable: set when AcceptEnv allows the name.
    var environment: [(name: String, value: String)] = []
    /// `expiry-time="YYYYMMDD[HHMM[SS]]"`: the key is refused from then on (UTC).
    var expiry: Date?

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.from == rhs.from && lhs.command == rhs.command && lhs.noPty == rhs.noPty && lhs.noPortForwarding == rhs.noPortForwarding
            && lhs.noAgentForwarding == rhs.noAgentForwarding && lhs.noX11Forwarding == rhs.noX11Forwarding && lhs.noUserRC == rhs.noUserRC
            && lhs.permitOpen == rhs.permitOpen && lhs.expiry == rhs.expiry
            && lhs.environment.map { "\($0.name)=\($0.value)" } == rhs.environment.map { "\($0.name)=\($0.value)" }
    }

    /// The most options one line may carry.
    static let maximumOptions = 64

    /// A malformed or unknown option, named for the log.
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    /// No options: nothing restricted.
    init() {}

    /// Parses the options field (`no-pty,command="echo \"hi\""`).
    init(parsing text: String) throws(Problem) {
        guard !text.isEmpty else { return }
        var restrict = false
        var reenablePty = false
        var reenableForwarding = false
        var count = 0
        var rest = Substring(text)
        while !rest.isEmpty {
            count += 1
            guard count <= Self.maximumOptions else { throw Problem(description: "more than \(Self.maximumOptions) options") }
            let nameEnd = rest.firstIndex { $0 == "=" || $0 == "," } ?? rest.endIndex
            let name = rest[..<nameEnd].lowercased()
            rest = rest[nameEnd...]
            var value: String?
            if rest.first == "=" {
                rest = rest.dropFirst()
                guard rest.first == "\"" else { throw Problem(description: "\(name): the value must be in double quotes") }
                rest = rest.dropFirst()
                var text = ""
                var closed = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if character == "\\", rest.first == "\"" {
                        text.append("\"")
                        rest = rest.dropFirst()
                    } else if character == "\"" {
                        closed = true
                        break
                    } else {
                        text.append(character)
                    }
                }
                guard closed else { throw Problem(description: "\(name): missing end quote") }
                value = text
            }
            if rest.first == "," { rest = rest.dropFirst() } else if !rest.isEmpty { throw Problem(description: "junk after \(name)") }
            switch (name, value) {
            case ("restrict", nil): restrict = true
            case ("no-pty", nil): noPty = true
            case ("pty", nil): reenablePty = true
            case ("no-port-forwarding", nil): noPortForwarding = true
            case ("port-forwarding", nil): reenableForwarding = true
            case ("no-agent-forwarding", nil): noAgentForwarding = true
            case ("agent-forwarding", nil), ("x11-forwarding", nil), ("user-rc", nil): break
            case ("no-x11-forwarding", nil): noX11Forwarding = true
            case ("no-user-rc", nil): noUserRC = true
            case ("from", let patterns?):
                from = patterns.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            case ("command", let command?):
                self.command = command
            case ("permitopen", let target?):
                guard PermitOpenRule(target) != nil else { throw Problem(description: "permitopen: \"\(target)\" is not host:port") }
                permitOpen.append(target)
            case ("environment", let assignment?):
                guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
                    throw Problem(description: "environment: \"\(assignment)\" is not NAME=value")
                }
                environment.append((String(assignment[..<equals]), String(assignment[assignment.index(after: equals)...])))
            case ("expiry-time", let stamp?):
                guard let date = Self.expiryDate(stamp) else { throw Problem(description: "expiry-time: \"\(stamp)\" is not YYYYMMDD[HHMM[SS]]") }
                expiry = date
            default:
                throw Problem(description: value == nil ? "unknown option \(name)" : "unknown option \(name)=\"…\"")
            }
        }
        if restrict {
            noPty = !reenablePty
            noPortForwarding = !reenableForwarding
            noAgentForwarding = true
            noX11Forwarding = true
            noUserRC = true
        }
    }

    /// Whether `address` (the client's, as text) may use the key: it must match a positive
    /// pattern and no negated one (OpenSSH's match_host_and_ip, on addresses only).
    func allows(address: String) -> Bool {
        guard let from else { return true }
        var matched = false
        for pattern in from {
            if pattern.hasPrefix("!") {
                if ClientAddressPattern(String(pattern.dropFirst()))?.matches(address) == true { return false }
            } else if ClientAddressPattern(pattern)?.matches(address) == true {
                matched = true
            }
        }
        return matched
    }

    private static func expiryDate(_ stamp: String) -> Date? {
        guard [8, 12, 14].contains(stamp.count), stamp.allSatisfy(\.isNumber) else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = ["yyyyMMdd", "yyyyMMddHHmm", "yyyyMMddHHmmss"][[8, 12, 14].firstIndex(of: stamp.count) ?? 0]
        return formatter.date(from: stamp)
    }
}

/// One `PermitOpen` / `permitopen=` target: a host (or `*`) and a port (or `*`).
struct PermitOpenRule: Equatable, Sendable {
    let host: String
    let port: Int?

    init?(_ text: String) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            hostPart = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            guard after.hasPrefix(":") else { return nil }
            portPart = after.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        guard !hostPart.isEmpty else { return nil }
        if portPart == "*" {
            port = nil
        } else {
            guard let number = Int(portPart), (0...65535).contains(number) else { return nil }
            port = number
        }
        host = hostPart.lowercased()
    }

    func allows(host target: String, port targetPort: Int) -> Bool {
        (host == "*" || host == target.lowercased()) && (port == nil || port == targetPort)
    }
}
