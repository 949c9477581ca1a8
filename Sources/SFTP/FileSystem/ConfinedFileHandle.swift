import CShims
#if canImport(Glibc)
import Glibc
#endif

/// An open regular file of a ``ConfinedFileSystem``: positional reads and writes on its descriptor.
final class ConfinedFileHandle: SFTPFileHandle, @unchecked Sendable {
    private var descriptor: Int32
    let path: String

    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { if descriptor >= 0 { Glibc.close(descriptor) } }

    private func open() throws(SFTPError) -> Int32 {
        guard descriptor >= 0 else { throw SFTPError(.invalidHandle, "\(path): closed") }
        return descriptor
    }

    func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(SFTPError) -> Int {
        let fd = try open()
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        guard offset <= UInt64(Int64.max) else { return 0 }
        while true {
            let count = pread(fd, base, buffer.count, off_t(offset))
            if count >= 0 { return count }
            if errno != EINTR { throw ErrnoStatus.error(errno, path) }
        }
    }

    func write(at offset: UInt64, _ bytes: UnsafeRawBufferPointer) throws(SFTPError) {
        let fd = try open()
        guard let base = bytes.baseAddress else { return }
        guard offset <= UInt64(Int64.max - Int64(bytes.count)) else { throw SFTPError(.invalidParameter, "\(path): offset too large") }
        var done = 0
        while done < bytes.count {
            let count = pwrite(fd, base + done, bytes.count - done, off_t(offset) + off_t(done))
            if count < 0 {
                if errno == EINTR { continue }
                throw ErrnoStatus.error(errno, path)
            }
            done += count
        }
    }

    /// Every piece in one `pwritev` (the pieces are at most ``SFTPPacketFramer/maximumParts``);
    /// what a short write leaves is written piece by piece.
    func write(at offset: UInt64, _ pieces: [UnsafeRawBufferPointer]) throws(SFTPError) {
        let fd = try open()
        let total = pieces.reduce(0) { $0 + $1.count }
        guard offset <= UInt64(Int64.max - Int64(total)) else { throw SFTPError(.invalidParameter, "\(path): offset too large") }
        var vectors = pieces.compactMap { piece in
            piece.baseAddress.map { iovec(iov_base: UnsafeMutableRawPointer(mutating: $0), iov_len: piece.count) }
        }
        guard vectors.count > 1 else {
            var position = offset
            for piece in pieces {
                if !piece.isEmpty { try write(at: position, piece) }
                position += UInt64(piece.count)
            }
            return
        }
        var count = -1
        while count < 0 {
            count = pwritev(fd, &vectors, Int32(vectors.count), off_t(offset))
            if count < 0 && errno != EINTR { throw ErrnoStatus.error(errno, path) }
        }
        // A short write: the rest, piece by piece, from where it stopped.
        var skipped = 0
        for piece in pieces {
            let start = max(0, count - skipped)
            if start < piece.count {
                try write(at: offset + UInt64(skipped + start), UnsafeRawBufferPointer(rebasing: piece[start...]))
            }
            skipped += piece.count
        }
    }

    func attributes() throws(SFTPError) -> SFTPFileAttributes { try Self.attributes(of: try open(), path) }

    func setAttributes(_ attributes: SFTPFileAttributes) throws(SFTPError) { try Self.apply(attributes, to: try open(), path) }

    func synchronize() throws(SFTPError) {
        guard fsync(try open()) == 0 else { throw ErrnoStatus.error(errno, path) }
    }

    func fileSystemStatistics() throws(SFTPError) -> SFTPFileSystemStatistics { try Self.statistics(of: try open(), path) }

    func close() throws(SFTPError) {
        let fd = try open()
        descriptor = -1
        // close(2) reports write-back errors (EIO, ENOSPC) of this file.
        guard Glibc.close(fd) == 0 || errno == EINTR else { throw ErrnoStatus.error(errno, path) }
    }

    // MARK: - Shared with the file system

    static func attributes(of fd: Int32, _ path: String) throws(SFTPError) -> SFTPFileAttributes {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ErrnoStatus.error(errno, path) }
        return attributes(info)
    }

    static func attributes(_ info: stat) -> SFTPFileAttributes {
        var attributes = SFTPFileAttributes(
            size: UInt64(max(0, info.st_size)), userId: info.st_uid, groupId: info.st_gid, permissions: info.st_mode,
            accessTime: SFTPTime(seconds: Int64(info.st_atim.tv_sec), nanoseconds: UInt32(clamping: info.st_atim.tv_nsec)),
            modifyTime: SFTPTime(seconds: Int64(info.st_mtim.tv_sec), nanoseconds: UInt32(clamping: info.st_mtim.tv_nsec)))
        attributes.linkCount = UInt32(clamping: info.st_nlink)
        return attributes
    }

    /// Applies size, owner and group, permissions and times, those present, on a descriptor.
    static func apply(_ attributes: SFTPFileAttributes, to fd: Int32, _ path: String) throws(SFTPError) {
        if let size = attributes.size {
            guard size <= UInt64(Int64.max), ftruncate(fd, off_t(size)) == 0 else { throw ErrnoStatus.error(errno, path) }
        }
        if let uid = attributes.userId, let gid = attributes.groupId, fchown(fd, uid, gid) != 0 {
            throw ErrnoStatus.error(errno, path)
        }
        if let permissions = attributes.permissions, fchmod(fd, mode_t(permissions & 0o7777)) != 0 {
            throw ErrnoStatus.error(errno, path)
        }
        if let times = timespecs(attributes), times.withUnsafeBufferPointer({ futimens(fd, $0.baseAddress) }) != 0 {
            throw ErrnoStatus.error(errno, path)
        }
    }

    /// utimensat's pair (access, modification), UTIME_OMIT for a time not given; nil for neither.
    static func timespecs(_ attributes: SFTPFileAttributes) -> [timespec]? {
        guard attributes.accessTime != nil || attributes.modifyTime != nil else { return nil }
        func spec(_ time: SFTPTime?) -> timespec {
            guard let time else { return timespec(tv_sec: 0, tv_nsec: sshd_utime_omit()) }
            return timespec(tv_sec: time_t(time.seconds), tv_nsec: Int(min(time.nanoseconds, 999_999_999)))
        }
        return [spec(attributes.accessTime), spec(attributes.modifyTime)]
    }

    static func statistics(of fd: Int32, _ path: String) throws(SFTPError) -> SFTPFileSystemStatistics {
        var info = statvfs()
        guard fstatvfs(fd, &info) == 0 else { throw ErrnoStatus.error(errno, path) }
        return SFTPFileSystemStatistics(
            blockSize: UInt64(info.f_bsize), fragmentSize: UInt64(info.f_frsize), blocks: UInt64(info.f_blocks),
            freeBlocks: UInt64(info.f_bfree), availableBlocks: UInt64(info.f_bavail), files: UInt64(info.f_files),
            freeFiles: UInt64(info.f_ffree), availableFiles: UInt64(info.f_favail), fileSystemId: UInt64(info.f_fsid),
            flags: UInt64(info.f_flag), maximumNameLength: UInt64(info.f_namemax))
    }
}

/// An open directory of a ``ConfinedFileSystem``: readdir, with each entry's lstat.
final class ConfinedDirectoryHandle: SFTPDirectoryHandle, @unchecked Sendable {
    private var directory: OpaquePointer?
    let path: String

    init(directory: OpaquePointer, path: String) {
        self.directory = directory
        self.path = path
    }

    deinit { if let directory { closedir(directory) } }

    func nextEntries(limit: Int) throws(SFTPError) -> [SFTPDirectoryEntry]? {
        guard let directory else { throw SFTPError(.invalidHandle, "\(path): closed") }
        let fd = dirfd(directory)
        var entries: [SFTPDirectoryEntry] = []
        while entries.count < limit {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 { throw ErrnoStatus.error(errno, path) }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            var info = stat()
            let attributes = fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0
                ? ConfinedFileHandle.attributes(info) : SFTPFileAttributes()
            entries.append(SFTPDirectoryEntry(name: name, attributes: attributes))
        }
        return entries.isEmpty ? nil : entries
    }

    func close() {
        if let directory { closedir(directory) }
        directory = nil
    }
}
