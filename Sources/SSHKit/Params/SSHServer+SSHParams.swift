import SSHWire

// MARK: - GetSSHParam, GetSSHParamBytes, SetSSHParam (server digest §2, §3.4, §3.5, §9 items 6–7)

extension SSHServer {
    /// `GetSSHParam`: one field of a payload from an event — a `Packet` (``ChannelRequestEvent/packet``)
    /// or open `Parameters` (``ChannelOpenRequestEvent/parameters``) — as text encoded like
    /// SetSSHParam's FieldValue. `field` is a name (`ChannelId`, `RequestType`, `WantsReply`, the
    /// request type's fields, or `Host`/`Port`/`OriginatorIP`/`OriginatorPort` for TCP/IP open
    /// parameters), or "%" and a comma list of type codes read in turn from the start of the
    /// type-specific data, returning the last (digest §9 item 7). `TerminalModes` reads as hex.
    public func getSSHParam(_ payload: [UInt8], _ field: String) throws(SSHServerError) -> String {
        try Self.sshParam(payload, field).text
    }

    /// `GetSSHParamBytes`: the same field as raw bytes — a string's content, or a number's bytes as
    /// sent (uint32 four bytes big-endian, mpint its magnitude, boolean one byte).
    public func getSSHParamBytes(_ payload: [UInt8], _ field: String) throws(SSHServerError) -> [UInt8] {
        try Self.sshParam(payload, field).bytes
    }

    /// `SetSSHParam`: `payload` with one more field appended; `fieldType` is a type code (s, sb, m,
    /// i, l, b, f) and `fieldValue` its text (decimal or "0x" hex for numbers, hex for sb,
    /// "true"/"false" for f).
    public func setSSHParam(_ payload: [UInt8], _ fieldType: String, _ fieldValue: String) throws(SSHServerError) -> [UInt8] {
        try Self.appendSSHParam(payload, fieldType, fieldValue)
    }

    static func appendSSHParam(_ payload: [UInt8], _ fieldType: String, _ fieldValue: String) throws(SSHServerError) -> [UInt8] {
        let type = try SSHParamType(code: fieldType)
        func bad(_ expected: String) -> SSHServerError {
            SSHServerError(code: SSHServerError.invalidSetting, "SetSSHParam \(type.rawValue): \"\(fieldValue)\" is not \(expected)")
        }
        func number(_ bytes: Int) throws(SSHServerError) -> [UInt8] {
            guard let magnitude = DecimalBytes.magnitude(fieldValue, maximumBytes: bytes) else {
                throw bad("a number that fits in \(bytes * 8) bits")
            }
            return [UInt8](repeating: 0, count: bytes - magnitude.count) + magnitude
        }
        var writer = SSHWriter()
        writer.writeBytes(payload)
        switch type {
        case .text: writer.writeText(fieldValue)
        case .bytes:
            guard let bytes = Self.hexBytes(fieldValue) else { throw bad("hexadecimal bytes") }
            writer.writeString(bytes)
        case .mpint:
            guard let magnitude = DecimalBytes.magnitude(fieldValue, maximumBytes: SSHParamLimits.maximumDecimalMPIntBytes) else {
                throw bad("a non-negative number of at most \(SSHParamLimits.maximumDecimalMPIntBytes) bytes")
            }
            writer.writeMPInt(magnitude)
        case .uint32, .uint64, .byte:
            writer.writeBytes(try number(type == .uint32 ? 4 : type == .uint64 ? 8 : 1))
        case .boolean:
            switch fieldValue.trimmed.lowercased() {
            case "true", "1": writer.writeBool(true)
            case "false", "0": writer.writeBool(false)
            default: throw bad("true or false")
            }
        }
        return writer.bytes
    }

    static func sshParam(_ payload: [UInt8], _ field: String) throws(SSHServerError) -> SSHParamValue {
        let name = field.trimmed
        do {
            if name.hasPrefix("%") { return try percentField(payload, String(name.dropFirst())) }
            var reader = SSHReader(payload)
            if let header = requestHeader(payload) {
                if let value = try readNamed(name, SSHParamFields.header, &reader) { return value }
                if let fields = SSHParamFields.requests[header.requestType],
                   let value = try readNamed(name, fields, &reader)
                {
                    return value
                }
            } else if let value = try readNamed(name, SSHParamFields.tcpipOpen, &reader) {
                return value
            }
        } catch let error as SSHServerError {
            throw error
        } catch {
            throw SSHServerError(code: SSHServerError.invalidSetting, "GetSSHParam \(name): the payload ends early or is malformed (\(error))")
        }
        throw SSHServerError(code: SSHServerError.invalidSetting, "GetSSHParam: no field \"\(name)\" in this payload")
    }

    /// Reads the fields in order up to `name` (case-insensitive); nil when it is not among them.
    private static func readNamed(
        _ name: String, _ fields: [(name: String, type: SSHParamType)], _ reader: inout SSHReader
    ) throws -> SSHParamValue? {
        guard let index = fields.firstIndex(where: { $0.name.lowercased() == name.lowercased() }) else {
            // Skip these fields so that the next table starts at the right place.
            for field in fields { _ = try SSHParamValue.read(field.type, from: &reader, field: field.name) }
            return nil
        }
        var value: SSHParamValue?
        for field in fields[...index] { value = try SSHParamValue.read(field.type, from: &reader, field: field.name) }
        return value
    }

    /// "%s,i,…": reads each listed type from the start of the type-specific data and returns the last.
    private static func percentField(_ payload: [UInt8], _ specification: String) throws -> SSHParamValue {
        let codes = specification.split(separator: ",", omittingEmptySubsequences: false)
        guard !codes.isEmpty, codes.count <= SSHParamLimits.maximumPercentFields else {
            throw SSHServerError(code: SSHServerError.invalidSetting, "GetSSHParam: \"%\" needs 1 to \(SSHParamLimits.maximumPercentFields) type codes")
        }
        var reader = SSHReader(payload)
        if let header = requestHeader(payload) { reader = SSHReader(payload, range: header.dataStart..<payload.count) }
        var value = SSHParamValue(type: .text, bytes: [])
        for (index, code) in codes.enumerated() {
            value = try SSHParamValue.read(try SSHParamType(code: String(code)), from: &reader, field: "field \(index + 1)")
        }
        return value
    }

    /// When `payload` is a `Packet` — uint32 channel, a request type of 1 to 64 printable ASCII
    /// characters, a boolean byte — its request type and where the type-specific data starts; nil
    /// for open parameters and anything else.
    static func requestHeader(_ payload: [UInt8]) -> (requestType: String, dataStart: Int)? {
        var reader = SSHReader(payload)
        guard (try? reader.readUInt32()) != nil,
              let type = try? reader.readString("request type", limit: 64),
              !type.isEmpty, type.allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
              let flag = try? reader.readByte(), flag <= 1
        else { return nil }
        return (String(decoding: type, as: UTF8.self), payload.count - reader.remaining)
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.trimmed.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = DecimalBytes.digit(digits[index]), let low = DecimalBytes.digit(digits[index + 1]), high < 16, low < 16
            else { return nil }
            bytes.append(UInt8(high << 4 | low))
            index += 2
        }
        return bytes
    }
}

extension ChannelRequestEvent {
    /// `Packet` (digest §3.5, §9 item 6): the CHANNEL_REQUEST after its message number — the
    /// channel (this event's `channelId`), request type, want-reply, then the type's fields — for
    /// ``SSHServer/getSSHParam(_:_:)``.
    public var packet: [UInt8] {
        Array(SSHMsgChannelRequest(
            recipientChannel: UInt32(truncatingIfNeeded: channelId), requestType: requestType, wantReply: wantReply,
            payload: payload).encoded().dropFirst())
    }
}

extension ChannelRequestedEvent {
    /// `Packet`, as in ``ChannelRequestEvent/packet`` (want-reply is not known here and reads false).
    public var packet: [UInt8] {
        Array(SSHMsgChannelRequest(
            recipientChannel: UInt32(truncatingIfNeeded: channelId), requestType: requestType, wantReply: false,
            payload: payload).encoded().dropFirst())
    }
}

extension ChannelOpenRequestEvent {
    /// `Parameters` (digest §3.4): the type-specific data of CHANNEL_OPEN (for `direct-tcpip`:
    /// host, port, originator address, originator port).
    public var parameters: [UInt8] {
        let message = SSHMsgChannelOpen(
            channelType: service, senderChannel: 0, initialWindowSize: 0, maximumPacketSize: 0, payload: payload)
        // Message number, the type as a string, then three uint32s.
        return Array(message.encoded().dropFirst(1 + 4 + service.utf8.count + 12))
    }
}
