import Foundation
import Logging

/// Log lines on standard error, one per message (DESIGN §7). Under systemd (`JOURNAL_STREAM`
/// set) each line starts with its syslog priority, `<3>` error … `<7>` debug, which journald
/// reads as the entry's priority. Otherwise each line is a traditional syslog line —
/// `Dec  6 04:56:28 host swift-sshd[1234]: message` — so a log file kept from standard error
/// reads like /var/log/auth.log to fail2ban and other tools.
public struct DaemonLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    let underSystemd: Bool
    let write: @Sendable (String) -> Void

    public init(level: Logger.Level, underSystemd: Bool = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil,
                write: @escaping @Sendable (String) -> Void = DaemonLogHandler.standardError) {
        self.logLevel = level
        self.underSystemd = underSystemd
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // One line per entry: a message never spans lines in the journal or a log file.
        let text = event.message.description.replacingOccurrences(of: "\n", with: " ")
        if underSystemd {
            write("<\(Self.priority(event.level))>\(text)\n")
        } else {
            write("\(Self.timestamp()) \(Self.prefix)\(text)\n")
        }
    }

    /// syslog(3) priorities.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .critical: 2
        case .error: 3
        case .warning: 4
        case .notice: 5
        case .info: 6
        case .debug, .trace: 7
        }
    }

    /// `host swift-sshd[pid]: `, as syslog writes it.
    static let prefix = "\(ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost") swift-sshd[\(getpid())]: "

    /// syslog's local time, `Mmm dd hh:mm:ss` (the day padded with a space).
    static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let count = strftime(&buffer, buffer.count, "%b %e %H:%M:%S", &parts)
        return String(decoding: buffer.prefix(count).map(UInt8.init(bitPattern:)), as: UTF8.self)
    }

    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(line.utf8))
    }
}

extension DaemonLogLevel {
    /// The swift-log level that shows this `LogLevel`'s messages.
    public var loggerLevel: Logger.Level {
        switch self {
        case .quiet, .fatal: .critical
        case .error: .error
        case .info: .info
        case .verbose: .notice
        case .debug, .debug1, .debug2, .debug3: .debug
        }
    }
}
