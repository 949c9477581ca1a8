// swift-tools-version:6.1
//
// swift-sshd: an SSH and SFTP server for Linux, and the Swift library it is built on.
// Layers (docs: DESIGN §2) import only downward:
//   C system libraries → CShims → SSHWire → SSHCrypto → SSHCore → (SFTP, Reactor) → SSHKit → SSHDaemon → swift-sshd
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "swift-sshd",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "SSHWire", targets: ["SSHWire"]),
        .library(name: "SSHCrypto", targets: ["SSHCrypto"]),
        .library(name: "SSHCore", targets: ["SSHCore"]),
        .library(name: "Reactor", targets: ["Reactor"]),
        .library(name: "SFTP", targets: ["SFTP"]),
        .library(name: "SSHKit", targets: ["SSHKit"]),
        .library(name: "SSHDaemon", targets: ["SSHDaemon"]),
        .executable(name: "swift-sshd", targets: ["swift-sshd"]),
        .executable(name: "ssh-demo-server", targets: ["ssh-demo-server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // MARK: - C system libraries (Debian: libssl-dev, zlib1g-dev, libpam0g-dev)
        .systemLibrary(
            name: "COpenSSL", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(
            name: "CPAM",
            providers: [.apt(["libpam0g-dev"])]),
        .target(
            name: "CShims",
            dependencies: ["COpenSSL"],
            linkerSettings: [.linkedLibrary("crypto"), .linkedLibrary("crypt")]),

        // MARK: - Swift layers
        .target(name: "SSHWire", swiftSettings: strict),
        .target(
            name: "SSHCrypto",
            dependencies: [
                "SSHWire", "COpenSSL", "CShims",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict),
        .target(name: "SSHCore", dependencies: ["SSHWire", "SSHCrypto"], swiftSettings: strict),
        .target(name: "Reactor", dependencies: ["CShims"], swiftSettings: strict),
        .target(name: "SFTP", dependencies: ["SSHWire", "CShims"], swiftSettings: strict),
        .target(
            name: "SSHKit", dependencies: ["SSHCore", "SSHCrypto", "SSHWire", "Reactor", "SFTP"],
            swiftSettings: strict),

        .target(
            name: "SSHDaemon",
            dependencies: [
                "SSHKit", "SSHCore", "SSHCrypto", "SSHWire", "SFTP", "Reactor", "CShims", "CPAM",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),

        // MARK: - Programs
        .executableTarget(
            name: "swift-sshd",
            dependencies: [
                "SSHDaemon", "Reactor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "ssh-demo-server", dependencies: ["SSHKit", "SSHCrypto", "SSHDaemon"],
            swiftSettings: strict),
        .executableTarget(
            name: "PacketBenchmark", dependencies: ["SSHCore", "SSHCrypto"],
            path: "bench/PacketBenchmark", swiftSettings: strict),
        .executableTarget(
            name: "LoginBenchmark", dependencies: ["SSHCore", "SSHCrypto", "SSHWire"],
            path: "bench/LoginBenchmark", swiftSettings: strict),

        // MARK: - Tests
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "SSHWireTests", dependencies: ["SSHWire"], swiftSettings: strict),
        .testTarget(
            name: "SSHCryptoTests", dependencies: ["SSHCrypto", "SSHWire"],
            resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(
            name: "SSHCoreTests", dependencies: ["SSHCore", "SSHCrypto", "SSHWire"],
            swiftSettings: strict),
        .testTarget(name: "SSHKitTests", dependencies: ["TestSupport", "SSHKit", "SSHCore", "SSHCrypto"], swiftSettings: strict),
        .testTarget(name: "ReactorTests", dependencies: ["Reactor", "CShims"], swiftSettings: strict),
        .testTarget(name: "SFTPTests", dependencies: ["TestSupport", "SFTP", "SSHWire"], swiftSettings: strict),
        .testTarget(name: "SSHDaemonTests", dependencies: ["SSHDaemon", "SSHKit", "SSHCrypto"], swiftSettings: strict),
        .testTarget(
            name: "InteropTests", dependencies: ["TestSupport", "SSHCrypto", "SSHKit", "SFTP", "SSHDaemon"], exclude: ["Scripts"],
            swiftSettings: strict),
    ]
)
