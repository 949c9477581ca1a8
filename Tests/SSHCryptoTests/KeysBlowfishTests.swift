import COpenSSL
@testable import SSHCrypto
import Testing

@Suite struct KeysBlowfishTests {
    /// Eric Young's Blowfish ECB vectors (the set Schneier published as vectors.txt on
    /// counterpane.com): key, plaintext, ciphertext.
    static let ecbVectors: [(key: String, plain: String, cipher: String)] = [
        ("0000000000000000", "0000000000000000", "4EF997456198DD78"),
        ("FFFFFFFFFFFFFFFF", "FFFFFFFFFFFFFFFF", "51866FD5B85ECB8A"),
        ("3000000000000000", "1000000000000001", "7D856F9A613063F2"),
        ("1111111111111111", "1111111111111111", "2466DD878B963C9D"),
        ("0123456789ABCDEF", "1111111111111111", "61F9C3802281B096"),
        ("1111111111111111", "0123456789ABCDEF", "7D0CC630AFDA1EC7"),
        ("FEDCBA9876543210", "0123456789ABCDEF", "0ACEAB0FC6A0A28D"),
        ("7CA110454A1A6E57", "01A1D6D039776742", "59C68245EB05282B"),
        ("0131D9619DC1376E", "5CD54CA83DEF57DA", "B1B8CC0B250F09A0"),
        ("07A1133E4A0B2686", "0248D43806F67172", "1730E5778BEA1DA4"),
        ("3849674C2602319E", "51454B582DDF440A", "A25E7856CF2651EB"),
        ("04B915BA43FEB5B6", "42FD443059577FA2", "353882B109CE8F1A"),
    ]

    @Test func publishedECBVectors() throws {
        for vector in Self.ecbVectors {
            let key = try #require(KeysTestSupport.bytes(hex: vector.key))
            let plain = try #require(KeysTestSupport.bytes(hex: vector.plain))
            let cipher = try #require(KeysTestSupport.bytes(hex: vector.cipher))
            #expect(Blowfish(key: key).encryptBlock(plain) == cipher, "key \(vector.key)")
        }
    }

    /// The generated tables start with pi's fraction (3.243F6A88 85A308D3 …) and end where
    /// Blowfish's S-box 3 ends.
    @Test func constantTableShapes() {
        #expect(Blowfish.initialP.count == 18)
        #expect(Blowfish.initialS.count == 1024)
        #expect(Blowfish.initialP.prefix(2) == [0x243F_6A88, 0x85A3_08D3])
    }

    /// Our Blowfish against OpenSSL's `BF-ECB` (legacy provider) on random keys and blocks.
    @Test func matchesOpenSSLOnRandomInput() throws {
        OpenSSL.initialize()
        for round in 0..<200 {
            let key = OpenSSL.randomBytes(1 + round % 56)
            let block = OpenSSL.randomBytes(8)
            let expected = try opensslECB(key: key, block: block)
            #expect(Blowfish(key: key).encryptBlock(block) == expected, "key \(KeysTestSupport.hex(key))")
        }
    }

    /// bcrypt_pbkdf vectors from OpenBSD's regression tests (regress/lib/libutil/bcrypt_pbkdf),
    /// also used by other implementations of the OpenSSH key format.
    @Test func bcryptPBKDFVectors() throws {
        let vectors: [(passphrase: [UInt8], salt: [UInt8], rounds: UInt32, key: String)] = [
            (Array("password".utf8), Array("salt".utf8), 4, "5bbf0cc293587f1c3635555c27796598d47e579071bf427e9d8fbe842aba34d9"),
            (Array("password".utf8), [0], 4, "c12b566235eee04c212598970a579a67"),
            ([0], Array("salt".utf8), 4, "6051be18c2f4f82cbf0efee5471b4bb9"),
            (Array("password\0".utf8), Array("salt\0".utf8), 4, "7410e44cf4fa07bfaac8a928b1727fac001375e7bf7384370f48efd121743050"),
        ]
        for vector in vectors {
            let expected = try #require(KeysTestSupport.bytes(hex: vector.key))
            let key = try BcryptPBKDF.derive(
                passphrase: vector.passphrase, salt: vector.salt, rounds: vector.rounds, outputLength: expected.count)
            #expect(key.bytes == expected)
        }
    }

    @Test func bcryptPBKDFLimits() {
        let salt = Array("salt".utf8)
        let pass = Array("pass".utf8)
        #expect(throws: CryptoError.self) { try BcryptPBKDF.derive(passphrase: [], salt: salt, rounds: 1, outputLength: 16) }
        #expect(throws: CryptoError.self) { try BcryptPBKDF.derive(passphrase: pass, salt: [], rounds: 1, outputLength: 16) }
        #expect(throws: CryptoError.self) { try BcryptPBKDF.derive(passphrase: pass, salt: salt, rounds: 0, outputLength: 16) }
        #expect(throws: CryptoError.self) {
            try BcryptPBKDF.derive(passphrase: pass, salt: salt, rounds: SSHKeyLimits.maximumBcryptRounds + 1, outputLength: 16)
        }
        #expect(throws: CryptoError.self) { try BcryptPBKDF.derive(passphrase: pass, salt: salt, rounds: 1, outputLength: 0) }
        #expect(throws: CryptoError.self) { try BcryptPBKDF.derive(passphrase: pass, salt: salt, rounds: 1, outputLength: 1025) }
    }

    private func opensslECB(key: [UInt8], block: [UInt8]) throws -> [UInt8] {
        let cipher = try #require(EVP_CIPHER_fetch(nil, "BF-ECB", nil))
        defer { EVP_CIPHER_free(cipher) }
        let context = try #require(EVP_CIPHER_CTX_new())
        defer { EVP_CIPHER_CTX_free(context) }
        #expect(EVP_EncryptInit_ex2(context, cipher, nil, nil, nil) == 1)
        var keyLength = UInt32(key.count)
        "keylen".withCString { name in
            var params = [OSSL_PARAM_construct_uint(name, &keyLength), OSSL_PARAM_construct_end()]
            _ = EVP_CIPHER_CTX_set_params(context, &params)
        }
        #expect(EVP_EncryptInit_ex2(context, nil, key, nil, nil) == 1)
        #expect(EVP_CIPHER_CTX_set_padding(context, 0) == 1)
        var out = [UInt8](repeating: 0, count: 16)
        var length: Int32 = 0
        #expect(EVP_EncryptUpdate(context, &out, &length, block, 8) == 1)
        #expect(length == 8)
        return Array(out.prefix(8))
    }
}
