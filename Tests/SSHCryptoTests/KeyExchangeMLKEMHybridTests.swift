import Crypto
import Foundation
import Testing
@testable import SSHCrypto

/// One FIPS 203 ML-KEM-768 known answer from `Fixtures/kex/mlkem768-wycheproof.json`
/// (Project Wycheproof, testvectors_v1/mlkem_768_test.json; the fixture names the commit).
struct MLKEMVector: Sendable, Decodable, CustomTestStringConvertible {
    let tcId: Int
    let comment: String
    let seed: String
    let ek: String
    let c: String
    let K: String

    var testDescription: String { "tcId \(tcId): \(comment)" }

    struct File: Decodable {
        let source: String
        let vectors: [MLKEMVector]
    }

    static let all: [MLKEMVector] = {
        guard let url = Bundle.module.url(forResource: "mlkem768-wycheproof", withExtension: "json", subdirectory: "Fixtures/kex"),
            let data = try? Data(contentsOf: url),
            let file = try? JSONDecoder().decode(File.self, from: data)
        else { return [] }
        return file.vectors
    }()
}

@Suite struct KeyExchangeMLKEMHybridTests {
    let method = MLKEM768X25519KeyExchange.sha256

    @Test func fixtureIsPresent() {
        #expect(MLKEMVector.all.count >= 10)
    }

    /// FIPS 203 ML-KEM-768 through swift-crypto: KeyGen from the seed d ‖ z gives the published
    /// encapsulation key, and Decaps of the published ciphertext gives the published K.
    @Test(arguments: MLKEMVector.all)
    func fips203KnownAnswer(vector: MLKEMVector) throws {
        let key = try MLKEM768.PrivateKey(seedRepresentation: KEXTestData.hex(vector.seed), publicKey: nil)
        #expect(Array(key.publicKey.rawRepresentation) == KEXTestData.hex(vector.ek))
        let secret = try key.decapsulate(KEXTestData.hex(vector.c))
        #expect(secret.withUnsafeBytes { Array($0) } == KEXTestData.hex(vector.K))
    }

    /// The same vectors through the SSH method with the RFC 7748 §6.1 X25519 keys (Alice as
    /// client, Bob as server): C_INIT = ek ‖ X25519 public, and the client's K is
    /// string(SHA-256(K_PQ ‖ K_CL)) computed from the two published secrets.
    @Test(arguments: MLKEMVector.all)
    func hybridKnownAnswer(vector: MLKEMVector) throws {
        let alice = try X25519EphemeralKey(privateKey: KEXTestData.hex(KeyExchangeCurve25519Tests.alicePrivate))
        let client = try method.makeClient(mlkemSeed: KEXTestData.hex(vector.seed), x25519: alice)
        #expect(client.publicValue == KEXTestData.hex(vector.ek) + KEXTestData.hex(KeyExchangeCurve25519Tests.alicePublic))
        let reply = KEXTestData.hex(vector.c) + KEXTestData.hex(KeyExchangeCurve25519Tests.bobPublic)
        let digest = HashFunction.sha256.hash(KEXTestData.hex(vector.K) + KEXTestData.hex(KeyExchangeCurve25519Tests.shared))
        #expect(try client.sharedSecret(serverPublicValue: reply).bytes == [0, 0, 0, 32] + digest)
    }

    @Test func lengthsAndDescriptor() {
        #expect(method.name == "mlkem768x25519-sha256")
        #expect(method.hash == .sha256)
        #expect(method.publicValueEncoding == .string)
        #expect(MLKEM768X25519KeyExchange.clientValueLength == 1216)
        #expect(MLKEM768X25519KeyExchange.serverValueLength == 1120)
    }

    @Test func clientAgainstServer() throws {
        for _ in 0..<50 {
            let client = try method.makeClient()
            #expect(client.publicValue.count == MLKEM768X25519KeyExchange.clientValueLength)
            let server = try method.respond(toClientPublicValue: client.publicValue)
            #expect(server.publicValue.count == MLKEM768X25519KeyExchange.serverValueLength)
            let secret = try client.sharedSecret(serverPublicValue: server.publicValue)
            #expect(secret.bytes == server.sharedSecret.bytes)
            // K is a string of a SHA-256 digest: exactly 4 + 32 bytes, any leading byte allowed.
            #expect(secret.count == 4 + 32)
            #expect(KEXTestData.splitLengthPrefix(secret.bytes)?.length == 32)
        }
    }

    /// A tampered ciphertext is not an error (FIPS 203 implicit rejection) but yields another K.
    @Test func tamperedCiphertextGivesAnotherSecret() throws {
        let client = try method.makeClient()
        let server = try method.respond(toClientPublicValue: client.publicValue)
        var reply = server.publicValue
        reply[0] ^= 0x01
        #expect(try client.sharedSecret(serverPublicValue: reply).bytes != server.sharedSecret.bytes)
    }

    @Test(arguments: [0, 1, 32, 1184, 1215, 1217, 2432])
    func wrongClientLengthIsRejected(length: Int) {
        #expect(throws: SSHCrypto.CryptoError.self) { try method.respond(toClientPublicValue: OpenSSL.randomBytes(length)) }
    }

    @Test(arguments: [0, 1, 32, 1088, 1119, 1121, 1216])
    func wrongServerLengthIsRejected(length: Int) throws {
        let client = try method.makeClient()
        #expect(throws: SSHCrypto.CryptoError.self) { try client.sharedSecret(serverPublicValue: OpenSSL.randomBytes(length)) }
    }

    /// An encapsulation key whose coefficients are not reduced modulo q fails the FIPS 203 §7.2
    /// input check: all 0xFF bytes decode to 4095 ≥ 3329.
    @Test func unreducedEncapsulationKeyIsRejected() throws {
        let valid = try method.makeClient().publicValue
        let bad = [UInt8](repeating: 0xFF, count: MLKEM768X25519KeyExchange.encapsulationKeyLength)
            + valid.suffix(X25519EphemeralKey.keyLength)
        #expect(throws: SSHCrypto.CryptoError.invalidPublicValue("ML-KEM-768 encapsulation key is not valid")) {
            try method.respond(toClientPublicValue: bad)
        }
    }

    /// An all-zero X25519 half aborts on both sides (RFC 7748 §6.1).
    @Test func zeroX25519IsRejected() throws {
        let client = try method.makeClient()
        let zeros = [UInt8](repeating: 0, count: X25519EphemeralKey.keyLength)
        let clientValue = Array(client.publicValue.prefix(MLKEM768X25519KeyExchange.encapsulationKeyLength)) + zeros
        #expect(throws: SSHCrypto.CryptoError.invalidPublicValue("X25519 shared secret is all zero")) {
            try method.respond(toClientPublicValue: clientValue)
        }
        let server = try method.respond(toClientPublicValue: client.publicValue)
        let reply = Array(server.publicValue.prefix(MLKEM768X25519KeyExchange.ciphertextLength)) + zeros
        #expect(throws: SSHCrypto.CryptoError.invalidPublicValue("X25519 shared secret is all zero")) {
            try client.sharedSecret(serverPublicValue: reply)
        }
    }

    @Test func randomGarbageNeverTraps() throws {
        let client = try method.makeClient()
        for value in KEXTestData.garbage(count: 100, lengths: [1216, 1120, 1216, 1120, 0, 33]) {
            _ = try? method.respond(toClientPublicValue: value)
            _ = try? client.sharedSecret(serverPublicValue: value)
        }
    }
}
