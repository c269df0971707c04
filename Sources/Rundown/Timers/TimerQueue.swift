// SPDX-License-Identifier: Apache-2.0

/// Pending deadlines, earliest first, as a pure state machine: no lock, no clock, no threads.
///
/// ``DeadlineTimers`` keeps one behind its lock. Every entry has an identity, so that a wait that ends early removes
/// exactly its entry at once (and with it the action the entry holds); nothing stays queued until its deadline. A
/// binary heap ordered by deadline (then by identity, so equal deadlines fire in the order they were added), with
/// each entry's position kept so that a removal is logarithmic too.
struct TimerQueue<Action> {
    /// An entry's identity, unique for the life of the queue.
    typealias ID = UInt64

    struct Entry {
        let deadline: Int64
        let id: ID
        let action: Action

        fileprivate func firesBefore(_ other: Entry) -> Bool {
            (deadline, id) < (other.deadline, other.id)
        }
    }

    private var heap: [Entry] = []
    private var positions: [ID: Int] = [:]
    private var nextID: ID = 0

    /// The number of pending entries.
    var count: Int { heap.count }

    /// The earliest pending deadline, `nil` if nothing is pending.
    var nextDeadline: Int64? { heap.first?.deadline }

    /// Adds `action`, due at `deadline` (nanoseconds on the monotonic clock).
    /// - Returns: The entry's identity, and whether it is now the earliest (the timer thread must wake earlier).
    mutating func add(deadline: Int64, _ action: Action) -> (id: ID, isEarliest: Bool) {
        let id = nextID
        nextID += 1
        heap.append(Entry(deadline: deadline, id: id, action: action))
        positions[id] = heap.count - 1
        siftUp(heap.count - 1)
        return (id, heap[0].id == id)
    }

    /// Removes the entry `id` if it is still pending.
    /// - Returns: Its action, `nil` if it was not pending (it fired, or was removed already).
    mutating func remove(_ id: ID) -> Action? {
        guard let index = positions[id] else { return nil }
        return removeEntry(at: index).action
    }

    /// Removes every entry due at or before `now`, earliest first.
    mutating func removeDue(at now: Int64) -> [Action] {
        var due: [Action] = []
        while let first = heap.first, first.deadline <= now {
            due.append(removeEntry(at: 0).action)
        }
        return due
    }

    private mutating func removeEntry(at index: Int) -> Entry {
        let removed = heap[index]
        positions[removed.id] = nil
        let last = heap.removeLast()
        if index < heap.count {
            heap[index] = last
            positions[last.id] = index
            siftDown(index)
            siftUp(index)
        }
        return removed
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].firesBefore(heap[parent]) else { return }
            swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            let right = left + 1
            let earlier = right < heap.count && heap[right].firesBefore(heap[left]) ? right : left
            guard heap[earlier].firesBefore(heap[parent]) else { return }
            swapAt(parent, earlier)
            parent = earlier
        }
    }

    private mutating func swapAt(_ first: Int, _ second: Int) {
        heap.swapAt(first, second)
        positions[heap[first].id] = first
        positions[heap[second].id] = second
    }
}

extension TimerQueue: Sendable where Action: Sendable {}
extension TimerQueue.Entry: Sendable where Action: Sendable {}
