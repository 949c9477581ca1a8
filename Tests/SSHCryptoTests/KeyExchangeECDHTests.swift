import Testing
@testable import SSHCrypto

/// One RFC 5903 §8 ECDH test case: initiator (i, g^i), responder (r, g^r) and the shared x.
struct ECDHVector: Sendable, CustomTestStringConvertible {
    let curve: ECDHKeyExchange.Curve
    let initiatorPrivate: String
    let initiatorX: String
    let initiatorY: String
    let responderPrivate: String
    let responderX: String
    let responderY: String
    let sharedX: String

    var testDescription: String { curve.identifier }
    var initiatorPoint: [UInt8] { [0x04] + KEXTestData.hex(initiatorX + initiatorY) }
    var responderPoint: [UInt8] { [0x04] + KEXTestData.hex(responderX + responderY) }
}

@Suite struct KeyExchangeECDHTests {
    /// RFC 5903 §8.1 (256-bit random ECP group), §8.2 (384-bit) and §8.3 (521-bit).
    static let rfc5903: [ECDHVector] = [
        ECDHVector(
            curve: .p256,
            initiatorPrivate: "C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433",
            initiatorX: "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180",
            initiatorY: "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3",
            responderPrivate: "C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53",
            responderX: "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63",
            responderY: "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB",
            sharedX: "D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE"),
        ECDHVector(
            curve: .p384,
            initiatorPrivate: """
                099F3C7034D4A2C699884D73A375A67F7624EF7C6B3C0F160647B67414DCE655E35B538041E649EE3FAEF896783AB194
                """,
            initiatorX: "667842D7D180AC2CDE6F74F37551F55755C7645C20EF73E31634FE72B4C55EE6DE3AC808ACB4BDB4C88732AEE95F41AA",
            initiatorY: "9482ED1FC0EEB9CAFC4984625CCFC23F65032149E0E144ADA024181535A0F38EEB9FCFF3C2C947DAE69B4C634573A81C",
            responderPrivate: """
                41CB0779B4BDB85D47846725FBEC3C9430FAB46CC8DC5060855CC9BDA0AA2942E0308312916B8ED2960E4BD55A7448FC
                """,
            responderX: "E558DBEF53EECDE3D3FCCFC1AEA08A89A987475D12FD950D83CFA41732BC509D0D1AC43A0336DEF96FDA41D0774A3571",
            responderY: "DCFBEC7AACF3196472169E838430367F66EEBE3C6E70C416DD5F0C68759DD1FFF83FA40142209DFF5EAAD96DB9E6386C",
            sharedX: "11187331C279962D93D604243FD592CB9D0A926F422E47187521287E7156C5C4D603135569B9E9D09CF5D4A270F59746"),
        ECDHVector(
            curve: .p521,
            initiatorPrivate: """
                0037ADE9319A89F4DABDB3EF411AACCCA5123C61ACAB57B5393DCE47608172A095AA85A30FE1C2952C6771D937BA
                9777F5957B2639BAB072462F68C27A57382D4A52
                """,
            initiatorX: """
                0015417E84DBF28C0AD3C278713349DC7DF153C897A1891BD98BAB4357C9ECBEE1E3BF42E00B8E380AEAE57C2D1075
                64941885942AF5A7F4601723C4195D176CED3E
                """,
            initiatorY: """
                017CAE20B6641D2EEB695786D8C946146239D099E18E1D5A514C739D7CB4A10AD8A788015AC405D7799DC75E7B7D5B
                6CF2261A6A7F1507438BF01BEB6CA3926F9582
                """,
            responderPrivate: """
                0145BA99A847AF43793FDD0E872E7CDFA16BE30FDC780F97BCCC3F078380201E9C677D600B343757A3BDBF2A3163E4
                C2F869CCA7458AA4A4EFFC311F5CB151685EB9
                """,
            responderX: """
                00D0B3975AC4B799F5BEA16D5E13E9AF971D5E9B984C9F39728B5E5739735A219B97C356436ADC6E95BB0352F6BE64
                A6C2912D4EF2D0433CED2B6171640012D9460F
                """,
            responderY: """
                015C68226383956E3BD066E797B623C27CE0EAC2F551A10C2C724D9852077B87220B6536C5C408A1D2AEBB8E86D678
                AE49CB57091F4732296579AB44FCD17F0FC56A
                """,
            sharedX: """
                01144C7D79AE6956BC8EDB8E7C787C4521CB086FA64407F97894E5E6B2D79B04D1427E73CA4BAA240A34786859810C
                06B3C715A3A8CC3151F2BEE417996D19F3DDEA
                """),
    ]

    static func method(_ curve: ECDHKeyExchange.Curve) -> ECDHKeyExchange {
        switch curve {
        case .p256: .nistp256
        case .p384: .nistp384
        case .p521: .nistp521
        }
    }

    /// The RFC 5903 exchange through the SSH method: initiator as client, responder as server.
    /// K is the shared x coordinate as an mpint (RFC 5656 §4).
    @Test(arguments: rfc5903)
    func rfc5903KnownAnswer(vector: ECDHVector) throws {
        let method = Self.method(vector.curve)
        let clientKey = try method.ephemeralKey(
            privateScalar: KEXTestData.hex(vector.initiatorPrivate), publicPoint: vector.initiatorPoint)
        let serverKey = try method.ephemeralKey(
            privateScalar: KEXTestData.hex(vector.responderPrivate), publicPoint: vector.responderPoint)
        let client = method.makeClient(key: clientKey)
        #expect(client.publicValue == vector.initiatorPoint)
        let server = try method.respond(toClientPublicValue: client.publicValue, key: serverKey)
        #expect(server.publicValue == vector.responderPoint)
        let expected = KEXTestData.mpint(KEXTestData.hex(vector.sharedX))
        #expect(server.sharedSecret.bytes == expected)
        #expect(try client.sharedSecret(serverPublicValue: server.publicValue).bytes == expected)
    }

    /// A scalar that does not match its point is refused on import (guards the vectors above).
    @Test func mismatchedKeyPairIsRefused() {
        let vector = Self.rfc5903[0]
        #expect(throws: CryptoError.self) {
            try Self.method(.p256).ephemeralKey(
                privateScalar: KEXTestData.hex(vector.initiatorPrivate), publicPoint: vector.responderPoint)
        }
    }

    @Test(arguments: ECDHKeyExchange.Curve.allCases)
    func clientAgainstServer(curve: ECDHKeyExchange.Curve) throws {
        let method = Self.method(curve)
        #expect(method.name == "ecdh-sha2-" + curve.identifier)
        #expect(method.hash == curve.hash)
        #expect(method.publicValueEncoding == .string)
        for _ in 0..<100 {
            let client = try method.makeClient()
            #expect(client.publicValue.count == curve.uncompressedPointLength)
            #expect(client.publicValue.first == 0x04)
            let server = try method.respond(toClientPublicValue: client.publicValue)
            #expect(server.publicValue.count == curve.uncompressedPointLength)
            let secret = try client.sharedSecret(serverPublicValue: server.publicValue)
            #expect(secret.bytes == server.sharedSecret.bytes)
            #expect(KEXTestData.isCanonicalMPInt(secret.bytes))
            #expect(secret.count <= 4 + 1 + curve.fieldLength)
        }
    }

    /// Wrong lengths: empty, the point at infinity (one zero byte), a compressed point, and one byte
    /// too short or too long.
    @Test(arguments: ECDHKeyExchange.Curve.allCases)
    func wrongLengthIsRejected(curve: ECDHKeyExchange.Curve) throws {
        let method = Self.method(curve)
        let valid = try method.makeClient().publicValue
        let compressed = [0x02 | (valid.last ?? 0) & 1] + Array(valid[1...curve.fieldLength])
        for value in [[], [0], compressed, Array(valid.dropLast()), valid + [0]] {
            try KEXTestData.expectRejected(value, by: method)
        }
    }

    /// Right length but not a valid uncompressed point: off the curve, wrong prefix byte, all zero,
    /// coordinates ≥ p.
    @Test(arguments: ECDHKeyExchange.Curve.allCases)
    func invalidPointIsRejected(curve: ECDHKeyExchange.Curve) throws {
        let method = Self.method(curve)
        let valid = try method.makeClient().publicValue
        var offCurve = valid
        offCurve[offCurve.count - 1] ^= 0x01
        var wrongPrefix = valid
        wrongPrefix[0] = 0x06
        let zeros = [0x04] + [UInt8](repeating: 0, count: 2 * curve.fieldLength)
        let ones = [0x04] + [UInt8](repeating: 0xFF, count: 2 * curve.fieldLength)
        for value in [offCurve, wrongPrefix, zeros, ones] {
            try KEXTestData.expectRejected(value, by: method)
        }
    }

    @Test(arguments: ECDHKeyExchange.Curve.allCases)
    func randomGarbageNeverTraps(curve: ECDHKeyExchange.Curve) throws {
        let method = Self.method(curve)
        let client = try method.makeClient()
        let n = curve.uncompressedPointLength
        for var value in KEXTestData.garbage(count: 200, lengths: [n, n, n, 0, 1, n - 1, n + 1, 2 * n]) {
            if value.count == n, Bool.random() { value[0] = 0x04 }
            #expect(throws: CryptoError.self) { try method.respond(toClientPublicValue: value) }
            #expect(throws: CryptoError.self) { try client.sharedSecret(serverPublicValue: value) }
        }
    }
}
