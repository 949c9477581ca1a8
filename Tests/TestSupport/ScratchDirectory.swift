import Foundation

/// A directory of its own for one test, removed with everything in it when the last reference
/// goes (a suite instance ends after each test, so a suite that keeps one cleans up after every
/// test, failed ones included).
public final class ScratchDirectory: Sendable {
    /// The directory, created empty (0755) by `init`.
    public let url: URL

    /// Creates `BASE/PREFIX-UUID`; `base` is the system's temporary directory unless given.
    public init(_ prefix: String, in base: URL = FileManager.default.temporaryDirectory) throws {
        url = base.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the directory.
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}
