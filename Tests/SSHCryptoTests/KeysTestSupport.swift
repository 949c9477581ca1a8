import Foundation
import SSHCrypto

/// Shared support for the key tests: fixture files and hex.
enum KeysTestSupport {
    /// The fixtures made by `Scripts/make-key-fixtures.sh`.
    static let fixtureDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/keys")

    /// The passphrase of every encrypted fixture (listed in `passphrases.txt`).
    static let fixturePassphrase = "fixture passphrase"

    static func fixtureData(_ name: String) throws -> Data {
        try Data(contentsOf: fixtureDirectory.appendingPathComponent(name))
    }

    static func fixtureText(_ name: String) throws -> String {
        String(decoding: try fixtureData(name), as: UTF8.self)
    }

    /// Bytes from hex; nil for odd length or non-hex characters.
    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// One line of `fingerprints-*.txt`: the key file name, then what `ssh-keygen -l` printed.
    struct FingerprintRecord: Sendable, CustomStringConvertible {
        var file: String
        var bits: Int
        var fingerprint: String
        var comment: String
        var description: String { file }
    }

    /// Parses `file bits fingerprint comment… (TYPE)`.
    static func fingerprintRecords(_ listing: String) throws -> [FingerprintRecord] {
        let text = try fixtureText(listing)
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 4, let bits = Int(fields[1]) else { return nil }
            let comment = fields.dropFirst(3).dropLast().joined(separator: " ")
            return FingerprintRecord(file: String(fields[0]), bits: bits, fingerprint: String(fields[2]), comment: comment)
        }
    }

    /// The files that need ``fixturePassphrase``.
    static func encryptedFixtures() throws -> Set<String> {
        Set(try fixtureText("passphrases.txt").split(separator: "\n").map(String.init))
    }

    /// The fixture's `.pub` file name.
    static func publicKeyFile(for keyFile: String) -> String {
        String(keyFile.dropLast(".key".count)) + ".pub"
    }

    /// Every fixture `.pub` file.
    static let publicKeyFiles: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixtureDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".pub") }.sorted()
    }()
}
