import Foundation

/// The built `ssh-demo-server` running on an ephemeral loopback port, ended by PID when released.
final class DemoServerProcess {
    private let child: ChildProcess
    let port: Int
    let stateDirectory: URL

    /// The build folder holding the test bundle also holds the package's executables.
    static func executable(_ name: String) throws -> String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().deletingLastPathComponent(),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug"),
        ]
        for directory in candidates {
            let url = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url.path }
        }
        throw InteropError("\(name) not found next to the tests; build with `swift build --build-tests`")
    }

    init(arguments: [String] = []) throws {
        stateDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("ssh-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        child = try ChildProcess(
            try Self.executable("ssh-demo-server"),
            ["--port", "0", "--state", stateDirectory.path] + arguments,
            outputFile: stateDirectory.appendingPathComponent("server.log"))
        // It prints where it listens (OpenSSH's wording): "Server listening on ADDR port N."
        var found: Int?
        let deadline = Date().addingTimeInterval(120)
        while found == nil, Date() < deadline {
            if let line = child.output.split(separator: "\n").first(where: { $0.hasPrefix("Server listening on") }),
               let portText = line.split(separator: " ").last?.dropLast(), let value = Int(portText) {
                found = value
            } else {
                usleep(20_000)
            }
        }
        guard let found else {
            child.terminate()
            throw InteropError("demo server did not start: \(child.output)")
        }
        port = found
    }

    var log: String { child.output }

    deinit {
        child.terminate()
        try? FileManager.default.removeItem(at: stateDirectory)
    }
}
