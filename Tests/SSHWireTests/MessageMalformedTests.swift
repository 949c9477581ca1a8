import Testing
@testable import SSHWire

/// Length prefixes, counts and field contents a peer can get wrong (RFC 4251 §5), for every
/// length-prefixed field of every representative message.
@Suite struct MessageMalformedTests {
    struct ProbeCase: Sendable, CustomStringConvertible {
        let sample: CodecCase
        let probe: FieldProbe
        /// Offset of the probe's length prefix in `sample.encoded`.
        let offset: Int
        var description: String { "\(sample.name): \(probe)" }

        /// The encoding with the 4-byte length prefix replaced.
        func withLength(_ length: UInt32) -> [UInt8] {
            var bytes = sample.encoded
            bytes.replaceSubrange(offset..<offset + 4, with: SSHWriter.encode { $0.writeUInt32(length) })
            return bytes
        }

        /// The encoding with the first content byte replaced.
        func withFirstContentByte(_ transform: (UInt8) -> UInt8) -> [UInt8] {
            var bytes = sample.encoded
            bytes[offset + 4] = transform(bytes[offset + 4])
            return bytes
        }

        /// Decodes through the message's own type and through ``SSHMessage``, expecting both to throw
        /// an error `matches` accepts.
        func expectBothThrow(
            _ bytes: [UInt8], _ what: String, sourceLocation: SourceLocation = #_sourceLocation,
            matches: (SSHWireError) -> Bool
        ) {
            var decoders: [([UInt8]) throws -> Void] = [{ _ = try sample.decodesToOriginal($0) }]
            if !sample.isMethodSpecific { decoders.append { _ = try SSHMessage.decode($0) } }
            for decode in decoders {
                do {
                    try decode(bytes)
                    Issue.record("\(self): \(what) decoded", sourceLocation: sourceLocation)
                } catch let error as SSHWireError {
                    #expect(matches(error), "\(self): \(what) threw \(error)", sourceLocation: sourceLocation)
                } catch {
                    Issue.record("\(self): \(what) threw \(error)", sourceLocation: sourceLocation)
                }
            }
        }
    }

    /// Every probe of every representative sample, located in its encoding.
    static let probeCases: [ProbeCase] = MessageSamples.all.flatMap { sample in
        sample.probes.map { probe in
            ProbeCase(sample: sample, probe: probe, offset: firstOffset(of: probe.pattern, in: sample.encoded) ?? -1)
        }
    }

    static func firstOffset(of pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        guard pattern.count <= bytes.count else { return nil }
        return (0...(bytes.count - pattern.count)).first { bytes[$0..<$0 + pattern.count].elementsEqual(pattern) }
    }

    @Test func everyLengthPrefixedFieldIsProbed() {
        // Messages whose only fields are fixed-size need no probe; every other sample has one.
        let unprobed = MessageSamples.all.filter { $0.probes.isEmpty }.map(\.name)
        #expect(
            Set(unprobed) == [
                "ignore empty", "unimplemented", "ext-info empty", "newkeys", "gex request old", "gex request",
                "userauth success", "request success", "request failure", "channel open confirmation",
                "channel window adjust", "channel eof", "channel close", "channel success", "channel failure",
            ])
    }

    @Test(arguments: probeCases)
    func probeIsFound(probe: ProbeCase) {
        #expect(probe.offset >= 1, "\(probe) not found in \(probe.sample.encoded)")
    }

    @Test(arguments: probeCases)
    func oversizedLengthThrowsLengthTooLarge(probe: ProbeCase) {
        guard probe.offset >= 1 else { return }
        probe.expectBothThrow(probe.withLength(0xFFFF_FFFF), "length 0xFFFFFFFF") { error in
            if case .lengthTooLarge(_, 0xFFFF_FFFF, _) = error { true } else { false }
        }
        let justOverLimit = UInt32(SSHWireLimits.maximumStringLength + 1)
        probe.expectBothThrow(probe.withLength(justOverLimit), "length over the limit") { error in
            if case .lengthTooLarge = error { true } else { false }
        }
    }

    @Test(arguments: probeCases)
    func lengthBeyondInputThrowsTruncated(probe: ProbeCase) {
        guard probe.offset >= 1 else { return }
        let available = probe.sample.encoded.count - probe.offset - 4
        probe.expectBothThrow(probe.withLength(UInt32(available + 1)), "length past the end") { error in
            if case .truncated = error { true } else { false }
        }
    }

    @Test(arguments: probeCases)
    func invalidContentThrows(probe: ProbeCase) {
        guard probe.offset >= 1 else { return }
        switch probe.probe {
        case .text:
            // 0xFF never occurs in UTF-8.
            probe.expectBothThrow(probe.withFirstContentByte { _ in 0xFF }, "invalid UTF-8") { error in
                if case .invalidText = error { true } else { false }
            }
            // A lone continuation byte.
            probe.expectBothThrow(probe.withFirstContentByte { _ in 0x80 }, "lone continuation byte") { error in
                if case .invalidText = error { true } else { false }
            }
        case .nameList:
            for bad: UInt8 in [UInt8(ascii: ","), 0x20, 0x00, 0x7F, 0xC3] {
                probe.expectBothThrow(probe.withFirstContentByte { _ in bad }, "name-list byte \(bad)") {
                    $0 == .invalidNameList
                }
            }
        case .mpint:
            // Setting the top bit makes the value negative (or turns the sign byte into a sign).
            probe.expectBothThrow(probe.withFirstContentByte { $0 | 0x80 }, "negative mpint") { $0 == .invalidMPInt }
        case .bytes:
            break  // any bytes are valid content
        }
    }

    // MARK: - Counts and specific fields

    @Test func extInfoCountOverLimitThrows() {
        for count in [UInt32(SSHWireLimits.maximumExtensionCount + 1), 0xFFFF_FFFF] {
            let bytes = [SSHMessageNumber.extInfo] + SSHWriter.encode { $0.writeUInt32(count) }
            #expect(throws: SSHWireError.lengthTooLarge(
                field: "ext-info count", length: UInt64(count), limit: SSHWireLimits.maximumExtensionCount)
            ) { try SSHMessage.decode(bytes) }
        }
        // A count within the limit but larger than the data is truncated, not a huge allocation.
        let short = [SSHMessageNumber.extInfo] + SSHWriter.encode { $0.writeUInt32(3) }
        #expect(throws: SSHWireError.truncated(field: "extension name")) { try SSHMessage.decode(short) }
    }

    @Test func keyboardInteractiveCountsOverLimitThrow() throws {
        let tooManyPrompts = UInt32(SSHWireLimits.maximumKeyboardInteractivePromptCount + 1)
        let request = [SSHMessageNumber.userAuthInfoRequest] + SSHWriter.encode {
            $0.writeText("n")
            $0.writeText("i")
            $0.writeText("")
            $0.writeUInt32(tooManyPrompts)
        }
        #expect(throws: SSHWireError.lengthTooLarge(
            field: "info request prompt count", length: UInt64(tooManyPrompts),
            limit: SSHWireLimits.maximumKeyboardInteractivePromptCount)
        ) { try SSHMsgUserAuthInfoRequest.decode(request) }

        let response = [SSHMessageNumber.userAuthInfoResponse] + SSHWriter.encode { $0.writeUInt32(0xFFFF_FFFF) }
        #expect(throws: SSHWireError.lengthTooLarge(
            field: "info response count", length: 0xFFFF_FFFF,
            limit: SSHWireLimits.maximumKeyboardInteractiveResponseCount)
        ) { try SSHMsgUserAuthInfoResponse.decode(response) }

        // Exactly at the limit is accepted.
        let atLimit = SSHMsgUserAuthInfoResponse(
            responses: Array(repeating: "r", count: SSHWireLimits.maximumKeyboardInteractiveResponseCount))
        #expect(try SSHMsgUserAuthInfoResponse.decode(atLimit.encoded()) == atLimit)
    }

    @Test func hostKeyCountOverLimitThrows() throws {
        let atLimit = SSHMsgGlobalRequest(
            wantReply: false, payload: .hostKeys(Array(repeating: [1], count: SSHWireLimits.maximumHostKeyCount)))
        #expect(try SSHMessage.decode(atLimit.encoded()) == .globalRequest(atLimit))
        let over = SSHMsgGlobalRequest(
            wantReply: false, payload: .hostKeys(Array(repeating: [1], count: SSHWireLimits.maximumHostKeyCount + 1)))
        #expect(throws: SSHWireError.self) { try SSHMessage.decode(over.encoded()) }
    }

    @Test func kexInitCookieIsSixteenBytes() {
        // 15 bytes of cookie and nothing else.
        let bytes = [SSHMessageNumber.kexInit] + Array(repeating: UInt8(0), count: 15)
        #expect(throws: SSHWireError.truncated(field: "kexinit cookie")) { try SSHMessage.decode(bytes) }
    }

    @Test func nonCanonicalMPIntThrows() {
        // RFC 4251 §5: no unnecessary leading zero bytes; zero is the empty string.
        for body: [UInt8] in [[0, 0, 0, 2, 0x00, 0x7F], [0, 0, 0, 1, 0x00], [0, 0, 0, 3, 0x00, 0x00, 0x80]] {
            #expect(throws: SSHWireError.invalidMPInt) { try SSHMsgKexDHInit.decode([30] + body) }
            #expect(throws: SSHWireError.invalidMPInt) { try SSHMsgKexDHGexInit.decode([32] + body) }
        }
        #expect(throws: SSHWireError.lengthTooLarge(
            field: "kexdh e", length: UInt64(SSHWireLimits.maximumMPIntLength + 1),
            limit: SSHWireLimits.maximumMPIntLength)
        ) {
            try SSHMsgKexDHInit.decode(
                [30] + SSHWriter.encode { $0.writeUInt32(UInt32(SSHWireLimits.maximumMPIntLength + 1)) })
        }
    }

    @Test func nameListWithEmptyNameThrows() {
        for list in ["a,,b", ",a", "a,", ","] {
            let bytes = [SSHMessageNumber.userAuthFailure] + SSHWriter.encode {
                $0.writeString(Array(list.utf8))
                $0.writeBool(false)
            }
            #expect(throws: SSHWireError.invalidNameList, "\(list)") { try SSHMessage.decode(bytes) }
        }
    }
}
