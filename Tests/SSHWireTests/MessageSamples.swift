@testable import SSHWire

/// A length-prefixed field of a sample encoding whose position the malformed-input tests find by
/// searching for its length prefix followed by its content.
enum FieldProbe: Sendable, CustomStringConvertible {
    /// A UTF-8 `string` (non-empty).
    case text(String)
    /// A raw `string` (non-empty).
    case bytes([UInt8])
    /// A `name-list` (at least one name).
    case nameList([String])
    /// An `mpint`, given by its magnitude (non-zero).
    case mpint([UInt8])

    /// The bytes after the length prefix.
    var content: [UInt8] {
        switch self {
        case .text(let text): Array(text.utf8)
        case .bytes(let bytes): bytes
        case .nameList(let names): Array(names.joined(separator: ",").utf8)
        case .mpint(let magnitude): Array(SSHWriter.encode { $0.writeMPInt(magnitude) }.dropFirst(4))
        }
    }

    /// Length prefix and content, as they appear in the encoding.
    var pattern: [UInt8] {
        SSHWriter.encode { $0.writeString(content) }
    }

    var description: String {
        switch self {
        case .text(let text): "text \(text.debugDescription)"
        case .bytes(let bytes): "bytes \(bytes)"
        case .nameList(let names): "name-list \(names)"
        case .mpint(let magnitude): "mpint \(magnitude)"
        }
    }
}

/// One message value with its encoding and the ways to decode it again.
struct CodecCase: Sendable, CustomStringConvertible {
    let name: String
    let encoded: [UInt8]
    /// What ``SSHMessage/decode(_:)`` must return for ``encoded``.
    let dispatched: SSHMessage
    /// Decodes with the message's own type and tells whether the result equals the original.
    let decodesToOriginal: @Sendable ([UInt8]) throws -> Bool
    /// The message ends in data that runs to the end of the payload (a rest-of-payload field or a
    /// sequence of strings), so some prefixes and extensions of it are valid, different messages.
    let openTail: Bool
    let probes: [FieldProbe]

    /// Numbers 30–49 and 60–79 are not decoded by ``SSHMessage/decode(_:)``.
    var isMethodSpecific: Bool {
        switch dispatched {
        case .keyExchangeMethod, .userAuthMethod: true
        default: false
        }
    }

    var description: String { name }
}

/// A case for a message that ``SSHMessage`` decodes itself.
func codecCase<M: SSHMessageCodable & Equatable>(
    _ name: String, _ message: M, _ wrap: (M) -> SSHMessage, openTail: Bool = false, probes: [FieldProbe] = []
) -> CodecCase {
    CodecCase(
        name: name, encoded: message.encoded(), dispatched: wrap(message),
        decodesToOriginal: { try M.decode($0) == message }, openTail: openTail, probes: probes)
}

/// A case for a method-specific message (numbers 30–49 or 60–79).
func methodCase<M: SSHMessageCodable & Equatable>(
    _ name: String, _ message: M, probes: [FieldProbe] = []
) -> CodecCase {
    let dispatched =
        SSHMessageNumber.keyExchangeMethodRange.contains(M.messageNumber)
        ? SSHMessage.keyExchangeMethod(message) : SSHMessage.userAuthMethod(message)
    return CodecCase(
        name: name, encoded: message.encoded(), dispatched: dispatched,
        decodesToOriginal: { try M.decode($0) == message }, openTail: false, probes: probes)
}

// MARK: - Representative values

enum MessageSamples {
    static let cookie: [UInt8] = Array(0x10...0x1F)
    static let hostKey: [UInt8] = [0, 0, 0, 11] + Array("ssh-ed25519".utf8) + [0, 0, 0, 2, 0xAA, 0xBB]
    static let signature: [UInt8] = [0, 0, 0, 3, 0x73, 0x69, 0x67, 0xC0, 0xFF, 0xEE]

    static let kexInit = SSHMsgKexInit(
        cookie: cookie,
        kexAlgorithms: ["curve25519-sha256", "ext-info-s"],
        serverHostKeyAlgorithms: ["ssh-ed25519"],
        encryptionAlgorithmsClientToServer: ["chacha20-poly1305@openssh.com", "aes128-ctr"],
        encryptionAlgorithmsServerToClient: ["aes256-gcm@openssh.com"],
        macAlgorithmsClientToServer: ["hmac-sha2-256-etm@openssh.com"],
        macAlgorithmsServerToClient: ["hmac-sha2-512"],
        compressionAlgorithmsClientToServer: ["none", "zlib@openssh.com"],
        compressionAlgorithmsServerToClient: ["zlib"],
        languagesClientToServer: ["en-GB"],
        languagesServerToClient: [],
        firstKexPacketFollows: true,
        reserved: 7)

    static let transport: [CodecCase] = [
        codecCase(
            "disconnect", SSHMsgDisconnect(reason: .byApplication, description: "bye now", languageTag: "en"),
            SSHMessage.disconnect, probes: [.text("bye now"), .text("en")]),
        codecCase("ignore", SSHMsgIgnore(data: [1, 2, 3, 0xFF]), SSHMessage.ignore, probes: [.bytes([1, 2, 3, 0xFF])]),
        codecCase("ignore empty", SSHMsgIgnore(data: []), SSHMessage.ignore),
        codecCase("unimplemented", SSHMsgUnimplemented(sequenceNumber: 0xDEAD_BEEF), SSHMessage.unimplemented),
        codecCase(
            "debug", SSHMsgDebug(alwaysDisplay: true, message: "débug ☃", languageTag: "fr"), SSHMessage.debug,
            probes: [.text("débug ☃"), .text("fr")]),
        codecCase(
            "service request", SSHMsgServiceRequest(serviceName: "ssh-userauth"), SSHMessage.serviceRequest,
            probes: [.text("ssh-userauth")]),
        codecCase(
            "service accept", SSHMsgServiceAccept(serviceName: "ssh-connection"), SSHMessage.serviceAccept,
            probes: [.text("ssh-connection")]),
        codecCase(
            "ext-info",
            SSHMsgExtInfo(extensions: [
                SSHExtension(name: "server-sig-algs", value: Array("ssh-ed25519,rsa-sha2-256".utf8)),
                SSHExtension(name: "ping@openssh.com", value: Array("0".utf8)),
            ]),
            SSHMessage.extInfo,
            probes: [.text("server-sig-algs"), .bytes(Array("ssh-ed25519,rsa-sha2-256".utf8)), .text("ping@openssh.com")]),
        codecCase("ext-info empty", SSHMsgExtInfo(extensions: []), SSHMessage.extInfo),
        codecCase(
            "kexinit", kexInit, SSHMessage.kexInit,
            probes: [
                .nameList(["curve25519-sha256", "ext-info-s"]), .nameList(["ssh-ed25519"]),
                .nameList(["chacha20-poly1305@openssh.com", "aes128-ctr"]), .nameList(["aes256-gcm@openssh.com"]),
                .nameList(["hmac-sha2-256-etm@openssh.com"]), .nameList(["hmac-sha2-512"]),
                .nameList(["none", "zlib@openssh.com"]), .nameList(["zlib"]), .nameList(["en-GB"]),
            ]),
        codecCase("newkeys", SSHMsgNewKeys(), SSHMessage.newKeys),
        codecCase("ping", SSHMsgPing(data: [9, 8, 7]), SSHMessage.ping, probes: [.bytes([9, 8, 7])]),
        codecCase("pong", SSHMsgPong(data: [6, 5, 4]), SSHMessage.pong, probes: [.bytes([6, 5, 4])]),
    ]

    static let keyExchangeMethods: [CodecCase] = [
        methodCase("kexdh init", SSHMsgKexDHInit(e: [0x80, 0x01, 0x02]), probes: [.mpint([0x80, 0x01, 0x02])]),
        methodCase(
            "kexdh reply", SSHMsgKexDHReply(hostKey: hostKey, f: [0x12, 0x34, 0x56], signature: signature),
            probes: [.bytes(hostKey), .mpint([0x12, 0x34, 0x56]), .bytes(signature)]),
        methodCase(
            "ecdh init", SSHMsgKexECDHInit(clientPublicKey: Array(repeating: 0x42, count: 32)),
            probes: [.bytes(Array(repeating: 0x42, count: 32))]),
        methodCase(
            "ecdh reply",
            SSHMsgKexECDHReply(hostKey: hostKey, serverPublicKey: Array(repeating: 0x43, count: 32), signature: signature),
            probes: [.bytes(hostKey), .bytes(Array(repeating: 0x43, count: 32)), .bytes(signature)]),
        methodCase("gex request old", SSHMsgKexDHGexRequestOld(n: 4096)),
        methodCase("gex request", SSHMsgKexDHGexRequest(min: 2048, n: 3072, max: 8192)),
        methodCase(
            "gex group", SSHMsgKexDHGexGroup(p: [0xFF, 0xFF, 0xFF, 0xFB], g: [0x02]),
            probes: [.mpint([0xFF, 0xFF, 0xFF, 0xFB]), .mpint([0x02])]),
        methodCase("gex init", SSHMsgKexDHGexInit(e: [0x7F, 0x00, 0x01]), probes: [.mpint([0x7F, 0x00, 0x01])]),
        methodCase(
            "gex reply", SSHMsgKexDHGexReply(hostKey: hostKey, f: [0x9A, 0xBC], signature: signature),
            probes: [.bytes(hostKey), .mpint([0x9A, 0xBC]), .bytes(signature)]),
    ]

    static let keyBlob: [UInt8] = [0, 0, 0, 7] + Array("ssh-rsa".utf8) + [0xB1, 0xB2]
    static let serverKeyBlob: [UInt8] = [0, 0, 0, 11] + Array("ssh-ed25519".utf8) + [0x5E, 0x5F]

    static func authRequest(_ method: SSHUserAuthMethod) -> SSHMsgUserAuthRequest {
        SSHMsgUserAuthRequest(userName: "alice", serviceName: "ssh-connection", method: method)
    }

    static let userAuth: [CodecCase] = [
        codecCase(
            "userauth none", authRequest(.none), SSHMessage.userAuthRequest,
            probes: [.text("alice"), .text("ssh-connection"), .text("none")]),
        codecCase(
            "userauth password", authRequest(.password(password: "s3cret", newPassword: nil)),
            SSHMessage.userAuthRequest, probes: [.text("password"), .text("s3cret")]),
        codecCase(
            "userauth password change", authRequest(.password(password: "old-pw", newPassword: "new-pw")),
            SSHMessage.userAuthRequest, probes: [.text("old-pw"), .text("new-pw")]),
        codecCase(
            "userauth publickey query",
            authRequest(.publicKey(algorithm: "rsa-sha2-256", publicKeyBlob: keyBlob, signature: nil)),
            SSHMessage.userAuthRequest, probes: [.text("publickey"), .text("rsa-sha2-256"), .bytes(keyBlob)]),
        codecCase(
            "userauth publickey signed",
            authRequest(.publicKey(algorithm: "rsa-sha2-512", publicKeyBlob: keyBlob, signature: signature)),
            SSHMessage.userAuthRequest, probes: [.text("rsa-sha2-512"), .bytes(keyBlob), .bytes(signature)]),
        codecCase(
            "userauth hostbound query",
            authRequest(
                .publicKeyHostBound(
                    algorithm: "ssh-ed25519", publicKeyBlob: keyBlob, hostKeyBlob: serverKeyBlob, signature: nil)),
            SSHMessage.userAuthRequest,
            probes: [.text("publickey-hostbound-v00@openssh.com"), .bytes(keyBlob), .bytes(serverKeyBlob)]),
        codecCase(
            "userauth hostbound signed",
            authRequest(
                .publicKeyHostBound(
                    algorithm: "ssh-ed25519", publicKeyBlob: keyBlob, hostKeyBlob: serverKeyBlob, signature: signature)),
            SSHMessage.userAuthRequest, probes: [.bytes(serverKeyBlob), .bytes(signature)]),
        codecCase(
            "userauth keyboard-interactive",
            authRequest(.keyboardInteractive(languageTag: "de", submethods: "pam,otp")),
            SSHMessage.userAuthRequest, probes: [.text("keyboard-interactive"), .text("de"), .text("pam,otp")]),
        codecCase(
            "userauth hostbased",
            authRequest(
                .hostBased(
                    algorithm: "ssh-rsa", hostKeyBlob: serverKeyBlob, clientHostName: "client.example",
                    clientUserName: "bob", signature: signature)),
            SSHMessage.userAuthRequest,
            probes: [.text("hostbased"), .bytes(serverKeyBlob), .text("client.example"), .text("bob"), .bytes(signature)]),
        codecCase(
            "userauth unknown method", authRequest(.unknown(name: "gssapi-with-mic", data: [0, 0, 0, 1])),
            SSHMessage.userAuthRequest, openTail: true, probes: [.text("gssapi-with-mic")]),
        codecCase(
            "userauth failure", SSHMsgUserAuthFailure(methods: ["publickey", "password"], partialSuccess: true),
            SSHMessage.userAuthFailure, probes: [.nameList(["publickey", "password"])]),
        codecCase("userauth success", SSHMsgUserAuthSuccess(), SSHMessage.userAuthSuccess),
        codecCase(
            "userauth banner", SSHMsgUserAuthBanner(message: "Welcome!\r\n", languageTag: "en"),
            SSHMessage.userAuthBanner, probes: [.text("Welcome!\r\n"), .text("en")]),
        methodCase(
            "userauth pk_ok", SSHMsgUserAuthPKOK(algorithm: "ssh-ed25519", publicKeyBlob: keyBlob),
            probes: [.text("ssh-ed25519"), .bytes(keyBlob)]),
        methodCase(
            "userauth passwd changereq", SSHMsgUserAuthPasswdChangeReq(prompt: "Change it", languageTag: "en"),
            probes: [.text("Change it"), .text("en")]),
        methodCase(
            "userauth info request",
            SSHMsgUserAuthInfoRequest(
                name: "Login", instruction: "Answer", languageTag: "",
                prompts: [
                    SSHKeyboardInteractivePrompt(prompt: "Password: ", echo: false),
                    SSHKeyboardInteractivePrompt(prompt: "Code: ", echo: true),
                ]),
            probes: [.text("Login"), .text("Answer"), .text("Password: "), .text("Code: ")]),
        methodCase(
            "userauth info response", SSHMsgUserAuthInfoResponse(responses: ["hunter2", "123456"]),
            probes: [.text("hunter2"), .text("123456")]),
    ]

    static func channelRequest(_ payload: SSHChannelRequestPayload, wantReply: Bool = true) -> SSHMsgChannelRequest {
        SSHMsgChannelRequest(recipientChannel: 3, wantReply: wantReply, payload: payload)
    }

    static let connection: [CodecCase] = [
        codecCase(
            "global tcpip-forward",
            SSHMsgGlobalRequest(wantReply: true, payload: .tcpipForward(bindAddress: "0.0.0.0", bindPort: 0)),
            SSHMessage.globalRequest, probes: [.text("tcpip-forward"), .text("0.0.0.0")]),
        codecCase(
            "global cancel-tcpip-forward",
            SSHMsgGlobalRequest(wantReply: false, payload: .cancelTCPIPForward(bindAddress: "::1", bindPort: 8080)),
            SSHMessage.globalRequest, probes: [.text("cancel-tcpip-forward"), .text("::1")]),
        codecCase(
            "global hostkeys",
            SSHMsgGlobalRequest(wantReply: false, payload: .hostKeys([hostKey, serverKeyBlob])),
            SSHMessage.globalRequest, openTail: true,
            probes: [.text("hostkeys-00@openssh.com"), .bytes(hostKey), .bytes(serverKeyBlob)]),
        codecCase(
            "global hostkeys-prove",
            SSHMsgGlobalRequest(wantReply: true, payload: .hostKeysProve([keyBlob])),
            SSHMessage.globalRequest, openTail: true, probes: [.text("hostkeys-prove-00@openssh.com"), .bytes(keyBlob)]),
        codecCase(
            "global no-more-sessions", SSHMsgGlobalRequest(wantReply: false, payload: .noMoreSessions),
            SSHMessage.globalRequest, probes: [.text("no-more-sessions@openssh.com")]),
        codecCase(
            "global keepalive", SSHMsgGlobalRequest(wantReply: true, payload: .keepAlive),
            SSHMessage.globalRequest, probes: [.text("keepalive@openssh.com")]),
        codecCase(
            "global unknown",
            SSHMsgGlobalRequest(
                requestName: "streamlocal-forward@openssh.com", wantReply: true,
                payload: .unknown(data: [0, 0, 0, 8] + Array("app.sock".utf8))),
            SSHMessage.globalRequest, openTail: true, probes: [.text("streamlocal-forward@openssh.com")]),
        codecCase(
            "request success", SSHMsgRequestSuccess(data: [0, 0, 0x1F, 0x90]), SSHMessage.requestSuccess,
            openTail: true),
        codecCase("request failure", SSHMsgRequestFailure(), SSHMessage.requestFailure),
        codecCase(
            "channel open session",
            SSHMsgChannelOpen(senderChannel: 0, initialWindowSize: 2_097_152, maximumPacketSize: 32768, payload: .session),
            SSHMessage.channelOpen, probes: [.text("session")]),
        codecCase(
            "channel open direct-tcpip",
            SSHMsgChannelOpen(
                senderChannel: 1, initialWindowSize: 65536, maximumPacketSize: 16384,
                payload: .directTCPIP(
                    hostToConnect: "db.internal", portToConnect: 5432, originatorAddress: "127.0.0.1",
                    originatorPort: 50000)),
            SSHMessage.channelOpen, probes: [.text("direct-tcpip"), .text("db.internal"), .text("127.0.0.1")]),
        codecCase(
            "channel open forwarded-tcpip",
            SSHMsgChannelOpen(
                senderChannel: 2, initialWindowSize: 65536, maximumPacketSize: 16384,
                payload: .forwardedTCPIP(
                    connectedAddress: "192.0.2.1", connectedPort: 80, originatorAddress: "198.51.100.7",
                    originatorPort: 40000)),
            SSHMessage.channelOpen, probes: [.text("forwarded-tcpip"), .text("192.0.2.1"), .text("198.51.100.7")]),
        codecCase(
            "channel open x11",
            SSHMsgChannelOpen(
                senderChannel: 4, initialWindowSize: 1024, maximumPacketSize: 512,
                payload: .x11(originatorAddress: "10.0.0.9", originatorPort: 6010)),
            SSHMessage.channelOpen, probes: [.text("x11"), .text("10.0.0.9")]),
        codecCase(
            "channel open unknown",
            SSHMsgChannelOpen(
                channelType: "tun@openssh.com", senderChannel: 5, initialWindowSize: 1, maximumPacketSize: 2,
                payload: .unknown(data: [0, 0, 0, 1, 0x7F, 0xFF, 0xFF, 0xFF])),
            SSHMessage.channelOpen, openTail: true, probes: [.text("tun@openssh.com")]),
        codecCase(
            "channel open confirmation",
            SSHMsgChannelOpenConfirmation(
                recipientChannel: 1, senderChannel: 9, initialWindowSize: 65536, maximumPacketSize: 32768),
            SSHMessage.channelOpenConfirmation, openTail: true),
        codecCase(
            "channel open failure",
            SSHMsgChannelOpenFailure(
                recipientChannel: 1, reason: .administrativelyProhibited, description: "not allowed",
                languageTag: "en"),
            SSHMessage.channelOpenFailure, probes: [.text("not allowed"), .text("en")]),
        codecCase(
            "channel window adjust", SSHMsgChannelWindowAdjust(recipientChannel: 7, bytesToAdd: 1 << 20),
            SSHMessage.channelWindowAdjust),
        codecCase(
            "channel data", SSHMsgChannelData(recipientChannel: 7, data: Array("ls -l\n".utf8)),
            SSHMessage.channelData, probes: [.bytes(Array("ls -l\n".utf8))]),
        codecCase(
            "channel extended data",
            SSHMsgChannelExtendedData(
                recipientChannel: 7, dataTypeCode: SSHMsgChannelExtendedData.stderrDataTypeCode, data: [0xE2, 0x98]),
            SSHMessage.channelExtendedData, probes: [.bytes([0xE2, 0x98])]),
        codecCase("channel eof", SSHMsgChannelEOF(recipientChannel: 7), SSHMessage.channelEOF),
        codecCase("channel close", SSHMsgChannelClose(recipientChannel: 7), SSHMessage.channelClose),
        codecCase("channel success", SSHMsgChannelSuccess(recipientChannel: 7), SSHMessage.channelSuccess),
        codecCase("channel failure", SSHMsgChannelFailure(recipientChannel: 7), SSHMessage.channelFailure),
    ] + channelRequests

    static let ptyModes = SSHTerminalModes.encode([SSHTerminalMode(.ECHO, value: 1), SSHTerminalMode(.TTY_OP_ISPEED, value: 38400)])

    static let channelRequests: [CodecCase] = [
        codecCase(
            "channel request pty-req",
            channelRequest(
                .ptyReq(
                    term: "xterm-256color", widthCharacters: 80, heightRows: 24, widthPixels: 640, heightPixels: 480,
                    terminalModes: ptyModes)),
            SSHMessage.channelRequest, probes: [.text("pty-req"), .text("xterm-256color"), .bytes(ptyModes)]),
        codecCase(
            "channel request x11-req",
            channelRequest(
                .x11Req(singleConnection: true, authProtocol: "MIT-MAGIC-COOKIE-1", authCookie: "0badc0de", screenNumber: 0)),
            SSHMessage.channelRequest, probes: [.text("x11-req"), .text("MIT-MAGIC-COOKIE-1"), .text("0badc0de")]),
        codecCase(
            "channel request env", channelRequest(.env(name: "LANG", value: "C.UTF-8"), wantReply: false),
            SSHMessage.channelRequest, probes: [.text("env"), .text("LANG"), .text("C.UTF-8")]),
        codecCase(
            "channel request shell", channelRequest(.shell), SSHMessage.channelRequest, probes: [.text("shell")]),
        codecCase(
            "channel request exec", channelRequest(.exec(command: Array("uname -a".utf8) + [0xFF])),
            SSHMessage.channelRequest, probes: [.text("exec"), .bytes(Array("uname -a".utf8) + [0xFF])]),
        codecCase(
            "channel request subsystem", channelRequest(.subsystem(name: "sftp")), SSHMessage.channelRequest,
            probes: [.text("subsystem"), .text("sftp")]),
        codecCase(
            "channel request window-change",
            channelRequest(
                .windowChange(widthCharacters: 132, heightRows: 43, widthPixels: 0, heightPixels: 0), wantReply: false),
            SSHMessage.channelRequest, probes: [.text("window-change")]),
        codecCase(
            "channel request xon-xoff", channelRequest(.xonXoff(clientCanDo: true), wantReply: false),
            SSHMessage.channelRequest, probes: [.text("xon-xoff")]),
        codecCase(
            "channel request signal", channelRequest(.signal(name: "INT"), wantReply: false),
            SSHMessage.channelRequest, probes: [.text("signal"), .text("INT")]),
        codecCase(
            "channel request exit-status", channelRequest(.exitStatus(127), wantReply: false),
            SSHMessage.channelRequest, probes: [.text("exit-status")]),
        codecCase(
            "channel request exit-signal",
            channelRequest(
                .exitSignal(signalName: "SEGV", coreDumped: true, errorMessage: "Segmentation fault", languageTag: "en"),
                wantReply: false),
            SSHMessage.channelRequest,
            probes: [.text("exit-signal"), .text("SEGV"), .text("Segmentation fault"), .text("en")]),
        codecCase(
            "channel request break", channelRequest(.breakRequest(milliseconds: 500)), SSHMessage.channelRequest,
            probes: [.text("break")]),
        codecCase(
            "channel request eow", channelRequest(.endOfWrite, wantReply: false), SSHMessage.channelRequest,
            probes: [.text("eow@openssh.com")]),
        codecCase(
            "channel request auth-agent-req", channelRequest(.authAgentReq), SSHMessage.channelRequest,
            probes: [.text("auth-agent-req@openssh.com")]),
        codecCase(
            "channel request unknown",
            SSHMsgChannelRequest(
                recipientChannel: 3, requestType: "keepalive@openssh.com", wantReply: true, payload: .unknown(data: [])),
            SSHMessage.channelRequest, openTail: true, probes: [.text("keepalive@openssh.com")]),
    ]

    /// Every representative case.
    static let all: [CodecCase] = transport + keyExchangeMethods + userAuth + connection
}
