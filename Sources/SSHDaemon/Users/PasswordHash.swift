import CShims
import SSHCrypto

/// crypt(3) password hashes through libxcrypt (DESIGN §7): yescrypt by default, sha512-crypt and
/// bcrypt accepted. Checking compares the whole result in constant time.
public enum PasswordHash {
    /// The methods `user add` and `user passwd` can make.
    public enum Method: String, Sendable, CaseIterable {
        case yescrypt, sha512crypt = "sha512-crypt", bcrypt

        var prefix: String {
            switch self {
            case .yescrypt: "$y$"
            case .sha512crypt: "$6$"
            case .bcrypt: "$2b$"
            }
        }
    }

    /// The room crypt_r needs for its result (CRYPT_OUTPUT_SIZE).
    static let outputSize = 384
    /// The longest password hashed: longer ones are refused before crypt sees them.
    public static let maximumPasswordLength = 1024

    /// A new hash of `password` with a fresh salt; nil when libxcrypt cannot make one.
    public static func make(_ password: String, method: Method = .yescrypt) -> String? {
        guard password.utf8.count <= maximumPasswordLength, !password.utf8.contains(0) else { return nil }
        var salt = [CChar](repeating: 0, count: outputSize)
        guard sshd_crypt_gensalt(method.prefix, 0, &salt, salt.count) == 0 else { return nil }
        return hash(password, setting: String(decoding: salt.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self))
    }

    /// Whether `password` matches `stored` (a crypt string). Unknown methods, `*` and `!` never
    /// match. The whole result is compared in constant time.
    public static func verify(_ password: String, against stored: String) -> Bool {
        guard isSupported(stored), password.utf8.count <= maximumPasswordLength, !password.utf8.contains(0),
              let computed = hash(password, setting: stored)
        else {
            return false
        }
        return constantTimeEquals(Array(computed.utf8), Array(stored.utf8))
    }

    /// Whether `stored` is a hash of a method we accept: yescrypt ($y$), sha512-crypt ($6$) or
    /// bcrypt ($2b$, $2y$, $2a$).
    public static func isSupported(_ stored: String) -> Bool {
        ["$y$", "$6$", "$2b$", "$2y$", "$2a$"].contains { stored.hasPrefix($0) } && stored.count < outputSize
    }

    /// A hash for an unknown user: verifying against it costs what a real yescrypt check costs,
    /// so unknown users take the same time as known users with a wrong password.
    public static let decoy: String = make("decoy password \(UInt64.random(in: .min ... .max))") ?? "$y$j9T$decoy$"

    private static func hash(_ password: String, setting: String) -> String? {
        var output = [CChar](repeating: 0, count: outputSize)
        defer { output.withUnsafeMutableBytes { sshd_cleanse($0.baseAddress, $0.count) } }
        guard sshd_crypt(password, setting, &output, output.count) == 0 else { return nil }
        return String(decoding: output.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)
    }
}
