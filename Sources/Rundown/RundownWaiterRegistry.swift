/// The waiters and completion callbacks of a run-down object: pure state, no locking, no threads.
///
/// ``RundownWaiters`` keeps one of these behind its lock and acts on what it returns (wake threads, resume
/// continuations, run callbacks) after unlocking. Every record carries the generation it waits for, because the
/// thread that completes generation `g` may reach the registry late, after the object was re-initialized and
/// waiters of generation `g + 1` registered; those must stay.
///
/// Generic over the continuation type so that unit tests can drive it with plain values.
struct RundownWaiterRegistry<Continuation> {
    /// How a waiter is woken.
    enum Waiter {
        /// A thread parked on the condition variable; it notices its record is gone.
        case blocked
        /// A suspended task, resumed with `true` when its generation completes.
        case suspended(Continuation)
    }

    /// What completing a generation hands back to be done outside the lock.
    struct Completion {
        var continuations: [Continuation] = []
        var callbacks: [@Sendable () -> Void] = []
        var wokeBlockedWaiter = false
    }

    private var nextID: UInt64 = 0
    private var waiters: [UInt64: (generation: UInt32, waiter: Waiter)] = [:]
    private var callbacks: [(generation: UInt32, callback: @Sendable () -> Void)] = []

    /// The number of waiter records and callbacks still registered (for leak checks).
    var liveRecords: Int { waiters.count + callbacks.count }

    /// A fresh identity for a waiter, unique for the life of the registry.
    mutating func makeID() -> UInt64 {
        defer { nextID += 1 }
        return nextID
    }

    mutating func add(_ waiter: Waiter, id: UInt64, generation: UInt32) {
        precondition(waiters[id] == nil, "waiter \(id) registered twice")
        waiters[id] = (generation, waiter)
    }

    mutating func addCallback(_ callback: @escaping @Sendable () -> Void, generation: UInt32) {
        callbacks.append((generation, callback))
    }

    /// Whether the waiter `id` is still waiting (its generation has not completed, it was not removed).
    func isWaiting(_ id: UInt64) -> Bool {
        waiters[id] != nil
    }

    /// Removes the waiter `id` (timeout, cancellation); `nil` if it is no longer registered.
    mutating func remove(_ id: UInt64) -> Waiter? {
        waiters.removeValue(forKey: id)?.waiter
    }

    /// Removes everything that waits for `generation` and returns what must be woken and run.
    mutating func complete(generation: UInt32) -> Completion {
        var completion = Completion()
        // Rebuild rather than remove while iterating: removing from a dictionary being iterated copies it, and this
        // runs on the completing thread, between the last release and the wake-up.
        var remaining: [UInt64: (generation: UInt32, waiter: Waiter)] = [:]
        for (id, record) in waiters {
            guard record.generation == generation else {
                remaining[id] = record
                continue
            }
            switch record.waiter {
            case .blocked: completion.wokeBlockedWaiter = true
            case .suspended(let continuation): completion.continuations.append(continuation)
            }
        }
        waiters = remaining
        var remainingCallbacks: [(generation: UInt32, callback: @Sendable () -> Void)] = []
        for record in callbacks {
            if record.generation == generation {
                completion.callbacks.append(record.callback)
            } else {
                remainingCallbacks.append(record)
            }
        }
        callbacks = remainingCallbacks
        return completion
    }
}
