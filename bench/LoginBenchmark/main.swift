// LoginBenchmark: many complete SSH logins against one server, a few at a time, from one
// light process (issue 6, `bench/bench.py`).
//
// Each login is what `ssh -o KexAlgorithms=curve25519-sha256 host true` does on the wire:
// version exchange, curve25519-sha256 key exchange with the server's ed25519 host key checked
// against the pinned one, aes128-gcm, public-key authentication (query, then signature), a session
// channel, `exec`, the exit status, close, disconnect. It is built on this package's protocol
// engine over blocking sockets, one thread per login in flight, so that on a small machine the
// servers, not the client processes, are what is measured.
//
// Usage: LoginBenchmark --port P --user U --key FILE --host-key FILE [--count N] [--in-flight K]
//        [--command C] [--time-limit S]
// Prints one line: `logins=N failed=F seconds=S`, and the first failure on standard error.
import Foundation
import SSHCore
import SSHCrypto
import SSHWire
#if canImport(Glibc)
import Glibc
#endif

struct Options {
    var port: UInt16 = 0
    var user = ""
    var keyFile = ""
    var hostKeyFile = ""
    var count = 100
    var inFlight = 1
    var command = "true"
    /// Every run stops after this long, finished or not.
    var timeLimit = 600.0

    static let maximumInFlight = 256
    static let maximumCount = 1_000_000

    init(_ arguments: [String]) throws {
        var rest = arguments.makeIterator()
        func value(_ name: String) throws -> String {
            guard let next = rest.next() else { throw BenchError("\(name) needs a value") }
            return next
        }
        while let name = rest.next() {
            switch name {
            case "--port": port = try UInt16(value(name)).orThrow("--port takes 1 to 65535")
            case "--user": user = try value(name)
            case "--key": keyFile = try value(name)
            case "--host-key": hostKeyFile = try value(name)
            case "--count": count = try Int(value(name)).filter { (1...Self.maximumCount).contains($0) }.orThrow("--count takes 1 to \(Self.maximumCount)")
            case "--in-flight": inFlight = try Int(value(name)).filter { (1...Self.maximumInFlight).contains($0) }.orThrow("--in-flight takes 1 to \(Self.maximumInFlight)")
            case "--command": command = try value(name)
            case "--time-limit": timeLimit = try Double(value(name)).filter { $0 > 0 }.orThrow("--time-limit takes seconds")
            default: throw BenchError("unknown option \(name)")
            }
        }
        guard port != 0, !user.isEmpty, !keyFile.isEmpty, !hostKeyFile.isEmpty else {
            throw BenchError("usage: LoginBenchmark --port P --user U --key FILE --host-key FILE [--count N] [--in-flight K] [--command C] [--time-limit S]")
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Optional {
    func filter(_ accept: (Wrapped) -> Bool) -> Wrapped? { flatMap { accept($0) ? $0 : nil } }

    func orThrow(_ message: String) throws -> Wrapped {
        guard let self else { throw BenchError(message) }
        return self
    }
}

/// One login from connect to disconnect, on a blocking socket.
struct Login {
    let options: Options
    let userKey: any SSHPrivateKey
    let hostKeyBlob: [UInt8]
    /// Longest wait for the server in one read.
    static let readTimeoutSeconds = 30

    func run() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = options.port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw BenchError("connect: \(String(cString: strerror(errno)))") }
        var on: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: Self.readTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        var algorithms = AlgorithmPreferences.secureDefaults
        algorithms.keyExchange = ["curve25519-sha256"]
        algorithms.hostKey = ["ssh-ed25519"]
        algorithms.ciphers = ["aes128-gcm@openssh.com"]
        let transport = try SSHTransport(configuration: TransportConfiguration(
            role: .client, versionString: "SSH-2.0-LoginBenchmark", algorithms: algorithms,
            hostKeyApproval: .pinned([hostKeyBlob])))
        var auth: UserAuthClient?
        var channels: ChannelMultiplexer?
        var session: SSHChannelID?
        var exitStatus: UInt32?
        var finished = false
        var buffer = [UInt8](repeating: 0, count: 65536)

        while true {
            // Everything the engines want to say goes out before the next read.
            if let auth { for payload in auth.takeOutgoing() { try transport.send(payload) } }
            if let channels { for payload in channels.takeOutgoing() { try transport.send(payload) } }
            if finished { transport.disconnect(reason: .byApplication, description: "done") }
            let output = transport.takeOutput()
            var sent = 0
            while sent < output.count {
                let count = output[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard count > 0 else { throw BenchError("send: \(String(cString: strerror(errno)))") }
                sent += count
            }
            if transport.isClosed {
                guard let exitStatus else { throw BenchError("closed before the command's exit status") }
                guard exitStatus == 0 else { throw BenchError("the command exited with \(exitStatus)") }
                return
            }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw BenchError(count == 0 ? "the server closed the connection" : "recv: \(String(cString: strerror(errno)))") }
            transport.receive(Array(buffer[0..<count]))
            while let event = transport.nextEvent() {
                switch event {
                case .keyExchangeCompleted(let summary) where auth == nil:
                    let client = UserAuthClient(configuration: UserAuthClientConfiguration(
                        user: options.user, sessionIdentifier: summary.sessionIdentifier,
                        credentials: [.publicKey(userKey)], serverSignatureAlgorithms: transport.serverSignatureAlgorithms))
                    client.start()
                    auth = client
                case .payload(let payload, let sequenceNumber):
                    if let channels {
                        try channels.receive(payload, sequenceNumber: sequenceNumber)
                    } else if let client = auth {
                        client.receive(payload)
                    }
                case .disconnected(_, let description, _):
                    throw BenchError("disconnected: \(description)")
                case .hostKeyApprovalRequested:
                    throw BenchError("the server's host key is not the pinned one")
                default:
                    break
                }
            }
            while let event = auth?.nextEvent() {
                switch event {
                case .authenticated:
                    let multiplexer = ChannelMultiplexer(role: .client)
                    session = try multiplexer.openChannel(.session)
                    channels = multiplexer
                case .exhausted(let methods):
                    throw BenchError("authentication failed (the server allows \(methods.joined(separator: ",")))")
                case .disconnect(_, let description):
                    throw BenchError("authentication: \(description)")
                default:
                    break
                }
            }
            while let event = channels?.nextEvent() {
                switch event {
                case .channelOpened(let id) where id == session:
                    try channels?.sendChannelRequest(.exec(command: Array(options.command.utf8)), on: id, wantReply: true)
                case .channelOpenFailed(_, _, let description):
                    throw BenchError("session refused: \(description)")
                case .channelRequestReply(_, let success) where !success:
                    throw BenchError("exec refused")
                case .channelRequest(_, let request):
                    if case .exitStatus(let status) = request.payload { exitStatus = status }
                case .channelClosed:
                    finished = true
                default:
                    break
                }
            }
        }
    }
}

/// Logins handed out to the threads, and what came back.
final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private(set) var succeeded = 0
    private(set) var failed = 0
    private(set) var firstFailure: String?
    let count: Int
    let deadline: Date

    init(count: Int, deadline: Date) {
        self.count = count
        self.deadline = deadline
    }

    func take() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard next < count, Date() < deadline else { return false }
        next += 1
        return true
    }

    func record(_ failure: String?) {
        lock.lock()
        defer { lock.unlock() }
        if let failure {
            failed += 1
            if firstFailure == nil { firstFailure = failure }
        } else {
            succeeded += 1
        }
    }
}

do {
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    let userKey = try SSHPrivateKeyFile.parse(String(contentsOfFile: options.keyFile, encoding: .utf8), passphrase: nil).key
    let hostKey = try SSHPrivateKeyFile.parse(String(contentsOfFile: options.hostKeyFile, encoding: .utf8), passphrase: nil).key
    let login = Login(options: options, userKey: userKey, hostKeyBlob: hostKey.publicKey.wireBlob)
    let tally = Tally(count: options.count, deadline: Date().addingTimeInterval(options.timeLimit))
    let started = Date()
    let done = DispatchGroup()
    for _ in 0..<min(options.inFlight, options.count) {
        done.enter()
        Thread.detachNewThread {
            while tally.take() {
                do {
                    try login.run()
                    tally.record(nil)
                } catch {
                    tally.record("\(error)")
                }
            }
            done.leave()
        }
    }
    done.wait()
    let seconds = Date().timeIntervalSince(started)
    print("logins=\(tally.succeeded) failed=\(tally.failed) seconds=\(String(format: "%.3f", seconds))")
    if let failure = tally.firstFailure { FileHandle.standardError.write(Data("first failure: \(failure)\n".utf8)) }
    // `_exit`, not `exit`: the login threads may still be running their thread-local destructors
    // (OpenSSL's among them) while `exit` runs OpenSSL's cleanup, and the two freed the same
    // memory now and then ("double free or corruption": 2 of about 580 runs of 40 logins).
    fflush(nil)
    _exit(tally.failed == 0 ? 0 : 1)
} catch {
    FileHandle.standardError.write(Data("LoginBenchmark: \(error)\n".utf8))
    exit(2)
}
