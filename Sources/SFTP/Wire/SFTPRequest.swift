import SSHWire

/// One client request after INIT, decoded for the negotiated version. Every request but INIT
/// starts with a request id (draft-02 §3).
public enum SFTPRequest: Equatable, Sendable {
    case open(SFTPOpen)
    case close(SFTPHandleRequest)
    case read(SFTPRead)
    case write(SFTPWrite)
    case lstat(SFTPPathRequest)
    case fstat(SFTPHandleRequest)
    case setstat(SFTPPathAttributes)
    case fsetstat(SFTPHandleAttributes)
    case opendir(SFTPPathRequest)
    case readdir(SFTPHandleRequest)
    case remove(SFTPPathRequest)
    case mkdir(SFTPPathAttributes)
    case rmdir(SFTPPathRequest)
    case realpath(SFTPRealPath)
    case stat(SFTPPathRequest)
    case rename(SFTPRename)
    case readlink(SFTPPathRequest)
    case link(SFTPLink)
    case extended(SFTPExtendedRequest)
    /// A packet type this session does not implement (BLOCK, UNBLOCK, or unknown): answered
    /// with SSH_FX_OP_UNSUPPORTED.
    case unsupported(type: UInt8)

    /// Decodes the packet `payload` (type byte first). Returns the request id and the request;
    /// throws ``SFTPDecodeError`` when the packet is malformed (with the id when it was read, so
    /// the reply can be SSH_FX_BAD_MESSAGE). Bytes after a well-formed request are ignored, as
    /// OpenSSH's sftp-server does (DESIGN §3).
    public static func decode(_ payload: [UInt8], version: UInt32) throws(SFTPDecodeError) -> (id: UInt32, request: SFTPRequest) {
        try decode(payload[...], version: version)
    }

    /// Decodes a packet payload held in a slice; a WRITE's data stays a slice of it.
    public static func decode(_ payload: ArraySlice<UInt8>, version: UInt32) throws(SFTPDecodeError) -> (id: UInt32, request: SFTPRequest) {
        var reader = SSHReader(payload)
        guard let type = try? reader.readByte("type") else { throw SFTPDecodeError(id: nil, reason: "empty packet") }
        guard let id = try? reader.readUInt32("request id") else {
            throw SFTPDecodeError(id: nil, reason: "packet type \(type) without a request id")
        }
        do {
            return (id, try decodeBody(type, &reader, version: version))
        } catch {
            throw SFTPDecodeError(id: id, reason: "packet type \(type): \(error)")
        }
    }

    private static func decodeBody(_ type: UInt8, _ reader: inout SSHReader, version: UInt32) throws -> SFTPRequest {
        let withFlags = version >= 4
        switch type {
        case SFTPPacketType.open: return .open(try SFTPOpen(from: &reader, version: version))
        case SFTPPacketType.close: return .close(try SFTPHandleRequest(from: &reader))
        case SFTPPacketType.read: return .read(try SFTPRead(from: &reader))
        case SFTPPacketType.write: return .write(try SFTPWrite(from: &reader))
        case SFTPPacketType.lstat: return .lstat(try SFTPPathRequest(from: &reader, readsFlags: withFlags))
        case SFTPPacketType.fstat:
            let request = try SFTPHandleRequest(from: &reader)
            return .fstat(request)
        case SFTPPacketType.setstat: return .setstat(try SFTPPathAttributes(from: &reader, version: version))
        case SFTPPacketType.fsetstat: return .fsetstat(try SFTPHandleAttributes(from: &reader, version: version))
        case SFTPPacketType.opendir: return .opendir(try SFTPPathRequest(from: &reader, readsFlags: false))
        case SFTPPacketType.readdir: return .readdir(try SFTPHandleRequest(from: &reader))
        case SFTPPacketType.remove: return .remove(try SFTPPathRequest(from: &reader, readsFlags: false))
        case SFTPPacketType.mkdir: return .mkdir(try SFTPPathAttributes(from: &reader, version: version))
        case SFTPPacketType.rmdir: return .rmdir(try SFTPPathRequest(from: &reader, readsFlags: false))
        case SFTPPacketType.realpath: return .realpath(try SFTPRealPath(from: &reader))
        case SFTPPacketType.stat: return .stat(try SFTPPathRequest(from: &reader, readsFlags: withFlags))
        case SFTPPacketType.rename: return .rename(try SFTPRename(from: &reader, version: version))
        case SFTPPacketType.readlink: return .readlink(try SFTPPathRequest(from: &reader, readsFlags: false))
        case SFTPPacketType.symlink where version <= 5: return .link(try SFTPLink(symlinkFrom: &reader))
        case SFTPPacketType.link where version >= 6: return .link(try SFTPLink(linkFrom: &reader))
        case SFTPPacketType.extended: return .extended(try SFTPExtendedRequest(from: &reader))
        default: return .unsupported(type: type)
        }
    }

    /// The packet payload (type byte, id, body) a client would send: for tests and for a client.
    public func encoded(id: UInt32, version: UInt32) -> [UInt8] {
        var writer = SSHWriter()
        func start(_ type: UInt8) {
            writer.writeByte(type)
            writer.writeUInt32(id)
        }
        switch self {
        case .open(let m): start(SFTPPacketType.open); m.write(to: &writer, version: version)
        case .close(let m): start(SFTPPacketType.close); m.write(to: &writer)
        case .read(let m): start(SFTPPacketType.read); m.write(to: &writer)
        case .write(let m): start(SFTPPacketType.write); m.write(to: &writer)
        case .lstat(let m): start(SFTPPacketType.lstat); m.write(to: &writer)
        case .fstat(let m): start(SFTPPacketType.fstat); m.write(to: &writer)
        case .setstat(let m): start(SFTPPacketType.setstat); m.write(to: &writer, version: version)
        case .fsetstat(let m): start(SFTPPacketType.fsetstat); m.write(to: &writer, version: version)
        case .opendir(let m): start(SFTPPacketType.opendir); m.write(to: &writer)
        case .readdir(let m): start(SFTPPacketType.readdir); m.write(to: &writer)
        case .remove(let m): start(SFTPPacketType.remove); m.write(to: &writer)
        case .mkdir(let m): start(SFTPPacketType.mkdir); m.write(to: &writer, version: version)
        case .rmdir(let m): start(SFTPPacketType.rmdir); m.write(to: &writer)
        case .realpath(let m): start(SFTPPacketType.realpath); m.write(to: &writer)
        case .stat(let m): start(SFTPPacketType.stat); m.write(to: &writer)
        case .rename(let m): start(SFTPPacketType.rename); m.write(to: &writer, version: version)
        case .readlink(let m): start(SFTPPacketType.readlink); m.write(to: &writer)
        case .link(let m): start(version >= 6 ? SFTPPacketType.link : SFTPPacketType.symlink); m.write(to: &writer, version: version)
        case .extended(let m): start(SFTPPacketType.extended); m.write(to: &writer)
        case .unsupported(let type): start(type)
        }
        return writer.bytes
    }
}

/// A malformed request: answered with SSH_FX_BAD_MESSAGE when its id is known.
public struct SFTPDecodeError: Error, Equatable, Sendable {
    public var id: UInt32?
    public var reason: String
}
