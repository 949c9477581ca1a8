#if canImport(Glibc)
import Glibc
#endif

/// Name resolution with `getaddrinfo(3)`, which blocks: call it on a ``BlockingPool`` thread, never
/// on the reactor's.
public enum HostResolver {
    /// The most addresses one resolution returns; the rest are dropped (a name with more is tried
    /// through its first ones).
    public static let maximumAddresses = 16

    /// The TCP addresses of `host` (a name or a numeric address) and `port`, in the order
    /// `getaddrinfo` gives them. Throws ``ReactorError/unresolvable(_:)`` when the name does not
    /// resolve.
    public static func resolve(_ host: String, port: UInt16) throws -> [SocketAddress] {
        if let numeric = try? SocketAddress(host: host, port: port) { return [numeric] }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_ADDRCONFIG
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &list)
        guard rc == 0, let first = list else {
            throw ReactorError.unresolvable("\(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(first) }
        var addresses: [SocketAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry, addresses.count < maximumAddresses {
            if let raw = current.pointee.ai_addr {
                switch current.pointee.ai_family {
                case AF_INET:
                    let address = raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    addresses.append(SocketAddress(ipv4: address, port: port))
                case AF_INET6:
                    let address = raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    addresses.append(SocketAddress(ipv6: address, port: port))
                default:
                    break
                }
            }
            entry = current.pointee.ai_next
        }
        guard !addresses.isEmpty else { throw ReactorError.unresolvable("\(host): no TCP address") }
        // getaddrinfo lists an address once per protocol it could serve; keep the first of each.
        var seen = Set<SocketAddress>()
        return addresses.filter { seen.insert($0).inserted }
    }
}
