import SSHWire
import Testing
@testable import SSHKit

/// GetSSHParam / GetSSHParamBytes / SetSSHParam (server digest §2, §3.4, §3.5, §9 items 6–7).
@Suite struct SSHParamTests {
    let server: SSHServer

    init() throws { server = try SSHServer() }

    func packet(_ payload: SSHChannelRequestPayload, channel: Int = 7, wantReply: Bool = true) -> [UInt8] {
        ChannelRequestEvent(
            connectionId: 1, channelId: channel, requestType: payload.requestType ?? "", payload: payload,
            wantReply: wantReply
        ).packet
    }

    @Test func headerFieldsOfEveryPacket() throws {
        let bytes = packet(.shell, channel: 42, wantReply: true)
        #expect(try server.getSSHParam(bytes, "ChannelId") == "42")
        #expect(try server.getSSHParam(bytes, "requesttype") == "shell")
        #expect(try server.getSSHParam(bytes, "WantsReply") == "true")
        #expect(try server.getSSHParamBytes(bytes, "ChannelId") == [0, 0, 0, 42])
    }

    @Test func ptyReqFields() throws {
        let modes: [UInt8] = [53, 0, 0, 0, 1, 0]  // ECHO 1, TTY_OP_END (RFC 4254 §8)
        let bytes = packet(.ptyReq(
            term: "xterm-256color", widthCharacters: 80, heightRows: 24, widthPixels: 640, heightPixels: 480,
            terminalModes: modes))
        #expect(try server.getSSHParam(bytes, "TerminalType") == "xterm-256color")
        #expect(try server.getSSHParam(bytes, "TerminalWidthCharacters") == "80")
        #expect(try server.getSSHParam(bytes, "TerminalHeightRows") == "24")
        #expect(try server.getSSHParam(bytes, "TerminalWidthPixels") == "640")
        #expect(try server.getSSHParam(bytes, "TerminalHeightPixels") == "480")
        #expect(try server.getSSHParam(bytes, "TerminalModes") == "350000000100")
        #expect(try server.getSSHParamBytes(bytes, "TerminalModes") == modes)
    }

    @Test(arguments: [
        (SSHChannelRequestPayload.env(name: "LANG", value: "C.UTF-8"), "VariableName", "LANG"),
        (.env(name: "LANG", value: "C.UTF-8"), "VariableValue", "C.UTF-8"),
        (.exec(command: Array("ls -l".utf8)), "Command", "ls -l"),
        (.subsystem(name: "sftp"), "Subsystem", "sftp"),
        (.xonXoff(clientCanDo: true), "ClientCanDo", "true"),
        (.signal(name: "INT"), "SignalName", "INT"),
        (.windowChange(widthCharacters: 132, heightRows: 43, widthPixels: 0, heightPixels: 0), "TerminalHeightRows", "43"),
        (.exitStatus(3), "ExitStatus", "3"),
        (.exitSignal(signalName: "KILL", coreDumped: true, errorMessage: "killed", languageTag: ""), "CoreDumped", "true"),
        (.exitSignal(signalName: "KILL", coreDumped: true, errorMessage: "killed", languageTag: ""), "ErrorMessage", "killed"),
        (.breakRequest(milliseconds: 500), "BreakLength", "500"),
        (.x11Req(singleConnection: false, authProtocol: "MIT-MAGIC-COOKIE-1", authCookie: "0a1b", screenNumber: 2), "X11AuthProtocol", "MIT-MAGIC-COOKIE-1"),
        (.x11Req(singleConnection: false, authProtocol: "MIT-MAGIC-COOKIE-1", authCookie: "0a1b", screenNumber: 2), "X11AuthCookie", "0a1b"),
        (.x11Req(singleConnection: false, authProtocol: "MIT-MAGIC-COOKIE-1", authCookie: "0a1b", screenNumber: 2), "X11ScreenNumber", "2"),
    ])
    func namedFieldsOfEachRequestType(payload: SSHChannelRequestPayload, field: String, expected: String) throws {
        #expect(try server.getSSHParam(packet(payload), field) == expected)
    }

    /// "%" reads type codes from the start of the type-specific data and returns the last; the
    /// docs' x11-req example in RFC 4254 order is "%f,s".
    @Test func percentFormReadsTheTypeSpecificData() throws {
        let x11 = packet(.x11Req(singleConnection: true, authProtocol: "MIT-MAGIC-COOKIE-1", authCookie: "ff", screenNumber: 0))
        #expect(try server.getSSHParam(x11, "%f,s") == "MIT-MAGIC-COOKIE-1")
        #expect(try server.getSSHParam(x11, "%f") == "true")
        #expect(try server.getSSHParam(x11, "%f,s,s,i") == "0")
    }

    @Test func directTCPIPParameters() throws {
        let event = ChannelOpenRequestEvent(
            connectionId: 1, channelId: 3, service: "direct-tcpip",
            payload: .directTCPIP(hostToConnect: "example.org", portToConnect: 443, originatorAddress: "192.0.2.7", originatorPort: 50_000),
            accept: false)
        let parameters = event.parameters
        #expect(try server.getSSHParam(parameters, "%s") == "example.org")
        #expect(try server.getSSHParam(parameters, "%s,i") == "443")
        #expect(try server.getSSHParam(parameters, "%s,i,s") == "192.0.2.7")
        #expect(try server.getSSHParam(parameters, "%s,i,s,i") == "50000")
        #expect(try server.getSSHParam(parameters, "Host") == "example.org")
        #expect(try server.getSSHParam(parameters, "port") == "443")
        #expect(try server.getSSHParam(parameters, "OriginatorIP") == "192.0.2.7")
        #expect(try server.getSSHParam(parameters, "OriginatorPort") == "50000")
    }

    /// Every type code written with SetSSHParam reads back the same through "%".
    @Test(arguments: [
        ("s", "héllo wörld", "héllo wörld"), ("sb", "A1B23C", "A1B23C"), ("sb", "00ff", "00FF"), ("sb", "", ""),
        ("m", "1234", "1234"), ("m", "0", "0"), ("m", "340282366920938463463374607431768211457", "340282366920938463463374607431768211457"),
        ("m", "0x80", "128"), ("i", "4294967295", "4294967295"), ("i", "0x10", "16"), ("l", "18446744073709551615", "18446744073709551615"),
        ("b", "123", "123"), ("f", "true", "true"), ("f", "FALSE", "false"),
    ])
    func setThenGetRoundTrips(code: String, value: String, expected: String) throws {
        let prefix = try server.setSSHParam([], "s", "first")
        let payload = try server.setSSHParam(prefix, code, value)
        #expect(try server.getSSHParam(payload, "%s,\(code)") == expected)
    }

    @Test func setSSHParamBuildsTheWireEncoding() throws {
        var payload = try server.setSSHParam([], "i", "7")
        payload = try server.setSSHParam(payload, "s", "exit-status")
        payload = try server.setSSHParam(payload, "f", "false")
        payload = try server.setSSHParam(payload, "i", "3")
        let expected = SSHMsgChannelRequest(recipientChannel: 7, wantReply: false, payload: .exitStatus(3)).encoded().dropFirst()
        #expect(payload == Array(expected))
        #expect(try server.setSSHParam([], "m", "128") == [0, 0, 0, 2, 0, 0x80])
    }

    @Test(arguments: [
        ("x", "1"), ("i", "4294967296"), ("i", "-1"), ("i", "12a"), ("b", "256"), ("f", "maybe"), ("sb", "abc"),
        ("sb", "zz"), ("m", "-5"), ("l", ""), ("m", String(repeating: "9", count: 5000)),
    ])
    func badSetValuesAreRefused(code: String, value: String) {
        let error = #expect(throws: SSHServerError.self) { try server.setSSHParam([], code, value) }
        #expect(error?.code == SSHServerError.invalidSetting)
    }

    @Test func unknownFieldsAndBadSpecificationsAreRefused() {
        let bytes = packet(.exec(command: Array("true".utf8)))
        #expect(throws: SSHServerError.self) { try server.getSSHParam(bytes, "Subsystem") }
        #expect(throws: SSHServerError.self) { try server.getSSHParam(bytes, "%q") }
        #expect(throws: SSHServerError.self) { try server.getSSHParam(bytes, "%") }
        #expect(throws: SSHServerError.self) { try server.getSSHParam(bytes, "%s,s") }  // past the end
    }

    /// Every truncation of a valid payload gives an error or a value, never a crash.
    @Test func truncatedPayloadsNeverTrap() {
        let bytes = packet(.ptyReq(
            term: "vt100", widthCharacters: 80, heightRows: 24, widthPixels: 0, heightPixels: 0, terminalModes: [0]))
        var errors = 0
        for length in 0..<bytes.count {
            let cut = Array(bytes[0..<length])
            for field in ["ChannelId", "TerminalType", "TerminalModes", "%s", "%s,i,i,i,i,sb", "Host", "OriginatorPort"] {
                do { _ = try server.getSSHParam(cut, field) } catch { errors += 1 }
            }
        }
        #expect(errors > bytes.count)
    }
}
