import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A system account from the password database (NSS: /etc/passwd, LDAP, …) with the groups a
/// session runs with: what `initgroups` would give, computed in the parent so that the child only
/// makes system calls (DESIGN §6).
public struct SystemAccount: Equatable, Sendable {
    public var name: String
    public var uid: uid_t
    public var gid: gid_t
    /// Supplementary groups, the primary group included (getgrouplist(3)).
    public var groups: [gid_t]
    public var home: String
    public var shell: String

    /// The most supplementary groups taken from getgrouplist (Linux's NGROUPS_MAX is 65536).
    static let maximumGroups = 65536
    /// getpwnam_r's string buffer; doubled on ERANGE up to ``maximumRecordBuffer``.
    static let initialRecordBuffer = 1024
    static let maximumRecordBuffer = 1 << 20

    public init(name: String, uid: uid_t, gid: gid_t, groups: [gid_t], home: String, shell: String) {
        self.name = name
        self.uid = uid
        self.gid = gid
        self.groups = groups
        self.home = home
        self.shell = shell
    }

    /// The account named `name`, or nil when there is none (or the database cannot be read).
    public static func lookUp(_ name: String) -> SystemAccount? {
        record { getpwnam_r(name, &$0, $1, $2, &$3) }
    }

    /// The account with user id `uid`, or nil.
    public static func lookUp(uid: uid_t) -> SystemAccount? {
        record { getpwuid_r(uid, &$0, $1, $2, &$3) }
    }

    private static func record(
        _ call: (inout passwd, UnsafeMutablePointer<CChar>, Int, inout UnsafeMutablePointer<passwd>?) -> Int32
    ) -> SystemAccount? {
        var size = initialRecordBuffer
        while size <= maximumRecordBuffer {
            var entry = passwd()
            var result: UnsafeMutablePointer<passwd>?
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: size)
            defer { buffer.deallocate() }
            let rc = call(&entry, buffer, size, &result)
            if rc == ERANGE {
                size *= 2
                continue
            }
            guard rc == 0, result != nil, let namePointer = entry.pw_name else { return nil }
            let name = String(cString: namePointer)
            return SystemAccount(
                name: name, uid: entry.pw_uid, gid: entry.pw_gid, groups: groupList(name, entry.pw_gid),
                home: entry.pw_dir.map { String(cString: $0) } ?? "/",
                shell: entry.pw_shell.map { String(cString: $0) } ?? "")
        }
        return nil
    }

    /// getgrouplist(3): the groups `name` belongs to, with `primary` first.
    private static func groupList(_ name: String, _ primary: gid_t) -> [gid_t] {
        var count: Int32 = 32
        while Int(count) <= maximumGroups {
            var groups = [gid_t](repeating: 0, count: Int(count))
            var wanted = count
            if getgrouplist(name, primary, &groups, &wanted) >= 0 {
                return Array(groups.prefix(Int(wanted)))
            }
            // -1: too small; `wanted` says how many there are.
            count = max(wanted, count * 2)
        }
        return [primary]
    }

    /// The shell a session of this account runs: its own, `/bin/sh` when the field is empty
    /// (OpenSSH's rule). A nologin shell runs too, and says why there is no login.
    public var loginShell: String { shell.isEmpty ? "/bin/sh" : shell }

    /// Whether the account's shell is listed in /etc/shells: nologin and false are not. Users-file
    /// sessions run as `VirtualUser`, typically a service account with nologin, so they use its
    /// shell only when this holds. Reads the file itself: getusershell(3) keeps global state and
    /// is not safe while other workers' threads log users in.
    public var hasListedShell: Bool {
        guard !shell.isEmpty else { return true }
        guard let text = try? String(contentsOfFile: "/etc/shells", encoding: .utf8) else { return false }
        return text.split(whereSeparator: \.isNewline).contains { line in
            let entry = line.trimmingCharacters(in: .whitespaces)
            return !entry.hasPrefix("#") && entry == shell
        }
    }
}
