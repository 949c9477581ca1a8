import SSHCore

/// The class's record of one channel (server digest §1.1): the `SSHChannel*` properties that are
/// not the connection protocol's business.
final class ServerChannel {
    /// `ChannelId`: unique across the server's connections (digest §9 item 3).
    let id: Int
    let connection: Int
    /// The connection protocol's id of the channel on its connection.
    let channel: SSHChannelID
    /// `Service[ChannelId]`: the channel type it was opened with.
    var service = ""
    /// `RecordLength[ChannelId]`: when above 0, `SSHChannelDataIn` fires with exactly this many bytes.
    var recordLength = 0
    /// Bytes received and held back until a whole record has arrived (fewer than `recordLength`).
    var recordBuffer: [UInt8] = []
    /// `BytesSent[ChannelId]`: what the last send took.
    var bytesSent = 0

    init(id: Int, connection: Int, channel: SSHChannelID) {
        self.id = id
        self.connection = connection
        self.channel = channel
    }
}

/// Limits of the class's channel records.
enum ServerChannelLimits {
    /// The largest `RecordLength`: 16 MiB, the largest receive window we grant
    /// (``ConnectionLimits/defaultMaximumWindowSize``), so a record always fits what the peer may
    /// send before we adjust the window (RFC 4254 §5.2).
    static let maximumRecordLength = ConnectionLimits.defaultMaximumWindowSize
}
