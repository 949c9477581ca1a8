import SSHCore
import SSHWire

// MARK: - Channels (server digest §1.1, §2, §3.4, §3.5; RFC 4254)

extension SSHServer {
    /// The channel request OpenSSH clients send as a keep-alive probe.
    static let channelKeepAlive = "keepalive@openssh.com"

    /// Starts the connection protocol once the user is authenticated.
    func startConnectionProtocol(_ connection: ServerConnection) {
        connection.channels = ChannelMultiplexer(role: .server)
        scheduleKeepAlive(connection)
    }

    /// Hands a message to the connection protocol; false when it has not started. While a
    /// synchronous send waits, the events it produces stay queued (only its output goes out).
    func routeToChannels(_ connection: ServerConnection, _ payload: [UInt8], sequenceNumber: UInt32) -> Bool {
        guard let channels = connection.channels else { return false }
        do {
            try channels.receive(payload, sequenceNumber: sequenceNumber)
        } catch {
            connection.transport.disconnect(reason: error.disconnectReason, description: error.message)
            return true
        }
        if connection.deferringChannelEvents {
            sendChannelOutput(connection)
        } else {
            pumpChannels(connection)
        }
        return true
    }

    /// The class-wide id of a connection's channel, allocating one the first time.
    func channelId(_ connection: ServerConnection, _ channel: SSHChannelID) -> Int {
        if let id = connection.channelIds[channel] { return id }
        let id = nextChannelId
        nextChannelId += 1
        connection.channelIds[channel] = id
        channelOwners[id] = ServerChannel(id: id, connection: connection.id, channel: channel)
        return id
    }

    func forget(_ connection: ServerConnection, _ channel: SSHChannelID) {
        guard let id = connection.channelIds.removeValue(forKey: channel) else { return }
        channelOwners[id] = nil
    }

    /// Forgets every channel of a closing connection; `SSHChannelClosed` fires for each, so that
    /// what an application keeps per channel (a process, open files) ends with it.
    func forgetChannels(_ connection: ServerConnection) {
        let ids = connection.channelIds.values.sorted()
        for id in ids { channelOwners[id] = nil }
        connection.channelIds.removeAll()
        for id in ids { onChannelClosed?(ChannelEvent(connectionId: connection.id, channelId: id)) }
    }

    /// Fires the channel events and sends what the connection protocol produced.
    func pumpChannels(_ connection: ServerConnection) {
        guard let channels = connection.channels, !connection.pumpingChannels else { return }
        connection.pumpingChannels = true
        defer { connection.pumpingChannels = false }
        while let event = channels.nextEvent() {
            // Tunnels (direct-tcpip, tcpip-forward and their channels) are the class's own work.
            if routeToTunnel(connection, channels, event) { continue }
            switch event {
            case .channelOpenRequested(let request):
                let id = channelId(connection, request.channel)
                channelOwners[id]?.service = request.channelType
                var open = ChannelOpenRequestEvent(
                    connectionId: connection.id, channelId: id, service: request.channelType, payload: request.payload,
                    accept: request.channelType == "session")
                onChannelOpenRequest?(&open)
                do {
                    if open.accept {
                        try channels.acceptChannel(request.channel)
                        onChannelOpened?(ChannelEvent(connectionId: connection.id, channelId: id))
                        // Digest §3.4: ReadyToSend fires once a new channel can take data.
                        onChannelReadyToSend?(ChannelEvent(connectionId: connection.id, channelId: id))
                    } else {
                        try channels.rejectChannel(request.channel, reason: .administrativelyProhibited, description: "refused")
                        forget(connection, request.channel)
                    }
                } catch {
                    log(connection.id, 1, "channel \(id): \(error)", type: "Error")
                }
            case .channelOpened(let channel):
                onChannelOpened?(ChannelEvent(connectionId: connection.id, channelId: channelId(connection, channel)))
            case .channelOpenFailed(let channel, _, let description):
                let id = channelId(connection, channel)
                onError?(ErrorEvent(connectionId: connection.id, errorCode: SSHServerError.forwardFailed, description: "channel \(id): \(description)"))
                onChannelClosed?(ChannelEvent(connectionId: connection.id, channelId: id))
                forget(connection, channel)
            case .data(let channel, let bytes), .extendedData(let channel, _, let bytes):
                deliver(bytes, connection: connection, channelId: channelId(connection, channel))
            case .eof(let channel):
                let id = channelId(connection, channel)
                deliverRecordRemainder(connection: connection, channelId: id)
                onChannelEOF?(ChannelEvent(connectionId: connection.id, channelId: id))
            case .channelClosed(let channel):
                onChannelClosed?(ChannelEvent(connectionId: connection.id, channelId: channelId(connection, channel)))
                forget(connection, channel)
            case .readyToSend(let channel):
                onChannelReadyToSend?(ChannelEvent(connectionId: connection.id, channelId: channelId(connection, channel)))
            case .channelRequest(let channel, let incoming) where incoming.requestType == Self.channelKeepAlive:
                // Digest §3.5: a client's keep-alive probe is answered with FAILURE, as OpenSSH's
                // server does, and never reaches the application.
                if incoming.wantReply {
                    try? channels.replyToChannelRequest(channel, request: incoming.requestNumber, success: false)
                }
            case .channelRequest(let channel, let incoming):
                let id = channelId(connection, channel)
                var request = ChannelRequestEvent(
                    connectionId: connection.id, channelId: id, requestType: incoming.requestType, payload: incoming.payload,
                    wantReply: incoming.wantReply)
                onChannelRequest?(&request)
                if incoming.wantReply {
                    try? channels.replyToChannelRequest(channel, request: incoming.requestNumber, success: request.success)
                }
                sendChannelOutput(connection)
                if request.success {
                    onChannelRequested?(ChannelRequestedEvent(
                        connectionId: connection.id, channelId: id, requestType: incoming.requestType, payload: incoming.payload))
                }
            case .channelRequestReply:
                break
            case .globalRequest(let request):
                answerGlobalRequest(connection, channels, request)
            case .globalRequestReply:
                // Our only global request that wants a reply is the keep-alive: any answer will do.
                connection.unansweredKeepAlives = 0
            }
        }
        sendChannelOutput(connection)
    }

    /// Moves the connection protocol's output to the transport.
    func sendChannelOutput(_ connection: ServerConnection) {
        guard let channels = connection.channels else { return }
        for payload in channels.takeOutgoingPayloads() {
            do { try connection.transport.send(payload) } catch {
                connection.transport.disconnect(reason: .protocolError, description: error.message)
                return
            }
        }
    }
}
