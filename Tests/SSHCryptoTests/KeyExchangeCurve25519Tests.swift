import Testing
@testable import SSHCrypto

@Suite struct KeyExchangeCurve25519Tests {
    // MARK: - X25519 known answers

    /// RFC 7748 §5.2: the two single-iteration X25519 test vectors (scalar, u-coordinate, output).
    /// The second input u has its top bit set, which X25519 masks (RFC 7748 §5).
    @Test(arguments: [
        (
            "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
            "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
            "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"
        ),
        (
            "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
            "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
            "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"
        ),
    ])
    func rfc7748Section5_2(scalar: String, u: String, output: String) throws {
        let key = try X25519EphemeralKey(privateKey: KEXTestData.hex(scalar))
        let secret = try key.rawSharedSecret(peerPublicKey: KEXTestData.hex(u))
        #expect(secret.bytes == KEXTestData.hex(output))
    }

    /// RFC 7748 §5.2 iterated test: k = u = 9; repeat (k, u) = (X25519(k, u), k); the values after
    /// 1 and 1,000 iterations are published.
    @Test func rfc7748Section5_2Iterated() throws {
        var k = [9] + [UInt8](repeating: 0, count: 31)
        var u = k
        for iteration in 1...1000 {
            let next = try X25519EphemeralKey(privateKey: k).rawSharedSecret(peerPublicKey: u).bytes
            u = k
            k = next
            if iteration == 1 {
                #expect(k == KEXTestData.hex("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079"))
            }
        }
        #expect(k == KEXTestData.hex("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51"))
    }

    /// RFC 7748 §6.1: Alice's and Bob's private keys, their public keys and the shared secret.
    static let alicePrivate = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"
    static let alicePublic = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
    static let bobPrivate = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"
    static let bobPublic = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
    static let shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"

    @Test func rfc7748Section6_1() throws {
        let alice = try X25519EphemeralKey(privateKey: KEXTestData.hex(Self.alicePrivate))
        let bob = try X25519EphemeralKey(privateKey: KEXTestData.hex(Self.bobPrivate))
        #expect(alice.publicKey == KEXTestData.hex(Self.alicePublic))
        #expect(bob.publicKey == KEXTestData.hex(Self.bobPublic))
        #expect(try alice.rawSharedSecret(peerPublicKey: bob.publicKey).bytes == KEXTestData.hex(Self.shared))
        #expect(try bob.rawSharedSecret(peerPublicKey: alice.publicKey).bytes == KEXTestData.hex(Self.shared))
    }

    /// The §6.1 exchange through the SSH method: Alice as client, Bob as server. K is the X25519
    /// output as an mpint (RFC 8731 §3.1); 0x4a has its top bit clear, so no zero byte is added.
    @Test(arguments: [Curve25519KeyExchange.sha256, Curve25519KeyExchange.sha256LibSSH])
    func rfc7748Section6_1ThroughSSHMethod(method: Curve25519KeyExchange) throws {
        let client = method.makeClient(key: try X25519EphemeralKey(privateKey: KEXTestData.hex(Self.alicePrivate)))
        #expect(client.publicValue == KEXTestData.hex(Self.alicePublic))
        let server = try method.respond(
            toClientPublicValue: client.publicValue,
            key: X25519EphemeralKey(privateKey: KEXTestData.hex(Self.bobPrivate)))
        #expect(server.publicValue == KEXTestData.hex(Self.bobPublic))
        let expected = [0, 0, 0, 32] + KEXTestData.hex(Self.shared)
        #expect(server.sharedSecret.bytes == expected)
        #expect(try client.sharedSecret(serverPublicValue: server.publicValue).bytes == expected)
    }

    /// RFC 8731 §3.1: an output whose top bit is set gets a leading zero byte (the first
    /// RFC 7748 §5.2 vector, c3da…).
    @Test func mpintOfHighBitSecret() throws {
        let method = Curve25519KeyExchange.sha256
        let server = try method.respond(
            toClientPublicValue: KEXTestData.hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"),
            key: X25519EphemeralKey(privateKey: KEXTestData.hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4")))
        let expected = [0, 0, 0, 33, 0] + KEXTestData.hex("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552")
        #expect(server.sharedSecret.bytes == expected)
    }

    // MARK: - Client against server

    @Test(arguments: [Curve25519KeyExchange.sha256, Curve25519KeyExchange.sha256LibSSH])
    func clientAgainstServer(method: Curve25519KeyExchange) throws {
        #expect(method.hash == .sha256)
        #expect(method.publicValueEncoding == .string)
        for _ in 0..<200 {
            let client = try method.makeClient()
            #expect(client.publicValue.count == Curve25519KeyExchange.publicValueLength)
            let server = try method.respond(toClientPublicValue: client.publicValue)
            #expect(server.publicValue.count == Curve25519KeyExchange.publicValueLength)
            let clientSecret = try client.sharedSecret(serverPublicValue: server.publicValue)
            #expect(clientSecret.bytes == server.sharedSecret.bytes)
            #expect(KEXTestData.isCanonicalMPInt(clientSecret.bytes))
            #expect(clientSecret.count <= 4 + 33)
        }
    }

    // MARK: - Rejections

    @Test(arguments: [0, 1, 31, 33, 64, 65])
    func wrongLengthIsRejected(length: Int) throws {
        try KEXTestData.expectRejected(OpenSSL.randomBytes(length), by: Curve25519KeyExchange.sha256)
    }

    /// Points of small order (and non-canonical encodings of them) make every X25519 output zero;
    /// RFC 7748 §6.1 and RFC 8731 §3 require the exchange to abort.
    @Test(arguments: [
        "0000000000000000000000000000000000000000000000000000000000000000",  // 0
        "0100000000000000000000000000000000000000000000000000000000000000",  // 1
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",  // order 8
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",  // order 8
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // p - 1
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // p (≡ 0)
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // p + 1 (≡ 1)
        "0000000000000000000000000000000000000000000000000000000000000080",  // 0 with the top bit set
    ])
    func smallOrderPointIsRejected(point: String) throws {
        let method = Curve25519KeyExchange.sha256
        #expect(throws: CryptoError.invalidPublicValue("X25519 shared secret is all zero")) {
            try method.respond(toClientPublicValue: KEXTestData.hex(point))
        }
        let client = try method.makeClient()
        #expect(throws: CryptoError.invalidPublicValue("X25519 shared secret is all zero")) {
            try client.sharedSecret(serverPublicValue: KEXTestData.hex(point))
        }
    }

    @Test func randomGarbageNeverTraps() throws {
        let method = Curve25519KeyExchange.sha256
        let client = try method.makeClient()
        for value in KEXTestData.garbage(count: 300, lengths: [32, 32, 32, 0, 1, 31, 33, 100]) {
            _ = try? method.respond(toClientPublicValue: value)
            _ = try? client.sharedSecret(serverPublicValue: value)
        }
    }
}
