#if canImport(Glibc)
import Glibc
#endif

/// One entry of `AllowedClients` / `BlockedClients` (server digest §4.2): `*`, an IPv4 or IPv6
/// address, a glob over the address text (`192.168.1.*`), or, as an extension, a CIDR block
/// (`10.0.0.0/8`, `fd00::/8`). Host names are not resolved (like OpenSSH's default `UseDNS no`):
/// an entry must describe addresses.
public enum ClientAddressPattern: Sendable, Equatable {
    case any
    case address(IPAddressBytes)
    case network(IPAddressBytes, prefixLength: Int)
    case glob(GlobPattern)

    /// Parses one entry; nil when it is none of the accepted forms.
    public init?(_ text: String) {
        let entry = text.trimmed
        if entry == "*" {
            self = .any
        } else if let slash = entry.firstIndex(of: "/") {
            guard let address = IPAddressBytes(String(entry[..<slash])),
                  let prefix = Int(entry[entry.index(after: slash)...]),
                  (0...address.bytes.count * 8).contains(prefix)
            else { return nil }
            self = .network(address, prefixLength: prefix)
        } else if let address = IPAddressBytes(entry) {
            self = .address(address)
        } else if entry.contains(where: { $0 == "*" || $0 == "?" }),
                  entry.allSatisfy({ $0.isHexDigit || ".:*?".contains($0) }) {
            self = .glob(GlobPattern(entry))
        } else {
            return nil
        }
    }

    /// Whether the peer address (as accept() reported it, in text) matches.
    public func matches(_ peer: String) -> Bool {
        switch self {
        case .any:
            return true
        case .address(let address):
            return IPAddressBytes(peer).map { $0.unmappingIPv4 == address.unmappingIPv4 } ?? false
        case .network(let network, let prefixLength):
            guard let candidate = IPAddressBytes(peer)?.unmappingIPv4 else { return false }
            return candidate.isInNetwork(network.unmappingIPv4, prefixLength: prefixLength)
        case .glob(let pattern):
            return pattern.matches(peer) || (IPAddressBytes(peer)?.unmappingIPv4.text).map(pattern.matches) == true
        }
    }
}

/// The documented allow and block lists: a peer is refused when it matches a blocked entry, or
/// matches no allowed entry.
public struct ClientAccessList: Sendable, Equatable {
    public let allowed: [ClientAddressPattern]
    public let blocked: [ClientAddressPattern]

    /// Throws the first entry that is not an accepted form.
    public init(allowed: [String], blocked: [String]) throws(SSHServerError) {
        func parse(_ entries: [String], _ setting: String) throws(SSHServerError) -> [ClientAddressPattern] {
            var patterns: [ClientAddressPattern] = []
            for entry in entries {
                guard let pattern = ClientAddressPattern(entry) else {
                    throw SSHServerError(code: SSHServerError.invalidSetting, "\(setting): \"\(entry)\" is not \(ClientAccessList.allowedForms)")
                }
                patterns.append(pattern)
            }
            return patterns
        }
        self.allowed = try parse(allowed, "AllowedClients")
        self.blocked = try parse(blocked, "BlockedClients")
    }

    static let allowedForms = "*, an IPv4 or IPv6 address, a CIDR block such as 10.0.0.0/8, or an address glob such as 192.168.1.*"

    public func permits(_ peer: String) -> Bool {
        !blocked.contains { $0.matches(peer) } && allowed.contains { $0.matches(peer) }
    }
}

/// An IPv4 (4 bytes) or IPv6 (16 bytes) address in network order.
public struct IPAddressBytes: Sendable, Equatable {
    public let bytes: [UInt8]

    public init?(_ text: String) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
        } else {
            return nil
        }
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    /// `::ffff:a.b.c.d` as the IPv4 address it carries (dual-stack listeners report these).
    var unmappingIPv4: IPAddressBytes {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF else { return self }
        return IPAddressBytes(bytes: Array(bytes[12..<16]))
    }

    var text: String {
        bytes.count == 4 ? bytes.map(String.init).joined(separator: ".") : ""
    }

    func isInNetwork(_ network: IPAddressBytes, prefixLength: Int) -> Bool {
        guard bytes.count == network.bytes.count else { return false }
        var remaining = prefixLength
        for (a, b) in zip(bytes, network.bytes) where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if a & mask != b & mask { return false }
            remaining -= bits
        }
        return true
    }
}
