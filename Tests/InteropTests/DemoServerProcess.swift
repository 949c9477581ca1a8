import Foundation
import Testing

/// The built `ssh-demo-server` running on an ephemeral loopback port, ended by PID when released.
final class DemoServerProcess {
    let process = Process()
    let port: Int
    let stateDirectory: URL
    private let stderrFile: URL

    /// The build folder holding the test bundle also holds the package's executables.
    static func executable(_ name: String) throws -> URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().deletingLastPathComponent(),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug"),
        ]
        for directory in candidates {
            let url = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw InteropError("\(name) not found next to the tests; build with `swift build --build-tests`")
    }

    init(arguments: [String] = []) throws {
        stateDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("ssh-demo-\(UUID().uuidString)")
        stderrFile = stateDirectory.appendingPathComponent("server.log")
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process.executableURL = try Self.executable("ssh-demo-server")
        process.arguments = ["--port", "0", "--state", stateDirectory.path] + arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
        // The first line says where it listens (OpenSSH's wording): "Server listening on ADDR port N."
        var buffer = Data()
        var found: Int?
        let deadline = Date().addingTimeInterval(60)
        while found == nil, Date() < deadline, process.isRunning {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            let text = String(decoding: buffer, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Server listening on") }),
               let portText = line.split(separator: " ").last?.dropLast(), let value = Int(portText) {
                found = value
            }
        }
        guard let found else {
            process.terminate()
            let log = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
            throw InteropError("demo server did not start: \(String(decoding: buffer, as: UTF8.self)) \(log)")
        }
        port = found
    }

    var log: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: stateDirectory)
    }
}

struct InteropError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command to completion and returns its exit status and combined output.
func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
