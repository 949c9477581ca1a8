/// A binary min-heap of timer deadlines, ordered by deadline and then by scheduling order, so
/// timers with equal deadlines fire in the order they were scheduled.
///
/// Cancelling does not search the heap: the owner forgets the timer's handler and the entry is
/// skipped when it comes up. ``compact(keeping:)`` drops such entries in bulk so a timer that is
/// re-armed over and over (an idle timeout pushed back on every packet) cannot grow the heap
/// without bound.
struct TimerHeap {
    struct Entry {
        /// `CLOCK_MONOTONIC` nanoseconds.
        let deadline: UInt64
        /// The timer's id; ids increase in scheduling order.
        let id: UInt64
    }

    private(set) var entries: [Entry] = []

    var count: Int { entries.count }
    var first: Entry? { entries.first }

    private static func less(_ a: Entry, _ b: Entry) -> Bool {
        a.deadline != b.deadline ? a.deadline < b.deadline : a.id < b.id
    }

    mutating func insert(_ entry: Entry) {
        entries.append(entry)
        siftUp(entries.count - 1)
    }

    mutating func popFirst() -> Entry? {
        guard let top = entries.first else { return nil }
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            siftDown(0)
        }
        return top
    }

    /// Keeps only the entries for which `keep` is true, and restores the heap order.
    mutating func compact(keeping keep: (Entry) -> Bool) {
        entries.removeAll { !keep($0) }
        var index = entries.count / 2
        while index > 0 {
            index -= 1
            siftDown(index)
        }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.less(entries[child], entries[parent]) else { return }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < entries.count else { return }
            var smallest = left
            let right = left + 1
            if right < entries.count && Self.less(entries[right], entries[left]) { smallest = right }
            guard Self.less(entries[smallest], entries[parent]) else { return }
            entries.swapAt(smallest, parent)
            parent = smallest
        }
    }
}
