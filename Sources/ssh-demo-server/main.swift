// The demo server, and the example of the SSHServer class: configure the class, install event
// handlers, then call `doEvents()` in a loop — every event fires inside that call, on this thread.
// One account, `demo` / `demo`; an echo shell; exec; tunnels to loopback (docs/decisions/0001).
import Foundation
import SSHCrypto
import SSHDaemon
import SSHKit

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

/// The key blobs of `authorized_keys` in `directory`, when that file exists.
func loadAuthorizedKeys(in directory: String) throws -> [[UInt8]] {
    let path = (directory as NSString).appendingPathComponent("authorized_keys")
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
    var blobs: [[UInt8]] = []
    for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
        do {
            blobs.append(try SSHPublicKeyLine(parsing: trimmed).key.wireBlob)
        } catch {
            throw DemoError("\(path) line \(number + 1): \(error)")
        }
    }
    return blobs
}

struct DemoError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Ends the loop below on SIGINT or SIGTERM (checked after every `doEvents()`, at most
/// `SelectWaitMillis` apart).
nonisolated(unsafe) var stopRequested: sig_atomic_t = 0

/// Host keys under `directory`: ed25519, ECDSA P-256 and RSA 3072, generated when missing (mode
/// 0600), as `swift-sshd keygen` makes them.
func loadOrCreateHostKeys(in directory: String) throws -> [any SSHPrivateKey] {
    let paths = ["ssh_host_ed25519_key", "ssh_host_ecdsa_key", "ssh_host_rsa_key"].map { (directory as NSString).appendingPathComponent($0) }
    for line in try HostKeyFiles.generateMissing(paths) { log("generated \(line)") }
    return try HostKeyFiles.load(paths)
}

signal(SIGPIPE, SIG_IGN)
let options = Options.parse(CommandLine.arguments)
let hostKeys: [any SSHPrivateKey]
var account = DemoAccount()
do {
    OpenSSL.initialize()
    hostKeys = try loadOrCreateHostKeys(in: options.stateDirectory)
    account.authorizedKeyBlobs = try loadAuthorizedKeys(in: options.stateDirectory)
} catch {
    log("ssh-demo-server: host keys in \(options.stateDirectory): \(error)")
    exit(1)
}

do {
    let server = try SSHServer()
    server.hostKeys = hostKeys
    try server.config("LocalHost=\(options.host)")
    try server.config("LocalPort=\(options.port)")
    try server.config("UseIPv6=\(options.host.contains(":") ? 1 : 0)")
    try server.config("DefaultAuthMethods=publickey,password,keyboard-interactive")
    if options.allAlgorithms {
        try server.config("SSHKeyExchangeAlgorithms=\(AlgorithmRegistry.allKeyExchangeNames.joined(separator: ","))")
        try server.config("SSHPublicKeyAlgorithms=\(AlgorithmRegistry.allSignatureNames.joined(separator: ","))")
        try server.config("SSHEncryptionAlgorithms=\(AlgorithmRegistry.allCipherNames.joined(separator: ","))")
        try server.config("SSHMacAlgorithms=\(AlgorithmRegistry.allMACNames.joined(separator: ","))")
    }
    installDemoHandlers(server, account: account, log: log)
    server.onLog = { log($0.message) }
    server.onSSHStatus = { log("connection \($0.connectionId): \($0.message)") }
    server.onError = { log("connection \($0.connectionId): error \($0.errorCode): \($0.description)") }
    try server.startListening()
    print("Server listening on \(options.host) port \(server.localPort).")
    print("Connect with: ssh -p \(server.localPort) -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null demo@\(options.host)  (password: demo)")
    fflush(nil)
    signal(SIGINT) { _ in stopRequested = 1 }
    signal(SIGTERM) { _ in stopRequested = 1 }
    while stopRequested == 0 { try server.doEvents() }
    server.shutdown()
    log("ssh-demo-server: stopped")
} catch {
    log("ssh-demo-server: \(error)")
    exit(1)
}
