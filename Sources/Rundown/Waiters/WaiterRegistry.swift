// SPDX-License-Identifier: Apache-2.0

/// The waiters and completion callbacks of a run-down object, as a pure state machine.
///
/// ``WaiterStore`` keeps one behind its lock and acts on what it returns after unlocking. The waiters are a
/// ``WaiterQueue`` keyed by the generation they wait for, because the thread that completes generation `g` may reach
/// the registry late, after the object was re-initialized and waiters of `g + 1` registered; those must stay.
/// Callbacks are kept with their generation the same way.
///
/// Generic over the continuation type so that unit tests can drive it with plain values.
struct WaiterRegistry<Continuation> {
    /// A completion callback.
    typealias Callback = @Sendable () -> Void

    /// The waiters, keyed by generation.
    typealias Waiters = WaiterQueue<UInt32, Continuation>

    /// What completing a generation hands back to be done after unlocking.
    struct Completion {
        /// The generation's waiters: broadcast if ``Waiters/Signalled/wakesBlocked``, resume the suspended ones.
        var waiters = Waiters.Signalled()
        /// The generation's callbacks, in registration order.
        var callbacks: [(generation: UInt32, callback: Callback)] = []
    }

    private(set) var waiters = Waiters()
    private var callbacks: [(generation: UInt32, callback: Callback)] = []

    /// The number of waiter records and kept callbacks (for leak checks).
    var liveRecords: Int { waiters.count + callbacks.count }

    // MARK: Registration (the caller has just marked the run-down word "has waiters" for `generation`)

    /// Registers a thread that is about to park until `generation` completes.
    mutating func addBlocked(for generation: UInt32) -> Waiters.ID {
        waiters.add(generation, blocking: true)
    }

    /// Registers a task that is about to suspend until `generation` completes.
    mutating func addSuspending(for generation: UInt32) -> Waiters.ID {
        waiters.add(generation, blocking: false)
    }

    /// Keeps `callback` until `generation` completes.
    mutating func addCallback(_ callback: @escaping Callback, for generation: UInt32) {
        callbacks.append((generation, callback))
    }

    // MARK: Waiting (see `WaiterQueue`: `.signalled` means "the generation completed")

    /// One look of the parked thread `id` at its record.
    mutating func step(blocked id: Waiters.ID, deadlinePassed: Bool) -> Waiters.BlockedStep {
        waiters.step(blocked: id, deadlinePassed: deadlinePassed)
    }

    /// The registered task `id` hands over its continuation.
    mutating func suspend(_ id: Waiters.ID, with continuation: Continuation) -> Waiters.SuspendAction {
        waiters.suspend(id, with: continuation)
    }

    /// The task `id` was cancelled (or timed out); see ``WaiterQueue/cancel(_:)``.
    mutating func cancel(_ id: Waiters.ID) -> Continuation? {
        waiters.cancel(id)
    }

    // MARK: Completion

    /// Removes everything that waits for `generation` and hands it back, to be woken and run after unlocking.
    ///
    /// In the common case (every record of this generation, every callback too) the arrays are handed over whole:
    /// nothing is copied or allocated between the last release and the wake-up.
    mutating func complete(generation: UInt32) -> Completion {
        var completion = Completion()
        completion.waiters = waiters.signalAll { $0 == generation }
        if callbacks.allSatisfy({ $0.generation == generation }) {
            swap(&completion.callbacks, &callbacks)
        } else {
            var remaining: [(generation: UInt32, callback: Callback)] = []
            for record in callbacks {
                if record.generation == generation {
                    completion.callbacks.append(record)
                } else {
                    remaining.append(record)
                }
            }
            callbacks = remaining
        }
        return completion
    }
}

extension WaiterRegistry: Sendable where Continuation: Sendable {}
extension WaiterRegistry.Completion: Sendable where Continuation: Sendable {}
