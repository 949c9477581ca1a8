// Packet-protection micro-benchmark (DESIGN §9): seals and opens 32 KiB packets in place on one
// core, then runs `openssl speed` on the same machine for the raw AEAD figures to compare with.
// Not a test: it asserts nothing and is not part of CI's pass/fail.
//
// Usage: PacketBenchmark [MiB per algorithm, default 1024]
import Foundation
import SSHCrypto

/// RFC 4253 §6.1: implementations must handle 32768-byte payloads; the benchmark's packet size.
let payloadLength = 32_768

struct Measurement {
    var name: String
    var sealSeconds = 0.0
    var openSeconds = 0.0
    var payloadBytes = 0

    func megabytesPerSecond(_ seconds: Double) -> Double { Double(payloadBytes) / seconds / 1e6 }
    var seal: Double { megabytesPerSecond(sealSeconds) }
    var open: Double { megabytesPerSecond(openSeconds) }
    var sealAndOpen: Double { megabytesPerSecond(sealSeconds + openSeconds) }
}

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Seals and opens `totalBytes` of payload in 32 KiB packets, in place in one buffer: after
/// `open` the buffer holds the plaintext packet again, ready for the next `seal`.
func measure(cipherName: String, macName: String?, totalBytes: Int) throws -> Measurement {
    guard let cipher = TransportAlgorithms.cipher(named: cipherName) else {
        throw CryptoError.unknownAlgorithm(cipherName)
    }
    let mac = try macName.map { name -> any MACAlgorithm in
        guard let mac = TransportAlgorithms.mac(named: name) else { throw CryptoError.unknownAlgorithm(name) }
        return mac
    }
    let key = SecureBytes(OpenSSL.randomBytes(cipher.keyLength))
    let iv = SecureBytes(OpenSSL.randomBytes(cipher.ivLength))
    let macKey = mac.map { SecureBytes(OpenSSL.randomBytes($0.keyLength)) }
    let sealer = try cipher.makeProtection(key: key, iv: iv, mac: mac, macKey: macKey, sealing: true)
    let opener = try cipher.makeProtection(key: key, iv: iv, mac: mac, macKey: macKey, sealing: false)

    // RFC 4253 §6: packet_length ‖ padding_length ‖ payload ‖ padding, then the tag.
    let multiple = max(8, sealer.blockSize)
    let counted = (sealer.lengthIsAuthenticatedOnly ? 0 : 4) + 1 + payloadLength
    var padding = multiple - counted % multiple
    if padding < 4 { padding += multiple }
    let packetLength = 1 + payloadLength + padding
    let total = 4 + packetLength + sealer.tagLength
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: total, alignment: 16)
    defer { buffer.deallocate() }
    for index in buffer.indices { buffer[index] = UInt8(truncatingIfNeeded: index) }
    buffer.storeBytes(of: UInt32(packetLength).bigEndian, as: UInt32.self)
    buffer[4] = UInt8(padding)
    let head = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<sealer.lengthFieldSpan])

    var result = Measurement(name: macName.map { "\(cipherName) + \($0)" } ?? cipherName)
    let packets = max(1, totalBytes / payloadLength)
    var sequenceNumber: UInt32 = 0
    for _ in 0..<packets {
        let start = now()
        try sealer.seal(buffer, sequenceNumber: sequenceNumber)
        let sealed = now()
        let length = try opener.decryptLength(head, sequenceNumber: sequenceNumber)
        try opener.open(buffer, sequenceNumber: sequenceNumber)
        let opened = now()
        guard Int(length) == packetLength else { throw CryptoError.authenticationFailure }
        result.sealSeconds += sealed - start
        result.openSeconds += opened - sealed
        sequenceNumber &+= 1
    }
    result.payloadBytes = packets * payloadLength
    return result
}

/// `openssl speed -evp <algorithm> -bytes 16384 -seconds 2`, in MB/s (it reports 1000s of bytes
/// per second), or nil when openssl is missing or its output is not understood.
func opensslSpeed(_ algorithm: String) -> Double? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["openssl", "speed", "-evp", algorithm, "-bytes", "16384", "-seconds", "2"]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    // The last line is "<NAME>  <thousands of bytes per second>k".
    let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
    guard let last = lines.last, let figure = last.split(separator: " ").last, figure.hasSuffix("k"),
        let thousands = Double(figure.dropLast())
    else { return nil }
    return thousands / 1000
}

let mebibytes = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 1024
let totalBytes = mebibytes * 1_048_576
let cases: [(cipher: String, mac: String?, openssl: String?)] = [
    ("aes128-gcm@openssh.com", nil, "aes-128-gcm"),
    ("chacha20-poly1305@openssh.com", nil, "chacha20-poly1305"),
    ("aes128-ctr", "hmac-sha2-256-etm@openssh.com", nil),
]

print("PacketBenchmark: \(mebibytes) MiB of payload per algorithm in \(payloadLength)-byte packets, one core")
print("")
func column(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}
func figure(_ value: Double) -> String { String(format: "%9.1f", value) }
print(column("algorithm", 46) + "     seal      open seal+open   openssl  seal/openssl")
do {
    for entry in cases {
        let result = try measure(cipherName: entry.cipher, macName: entry.mac, totalBytes: totalBytes)
        var line = column(result.name, 46) + figure(result.seal) + " " + figure(result.open) + " "
            + figure(result.sealAndOpen)
        if let algorithm = entry.openssl, let reference = opensslSpeed(algorithm) {
            line += " " + figure(reference) + "  " + String(format: "%11.2f", result.seal / reference)
        } else if entry.openssl != nil {
            line += "   (openssl speed unavailable)"
        }
        print(line)
    }
    print("")
    print("MB/s = 10^6 bytes of payload per second. openssl: `openssl speed -evp <aead> -bytes 16384 -seconds 2`")
    print("(encryption and tag over 16 KiB buffers), compared with our seal.")
} catch {
    print("benchmark failed: \(error)")
    exit(1)
}
