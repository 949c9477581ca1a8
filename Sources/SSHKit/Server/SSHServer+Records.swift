// MARK: - RecordLength (server digest §1.1 #6, §2 ChangeRecordLength, §9 item 14)

extension SSHServer {
    /// Fires `SSHChannelDataIn` for received bytes: at once when `RecordLength` is 0, otherwise in
    /// records of exactly `RecordLength` bytes, holding back the rest. The handler may change
    /// `RecordLength` between records; the next record uses the new length.
    func deliver(_ bytes: ArraySlice<UInt8>, connection: ServerConnection, channelId: Int) {
        guard let record = channelOwners[channelId] else { return }
        if let take = channelBytesIn, take(channelId, bytes) { return }
        if record.recordLength == 0 && record.recordBuffer.isEmpty {
            onChannelDataIn?(ChannelDataEvent(connectionId: connection.id, channelId: channelId, data: Array(bytes)))
            return
        }
        record.recordBuffer.append(contentsOf: bytes)
        deliverRecords(connection: connection, record: record)
    }

    /// Fires every whole record held for the channel; with `RecordLength` 0, everything held.
    private func deliverRecords(connection: ServerConnection, record: ServerChannel) {
        var start = 0
        while channelOwners[record.id] === record {
            let available = record.recordBuffer.count - start
            let length = record.recordLength == 0 ? available : record.recordLength
            guard length > 0, available >= length else { break }
            let data = Array(record.recordBuffer[start..<(start + length)])
            start += length
            onChannelDataIn?(ChannelDataEvent(connectionId: connection.id, channelId: record.id, data: data))
        }
        record.recordBuffer.removeFirst(min(start, record.recordBuffer.count))
    }

    /// Fires what is held back as one last, shorter record: just before `SSHChannelEOF` (digest §9
    /// item 14) — after EOF no byte can complete it.
    func deliverRecordRemainder(connection: ServerConnection, channelId: Int) {
        guard let record = channelOwners[channelId], !record.recordBuffer.isEmpty else { return }
        let data = record.recordBuffer
        record.recordBuffer = []
        onChannelDataIn?(ChannelDataEvent(connectionId: connection.id, channelId: channelId, data: data))
    }

    /// `RecordLength[ChannelId]`.
    public func recordLength(_ channelId: Int) throws(SSHServerError) -> Int { try record(channelId).recordLength }

    /// `ChangeRecordLength`: from now on `SSHChannelDataIn` fires with records of exactly `length`
    /// bytes (0 = as the data arrives). Allowed at any time, inside `SSHChannelDataIn` too; records
    /// already held that the new length completes fire on the next turn of ``doEvents()``.
    public func changeRecordLength(_ channelId: Int, _ length: Int) throws(SSHServerError) {
        let record = try record(channelId)
        guard (0...ServerChannelLimits.maximumRecordLength).contains(length) else {
            throw SSHServerError(
                code: SSHServerError.invalidSetting,
                "RecordLength must be 0 to \(ServerChannelLimits.maximumRecordLength), not \(length)")
        }
        record.recordLength = length
        let held = record.recordBuffer.count
        guard held > 0, length == 0 || held >= length else { return }
        _ = reactor.schedule(after: 0) { [weak self, weak record] in
            guard let self, let record, let connection = self.connections[record.connection] else { return }
            self.deliverRecords(connection: connection, record: record)
        }
    }

    func record(_ channelId: Int) throws(SSHServerError) -> ServerChannel {
        guard let record = channelOwners[channelId] else {
            throw SSHServerError(code: SSHServerError.invalidConnectionId, "invalid ChannelId \(channelId)")
        }
        return record
    }
}
