/// File-system work a session needs done. The owner runs the operations of one session one after
/// another, in the order ``SFTPServerSession/nextOperation()`` gives them, off the event loop (they
/// block on the disk), and hands each result back with ``SFTPServerSession/complete(_:_:)``.
public struct SFTPOperation: Sendable {
    /// The request's place in the session's reply order.
    public let sequence: Int
    let work: @Sendable (any SFTPFileSystem) -> SFTPOperationResult

    /// Runs the work against `fileSystem` (blocking).
    public func run(on fileSystem: any SFTPFileSystem) -> SFTPOperationResult { work(fileSystem) }
}

/// What an operation produced.
public enum SFTPOperationResult: Sendable {
    case response(SFTPResponse)
    case openedFile(any SFTPFileHandle, path: String)
    case openedDirectory(any SFTPDirectoryHandle, path: String)

    static func status(_ error: SFTPError) -> SFTPOperationResult { .response(.status(error.code, message: error.message)) }
    static let ok = SFTPOperationResult.response(.status(.ok, message: SFTPStatusCode.ok.message))
}
