#if canImport(Glibc)
import Glibc
#endif

/// A numeric IPv4 or IPv6 address and a port. Names are never resolved here (resolution can
/// block; it belongs on a ``BlockingPool``).
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address family.
    public enum Family: Hashable, Sendable {
        case ipv4
        case ipv6
    }

    public let family: Family
    /// The address as `inet_ntop` writes it, for example `127.0.0.1` or `::1`.
    public let host: String
    public let port: UInt16
    private let raw: [UInt8]  // the 4 or 16 address bytes, network order

    /// Parses a numeric address: IPv6 when it contains a colon, else dotted IPv4. Throws
    /// ``ReactorError/invalidAddress(_:)`` otherwise (IPv6 scope ids are not supported).
    public init(host: String, port: UInt16) throws {
        if host.contains(":") {
            var address = in6_addr()
            guard inet_pton(AF_INET6, host, &address) == 1 else { throw ReactorError.invalidAddress(host) }
            self.init(ipv6: address, port: port)
        } else {
            var address = in_addr()
            guard inet_pton(AF_INET, host, &address) == 1 else { throw ReactorError.invalidAddress(host) }
            self.init(ipv4: address, port: port)
        }
    }

    init(ipv4 address: in_addr, port: UInt16) {
        family = .ipv4
        self.port = port
        raw = withUnsafeBytes(of: address) { Array($0) }
        host = Self.text(AF_INET, raw)
    }

    init(ipv6 address: in6_addr, port: UInt16) {
        family = .ipv6
        self.port = port
        raw = withUnsafeBytes(of: address) { Array($0) }
        host = Self.text(AF_INET6, raw)
    }

    /// The address in a `sockaddr_storage` the kernel filled in; `nil` for other families.
    init?(storage: sockaddr_storage) {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            let address = withUnsafeBytes(of: &storage) { $0.loadUnaligned(as: sockaddr_in.self) }
            self.init(ipv4: address.sin_addr, port: UInt16(bigEndian: address.sin_port))
        case AF_INET6:
            let address = withUnsafeBytes(of: &storage) { $0.loadUnaligned(as: sockaddr_in6.self) }
            self.init(ipv6: address.sin6_addr, port: UInt16(bigEndian: address.sin6_port))
        default:
            return nil
        }
    }

    private static func text(_ family: Int32, _ raw: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let ok = raw.withUnsafeBytes { bytes in
            inet_ntop(family, bytes.baseAddress, &buffer, socklen_t(buffer.count)) != nil
        }
        guard ok else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    var domain: Int32 { family == .ipv4 ? AF_INET : AF_INET6 }

    /// Calls `body` with this address as a `sockaddr` and its length.
    func withSockAddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> T) rethrows -> T {
        switch family {
        case .ipv4:
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            raw.withUnsafeBytes { bytes in
                withUnsafeMutableBytes(of: &address.sin_addr) { $0.copyMemory(from: bytes) }
            }
            return try withUnsafePointer(to: &address) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    try body($0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        case .ipv6:
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            raw.withUnsafeBytes { bytes in
                withUnsafeMutableBytes(of: &address.sin6_addr) { $0.copyMemory(from: bytes) }
            }
            return try withUnsafePointer(to: &address) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    try body($0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
    }

    /// `host:port`, with the IPv6 host in brackets.
    public var description: String { family == .ipv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
