/// GetSSHParam's field names (server digest §3.4, §3.5): the CHANNEL_REQUEST header, the fields of
/// each request type (RFC 4254 §6, RFC 4335, OpenSSH), and the open parameters of the TCP/IP
/// channel types (RFC 4254 §7.1, §7.2). Names compare without regard to case.
enum SSHParamFields {
    /// The header of every `Packet` (CHANNEL_REQUEST after its message number).
    static let header: [(name: String, type: SSHParamType)] = [
        ("ChannelId", .uint32), ("RequestType", .text), ("WantsReply", .boolean),
    ]

    /// The fields after the header, by request type.
    static let requests: [String: [(name: String, type: SSHParamType)]] = [
        "pty-req": [
            ("TerminalType", .text), ("TerminalWidthCharacters", .uint32), ("TerminalHeightRows", .uint32),
            ("TerminalWidthPixels", .uint32), ("TerminalHeightPixels", .uint32), ("TerminalModes", .bytes),
        ],
        "x11-req": [
            ("SingleConnection", .boolean), ("X11AuthProtocol", .text), ("X11AuthCookie", .text), ("X11ScreenNumber", .uint32),
        ],
        "env": [("VariableName", .text), ("VariableValue", .text)],
        "exec": [("Command", .text)],
        "subsystem": [("Subsystem", .text)],
        "xon-xoff": [("ClientCanDo", .boolean)],
        "signal": [("SignalName", .text)],
        "window-change": [
            ("TerminalWidthCharacters", .uint32), ("TerminalHeightRows", .uint32), ("TerminalWidthPixels", .uint32),
            ("TerminalHeightPixels", .uint32),
        ],
        "exit-status": [("ExitStatus", .uint32)],
        "exit-signal": [("SignalName", .text), ("CoreDumped", .boolean), ("ErrorMessage", .text), ("LanguageTag", .text)],
        "break": [("BreakLength", .uint32)],
    ]

    /// The open parameters of `direct-tcpip` and `forwarded-tcpip` (an extension: the seeds name
    /// none). For `forwarded-tcpip`, Host and Port are the address and port that were connected.
    static let tcpipOpen: [(name: String, type: SSHParamType)] = [
        ("Host", .text), ("Port", .uint32), ("OriginatorIP", .text), ("OriginatorPort", .uint32),
    ]
}
