/// A directory listing made of names someone else chose (the SFTPServer class's SetFileList):
/// each name's attributes come from `attributes`, asked as the batches are taken.
///
/// It holds no descriptor. `attributes` runs wherever ``nextEntries(limit:)`` runs: on a worker
/// when it reads a ``SFTPFileSystem`` (which is `Sendable`), on the event loop when the owner
/// answers from its own handlers — the owner then runs the listing's operations there.
public final class ListedDirectoryHandle: SFTPDirectoryHandle, @unchecked Sendable {
    private let names: [String]
    private let directory: String
    private let attributes: (String) -> SFTPFileAttributes
    private var next = 0

    /// `names` in the order they are listed; `directory` is the listed directory's path, and
    /// `attributes` is given `directory/name` for each.
    public init(names: [String], in directory: String, attributes: @escaping (String) -> SFTPFileAttributes) {
        self.names = names.filter { !$0.isEmpty && !$0.utf8.contains(0) && !$0.contains("/") }
        self.directory = directory
        self.attributes = attributes
    }

    public func nextEntries(limit: Int) throws(SFTPError) -> [SFTPDirectoryEntry]? {
        guard next < names.count else { return nil }
        let batch = names[next..<min(next + max(limit, 1), names.count)]
        next += batch.count
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        return batch.map { SFTPDirectoryEntry(name: $0, attributes: attributes(prefix + $0)) }
    }

    public func close() {}
}
