/// A shell-style pattern: `*` matches any run of characters, `?` any one; everything else matches
/// itself. Used for `SSHVersionPattern` (server digest §4.1) and address patterns.
public struct GlobPattern: Sendable, Equatable {
    public let pattern: String
    private let characters: [Character]

    public init(_ pattern: String) {
        self.pattern = pattern
        characters = Array(pattern)
    }

    /// Whether `text` matches the whole pattern. Linear in practice: the usual two-pointer
    /// algorithm that backtracks only to the last `*`.
    public func matches(_ text: String) -> Bool {
        let input = Array(text)
        var p = 0, t = 0
        var star: Int?
        var resume = 0
        while t < input.count {
            if p < characters.count, characters[p] == "?" || characters[p] == input[t] {
                p += 1
                t += 1
            } else if p < characters.count, characters[p] == "*" {
                star = p
                resume = t
                p += 1
            } else if let star {
                p = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < characters.count, characters[p] == "*" { p += 1 }
        return p == characters.count
    }
}

/// The documented `SSHVersionPattern`: the client's identification string must match one pattern.
public struct VersionPatternList: Sendable, Equatable {
    public let patterns: [GlobPattern]

    public init(_ patterns: [String]) { self.patterns = patterns.map(GlobPattern.init) }

    public func accepts(_ identification: String) -> Bool {
        patterns.contains { $0.matches(identification) }
    }
}
