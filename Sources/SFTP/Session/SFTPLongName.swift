#if canImport(Glibc)
import Glibc
#endif

/// The `ls -l` line of a version 3 NAME entry (draft-02 §7: "the format is unspecified", OpenSSH's
/// sftp-server writes `ls -l` style, and clients print it as is): mode, links, owner, group, size,
/// date, name. Owners and groups are numeric.
enum SFTPLongName {
    static func line(_ entry: SFTPDirectoryEntry) -> String {
        let attributes = entry.attributes
        let mode = modeString(attributes.permissions ?? 0)
        let links = attributes.linkCount ?? 1
        let owner = attributes.owner ?? String(attributes.userId ?? 0)
        let group = attributes.group ?? String(attributes.groupId ?? 0)
        let size = attributes.size ?? 0
        let date = dateString(attributes.modifyTime?.seconds ?? 0)
        return "\(mode) \(pad(String(links), 3)) \(padRight(owner, 8)) \(padRight(group, 8)) \(pad(String(size), 8)) \(date) \(entry.name)"
    }

    /// "drwxr-xr-x" from `st_mode`, with setuid, setgid and sticky bits as `ls` shows them.
    static func modeString(_ mode: UInt32) -> String {
        var text = ""
        switch SFTPFileType(mode: mode) {
        case .directory: text = "d"
        case .symlink: text = "l"
        case .characterDevice: text = "c"
        case .blockDevice: text = "b"
        case .fifo: text = "p"
        case .socket: text = "s"
        case .regular, .special, .unknown: text = "-"
        }
        let triples: [(read: UInt32, write: UInt32, execute: UInt32, special: UInt32, setChar: Character)] = [
            (0o400, 0o200, 0o100, 0o4000, "s"), (0o040, 0o020, 0o010, 0o2000, "s"), (0o004, 0o002, 0o001, 0o1000, "t"),
        ]
        for triple in triples {
            text.append(mode & triple.read != 0 ? "r" : "-")
            text.append(mode & triple.write != 0 ? "w" : "-")
            let executable = mode & triple.execute != 0
            if mode & triple.special != 0 {
                text.append(executable ? triple.setChar : Character(triple.setChar.uppercased()))
            } else {
                text.append(executable ? "x" : "-")
            }
        }
        return text
    }

    /// "Jan  2 15:04" within six months of now, "Jan  2  2006" otherwise (local time, as `ls`).
    static func dateString(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        guard localtime_r(&time, &parts) != nil else { return "Jan  1  1970" }
        let now = Int64(Glibc.time(nil))
        let recent = seconds <= now && now - seconds < 182 * 24 * 3600
        var buffer = [CChar](repeating: 0, count: 32)
        let length = strftime(&buffer, buffer.count, recent ? "%b %e %H:%M" : "%b %e  %Y", &parts)
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }

    private static func padRight(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
