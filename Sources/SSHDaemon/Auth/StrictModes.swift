import Foundation

/// OpenSSH's StrictModes for a system account's authorized_keys: the file and every directory
/// above it must belong to the account or to root and be writable by no one else, or another
/// user could have put a key there.
enum StrictModes {
    /// Why `path` may not be trusted for the account `uid`, or nil when it may.
    static func problem(_ path: String, uid: uid_t) -> String? {
        var current = path
        var first = true
        while true {
            var info = stat()
            guard lstat(current, &info) == 0 else { return first ? nil : "cannot stat \(current)" }
            if first, (info.st_mode & S_IFMT) != S_IFREG { return "\(current) is not a regular file" }
            if info.st_uid != 0 && info.st_uid != uid { return "bad ownership or modes for \(first ? "file" : "directory") \(current)" }
            if info.st_mode & 0o022 != 0 { return "bad ownership or modes for \(first ? "file" : "directory") \(current)" }
            guard current != "/" else { return nil }
            current = (current as NSString).deletingLastPathComponent
            if current.isEmpty { return nil }
            first = false
        }
    }
}
