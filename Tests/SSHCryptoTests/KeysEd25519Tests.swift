import Foundation
import SSHCrypto
import SSHWire
import Testing

/// One RFC 8032 §7.1 test vector.
struct KeysRFC8032Vector: Decodable, Sendable, CustomStringConvertible {
    var name: String
    var secret: String
    var `public`: String
    var message: String
    var signature: String
    var description: String { name }
}

/// The RFC 8032 §7.1 Ed25519 vectors (TEST 1, 2, 3, 1024 and SHA(abc)), stored as JSON.
private let rfc8032Vectors: [KeysRFC8032Vector] = {
    struct File: Decodable { var vectors: [KeysRFC8032Vector] }
    guard let data = try? KeysTestSupport.fixtureData("rfc8032-ed25519.json"),
        let file = try? JSONDecoder().decode(File.self, from: data)
    else { return [] }
    return file.vectors
}()

@Suite struct KeysEd25519Tests {
    @Test func vectorsArePresent() {
        #expect(rfc8032Vectors.count == 5)
        #expect(rfc8032Vectors.first { $0.name == "TEST 1024" }.map { $0.message.count / 2 } == 1023)
    }

    /// RFC 8032 §7.1: the secret key gives the public key, and signing gives the exact signature.
    @Test(arguments: rfc8032Vectors)
    func knownAnswer(_ vector: KeysRFC8032Vector) throws {
        let secret = try #require(KeysTestSupport.bytes(hex: vector.secret))
        let expectedPublic = try #require(KeysTestSupport.bytes(hex: vector.public))
        let message = try #require(KeysTestSupport.bytes(hex: vector.message))
        let expectedSignature = try #require(KeysTestSupport.bytes(hex: vector.signature))

        let key = try Ed25519PrivateKey(seed: secret)
        #expect(key.ed25519PublicKey.rawRepresentation == expectedPublic)
        #expect(try key.rawSignature(for: message) == expectedSignature)

        let blob = try key.signature(for: message, algorithm: "ssh-ed25519")
        var reader = SSHReader(blob)
        #expect(try reader.readText() == "ssh-ed25519")
        #expect(try reader.readString() == expectedSignature)
        #expect(reader.isAtEnd)

        let publicKey = try Ed25519PublicKey(rawRepresentation: expectedPublic)
        #expect(publicKey.isValidSignature(blob, for: message, allowedAlgorithms: ["ssh-ed25519"]))
        #expect(!publicKey.isValidSignature(blob, for: message + [0], allowedAlgorithms: ["ssh-ed25519"]))
        #expect(!publicKey.isValidSignature(blob, for: message, allowedAlgorithms: ["rsa-sha2-256"]))
    }

    @Test func flippedBitsFail() throws {
        let key = try SSHKeyGenerator.generateEd25519()
        let data = Array("exchange hash".utf8)
        let blob = try key.signature(for: data, algorithm: "ssh-ed25519")
        let publicKey = key.publicKey
        #expect(publicKey.isValidSignature(blob, for: data, allowedAlgorithms: SignatureAlgorithm.defaultNames))
        for bit in [0, 7, 100, 8 * blob.count - 1] {
            var damaged = blob
            damaged[bit / 8] ^= UInt8(1 << (bit % 8))
            #expect(!publicKey.isValidSignature(damaged, for: data, allowedAlgorithms: SignatureAlgorithm.defaultNames))
        }
        var damagedData = data
        damagedData[0] ^= 1
        #expect(!publicKey.isValidSignature(blob, for: damagedData, allowedAlgorithms: SignatureAlgorithm.defaultNames))
    }

    @Test func wrongLengthsThrowOrFail() throws {
        #expect(throws: CryptoError.self) { try Ed25519PrivateKey(seed: [UInt8](repeating: 1, count: 31)) }
        #expect(throws: CryptoError.self) { try Ed25519PublicKey(rawRepresentation: [UInt8](repeating: 1, count: 33)) }
        let key = try SSHKeyGenerator.generateEd25519()
        let data: [UInt8] = [1, 2, 3]
        let raw = try key.rawSignature(for: data)
        for length in [0, 63, 65] {
            let signature = Array((raw + [0]).prefix(length))
            let blob = SSHWriter.encode { $0.writeText("ssh-ed25519"); $0.writeString(signature) }
            #expect(!key.publicKey.isValidSignature(blob, for: data, allowedAlgorithms: ["ssh-ed25519"]))
        }
    }

    @Test func seedRoundTrips() throws {
        let key = try SSHKeyGenerator.generateEd25519()
        let again = try Ed25519PrivateKey(seed: try key.seed.bytes)
        #expect(again.ed25519PublicKey == key.ed25519PublicKey)
    }
}
