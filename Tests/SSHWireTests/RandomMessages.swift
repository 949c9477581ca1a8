@testable import SSHWire

/// Random values of every message, one per kind, drawn from a seeded generator.
enum RandomMessages {
    /// Names no typed decoder claims, for the `unknown` cases.
    static func unknownName(_ rng: inout SeededGenerator) -> String { "x-" + rng.name() }

    static func cases(_ rng: inout SeededGenerator) -> [CodecCase] {
        var cases: [CodecCase] = []
        cases += transport(&rng)
        cases += keyExchange(&rng)
        cases += userAuth(&rng)
        cases += connection(&rng)
        cases += channelRequests(&rng)
        return cases
    }

    static func transport(_ rng: inout SeededGenerator) -> [CodecCase] {
        let kexInit = SSHMsgKexInit(
            cookie: rng.bytes(16...16), kexAlgorithms: rng.nameList(), serverHostKeyAlgorithms: rng.nameList(),
            encryptionAlgorithmsClientToServer: rng.nameList(), encryptionAlgorithmsServerToClient: rng.nameList(),
            macAlgorithmsClientToServer: rng.nameList(), macAlgorithmsServerToClient: rng.nameList(),
            compressionAlgorithmsClientToServer: rng.nameList(), compressionAlgorithmsServerToClient: rng.nameList(),
            languagesClientToServer: rng.nameList(), languagesServerToClient: rng.nameList(),
            firstKexPacketFollows: rng.bool(), reserved: rng.uint32())
        let extensions = (0..<rng.int(0...6)).map { _ in SSHExtension(name: rng.name(), value: rng.bytes()) }
        return [
            codecCase(
                "disconnect", SSHMsgDisconnect(reasonCode: rng.uint32(), description: rng.text(), languageTag: rng.text()),
                SSHMessage.disconnect),
            codecCase("ignore", SSHMsgIgnore(data: rng.bytes()), SSHMessage.ignore),
            codecCase("unimplemented", SSHMsgUnimplemented(sequenceNumber: rng.uint32()), SSHMessage.unimplemented),
            codecCase(
                "debug", SSHMsgDebug(alwaysDisplay: rng.bool(), message: rng.text(), languageTag: rng.text()),
                SSHMessage.debug),
            codecCase("service request", SSHMsgServiceRequest(serviceName: rng.text()), SSHMessage.serviceRequest),
            codecCase("service accept", SSHMsgServiceAccept(serviceName: rng.text()), SSHMessage.serviceAccept),
            codecCase("ext-info", SSHMsgExtInfo(extensions: extensions), SSHMessage.extInfo),
            codecCase("kexinit", kexInit, SSHMessage.kexInit),
            codecCase("newkeys", SSHMsgNewKeys(), SSHMessage.newKeys),
            codecCase("ping", SSHMsgPing(data: rng.bytes()), SSHMessage.ping),
            codecCase("pong", SSHMsgPong(data: rng.bytes()), SSHMessage.pong),
        ]
    }

    static func keyExchange(_ rng: inout SeededGenerator) -> [CodecCase] {
        [
            methodCase("kexdh init", SSHMsgKexDHInit(e: rng.magnitude())),
            methodCase("kexdh reply", SSHMsgKexDHReply(hostKey: rng.bytes(), f: rng.magnitude(), signature: rng.bytes())),
            methodCase("ecdh init", SSHMsgKexECDHInit(clientPublicKey: rng.bytes())),
            methodCase(
                "ecdh reply",
                SSHMsgKexECDHReply(hostKey: rng.bytes(), serverPublicKey: rng.bytes(), signature: rng.bytes())),
            methodCase("gex request old", SSHMsgKexDHGexRequestOld(n: rng.uint32())),
            methodCase("gex request", SSHMsgKexDHGexRequest(min: rng.uint32(), n: rng.uint32(), max: rng.uint32())),
            methodCase("gex group", SSHMsgKexDHGexGroup(p: rng.magnitude(), g: rng.magnitude())),
            methodCase("gex init", SSHMsgKexDHGexInit(e: rng.magnitude())),
            methodCase("gex reply", SSHMsgKexDHGexReply(hostKey: rng.bytes(), f: rng.magnitude(), signature: rng.bytes())),
        ]
    }

    /// The number of ``SSHUserAuthMethod`` cases; `kind` picks one.
    static let authMethodKinds = 7

    static func authMethod(_ rng: inout SeededGenerator, kind: Int) -> SSHUserAuthMethod {
        switch kind {
        case 0: return .none
        case 1: return .password(password: rng.text(), newPassword: rng.optional { $0.text() })
        case 2:
            return .publicKey(algorithm: rng.name(), publicKeyBlob: rng.bytes(), signature: rng.optional { $0.bytes() })
        case 3:
            return .publicKeyHostBound(
                algorithm: rng.name(), publicKeyBlob: rng.bytes(), hostKeyBlob: rng.bytes(),
                signature: rng.optional { $0.bytes() })
        case 4: return .keyboardInteractive(languageTag: rng.text(), submethods: rng.text())
        case 5:
            return .hostBased(
                algorithm: rng.name(), hostKeyBlob: rng.bytes(), clientHostName: rng.text(), clientUserName: rng.text(),
                signature: rng.bytes())
        default: return .unknown(name: unknownName(&rng), data: rng.bytes())
        }
    }

    static func userAuth(_ rng: inout SeededGenerator) -> [CodecCase] {
        let requests = (0..<authMethodKinds).map { kind in
            let method = authMethod(&rng, kind: kind)
            let isUnknown = if case .unknown = method { true } else { false }
            return codecCase(
                "userauth request \(method.methodName)",
                SSHMsgUserAuthRequest(userName: rng.text(), serviceName: rng.text(), method: method),
                SSHMessage.userAuthRequest, openTail: isUnknown)
        }
        let prompts = (0..<rng.int(0...5)).map { _ in SSHKeyboardInteractivePrompt(prompt: rng.text(), echo: rng.bool()) }
        return requests + [
            codecCase(
                "userauth failure", SSHMsgUserAuthFailure(methods: rng.nameList(), partialSuccess: rng.bool()),
                SSHMessage.userAuthFailure),
            codecCase("userauth success", SSHMsgUserAuthSuccess(), SSHMessage.userAuthSuccess),
            codecCase(
                "userauth banner", SSHMsgUserAuthBanner(message: rng.text(), languageTag: rng.text()),
                SSHMessage.userAuthBanner),
            methodCase("userauth pk_ok", SSHMsgUserAuthPKOK(algorithm: rng.name(), publicKeyBlob: rng.bytes())),
            methodCase(
                "userauth passwd changereq", SSHMsgUserAuthPasswdChangeReq(prompt: rng.text(), languageTag: rng.text())),
            methodCase(
                "userauth info request",
                SSHMsgUserAuthInfoRequest(
                    name: rng.text(), instruction: rng.text(), languageTag: rng.text(), prompts: prompts)),
            methodCase(
                "userauth info response",
                SSHMsgUserAuthInfoResponse(responses: (0..<rng.int(0...5)).map { _ in rng.text() })),
        ]
    }

    /// The number of ``SSHGlobalRequestPayload`` cases; `kind` picks one.
    static let globalPayloadKinds = 7

    static func globalPayload(_ rng: inout SeededGenerator, kind: Int) -> SSHGlobalRequestPayload {
        switch kind {
        case 0: .tcpipForward(bindAddress: rng.text(), bindPort: rng.uint32())
        case 1: .cancelTCPIPForward(bindAddress: rng.text(), bindPort: rng.uint32())
        case 2: .hostKeys((0..<rng.int(0...4)).map { _ in rng.bytes() })
        case 3: .hostKeysProve((0..<rng.int(0...4)).map { _ in rng.bytes() })
        case 4: .noMoreSessions
        case 5: .keepAlive
        default: .unknown(data: rng.bytes())
        }
    }

    /// The number of ``SSHChannelOpenPayload`` cases; `kind` picks one.
    static let openPayloadKinds = 5

    static func openPayload(_ rng: inout SeededGenerator, kind: Int) -> SSHChannelOpenPayload {
        switch kind {
        case 0: .session
        case 1:
            .directTCPIP(
                hostToConnect: rng.text(), portToConnect: rng.uint32(), originatorAddress: rng.text(),
                originatorPort: rng.uint32())
        case 2:
            .forwardedTCPIP(
                connectedAddress: rng.text(), connectedPort: rng.uint32(), originatorAddress: rng.text(),
                originatorPort: rng.uint32())
        case 3: .x11(originatorAddress: rng.text(), originatorPort: rng.uint32())
        default: .unknown(data: rng.bytes())
        }
    }

    static func connection(_ rng: inout SeededGenerator) -> [CodecCase] {
        let globalRequests = (0..<globalPayloadKinds).map { kind in
            let global = globalPayload(&rng, kind: kind)
            let request =
                global.requestName == nil
                ? SSHMsgGlobalRequest(requestName: unknownName(&rng), wantReply: rng.bool(), payload: global)
                : SSHMsgGlobalRequest(wantReply: rng.bool(), payload: global)
            let openTail: Bool =
                switch global {
                case .hostKeys, .hostKeysProve, .unknown: true
                default: false
                }
            return codecCase(
                "global request \(request.requestName)", request, SSHMessage.globalRequest, openTail: openTail)
        }
        let channelOpens = (0..<openPayloadKinds).map { kind in
            let open = openPayload(&rng, kind: kind)
            let message =
                open.channelType == nil
                ? SSHMsgChannelOpen(
                    channelType: unknownName(&rng), senderChannel: rng.uint32(), initialWindowSize: rng.uint32(),
                    maximumPacketSize: rng.uint32(), payload: open)
                : SSHMsgChannelOpen(
                    senderChannel: rng.uint32(), initialWindowSize: rng.uint32(), maximumPacketSize: rng.uint32(),
                    payload: open)
            return codecCase(
                "channel open \(message.channelType)", message, SSHMessage.channelOpen, openTail: open.channelType == nil)
        }
        return globalRequests + channelOpens + [
            codecCase("request success", SSHMsgRequestSuccess(data: rng.bytes()), SSHMessage.requestSuccess, openTail: true),
            codecCase("request failure", SSHMsgRequestFailure(), SSHMessage.requestFailure),
            codecCase(
                "channel open confirmation",
                SSHMsgChannelOpenConfirmation(
                    recipientChannel: rng.uint32(), senderChannel: rng.uint32(), initialWindowSize: rng.uint32(),
                    maximumPacketSize: rng.uint32(), data: rng.bytes()),
                SSHMessage.channelOpenConfirmation, openTail: true),
            codecCase(
                "channel open failure",
                SSHMsgChannelOpenFailure(
                    recipientChannel: rng.uint32(), reasonCode: rng.uint32(), description: rng.text(),
                    languageTag: rng.text()),
                SSHMessage.channelOpenFailure),
            codecCase(
                "channel window adjust",
                SSHMsgChannelWindowAdjust(recipientChannel: rng.uint32(), bytesToAdd: rng.uint32()),
                SSHMessage.channelWindowAdjust),
            codecCase(
                "channel data", SSHMsgChannelData(recipientChannel: rng.uint32(), data: rng.bytes(0...300)),
                SSHMessage.channelData),
            codecCase(
                "channel extended data",
                SSHMsgChannelExtendedData(recipientChannel: rng.uint32(), dataTypeCode: rng.uint32(), data: rng.bytes()),
                SSHMessage.channelExtendedData),
            codecCase("channel eof", SSHMsgChannelEOF(recipientChannel: rng.uint32()), SSHMessage.channelEOF),
            codecCase("channel close", SSHMsgChannelClose(recipientChannel: rng.uint32()), SSHMessage.channelClose),
            codecCase("channel success", SSHMsgChannelSuccess(recipientChannel: rng.uint32()), SSHMessage.channelSuccess),
            codecCase("channel failure", SSHMsgChannelFailure(recipientChannel: rng.uint32()), SSHMessage.channelFailure),
        ]
    }

    /// The number of ``SSHChannelRequestPayload`` cases; `kind` picks one.
    static let requestPayloadKinds = 15

    static func requestPayload(_ rng: inout SeededGenerator, kind: Int) -> SSHChannelRequestPayload {
        switch kind {
        case 0:
            .ptyReq(
                term: rng.text(), widthCharacters: rng.uint32(), heightRows: rng.uint32(), widthPixels: rng.uint32(),
                heightPixels: rng.uint32(), terminalModes: rng.bytes())
        case 1:
            .x11Req(
                singleConnection: rng.bool(), authProtocol: rng.text(), authCookie: rng.text(), screenNumber: rng.uint32())
        case 2: .env(name: rng.text(), value: rng.text())
        case 3: .shell
        case 4: .exec(command: rng.bytes())
        case 5: .subsystem(name: rng.text())
        case 6:
            .windowChange(
                widthCharacters: rng.uint32(), heightRows: rng.uint32(), widthPixels: rng.uint32(),
                heightPixels: rng.uint32())
        case 7: .xonXoff(clientCanDo: rng.bool())
        case 8: .signal(name: rng.text())
        case 9: .exitStatus(rng.uint32())
        case 10:
            .exitSignal(signalName: rng.text(), coreDumped: rng.bool(), errorMessage: rng.text(), languageTag: rng.text())
        case 11: .breakRequest(milliseconds: rng.uint32())
        case 12: .endOfWrite
        case 13: .authAgentReq
        default: .unknown(data: rng.bytes())
        }
    }

    static func channelRequests(_ rng: inout SeededGenerator) -> [CodecCase] {
        (0..<requestPayloadKinds).map { kind in
            let payload = requestPayload(&rng, kind: kind)
            let request =
                payload.requestType == nil
                ? SSHMsgChannelRequest(
                    recipientChannel: rng.uint32(), requestType: unknownName(&rng), wantReply: rng.bool(),
                    payload: payload)
                : SSHMsgChannelRequest(recipientChannel: rng.uint32(), wantReply: rng.bool(), payload: payload)
            return codecCase(
                "channel request \(request.requestType)", request, SSHMessage.channelRequest,
                openTail: payload.requestType == nil)
        }
    }
}
