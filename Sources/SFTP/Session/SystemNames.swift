#if canImport(Glibc)
import Glibc
#endif

/// User and group names from the system's databases (getpwuid_r / getgrgid_r, which may ask NSS
/// and so block: only operations, run off the loop, call them).
enum SystemNames {
    /// The largest buffer a lookup grows to.
    static let maximumBuffer = 1 << 20

    static func user(_ id: UInt32) -> String? {
        lookup { buffer, size in
            var entry = passwd()
            var result: UnsafeMutablePointer<passwd>?
            let rc = getpwuid_r(uid_t(id), &entry, buffer, size, &result)
            return (rc, result == nil ? nil : entry.pw_name.map { String(cString: $0) })
        }
    }

    static func group(_ id: UInt32) -> String? {
        lookup { buffer, size in
            var entry = Glibc.group()
            var result: UnsafeMutablePointer<Glibc.group>?
            let rc = getgrgid_r(gid_t(id), &entry, buffer, size, &result)
            return (rc, result == nil ? nil : entry.gr_name.map { String(cString: $0) })
        }
    }

    /// Calls `body` with a buffer, growing it on ERANGE.
    private static func lookup(_ body: (UnsafeMutablePointer<CChar>, Int) -> (Int32, String?)) -> String? {
        var size = 1024
        while size <= maximumBuffer {
            var buffer = [CChar](repeating: 0, count: size)
            let (rc, name) = buffer.withUnsafeMutableBufferPointer { pointer in
                pointer.baseAddress.map { body($0, size) } ?? (EINVAL, nil)
            }
            if rc == ERANGE {
                size *= 2
                continue
            }
            return rc == 0 ? name : nil
        }
        return nil
    }
}
