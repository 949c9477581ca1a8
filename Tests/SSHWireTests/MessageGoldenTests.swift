import Testing
@testable import SSHWire

/// Encodings written out by hand from the RFC layouts, byte by byte.
@Suite struct MessageGoldenTests {
    static func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func expectGolden(
        _ message: SSHMessage, _ golden: [UInt8], sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(message.encoded() == golden, sourceLocation: sourceLocation)
        #expect(try SSHMessage.decode(golden) == message, sourceLocation: sourceLocation)
    }

    /// RFC 4253 §7.1.
    @Test func kexInit() throws {
        let message = SSHMsgKexInit(
            cookie: Array(0x00...0x0F),
            kexAlgorithms: ["curve25519-sha256"],
            serverHostKeyAlgorithms: ["ssh-ed25519"],
            encryptionAlgorithmsClientToServer: ["aes128-ctr"],
            encryptionAlgorithmsServerToClient: ["aes128-ctr"],
            macAlgorithmsClientToServer: ["hmac-sha2-256"],
            macAlgorithmsServerToClient: ["hmac-sha2-256"],
            compressionAlgorithmsClientToServer: ["none"],
            compressionAlgorithmsServerToClient: ["none"],
            languagesClientToServer: [],
            languagesServerToClient: [],
            firstKexPacketFollows: false,
            reserved: 0)
        var golden: [UInt8] = [20]  // SSH_MSG_KEXINIT
        golden += [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F]
        golden += [0, 0, 0, 17] + Self.ascii("curve25519-sha256")  // kex_algorithms
        golden += [0, 0, 0, 11] + Self.ascii("ssh-ed25519")  // server_host_key_algorithms
        golden += [0, 0, 0, 10] + Self.ascii("aes128-ctr")  // encryption c2s
        golden += [0, 0, 0, 10] + Self.ascii("aes128-ctr")  // encryption s2c
        golden += [0, 0, 0, 13] + Self.ascii("hmac-sha2-256")  // mac c2s
        golden += [0, 0, 0, 13] + Self.ascii("hmac-sha2-256")  // mac s2c
        golden += [0, 0, 0, 4] + Self.ascii("none")  // compression c2s
        golden += [0, 0, 0, 4] + Self.ascii("none")  // compression s2c
        golden += [0, 0, 0, 0]  // languages c2s
        golden += [0, 0, 0, 0]  // languages s2c
        golden += [0]  // first_kex_packet_follows
        golden += [0, 0, 0, 0]  // reserved
        try Self.expectGolden(.kexInit(message), golden)
    }

    /// RFC 4253 §11.1.
    @Test func disconnect() throws {
        let golden: [UInt8] = [1, 0, 0, 0, 11, 0, 0, 0, 3] + Self.ascii("bye") + [0, 0, 0, 0]
        try Self.expectGolden(
            .disconnect(SSHMsgDisconnect(reason: .byApplication, description: "bye", languageTag: "")), golden)
    }

    /// RFC 4252 §8.
    @Test func userAuthPassword() throws {
        var golden: [UInt8] = [50]  // SSH_MSG_USERAUTH_REQUEST
        golden += [0, 0, 0, 5] + Self.ascii("alice")
        golden += [0, 0, 0, 14] + Self.ascii("ssh-connection")
        golden += [0, 0, 0, 8] + Self.ascii("password")
        golden += [0]  // FALSE: no new password
        golden += [0, 0, 0, 6] + Self.ascii("s3cret")
        let message = SSHMsgUserAuthRequest(
            userName: "alice", serviceName: "ssh-connection", method: .password(password: "s3cret", newPassword: nil))
        try Self.expectGolden(.userAuthRequest(message), golden)
    }

    static let ed25519Blob: [UInt8] =
        [0, 0, 0, 11] + ascii("ssh-ed25519") + [0, 0, 0, 32] + Array(repeating: 0x11, count: 32)
    static let ed25519Signature: [UInt8] =
        [0, 0, 0, 11] + ascii("ssh-ed25519") + [0, 0, 0, 64] + Array(repeating: 0x22, count: 64)

    /// RFC 4252 §7.
    @Test func userAuthPublicKeyWithSignature() throws {
        var golden: [UInt8] = [50]
        golden += [0, 0, 0, 3] + Self.ascii("bob")
        golden += [0, 0, 0, 14] + Self.ascii("ssh-connection")
        golden += [0, 0, 0, 9] + Self.ascii("publickey")
        golden += [1]  // TRUE: a signature follows
        golden += [0, 0, 0, 11] + Self.ascii("ssh-ed25519")
        golden += [0, 0, 0, 0x33] + Self.ed25519Blob  // 51 bytes
        golden += [0, 0, 0, 0x53] + Self.ed25519Signature  // 83 bytes
        let message = SSHMsgUserAuthRequest(
            userName: "bob", serviceName: "ssh-connection",
            method: .publicKey(algorithm: "ssh-ed25519", publicKeyBlob: Self.ed25519Blob, signature: Self.ed25519Signature))
        try Self.expectGolden(.userAuthRequest(message), golden)
    }

    /// RFC 4252 §7: the signed data; OpenSSH PROTOCOL: the hostbound variant appends the host key.
    @Test func publicKeySignedData() {
        let sessionIdentifier: [UInt8] = [0xAB, 0xCD, 0xEF, 0x01]
        var golden: [UInt8] = [0, 0, 0, 4, 0xAB, 0xCD, 0xEF, 0x01]  // string session identifier
        golden += [50]  // SSH_MSG_USERAUTH_REQUEST
        golden += [0, 0, 0, 3] + Self.ascii("bob")
        golden += [0, 0, 0, 14] + Self.ascii("ssh-connection")
        golden += [0, 0, 0, 9] + Self.ascii("publickey")
        golden += [1]
        golden += [0, 0, 0, 11] + Self.ascii("ssh-ed25519")
        golden += [0, 0, 0, 0x33] + Self.ed25519Blob
        let signed = SSHMsgUserAuthRequest.publicKeySignedData(
            sessionIdentifier: sessionIdentifier, userName: "bob", serviceName: "ssh-connection",
            methodName: "publickey", algorithm: "ssh-ed25519", publicKeyBlob: Self.ed25519Blob, hostKeyBlob: nil)
        #expect(signed == golden)
        let request = SSHMsgUserAuthRequest(
            userName: "bob", serviceName: "ssh-connection",
            method: .publicKey(algorithm: "ssh-ed25519", publicKeyBlob: Self.ed25519Blob, signature: Self.ed25519Signature))
        #expect(request.publicKeySignedData(sessionIdentifier: sessionIdentifier) == golden)

        let hostKey: [UInt8] = [0, 0, 0, 7] + Self.ascii("ssh-rsa") + [0x01]
        var hostBoundGolden: [UInt8] = [0, 0, 0, 4, 0xAB, 0xCD, 0xEF, 0x01, 50]
        hostBoundGolden += [0, 0, 0, 3] + Self.ascii("bob")
        hostBoundGolden += [0, 0, 0, 14] + Self.ascii("ssh-connection")
        hostBoundGolden += [0, 0, 0, 35] + Self.ascii("publickey-hostbound-v00@openssh.com")
        hostBoundGolden += [1]
        hostBoundGolden += [0, 0, 0, 11] + Self.ascii("ssh-ed25519")
        hostBoundGolden += [0, 0, 0, 0x33] + Self.ed25519Blob
        hostBoundGolden += [0, 0, 0, 12] + hostKey
        let hostBound = SSHMsgUserAuthRequest(
            userName: "bob", serviceName: "ssh-connection",
            method: .publicKeyHostBound(
                algorithm: "ssh-ed25519", publicKeyBlob: Self.ed25519Blob, hostKeyBlob: hostKey, signature: nil))
        #expect(hostBound.publicKeySignedData(sessionIdentifier: sessionIdentifier) == hostBoundGolden)
        let password = SSHMsgUserAuthRequest(
            userName: "bob", serviceName: "ssh-connection", method: .password(password: "x", newPassword: nil))
        #expect(password.publicKeySignedData(sessionIdentifier: sessionIdentifier) == nil)
    }

    /// RFC 4254 §7.2.
    @Test func channelOpenDirectTCPIP() throws {
        var golden: [UInt8] = [90]  // SSH_MSG_CHANNEL_OPEN
        golden += [0, 0, 0, 12] + Self.ascii("direct-tcpip")
        golden += [0, 0, 0, 1]  // sender channel
        golden += [0, 0x20, 0, 0]  // initial window size 2 MiB
        golden += [0, 0, 0x80, 0]  // maximum packet size 32 KiB
        golden += [0, 0, 0, 9] + Self.ascii("localhost")
        golden += [0, 0, 0, 22]  // port to connect
        golden += [0, 0, 0, 9] + Self.ascii("127.0.0.1")
        golden += [0, 0, 0xC3, 0x50]  // originator port 50000
        let message = SSHMsgChannelOpen(
            senderChannel: 1, initialWindowSize: 2_097_152, maximumPacketSize: 32768,
            payload: .directTCPIP(
                hostToConnect: "localhost", portToConnect: 22, originatorAddress: "127.0.0.1", originatorPort: 50000))
        try Self.expectGolden(.channelOpen(message), golden)
    }

    /// RFC 4254 §6.2 and §8.
    @Test func channelRequestPtyReq() throws {
        let modes: [UInt8] = [
            53, 0, 0, 0, 1,  // ECHO 1
            128, 0, 0, 0x96, 0x00,  // TTY_OP_ISPEED 38400
            0,  // TTY_OP_END
        ]
        var golden: [UInt8] = [98]  // SSH_MSG_CHANNEL_REQUEST
        golden += [0, 0, 0, 0]  // recipient channel
        golden += [0, 0, 0, 7] + Self.ascii("pty-req")
        golden += [1]  // want reply
        golden += [0, 0, 0, 5] + Self.ascii("xterm")
        golden += [0, 0, 0, 80, 0, 0, 0, 24, 0, 0, 0, 0, 0, 0, 0, 0]  // 80x24 characters, 0x0 pixels
        golden += [0, 0, 0, 11] + modes
        let message = SSHMsgChannelRequest(
            recipientChannel: 0, wantReply: true,
            payload: .ptyReq(
                term: "xterm", widthCharacters: 80, heightRows: 24, widthPixels: 0, heightPixels: 0,
                terminalModes: modes))
        try Self.expectGolden(.channelRequest(message), golden)
        let parsed = try SSHTerminalModes.parse(modes)
        #expect(parsed == [SSHTerminalMode(.ECHO, value: 1), SSHTerminalMode(.TTY_OP_ISPEED, value: 38400)])
        #expect(SSHTerminalModes.encode(parsed) == modes)
    }

    /// RFC 4254 §6.5.
    @Test func channelRequestExec() throws {
        var golden: [UInt8] = [98]
        golden += [0, 0, 0, 2]  // recipient channel
        golden += [0, 0, 0, 4] + Self.ascii("exec")
        golden += [1]
        golden += [0, 0, 0, 6] + Self.ascii("ls -la")
        let message = SSHMsgChannelRequest(
            recipientChannel: 2, wantReply: true, payload: .exec(command: Self.ascii("ls -la")))
        try Self.expectGolden(.channelRequest(message), golden)
    }

    /// RFC 8308 §2.3.
    @Test func extInfo() throws {
        var golden: [UInt8] = [7, 0, 0, 0, 1]
        golden += [0, 0, 0, 15] + Self.ascii("server-sig-algs")
        golden += [0, 0, 0, 11] + Self.ascii("ssh-ed25519")
        try Self.expectGolden(
            .extInfo(SSHMsgExtInfo(extensions: [SSHExtension(name: "server-sig-algs", value: Self.ascii("ssh-ed25519"))])),
            golden)
    }

    /// RFC 4253 §8: the zero padding byte keeps a high-bit e non-negative.
    @Test func kexDHInitMPInt() throws {
        let golden: [UInt8] = [30, 0, 0, 0, 3, 0x00, 0x80, 0x01]
        let message = SSHMsgKexDHInit(e: [0x80, 0x01])
        #expect(message.encoded() == golden)
        #expect(try SSHMsgKexDHInit.decode(golden) == message)
    }
}
