import Foundation
import SSHKit

/// Reads the daemon's config file (DESIGN §7): `Key=Value` lines, `#` comment lines, keys
/// case-insensitive and named as the documented properties and settings or as the daemon's own
/// keys. Every bad line is reported — file, line, key and what is allowed — and a file with any
/// is refused as a whole.
public enum ConfigLoader {
    /// Loads `path` and then the `-o Key=Value` overrides, which replace what the file set.
    public static func load(file path: String, overrides: [String] = []) throws(ConfigErrors) -> DaemonConfiguration {
        let text: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard data.count <= DaemonLimits.maximumConfigFileSize else {
                throw ConfigErrors(errors: [ConfigError(file: path, line: 0, key: "", "larger than \(DaemonLimits.maximumConfigFileSize) bytes")])
            }
            guard let decoded = String(data: data, encoding: .utf8) else {
                throw ConfigErrors(errors: [ConfigError(file: path, line: 0, key: "", "not UTF-8 text")])
            }
            text = decoded
        } catch let errors as ConfigErrors {
            throw errors
        } catch {
            throw ConfigErrors(errors: [ConfigError(file: path, line: 0, key: "", "cannot read: \(error.localizedDescription)")])
        }
        return try parse(text, file: path, overrides: overrides)
    }

    /// Parses config text (named `file` in errors), then the overrides.
    public static func parse(_ text: String, file: String, overrides: [String] = []) throws(ConfigErrors) -> DaemonConfiguration {
        var state = ParseState()
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line.removeLast() }
            state.take(line, file: file, number: index + 1)
        }
        var overrideState = ParseState(configuration: state.configuration)
        for (index, option) in overrides.enumerated() {
            overrideState.take(Substring(option), file: "-o", number: index + 1)
        }
        let errors = state.errors + overrideState.errors
        guard errors.isEmpty else { throw ConfigErrors(errors: errors) }
        return overrideState.configuration
    }

    /// The effective configuration as `Key=Value` lines (`-T`): every daemon key, then every SSH
    /// server setting that has an effect on Linux.
    public static func effectiveText(_ configuration: DaemonConfiguration) -> String {
        var lines: [String] = []
        for key in DaemonKey.all {
            // The SSHCert* names are another way to write HostKey: -T shows HostKey.
            guard !key.name.hasPrefix("SSHCert") else { continue }
            for value in key.show(configuration) { lines.append("\(key.name)=\(value)") }
        }
        var settings = configuration.server
        for entry in SSHServerSettingTable.entries where entry.relevance != .artifact && DaemonKey.named(entry.name) == nil {
            let value = (try? settings.config(entry.name)) ?? ""
            lines.append("\(entry.name)=\(value)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Every key name the file accepts (daemon keys and the SSH server's settings).
    public static var keyNames: [String] {
        DaemonKey.all.map(\.name)
            + SSHServerSettingTable.entries.filter { $0.relevance != .artifact && DaemonKey.named($0.name) == nil }.map(\.name)
    }
}

/// The lines read so far: the configuration they built, where each key was first set, errors.
private struct ParseState {
    var configuration = DaemonConfiguration()
    var errors: [ConfigError] = []
    /// Lower-cased key → the line that first set it.
    var seen: [String: Int] = [:]
    var resetGroups: Set<String> = []

    init(configuration: DaemonConfiguration = DaemonConfiguration()) {
        self.configuration = configuration
    }

    mutating func take(_ line: Substring, file: String, number: Int) {
        func fail(_ key: String, _ message: String) { errors.append(ConfigError(file: file, line: number, key: key, message)) }
        let content = line.drop { $0 == " " || $0 == "\t" }
        if content.isEmpty || content.hasPrefix("#") { return }
        guard line.utf8.count <= DaemonLimits.maximumLineLength else {
            return fail("", "line longer than \(DaemonLimits.maximumLineLength) bytes")
        }
        guard let equals = content.firstIndex(of: "=") else {
            return fail("", "expected Key=Value, found \"\(content.prefix(60))\"")
        }
        let key = SettingValueParser.trimmed(String(content[..<equals]))
        let value = SettingValueParser.trimmed(String(content[content.index(after: equals)...]))
        guard !key.isEmpty else { return fail("", "a key is missing before \"=\"") }
        let lower = key.lowercased()
        if let daemonKey = DaemonKey.named(key) {
            if !daemonKey.repeatable, let first = seen[lower] {
                return fail(key, "may appear once; it is already set on line \(first)")
            }
            seen[lower] = seen[lower] ?? number
            if let (group, reset) = daemonKey.resets, !resetGroups.contains(group) {
                reset(&configuration)
                resetGroups.insert(group)
            }
            guard daemonKey.apply(&configuration, value) else {
                return fail(key, "\"\(value)\" is not allowed; expected \(daemonKey.allowed)")
            }
        } else if let entry = SSHServerSettingTable.entry(named: key) {
            guard entry.relevance != .artifact else {
                return fail(key, "has no effect on Linux (a Windows, TLS or licensing setting of the class); remove it")
            }
            if let first = seen[lower] { return fail(key, "may appear once; it is already set on line \(first)") }
            seen[lower] = number
            guard (try? configuration.server.config("\(entry.name)=\(value)")) != nil else {
                return fail(key, "\"\(value)\" is not allowed; expected \(entry.allowed)")
            }
        } else {
            let suggestion = ConfigLoader.keyNames.first { Self.distance($0.lowercased(), lower) <= 2 }
            return fail(key, "unknown key" + (suggestion.map { "; did you mean \($0)?" } ?? "; swift-sshd.conf(5) lists the keys"))
        }
    }

    /// Levenshtein distance, for "did you mean" (names are short).
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
