import ArgumentParser
import Foundation
import Logging
import Reactor
import SSHDaemon

/// `swift-sshd`: the SSH and SFTP daemon (swift-sshd(8)).
struct SwiftSSHD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swift-sshd",
        abstract: "An SSH and SFTP server.",
        subcommands: [Keygen.self, User.self, Version.self, Demo.self, SFTPServerCommand.self])

    @OptionGroup var config: ConfigOptions
    @Flag(name: .customShort("D"), help: "Stay in the foreground (the only mode; systemd runs it so).")
    var foreground = false
    @Flag(name: .customShort("d"), help: "Debug: LogLevel=DEBUG.")
    var debug = false
    @Flag(name: .customShort("t"), help: "Check the config file and the host keys, then exit: 0 when they are usable, 1 with the errors.")
    var check = false
    @Flag(name: .customShort("T"), help: "Check, then print the effective configuration as Key=Value lines.")
    var printEffective = false
    @Option(name: .customShort("o"), help: ArgumentHelp("A Key=Value that overrides the file (repeatable).", valueName: "Key=Value"))
    var overrides: [String] = []

    func run() throws {
        let configuration = try config.load(overrides: overrides + (debug ? ["LogLevel=DEBUG"] : []))
        do {
            _ = try HostKeyFiles.load(configuration.hostKeys, passphrase: configuration.hostKeyPassword)
        } catch {
            fail("\(error)")
        }
        if configuration.authMode.contains(.users) {
            do { _ = try UsersFile.load(configuration.usersFile) } catch { fail(error.description) }
        }
        if printEffective {
            print(ConfigLoader.effectiveText(configuration), terminator: "")
            return
        }
        if check { return }
        let level = configuration.logLevel.loggerLevel
        LoggingSystem.bootstrap { _ in DaemonLogHandler(level: level) }
        let logger = Logger(label: "swift-sshd")
        do {
            let reloadOverrides = overrides + (debug ? ["LogLevel=DEBUG"] : [])
            let file = config.file
            try Daemon(configuration: configuration, logger: logger, reload: {
                try ConfigLoader.load(file: file, overrides: reloadOverrides)
            }).run()
        } catch {
            logger.critical("\(error)")
            throw ExitCode(1)
        }
    }
}

/// `-f FILE`, shared by the daemon and its subcommands.
struct ConfigOptions: ParsableArguments {
    @Option(name: .customShort("f"), help: ArgumentHelp("The config file.", valueName: "file"))
    var file = "/etc/swift-sshd/swift-sshd.conf"

    /// The file's configuration with `overrides`; exits 1 with every error on standard error.
    func load(overrides: [String] = []) throws -> DaemonConfiguration {
        do {
            return try ConfigLoader.load(file: file, overrides: overrides)
        } catch {
            fail(error.description)
        }
    }
}

/// Prints `message` on standard error and exits 1.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(1)
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")
    func run() { print("swift-sshd \(DaemonVersion.text)") }
}

/// `keygen`: makes the host keys that are missing (run before start; does nothing when all exist).
struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Make the HostKey files that are missing (ed25519, ecdsa, rsa).")
    @OptionGroup var config: ConfigOptions

    func run() throws {
        let configuration = try config.load()
        do {
            for line in try HostKeyFiles.generateMissing(configuration.hostKeys) { print("generated \(line)") }
        } catch {
            fail("\(error)")
        }
    }
}

/// `sftp-server`: the SFTP engine on standard input and output, confined to `--root`. The daemon
/// starts it as the account's user for a session it cannot serve in its own process; not meant
/// to be run by hand (it is a subsystem, like OpenSSH's sftp-server).
struct SFTPServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sftp-server", abstract: "Serve SFTP on standard input and output (started by the daemon).", shouldDisplay: false)
    @Option(help: "The directory the client sees as /.") var root: String
    @Option(help: "The directory a client starts in, inside the root.") var home = "/"
    @Option(help: "The highest SFTP version to offer (3 to 6).") var protocolVersion: UInt32 = 3

    func run() throws {
        // main blocks the daemon's signals for its signalfd; this process takes them the usual way.
        try Signals.unblockInThisThread(Signals.serverSignals)
        guard (3...6).contains(protocolVersion) else { fail("--protocol-version must be 3 to 6") }
        throw ExitCode(StdioSFTPServer.serve(root: root, home: home, protocolVersion: protocolVersion))
    }
}

/// `demo`: the daemon on an embedded default, for trying it: loopback, host keys and a users file
/// in a local state folder, the account `demo` with a password printed at start.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run on 127.0.0.1 with a demo account and everything in a local folder.")
    @Option(help: "The folder for host keys, the users file and the files.") var state = "state"
    @Option(help: "The port (0: the kernel chooses).") var port = 2222
    @Option(help: "The address to listen on.") var host = "127.0.0.1"

    func run() throws {
        let demo: DemoDeployment
        do {
            demo = try DemoDeployment(state: state, host: host, port: port)
        } catch {
            fail("demo: \(error)")
        }
        let level = demo.configuration.logLevel.loggerLevel
        LoggingSystem.bootstrap { _ in DaemonLogHandler(level: level) }
        let daemon = try Daemon(configuration: demo.configuration, logger: Logger(label: "swift-sshd"))
        daemon.onListening = { port in
            FileHandle.standardOutput.write(Data((demo.banner(port: port) + "\n").utf8))
        }
        try daemon.run()
    }
}
