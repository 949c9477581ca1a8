import Foundation
import SSHCrypto
import TestSupport
import Testing
@testable import SSHKit

/// Host keys through the store settings (server digest §5): files, blobs, auto-detection,
/// passphrases, subjects, alternates, and every store type that does not apply.
@Suite struct HostKeyStoreTests {
    let scratch: ScratchDirectory
    var directory: URL { scratch.url }
    let key: any SSHPrivateKey
    let keyText: String

    init() throws {
        scratch = try ScratchDirectory("hostkeys")
        key = try SSHKeyGenerator.generateEd25519()
        keyText = try SSHPrivateKeyFile.openSSHFormat(key, comment: "host@example", passphrase: nil)
    }

    func write(_ name: String, _ text: String, mode: Int = 0o600) throws -> String {
        let path = directory.appendingPathComponent(name).path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode]))
        return path
    }

    func load(type: Int, store: String, password: String = "", subject: String = "*") throws(SSHServerError) -> any SSHPrivateKey {
        try HostKeyStore.load(type: type, store: store, password: password, subject: subject)
    }

    @Test func keyFileBlobAndBase64Blob() throws {
        let path = try write("ssh_host_ed25519_key", keyText)
        #expect(try load(type: 6, store: path).publicKey.wireBlob == key.publicKey.wireBlob)
        #expect(try load(type: 7, store: keyText).publicKey.wireBlob == key.publicKey.wireBlob)
        #expect(try load(type: 7, store: Base64.encode(Array(keyText.utf8))).publicKey.wireBlob == key.publicKey.wireBlob)
        #expect(try load(type: 99, store: path).publicKey.wireBlob == key.publicKey.wireBlob)
        #expect(try load(type: 99, store: keyText).publicKey.wireBlob == key.publicKey.wireBlob)
    }

    @Test func pemFormatsLoadToo() throws {
        let rsa = try SSHKeyGenerator.generateRSA(bits: 2048)
        let ecdsa = try SSHKeyGenerator.generateECDSA(curve: .p384)
        for candidate in [rsa, ecdsa] as [any SSHPrivateKey] {
            let text = try SSHPrivateKeyFile.openSSHFormat(candidate, comment: "", passphrase: nil)
            #expect(try load(type: 99, store: text).publicKey.wireBlob == candidate.publicKey.wireBlob)
        }
    }

    @Test func encryptedKeysNeedTheRightPassphrase() throws {
        let encrypted = try SSHPrivateKeyFile.openSSHFormat(key, comment: "", passphrase: "correct horse")
        let path = try write("encrypted", encrypted)
        #expect(try load(type: 6, store: path, password: "correct horse").publicKey.wireBlob == key.publicKey.wireBlob)
        let missing = #expect(throws: SSHServerError.self) { try load(type: 6, store: path) }
        #expect(missing?.code == SSHServerError.noHostKey)
        #expect(missing?.diagnostics.contains("set SSHCertStorePassword") == true)
        let wrong = #expect(throws: SSHServerError.self) { try load(type: 6, store: path, password: "battery staple") }
        #expect(wrong?.diagnostics.contains("wrong passphrase") == true)
    }

    @Test func filesOthersCanReadAreRefusedAsSshdDoes() throws {
        let path = try write("open", keyText, mode: 0o644)
        let error = #expect(throws: SSHServerError.self) { try load(type: 6, store: path) }
        #expect(error?.diagnostics.contains("permissions 644") == true)
        #expect(error?.diagnostics.contains(path) == true)
        let missing = #expect(throws: SSHServerError.self) { try load(type: 6, store: path + ".absent") }
        #expect(missing?.diagnostics.contains("No such file") == true)
    }

    @Test func subjectIsStarOrTheKeysComment() throws {
        #expect(try load(type: 7, store: keyText, subject: "").publicKey.wireBlob == key.publicKey.wireBlob)
        #expect(try load(type: 7, store: keyText, subject: "host@example").publicKey.wireBlob == key.publicKey.wireBlob)
        let error = #expect(throws: SSHServerError.self) { try load(type: 7, store: keyText, subject: "CN=other") }
        #expect(error?.diagnostics.contains("does not match SSHCertSubject") == true)
    }

    @Test(arguments: HostKeyStoreType.allCases.filter { $0.unsupportedReason != nil })
    func storeTypesThatDoNotApplySayWhy(type: HostKeyStoreType) {
        let error = #expect(throws: SSHServerError.self) { try load(type: type.rawValue, store: keyText) }
        #expect(error?.code == SSHServerError.noHostKey)
        #expect(error?.diagnostics.contains("SSHCertStoreType \(type.rawValue) is ") == true)
        #expect(throws: SSHServerError.self) { try load(type: 42, store: keyText) }
    }

    @Test func propertiesLoadThePrimaryKeyAndAlternates() throws {
        let server = try SSHServer()
        #expect(server.sshCertStoreType == 99)
        server.sshCertStore = try write("primary", keyText)
        try server.setSSHCertSubject("*")
        #expect(server.sshCertSubject == "*")
        #expect(server.hostKeys.map(\.publicKey.wireBlob) == [key.publicKey.wireBlob])
        #expect(server.sshCertEncoded == SSHPublicKeyLine(key: key.publicKey).text)

        let rsa = try SSHKeyGenerator.generateRSA(bits: 2048)
        try server.config("AltSSHCertCount=2")
        try server.config("AltSSHCertStoreType[0]=7")
        try server.config("AltSSHCertStore[0]=\(Base64.encode(Array(try SSHPrivateKeyFile.openSSHFormat(rsa, comment: "", passphrase: nil).utf8)))")
        try server.config("AltSSHCertSubject[0]=*")
        #expect(server.hostKeys.map(\.publicKey.keyType) == ["ssh-ed25519", "ssh-rsa"])
        #expect(try server.config("AltSSHCertStoreType[0]") == "7")
        #expect(try server.config("AltSSHCertSubject[0]") == "*")
        #expect(throws: SSHServerError.self) { try server.config("AltSSHCertSubject[1]=*") }  // its store is empty
        #expect(try server.config("AltSSHCertSubject[1]") == "")
        #expect(throws: SSHServerError.self) { try server.config("AltSSHCertStore[2]=x") }
        #expect(throws: SSHServerError.self) { try server.config("AltSSHCertCount=17") }
        try server.config("AltSSHCertCount=0")
        #expect(server.hostKeys.count == 1)

        let failed = #expect(throws: SSHServerError.self) { try server.setSSHCertEncoded("not a key") }
        #expect(failed?.code == SSHServerError.noHostKey)
        #expect(server.sshCertSubject == "")
        #expect(server.hostKeys.isEmpty)
        #expect(throws: SSHServerError.self) { try server.startListening() }
    }
}
