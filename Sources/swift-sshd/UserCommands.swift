import ArgumentParser
import Foundation
import SSHDaemon

/// `user add|passwd|del|list`: the users file (`UsersFile`).
struct User: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the accounts of the users file.",
        subcommands: [Add.self, Passwd.self, Del.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an account.")
        @OptionGroup var config: ConfigOptions
        @Argument(help: "The account name.") var name: String
        @Option(help: "Its root, relative to RootDirectory (default: the name).") var root: String?
        @Option(help: "What it may use: a comma list of shell, exec, sftp, forward.") var options = "shell,exec,sftp"
        @Flag(help: "Read the password from standard input (one line).") var passwordStdin = false
        @Flag(help: "No password: the account logs in with keys only.") var keysOnly = false
        @Option(help: "yescrypt, sha512-crypt or bcrypt.") var method = "yescrypt"

        func run() throws {
            guard UserAccount.isValidName(name) else { fail("\(name): not a user name (1 to 32 of a-z, 0-9, _ . -)") }
            let root = root ?? name
            guard UserAccount.isValidRoot(root) else { fail("\(root): the root must be relative to RootDirectory, without ..") }
            let parsed = options.split(separator: ",").map { AccountOption(rawValue: String($0).lowercased()) }
            guard !parsed.contains(nil) else { fail("\(options): allowed options are shell, exec, sftp, forward") }
            try editUsers(config) { file, path in
                guard file.account(named: name) == nil else { fail("\(name) already exists in \(path)") }
                let hash = keysOnly ? "*" : makeHash(readPassword(fromStandardInput: passwordStdin), method: method)
                _ = file.add(UserAccount(name: name, passwordHash: hash, root: root, options: Set(parsed.compactMap { $0 })))
                return "added \(name) to \(path)"
            }
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change an account's password.")
        @OptionGroup var config: ConfigOptions
        @Argument(help: "The account name.") var name: String
        @Flag(help: "Read the password from standard input (one line).") var passwordStdin = false
        @Option(help: "yescrypt, sha512-crypt or bcrypt.") var method = "yescrypt"

        func run() throws {
            try editUsers(config) { file, path in
                guard file.account(named: name) != nil else { fail("\(name): no such account in \(path)") }
                let hash = makeHash(readPassword(fromStandardInput: passwordStdin), method: method)
                _ = file.update(name) { $0.passwordHash = hash }
                return "changed the password of \(name)"
            }
        }
    }

    struct Del: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an account.")
        @OptionGroup var config: ConfigOptions
        @Argument(help: "The account name.") var name: String

        func run() throws {
            try editUsers(config) { file, path in
                guard file.remove(name) else { fail("\(name): no such account in \(path)") }
                return "removed \(name) from \(path)"
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the accounts: name, root, options, and how they log in.")
        @OptionGroup var config: ConfigOptions

        func run() throws {
            let path = try config.load().usersFile
            for account in loadUsers(path).accounts {
                let login = account.passwordHash == "*" ? "keys only" : "password"
                let options = account.options.sorted().map(\.rawValue).joined(separator: ",")
                print("\(account.name)\troot=\(account.root.isEmpty ? "/" : account.root)\toptions=\(options)\t\(login)")
            }
        }
    }
}

private func loadUsers(_ path: String) -> UsersFile {
    do { return try UsersFile.load(path) } catch { fail(error.description) }
}

/// Loads the users file `config` names, lets `change` edit it (returning what to print), and
/// writes it back.
private func editUsers(_ config: ConfigOptions, _ change: (inout UsersFile, String) -> String) throws {
    let path = try config.load().usersFile
    var file = loadUsers(path)
    let message = change(&file, path)
    do { try file.write(to: path) } catch { fail("\(path): cannot write: \(error.localizedDescription)") }
    print(message)
}

private func makeHash(_ password: String, method: String) -> String {
    guard let method = PasswordHash.Method(rawValue: method.lowercased()) else { fail("\(method): allowed methods are yescrypt, sha512-crypt, bcrypt") }
    guard !password.isEmpty else { fail("the password is empty (use --keys-only for an account without one)") }
    guard let hash = PasswordHash.make(password, method: method) else { fail("the password could not be hashed (too long, or a NUL byte)") }
    return hash
}

/// One line from standard input, or a password typed twice at the terminal without echo.
private func readPassword(fromStandardInput: Bool) -> String {
    if fromStandardInput {
        guard let line = readLine(strippingNewline: true) else { fail("no password on standard input") }
        return line
    }
    let first = promptWithoutEcho("Password: ")
    let second = promptWithoutEcho("Again: ")
    guard first == second else { fail("the passwords differ") }
    return first
}

private func promptWithoutEcho(_ prompt: String) -> String {
    let tty = open("/dev/tty", O_RDWR | O_CLOEXEC)
    guard tty >= 0 else { fail("no terminal to ask for the password on (use --password-stdin)") }
    defer { close(tty) }
    _ = prompt.withCString { write(tty, $0, strlen($0)) }
    var saved = termios()
    let restore = tcgetattr(tty, &saved) == 0
    if restore {
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(tty, TCSAFLUSH, &quiet)
    }
    defer {
        if restore { tcsetattr(tty, TCSAFLUSH, &saved) }
        _ = "\n".withCString { write(tty, $0, 1) }
    }
    var bytes: [UInt8] = []
    var byte: UInt8 = 0
    while read(tty, &byte, 1) == 1, byte != UInt8(ascii: "\n"), bytes.count < PasswordHash.maximumPasswordLength {
        bytes.append(byte)
    }
    return String(decoding: bytes, as: UTF8.self)
}
