/// A line of the config file (or a `-o` option) that cannot be used: where it is, which key,
/// and what is allowed (DESIGN §7).
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file's path, or "-o" for a command-line override.
    public let file: String
    /// 1-based: the file's line, or the override's position.
    public let line: Int
    /// The key as written ("" when the line has none).
    public let key: String
    public let message: String

    public init(file: String, line: Int, key: String, _ message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        key.isEmpty ? "\(file):\(line): \(message)" : "\(file):\(line): \(key): \(message)"
    }
}

/// Every problem a config file has, in line order: it is refused as a whole.
public struct ConfigErrors: Error, Equatable, Sendable, CustomStringConvertible {
    public let errors: [ConfigError]

    public init(errors: [ConfigError]) { self.errors = errors }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
