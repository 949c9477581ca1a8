import Foundation
import SSHDaemon
import Testing

/// The users file and its crypt(3) hashes.
@Suite struct UsersFileTests {
    @Test func hashesOfEveryMethodVerify() throws {
        for method in PasswordHash.Method.allCases {
            let hash = try #require(PasswordHash.make("correct horse", method: method))
            #expect(PasswordHash.verify("correct horse", against: hash), "\(method)")
            #expect(!PasswordHash.verify("correct horsE", against: hash), "\(method)")
            #expect(!PasswordHash.verify("", against: hash), "\(method)")
        }
        #expect(PasswordHash.make("x")?.hasPrefix("$y$") == true)  // yescrypt by default
        #expect(!PasswordHash.verify("anything", against: "*"))
        #expect(!PasswordHash.verify("anything", against: "!"))
        #expect(!PasswordHash.verify("secret", against: "$1$abcdefgh$9Bq5x9MRVPRcVmSAmn/Yh1"))  // MD5-crypt: not accepted
    }

    /// The OpenBSD bcrypt test vector ("U*U"), made by another implementation.
    @Test func bcryptTestVectorVerifies() {
        #expect(PasswordHash.verify("U*U", against: "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"))
        #expect(!PasswordHash.verify("U*V", against: "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"))
    }

    @Test func parsesEditsAndKeepsComments() throws {
        let hash = try #require(PasswordHash.make("pw"))
        let text = """
            # accounts
            alice:\(hash):alice:shell,exec,sftp

            bob:*::sftp
            """
        var file = try UsersFile.parse(text + "\n", file: "users")
        #expect(file.accounts.map(\.name) == ["alice", "bob"])
        #expect(file.account(named: "bob")?.root == "" && file.account(named: "bob")?.options == [.sftp])
        #expect(file.text == text + "\n")
        let added = file.add(UserAccount(name: "carol", passwordHash: "*", root: "shared/carol", options: [.sftp, .forward]))
        let addedTwice = file.add(UserAccount(name: "carol", passwordHash: "*", root: "", options: []))
        #expect(added && !addedTwice)
        let updated = file.update("alice") { $0.options = [.sftp] }
        #expect(updated)
        let removed = file.remove("bob")
        #expect(removed)
        #expect(file.text == "# accounts\nalice:\(hash):alice:sftp\n\ncarol:*:shared/carol:sftp,forward\n")
        #expect(try UsersFile.parse(file.text, file: "users") == file)
    }

    @Test func badLinesAreReportedWithTheirNumbers() {
        let text = """
            alice:*:alice
            Bad Name:*::sftp
            carol:plaintext::sftp
            dave:*:../etc:sftp
            erin:*::sftp,root
            frank:*::sftp
            frank:*::exec
            """
        #expect {
            _ = try UsersFile.parse(text, file: "users")
        } throws: { error in
            (error as? ConfigErrors)?.errors.map(\.description) == [
                "users:1: expected name:hash:root:options (4 fields), found 3",
                "users:2: \"Bad Name\" is not a user name: 1 to 32 of a-z, 0-9, _ . - (not first)",
                "users:3: carol: the hash must be a yescrypt ($y$), sha512-crypt ($6$) or bcrypt ($2b$) string, or * for keys only",
                "users:4: dave: the root \"../etc\" must be a path relative to RootDirectory without ..",
                "users:5: erin: unknown option \"root\"; allowed: shell, exec, sftp, forward",
                "users:7: frank is already defined on line 6",
            ]
        }
    }
}
