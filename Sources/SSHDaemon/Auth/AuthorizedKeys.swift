import Foundation
import SSHCrypto

/// One line of an OpenSSH `authorized_keys` file (sshd(8) "AUTHORIZED_KEYS FILE FORMAT"):
/// options, then `type base64 [comment]`.
public struct AuthorizedKey: Sendable {
    public let key: any SSHPublicKey
    /// The options as written (empty when the line has none).
    public let options: String
}

/// Reads `authorized_keys` files.
public enum AuthorizedKeys {
    /// The longest file read.
    public static let maximumFileSize = 1 << 20

    /// The keys of `text`. Lines that are blank, comments, or not keys are skipped (as sshd does).
    public static func parse(_ text: String) -> [AuthorizedKey] {
        var keys: [AuthorizedKey] = []
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.drop { $0 == " " || $0 == "\t" }
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            if let parsed = try? SSHPublicKeyLine(parsing: String(line)) {
                keys.append(AuthorizedKey(key: parsed.key, options: ""))
                continue
            }
            // Options come first: up to the first blank outside double quotes.
            var inQuotes = false
            var end = line.startIndex
            while end < line.endIndex {
                let character = line[end]
                if character == "\"" { inQuotes.toggle() }
                if !inQuotes, character == " " || character == "\t" { break }
                end = line.index(after: end)
            }
            let rest = line[end...].drop { $0 == " " || $0 == "\t" }
            guard let parsed = try? SSHPublicKeyLine(parsing: String(rest)) else { continue }
            keys.append(AuthorizedKey(key: parsed.key, options: String(line[..<end])))
        }
        return keys
    }

    /// The keys of the file at `path`; none when it is missing, too large or not text.
    public static func load(_ path: String) -> [AuthorizedKey] {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) <= maximumFileSize,
              let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else { return [] }
        return parse(text)
    }

    /// `AuthorizedKeysFile` for one account: `%u` the user, `%h` the home, `%%` a percent sign;
    /// a relative path is under the home.
    public static func path(_ pattern: String, user: String, home: String) -> String {
        var result = ""
        var iterator = pattern.makeIterator()
        while let character = iterator.next() {
            guard character == "%" else { result.append(character); continue }
            switch iterator.next() {
            case "u": result += user
            case "h": result += home
            case "%": result += "%"
            case let other?: result += "%" + String(other)
            case nil: result += "%"
            }
        }
        return result.hasPrefix("/") ? result : (home.hasSuffix("/") ? home : home + "/") + result
    }
}
