import Foundation
import SSHCrypto
import SSHKit
import Testing

/// Host keys loaded through the store settings from files `ssh-keygen` wrote, checked by the
/// fingerprint the OpenSSH client prints; and a Connected handler choosing another key.
@Suite(.serialized) struct SSHServerHostKeyTests {
    let harness: ClassServerHarness

    init() throws { harness = try ClassServerHarness("sshhostkey") }

    /// `ssh-keygen -t TYPE` into the harness folder: the private key's path and the SHA-256
    /// fingerprint `ssh-keygen -l` gives for its public key.
    func keygen(_ name: String, _ arguments: [String]) throws -> (path: String, fingerprint: String) {
        let path = harness.directory.appendingPathComponent(name).path
        let made = try run("/usr/bin/ssh-keygen", ["-q", "-N", "", "-C", name, "-f", path] + arguments)
        guard made.status == 0 else { throw InteropError("ssh-keygen: \(made.output)") }
        let listed = try run("/usr/bin/ssh-keygen", ["-l", "-E", "sha256", "-f", path + ".pub"])
        let fields = listed.output.split(separator: " ")
        guard listed.status == 0, fields.count > 1 else { throw InteropError("ssh-keygen -l: \(listed.output)") }
        return (path, String(fields[1]))
    }

    /// The fingerprint in the client's "Server host key: TYPE SHA256:…" line.
    func serverKeyFingerprint(_ output: [UInt8]) -> String? {
        let text = String(decoding: output, as: UTF8.self)
        guard let line = text.split(whereSeparator: \.isNewline).first(where: { $0.contains("Server host key:") }) else { return nil }
        return line.split(separator: " ").last.map(String.init)
    }

    func connect(_ server: SSHServer, hostKeyAlgorithm: String) throws -> String? {
        let result = try harness.run(
            server, command: "x", options: ["-o", "LogLevel=DEBUG1", "-o", "HostKeyAlgorithms=\(hostKeyAlgorithm)"], limit: 60)
        return serverKeyFingerprint(result.output)
    }

    @Test func storesFromSshKeygenFilesServeTheRightKey() throws {
        let ed25519 = try keygen("ed25519", ["-t", "ed25519"])
        let rsa = try keygen("rsa", ["-t", "rsa", "-b", "2048", "-m", "PEM"])  // PKCS#1 PEM
        let server = try harness.makeServer(hostKeys: []) { server in
            server.sshCertStoreType = 6
            server.sshCertStore = ed25519.path
            try server.setSSHCertSubject("*")
            let rsaText = try String(contentsOfFile: rsa.path, encoding: .utf8)
            try server.config("AltSSHCertCount=1")
            try server.config("AltSSHCertStoreType[0]=7")
            try server.config("AltSSHCertStore[0]=\(Base64.encode(Array(rsaText.utf8)))")
            try server.config("AltSSHCertSubject[0]=*")
        }
        #expect(try connect(server, hostKeyAlgorithm: "ssh-ed25519") == ed25519.fingerprint)
        #expect(try connect(server, hostKeyAlgorithm: "rsa-sha2-512") == rsa.fingerprint)
    }

    @Test func connectedHandlerChoosesAKeyForOneConnection() throws {
        let ecdsa = try keygen("ecdsa", ["-t", "ecdsa", "-b", "256"])
        var connections = 0
        var errors: [Int] = []
        let server = try harness.makeServer { server in
            server.onConnected = { event in
                connections += 1
                if connections == 1 {
                    event.certStoreType = 6
                    event.certStore = ecdsa.path
                    event.certSubject = "*"
                } else {
                    event.certStore = ecdsa.path + ".missing"
                    event.certSubject = "*"
                }
            }
            server.onError = { errors.append($0.errorCode) }
        }
        #expect(try connect(server, hostKeyAlgorithm: "ecdsa-sha2-nistp256") == ecdsa.fingerprint)
        // The second connection's key cannot be loaded: Error 1301, and that connection ends.
        #expect(try connect(server, hostKeyAlgorithm: "ecdsa-sha2-nistp256") == nil)
        #expect(errors == [SSHServerError.noHostKey])
    }
}
