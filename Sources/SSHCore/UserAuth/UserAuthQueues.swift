import SSHWire

/// The two output queues of an authentication state machine: payloads to send and events for
/// the owner, both drained in order.
struct UserAuthQueues<Event> {
    private var outgoing: [[UInt8]] = []
    private var events: [Event] = []
    private var nextEventIndex = 0

    var hasOutgoing: Bool { !outgoing.isEmpty }

    mutating func send(_ message: some SSHMessageCodable) {
        outgoing.append(message.encoded())
    }

    mutating func emit(_ event: Event) {
        events.append(event)
    }

    mutating func takeOutgoing() -> [[UInt8]] {
        defer { outgoing.removeAll() }
        return outgoing
    }

    mutating func nextEvent() -> Event? {
        guard nextEventIndex < events.count else {
            events.removeAll()
            nextEventIndex = 0
            return nil
        }
        defer { nextEventIndex += 1 }
        return events[nextEventIndex]
    }
}
