import Reactor
import SFTP
import SSHKit
#if canImport(Glibc)
import Glibc
#endif

/// The SFTP engine on standard input and output, confined to a root: what `swift-sshd
/// sftp-server` runs in a child started as the account's user (DESIGN §6), when the daemon does
/// not itself run as that user. Blocking and single-threaded: one child serves one session.
public enum StdioSFTPServer {
    /// Bytes read from standard input at a time.
    static let readChunk = 64 * 1024

    /// Serves until standard input ends, starting clients in `home` (a path inside `root`); returns the exit code (0, or 1 when the stream broke).
    public static func serve(root: String, home: String = "/", protocolVersion: UInt32, input: Int32 = 0, output: Int32 = 1) -> Int32 {
        let fileSystem: ConfinedFileSystem
        do {
            fileSystem = try ConfinedFileSystem(root: root)
        } catch {
            report("cannot serve \(root): \(error)")
            return 1
        }
        var configuration = SFTPServerSession.Configuration(maximumVersion: protocolVersion, homeDirectory: home)
        configuration.hashing = SFTPDigests.hashing
        let session = SFTPServerSession(configuration: configuration)
        var buffer = [UInt8](repeating: 0, count: readChunk)
        defer { _ = session.closeAllHandles()?.run(on: fileSystem) }
        while true {
            do throws(SFTPSessionError) {
                while let operation = session.nextOperation() {
                    try session.complete(operation, operation.run(on: fileSystem))
                    // Packets that waited for room in the session are decoded now.
                    try session.receive([UInt8]())
                }
            } catch {
                report(error.description)
                return 1
            }
            for chunk in session.takeOutputChunks() where !writeAll(output, chunk) { return 1 }
            let count = buffer.withUnsafeMutableBytes { Glibc.read(input, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return count == 0 ? 0 : 1 }
            do throws(SFTPSessionError) {
                try session.receive(buffer[0..<count])
            } catch {
                report(error.description)
                return 1
            }
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
        var rest = bytes
        while !rest.isEmpty {
            let written = rest.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            rest = rest.dropFirst(written)
        }
        return true
    }

    /// A line on standard error, which the session sends to the client as extended data.
    private static func report(_ message: String) {
        let line = Array("sftp-server: \(message)\n".utf8)
        _ = writeAll(2, line[...])
    }
}
