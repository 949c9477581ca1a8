#if canImport(Glibc)
import Glibc
#endif

/// errno values as SFTP statuses (draft-ietf-secsh-filexfer-13 §9.1), the message naming the path.
enum ErrnoStatus {
    static func error(_ code: Int32, _ path: String) -> SFTPError {
        let status: SFTPStatusCode = switch code {
        case ENOENT: .noSuchFile
        case EACCES, EPERM: .permissionDenied
        case EEXIST: .fileAlreadyExists
        case ENOTEMPTY: .directoryNotEmpty
        case ENOTDIR: .notADirectory
        case EISDIR: .fileIsADirectory
        case ELOOP: .linkLoop
        case ENAMETOOLONG: .invalidFilename
        case ENOSPC: .noSpaceOnFileSystem
        case EDQUOT: .quotaExceeded
        // RESOLVE_IN_ROOT / RESOLVE_NO_MAGICLINKS refusing a way out of the root.
        case EXDEV: .permissionDenied
        case EROFS: .writeProtect
        case EINVAL: .invalidParameter
        case EBADF: .invalidHandle
        default: .failure
        }
        return SFTPError(status, "\(path): \(String(cString: strerror(code)))")
    }
}
