import Foundation

/// What a users-file account may use (`options` field).
public enum AccountOption: String, Sendable, CaseIterable, Comparable {
    case shell, exec, sftp, forward

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }
}

/// One account of the users file: `name:hash:root:options` (DESIGN §7).
public struct UserAccount: Equatable, Sendable {
    public var name: String
    /// A crypt(3) string, or `*` for an account that logs in with keys only.
    public var passwordHash: String
    /// The account's root, relative to `RootDirectory` ("" = `RootDirectory` itself).
    public var root: String
    public var options: Set<AccountOption>

    public init(name: String, passwordHash: String, root: String, options: Set<AccountOption>) {
        self.name = name
        self.passwordHash = passwordHash
        self.root = root
        self.options = options
    }

    /// The file's line for this account.
    public var line: String {
        "\(name):\(passwordHash):\(root):\(options.sorted().map(\.rawValue).joined(separator: ","))"
    }

    /// Whether `name` may name an account: 1 to 32 of a-z, 0-9, `_`, `.`, `-`, not starting with
    /// `-` or `.` (what useradd accepts, lower case).
    public static func isValidName(_ name: String) -> Bool {
        guard (1...32).contains(name.utf8.count), let first = name.utf8.first, first != UInt8(ascii: "-"), first != UInt8(ascii: ".") else {
            return false
        }
        return name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || "_.-".utf8.contains($0) }
    }

    /// Whether `root` is a relative path that stays below `RootDirectory`: no "..", no NUL.
    public static func isValidRoot(_ root: String) -> Bool {
        !root.hasPrefix("/") && !root.utf8.contains(0) && !root.contains(":") && !root.split(separator: "/").contains("..")
    }
}

/// The users file: one account per line, `#` comments and blank lines kept as they are, so that
/// `user add`, `passwd` and `del` change only their own line.
public struct UsersFile: Equatable, Sendable {
    enum Line: Equatable, Sendable {
        case account(UserAccount)
        case other(String)
    }

    var lines: [Line]

    public init() { lines = [] }

    public var accounts: [UserAccount] {
        lines.compactMap { if case .account(let account) = $0 { account } else { nil } }
    }

    public func account(named name: String) -> UserAccount? { accounts.first { $0.name == name } }

    /// Parses the file's text; every bad line is reported with its number and what is allowed.
    public static func parse(_ text: String, file: String) throws(ConfigErrors) -> UsersFile {
        var result = UsersFile()
        var errors: [ConfigError] = []
        var seen: [String: Int] = [:]
        let rawLines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, raw) in rawLines.enumerated() {
            let number = index + 1
            if index == rawLines.count - 1 && raw.isEmpty { break }
            let line = String(raw)
            let content = line.drop { $0 == " " || $0 == "\t" }
            if content.isEmpty || content.hasPrefix("#") {
                result.lines.append(.other(line))
                continue
            }
            func fail(_ message: String) { errors.append(ConfigError(file: file, line: number, key: "", message)) }
            let fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 4 else { fail("expected name:hash:root:options (4 fields), found \(fields.count)"); continue }
            let (name, hash, root, optionText) = (fields[0], fields[1], fields[2], fields[3])
            guard UserAccount.isValidName(name) else {
                fail("\"\(name)\" is not a user name: 1 to 32 of a-z, 0-9, _ . - (not first)")
                continue
            }
            if let first = seen[name] { fail("\(name) is already defined on line \(first)"); continue }
            guard hash == "*" || PasswordHash.isSupported(hash) else {
                fail("\(name): the hash must be a yescrypt ($y$), sha512-crypt ($6$) or bcrypt ($2b$) string, or * for keys only")
                continue
            }
            guard UserAccount.isValidRoot(root) else {
                fail("\(name): the root \"\(root)\" must be a path relative to RootDirectory without ..")
                continue
            }
            var options = Set<AccountOption>()
            var bad: String?
            for item in optionText.split(separator: ",") {
                let word = item.trimmingCharacters(in: .whitespaces).lowercased()
                guard let option = AccountOption(rawValue: word) else { bad = word; break }
                options.insert(option)
            }
            if let bad {
                fail("\(name): unknown option \"\(bad)\"; allowed: shell, exec, sftp, forward")
                continue
            }
            seen[name] = number
            result.lines.append(.account(UserAccount(name: name, passwordHash: hash, root: root, options: options)))
        }
        guard errors.isEmpty else { throw ConfigErrors(errors: errors) }
        return result
    }

    /// Reads `path`; a missing file is an empty one.
    public static func load(_ path: String) throws(ConfigErrors) -> UsersFile {
        guard FileManager.default.fileExists(atPath: path) else { return UsersFile() }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigErrors(errors: [ConfigError(file: path, line: 0, key: "", "cannot be read as UTF-8 text")])
        }
        return try parse(text, file: path)
    }

    /// The file's text.
    public var text: String {
        lines.map { line -> String in
            switch line {
            case .account(let account): account.line
            case .other(let text): text
            }
        }.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
    }

    /// Adds an account; false when the name is taken.
    public mutating func add(_ account: UserAccount) -> Bool {
        guard self.account(named: account.name) == nil else { return false }
        lines.append(.account(account))
        return true
    }

    /// Changes an account in place; false when there is none of that name.
    public mutating func update(_ name: String, _ change: (inout UserAccount) -> Void) -> Bool {
        guard let index = lines.firstIndex(where: { if case .account(let a) = $0 { a.name == name } else { false } }),
              case .account(var account) = lines[index]
        else { return false }
        change(&account)
        lines[index] = .account(account)
        return true
    }

    /// Removes an account; false when there is none of that name.
    public mutating func remove(_ name: String) -> Bool {
        let before = lines.count
        lines.removeAll { if case .account(let a) = $0 { a.name == name } else { false } }
        return lines.count < before
    }

    /// Writes the file atomically (a temporary file in the same directory, then rename), mode 0600.
    public func write(to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        guard rename(temporary.path, path) == 0 else {
            let code = errno
            unlink(temporary.path)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
    }
}
