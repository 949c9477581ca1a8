import Foundation
import Testing

/// The real OpenSSH client against the engine over a loopback socket: key exchange completes and
/// the client reaches user authentication (issue 2's interop matrix).
@Suite(.serialized) struct OpenSSHClientKeyExchangeTests {
    static let cipherSettings: [(ciphers: String, macs: String, expectedMAC: String)] = [
        ("chacha20-poly1305@openssh.com", "hmac-sha2-256-etm@openssh.com", "<implicit>"),
        ("aes256-gcm@openssh.com", "hmac-sha2-256-etm@openssh.com", "<implicit>"),
        ("aes128-ctr", "hmac-sha2-256-etm@openssh.com", "hmac-sha2-256-etm@openssh.com"),
    ]
    static let hostKeyAlgorithms = ["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512"]

    @Test(arguments: ["curve25519-sha256", "ecdh-sha2-nistp256", "diffie-hellman-group16-sha512"])
    func opensshReachesUserAuthentication(kex: String) throws {
        let server = try DemoServerProcess()
        for setting in Self.cipherSettings {
            for hostKey in Self.hostKeyAlgorithms {
                let result = try run("/usr/bin/ssh", [
                    "-vvv", "-F", "/dev/null", "-p", "\(server.port)",
                    "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
                    "-o", "UserKnownHostsFile=/dev/null", "-o", "GlobalKnownHostsFile=/dev/null",
                    "-o", "PubkeyAuthentication=no", "-o", "ConnectTimeout=20",
                    "-o", "KexAlgorithms=\(kex)", "-o", "HostKeyAlgorithms=\(hostKey)",
                    "-o", "Ciphers=\(setting.ciphers)", "-o", "MACs=\(setting.macs)",
                    "demo@127.0.0.1", "true",
                ])
                let label = "\(kex) \(hostKey) \(setting.ciphers)"
                #expect(result.status == 255, "\(label): ssh must fail at authentication")
                #expect(result.output.contains("kex: algorithm: \(kex)"), "\(label)\n\(result.output)\n\(server.log)")
                #expect(result.output.contains("kex: host key algorithm: \(hostKey)"), "\(label)")
                #expect(result.output.contains("kex: server->client cipher: \(setting.ciphers) MAC: \(setting.expectedMAC)"), "\(label)")
                #expect(result.output.contains("kex: client->server cipher: \(setting.ciphers) MAC: \(setting.expectedMAC)"), "\(label)")
                #expect(result.output.contains("Authentications that can continue: publickey,password,keyboard-interactive"), "\(label)\n\(result.output)")
                // Strict KEX and ext-info were negotiated with OpenSSH 9.2.
                #expect(result.output.contains("kex_input_ext_info: server-sig-algs="), "\(label)")
            }
        }
    }
}
