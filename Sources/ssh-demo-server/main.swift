// A blocking demo server over loopback: it completes the SSH key exchange with any client and
// answers user authentication with "no method succeeded". It exists until the daemon lands, to
// run the engine against real OpenSSH clients (`make run`, and the interop tests).
import CShims
import Foundation
import SSHCore
import SSHCrypto
import SSHWire

struct Options {
    var host = "127.0.0.1"
    var port: UInt16 = 2222
    var stateDirectory = "state"
    var allAlgorithms = false

    static func parse(_ arguments: [String]) -> Options {
        var options = Options()
        var index = 1
        func value() -> String {
            index += 1
            guard index < arguments.count else { usage("missing value after \(arguments[index - 1])") }
            return arguments[index]
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--host": options.host = value()
            case "--port":
                let text = value()
                guard let port = UInt16(text) else { usage("--port takes 0…65535, not \(text)") }
                options.port = port
            case "--state": options.stateDirectory = value()
            case "--all-algorithms": options.allAlgorithms = true
            case "-h", "--help": usage(nil)
            default: usage("unknown argument \(arguments[index])")
            }
            index += 1
        }
        return options
    }

    static func usage(_ error: String?) -> Never {
        if let error { FileHandle.standardError.write(Data("ssh-demo-server: \(error)\n".utf8)) }
        print("usage: ssh-demo-server [--host ADDR] [--port N] [--state DIR] [--all-algorithms]")
        exit(error == nil ? 0 : 2)
    }
}

func log(_ line: String) {
    FileHandle.standardError.write(Data("\(line)\n".utf8))
}

/// Host keys under `directory`: ed25519, ECDSA P-256 and RSA 3072, generated when missing (mode 0600).
func loadOrCreateHostKeys(in directory: String) throws -> [any SSHPrivateKey] {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let kinds: [(file: String, make: () throws -> any SSHPrivateKey)] = [
        ("ssh_host_ed25519_key", { try SSHKeyGenerator.generateEd25519() }),
        ("ssh_host_ecdsa_key", { try SSHKeyGenerator.generateECDSA(curve: .p256) }),
        ("ssh_host_rsa_key", { try SSHKeyGenerator.generateRSA(bits: 3072) }),
    ]
    var keys: [any SSHPrivateKey] = []
    for kind in kinds {
        let path = (directory as NSString).appendingPathComponent(kind.file)
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            keys.append(try SSHPrivateKeyFile.parse(text, passphrase: nil).key)
            continue
        }
        let key = try kind.make()
        let text = try SSHPrivateKeyFile.openSSHFormat(key, comment: "demo host key", passphrase: nil)
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
        log("generated \(path): \(SSHFingerprint.sha256(blob: key.publicKey.wireBlob))")
        keys.append(key)
    }
    return keys
}

/// Serves one connection until either side closes.
func serve(fd: Int32, peer: String, configuration: TransportConfiguration) {
    defer { close(fd) }
    let transport: SSHTransport
    do {
        transport = try SSHTransport(configuration: configuration)
    } catch {
        log("cannot start transport: \(error)")
        return
    }
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
        let output = transport.takeOutput()
        if !output.isEmpty, !writeAll(fd, output) { return }
        if transport.isClosed { return }
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count <= 0 {
            log("Connection closed by \(peer)")
            return
        }
        buffer.withUnsafeBytes { transport.receive(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        while let event = transport.nextEvent() {
            handle(event, transport: transport, peer: peer)
        }
    }
}

func handle(_ event: TransportEvent, transport: SSHTransport, peer: String) {
    switch event {
    case .peerVersion(let version):
        log("\(peer): client version \(version)")
    case .keyExchangeCompleted(let summary):
        let a = summary.algorithms
        log("\(peer): kex \(a.keyExchange) host key \(a.hostKey) cipher \(a.cipherClientToServer)/\(a.cipherServerToClient) mac \(a.macClientToServer.isEmpty ? "<implicit>" : a.macClientToServer) strict \(summary.strictKeyExchange)")
    case .payload(let payload, let sequenceNumber):
        do {
            switch try SSHMessage.decode(payload) {
            case .serviceRequest(let request) where request.serviceName == "ssh-userauth":
                try transport.send(SSHMsgServiceAccept(serviceName: request.serviceName).encoded())
            case .serviceRequest:
                transport.disconnect(reason: .serviceNotAvailable, description: "service not available")
            case .userAuthRequest(let request):
                log("\(peer): user authentication \(request.method.methodName) for \(request.userName) refused (demo server)")
                let failure = SSHMsgUserAuthFailure(methods: ["publickey", "password", "keyboard-interactive"], partialSuccess: false)
                try transport.send(failure.encoded())
            default:
                try transport.sendUnimplemented(sequenceNumber: sequenceNumber)
            }
        } catch {
            transport.disconnect(reason: .protocolError, description: "malformed message")
        }
    case .disconnected(let reason, let description, let byPeer):
        log("\(peer): disconnected (\(byPeer ? "by peer" : "by us"), reason \(reason)): \(description)")
    case .hostKeyApprovalRequested, .extensionInfo, .debug, .unimplemented, .pong:
        break
    }
}

func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeBytes { raw in
            write(fd, UnsafeRawBufferPointer(rebasing: raw[offset...]).baseAddress, raw.count - offset)
        }
        if written < 0 && errno == EINTR { continue }
        if written <= 0 { return false }
        offset += written
    }
    return true
}

signal(SIGPIPE, SIG_IGN)
let options = Options.parse(CommandLine.arguments)
OpenSSL.initialize()
let hostKeys: [any SSHPrivateKey]
do {
    hostKeys = try loadOrCreateHostKeys(in: options.stateDirectory)
} catch {
    log("ssh-demo-server: host keys in \(options.stateDirectory): \(error)")
    exit(1)
}
var algorithms = AlgorithmPreferences.secureDefaults
if options.allAlgorithms {
    algorithms.keyExchange = AlgorithmRegistry.allKeyExchangeNames
    algorithms.hostKey = AlgorithmRegistry.allSignatureNames
    algorithms.ciphers = AlgorithmRegistry.allCipherNames
    algorithms.macs = AlgorithmRegistry.allMACNames
}
let configuration = TransportConfiguration(
    role: .server, algorithms: algorithms, hostKeys: hostKeys, strictKeyExchange: .enabled)

var boundPort: UInt16 = 0
let listener = sshd_tcp_listen_ipv4(options.host, options.port, 128, &boundPort)
guard listener >= 0 else {
    log("ssh-demo-server: cannot listen on \(options.host) port \(options.port): \(String(cString: strerror(errno)))")
    exit(1)
}
print("Server listening on \(options.host) port \(boundPort).")
print("Connect with: ssh -p \(boundPort) -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null demo@\(options.host)")
fflush(nil)
while true {
    var address = [CChar](repeating: 0, count: 64)
    var peerPort: UInt16 = 0
    let fd = sshd_tcp_accept(listener, &address, address.count, &peerPort)
    if fd < 0 { continue }
    let peer = "\(String(decoding: address.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)) port \(peerPort)"
    log("Connection from \(peer)")
    Thread.detachNewThread { serve(fd: fd, peer: peer, configuration: configuration) }
}
