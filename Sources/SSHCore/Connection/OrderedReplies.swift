/// Replies that must leave in the order their requests arrived (RFC 4254 §4 and §5.4), though the
/// owner may decide them in any order.
///
/// Each request that wants a reply takes a slot; a decision fills its slot; decided slots at the
/// head are released in order.
struct OrderedReplies<Reply> {
    private var slots: [(number: UInt64, reply: Reply?)] = []
    private var head = 0
    private var nextNumber: UInt64 = 1

    /// Requests waiting for a reply or for earlier replies.
    var count: Int { slots.count - head }

    /// Takes a slot for a new request, decided already when `reply` is given.
    mutating func append(_ reply: Reply? = nil) -> UInt64 {
        let number = nextNumber
        nextNumber &+= 1
        slots.append((number, reply))
        return number
    }

    /// Records the decision for request `number`, or for the oldest undecided one when nil.
    /// Returns false when no such request is waiting for a decision.
    mutating func decide(_ number: UInt64?, _ reply: Reply) -> Bool {
        var index = head
        while index < slots.count {
            if slots[index].reply == nil, number == nil || slots[index].number == number {
                slots[index].reply = reply
                return true
            }
            index += 1
        }
        return false
    }

    /// Removes and returns the decided replies at the head, in order.
    mutating func takeReady() -> [Reply] {
        var ready: [Reply] = []
        while head < slots.count, let reply = slots[head].reply {
            ready.append(reply)
            head += 1
        }
        if head == slots.count {
            slots.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 32, head * 2 > slots.count {
            slots.removeFirst(head)
            head = 0
        }
        return ready
    }

    mutating func removeAll() {
        slots.removeAll()
        head = 0
    }
}
