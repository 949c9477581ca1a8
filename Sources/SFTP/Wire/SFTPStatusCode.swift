/// SFTP status codes (draft-ietf-secsh-filexfer-13 §9.1; codes above 8 exist from version 4 on).
public enum SFTPStatusCode: UInt32, Sendable, CaseIterable {
    case ok = 0
    case eof = 1
    case noSuchFile = 2
    case permissionDenied = 3
    case failure = 4
    case badMessage = 5
    case noConnection = 6
    case connectionLost = 7
    case operationUnsupported = 8
    case invalidHandle = 9
    case noSuchPath = 10
    case fileAlreadyExists = 11
    case writeProtect = 12
    case noMedia = 13
    case noSpaceOnFileSystem = 14
    case quotaExceeded = 15
    case unknownPrincipal = 16
    case lockConflict = 17
    case directoryNotEmpty = 18
    case notADirectory = 19
    case invalidFilename = 20
    case linkLoop = 21
    case cannotDelete = 22
    case invalidParameter = 23
    case fileIsADirectory = 24
    case byteRangeLockConflict = 25
    case byteRangeLockRefused = 26
    case deletePending = 27
    case fileCorrupt = 28
    case ownerInvalid = 29
    case groupInvalid = 30
    case noMatchingByteRangeLock = 31

    /// The code a client of `version` understands: version 3 knows 0–8 only, so the rest become
    /// the nearest of those (draft-ietf-secsh-filexfer-02 §7), as OpenSSH's sftp-server reports them.
    public func forVersion(_ version: UInt32) -> SFTPStatusCode {
        guard version < 4, rawValue > SFTPStatusCode.operationUnsupported.rawValue else { return self }
        switch self {
        case .noSuchPath: return .noSuchFile
        case .writeProtect, .cannotDelete, .ownerInvalid, .groupInvalid: return .permissionDenied
        default: return .failure
        }
    }

    /// The default message for the code, as OpenSSH words the first ones.
    public var message: String {
        switch self {
        case .ok: "Success"
        case .eof: "End of file"
        case .noSuchFile: "No such file"
        case .permissionDenied: "Permission denied"
        case .failure: "Failure"
        case .badMessage: "Bad message"
        case .noConnection: "No connection"
        case .connectionLost: "Connection lost"
        case .operationUnsupported: "Operation unsupported"
        case .invalidHandle: "Invalid handle"
        case .noSuchPath: "No such path"
        case .fileAlreadyExists: "File already exists"
        case .writeProtect: "Write protected"
        case .noMedia: "No media"
        case .noSpaceOnFileSystem: "No space left on file system"
        case .quotaExceeded: "Quota exceeded"
        case .unknownPrincipal: "Unknown principal"
        case .lockConflict: "Lock conflict"
        case .directoryNotEmpty: "Directory not empty"
        case .notADirectory: "Not a directory"
        case .invalidFilename: "Invalid file name"
        case .linkLoop: "Too many symbolic links"
        case .cannotDelete: "Cannot delete"
        case .invalidParameter: "Invalid parameter"
        case .fileIsADirectory: "Is a directory"
        case .byteRangeLockConflict: "Byte range lock conflict"
        case .byteRangeLockRefused: "Byte range lock refused"
        case .deletePending: "Delete pending"
        case .fileCorrupt: "File corrupt"
        case .ownerInvalid: "Invalid owner"
        case .groupInvalid: "Invalid group"
        case .noMatchingByteRangeLock: "No matching byte range lock"
        }
    }
}

/// A failed file-system operation: the status to answer with and a message for the client.
public struct SFTPError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: SFTPStatusCode
    public var message: String

    public init(_ code: SFTPStatusCode, _ message: String? = nil) {
        self.code = code
        self.message = message ?? code.message
    }

    public var description: String { "\(code) (\(code.rawValue)): \(message)" }
}
