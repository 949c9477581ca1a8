import COpenSSL
import Foundation
import Testing
@testable import SSHCrypto

@Suite struct KeyExchangeDiffieHellmanTests {
    /// The published primes from `Fixtures/kex/modp-primes.txt` (RFC 2409 §6.2, RFC 3526 §3/§5/§7).
    static let publishedPrimes: [String: [UInt8]] = {
        guard let url = Bundle.module.url(forResource: "modp-primes", withExtension: "txt", subdirectory: "Fixtures/kex"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return [:] }
        var primes: [String: String] = [:]
        var current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) where !line.hasPrefix("#") {
            if line.hasPrefix("[") {
                current = String(line.dropFirst().dropLast())
                if let current { primes[current] = "" }
            } else if let current {
                primes[current, default: ""] += line
            }
        }
        return primes.mapValues { KEXTestData.hex($0) }
    }()

    /// Method, fixture prime, expected hash, private-exponent bits, whether legacy.
    static let methods: [(DiffieHellmanGroupKeyExchange, String, HashFunction, Int, Bool)] = [
        (.group1SHA1, "oakley-group-2", .sha1, 512, true),
        (.group14SHA1, "modp-2048", .sha1, 512, true),
        (.group14SHA256, "modp-2048", .sha256, 512, false),
        (.group16SHA512, "modp-4096", .sha512, 512, false),
        (.group18SHA512, "modp-8192", .sha512, 512, false),
    ]

    static func ephemeralKey(_ client: any KeyExchangeClient) throws -> DiffieHellmanGroupKeyExchange.EphemeralKey {
        try #require(client as? DiffieHellmanGroupKeyExchange.Client).key
    }

    @Test(arguments: methods)
    func descriptor(method: DiffieHellmanGroupKeyExchange, fixture: String, hash: HashFunction, exponentBits: Int, legacy: Bool) {
        #expect(method.hash == hash)
        #expect(method.isLegacy == legacy)
        #expect(method.publicValueEncoding == .mpint)
        #expect(KeyExchangeAlgorithms.named(method.name)?.name == method.name)
    }

    /// The prime and generator OpenSSL uses are the published ones (RFC 3526 / RFC 2409, g = 2).
    @Test(arguments: methods)
    func groupMatchesPublishedPrime(method: DiffieHellmanGroupKeyExchange, fixture: String, hash: HashFunction, exponentBits: Int, legacy: Bool) throws {
        let published = try #require(Self.publishedPrimes[fixture])
        #expect(published.count * 8 == DiffieHellmanMagnitude.bitCount(published))
        let key = try Self.ephemeralKey(method.makeClient())
        #expect(key.prime == published)
        #expect(try key.key.bigNumberParameter(OSSL_PKEY_PARAM_FFC_G) == [2])
    }

    /// Private exponents have the documented size: at most `exponentBits`, and (with overwhelming
    /// probability, 2^-32 per key) no more than 32 bits shorter.
    @Test(arguments: methods)
    func privateExponentSize(method: DiffieHellmanGroupKeyExchange, fixture: String, hash: HashFunction, exponentBits: Int, legacy: Bool) throws {
        for _ in 0..<3 {
            let bits = try Self.ephemeralKey(method.makeClient()).key.bigNumberParameterBits(OSSL_PKEY_PARAM_PRIV_KEY)
            #expect(bits <= exponentBits)
            #expect(bits > exponentBits - 32)
        }
    }

    @Test(arguments: methods)
    func clientAgainstServer(method: DiffieHellmanGroupKeyExchange, fixture: String, hash: HashFunction, exponentBits: Int, legacy: Bool) throws {
        let prime = try #require(Self.publishedPrimes[fixture])
        let runs = prime.count > 512 ? 4 : prime.count > 256 ? 10 : 40
        for _ in 0..<runs {
            let client = try method.makeClient()
            #expect(client.publicValue.first != 0)
            #expect(DiffieHellmanMagnitude.isInOpenRange(client.publicValue, prime: prime))
            let server = try method.respond(toClientPublicValue: client.publicValue)
            #expect(server.publicValue.first != 0)
            #expect(DiffieHellmanMagnitude.isInOpenRange(server.publicValue, prime: prime))
            let secret = try client.sharedSecret(serverPublicValue: server.publicValue)
            #expect(secret.bytes == server.sharedSecret.bytes)
            #expect(KEXTestData.isCanonicalMPInt(secret.bytes))
            #expect(secret.count <= 4 + 1 + prime.count)
        }
    }

    /// RFC 4253 §8: values outside 1 < e < p − 1 are refused; so are values longer than p.
    @Test(arguments: methods)
    func outOfRangeIsRejected(method: DiffieHellmanGroupKeyExchange, fixture: String, hash: HashFunction, exponentBits: Int, legacy: Bool) throws {
        let p = try #require(Self.publishedPrimes[fixture])
        var pMinusOne = p
        pMinusOne[p.count - 1] -= 1
        let pPlusOne = Self.increment(p)
        let tooLong = [1] + [UInt8](repeating: 0, count: p.count)
        let values: [[UInt8]] = [[], [0], [0, 0], [1], [0, 1], pMinusOne, p, pPlusOne, [0xFF] + p, tooLong]
        for value in values {
            try KEXTestData.expectRejected(value, by: method)
        }
        let client = try method.makeClient()
        // 2 = g^1 is the smallest value in range and in the generator's subgroup: accepted.
        _ = try method.respond(toClientPublicValue: [2])
        _ = try client.sharedSecret(serverPublicValue: [2])
        // p − 2 ≡ −2 is in range but not a quadratic residue modulo these primes (p ≡ 7 mod 8):
        // refused where OpenSSL knows the subgroup order (named groups), accepted otherwise.
        var pMinusTwo = p
        pMinusTwo[p.count - 1] -= 2
        if case .named = method.group {
            try KEXTestData.expectRejected(pMinusTwo, by: method)
        } else {
            _ = try method.respond(toClientPublicValue: pMinusTwo)
            _ = try client.sharedSecret(serverPublicValue: pMinusTwo)
        }
    }

    @Test func rangeCheckOnSmallNumbers() {
        let p: [UInt8] = [0x17]  // 23
        #expect(!DiffieHellmanMagnitude.isInOpenRange([], prime: p))
        #expect(!DiffieHellmanMagnitude.isInOpenRange([1], prime: p))
        #expect(DiffieHellmanMagnitude.isInOpenRange([2], prime: p))
        #expect(DiffieHellmanMagnitude.isInOpenRange([21], prime: p))
        #expect(!DiffieHellmanMagnitude.isInOpenRange([22], prime: p))
        #expect(!DiffieHellmanMagnitude.isInOpenRange([23], prime: p))
        #expect(!DiffieHellmanMagnitude.isInOpenRange([1, 0], prime: p))
        #expect(!DiffieHellmanMagnitude.isInOpenRange([5], prime: [0x18]))  // even "prime"
        #expect(DiffieHellmanMagnitude.bitCount([0x01, 0x00]) == 9)
        #expect(DiffieHellmanMagnitude.bitCount([]) == 0)
    }

    /// Explicit (p, g) groups, as group exchange will use them, agree with the named group over the
    /// same prime.
    @Test func explicitGroupOverRFC3526Prime() throws {
        let prime = try #require(Self.publishedPrimes["modp-2048"])
        let method = DiffieHellmanGroupKeyExchange(name: "test-explicit", prime: prime, generator: [2], hash: .sha256)
        #expect(!method.isLegacy)
        let client = try method.makeClient()
        let server = try DiffieHellmanGroupKeyExchange.group14SHA256.respond(toClientPublicValue: client.publicValue)
        #expect(try client.sharedSecret(serverPublicValue: server.publicValue).bytes == server.sharedSecret.bytes)
    }

    @Test func explicitGroupWithBadParametersThrows() {
        let method = DiffieHellmanGroupKeyExchange(name: "test-bad", prime: [], generator: [2], hash: .sha256)
        #expect(throws: CryptoError.self) { try method.makeClient() }
    }

    @Test func randomGarbageNeverTraps() throws {
        let method = DiffieHellmanGroupKeyExchange.group14SHA256
        let client = try method.makeClient()
        for value in KEXTestData.garbage(count: 60, lengths: [256, 256, 0, 1, 2, 255, 257, 512]) {
            _ = try? method.respond(toClientPublicValue: value)
            _ = try? client.sharedSecret(serverPublicValue: value)
        }
    }

    /// `value` + 1 for a big-endian magnitude.
    static func increment(_ value: [UInt8]) -> [UInt8] {
        var result = value
        var index = result.count - 1
        while index >= 0 {
            if result[index] == 0xFF {
                result[index] = 0
                index -= 1
            } else {
                result[index] += 1
                return result
            }
        }
        return [1] + result
    }
}
