/// Hash functions for the `check-file-handle` and `check-file-name` extensions
/// (draft-ietf-secsh-filexfer-extensions-00 §3), supplied by the owner: the SFTP module depends on
/// `SSHWire` only, and the digests come from the crypto layer.
public struct SFTPContentHashing: Sendable {
    /// Algorithm names in our order of preference, with their digest lengths.
    public let algorithms: [(name: String, digestLength: Int)]
    let make: @Sendable (String) -> (any SFTPContentHasher)?

    public init(algorithms: [(name: String, digestLength: Int)], make: @escaping @Sendable (String) -> (any SFTPContentHasher)?) {
        self.algorithms = algorithms
        self.make = make
    }
}

/// One running digest.
public protocol SFTPContentHasher: AnyObject {
    func update(_ bytes: UnsafeRawBufferPointer)
    /// The digest; no update may follow.
    func finish() -> [UInt8]
}

extension SFTPServerExtensions {
    static let checkFileHandle = "check-file-handle"
    static let checkFileName = "check-file-name"
    /// The smallest block size check-file accepts other than 0 (the draft's minimum, 256 bytes).
    static let minimumCheckBlock: UInt32 = 256
}
