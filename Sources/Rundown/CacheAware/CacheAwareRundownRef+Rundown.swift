// SPDX-License-Identifier: Apache-2.0
import Synchronization

// Beginning run-down folds the slots into the shared engine (`close()` below); everything after that, waiting and
// callbacks, is the shared engine's code, the same that `RundownRef` runs.
extension CacheAwareRundownRef {
    /// Begins run-down without waiting: from now on every acquisition fails.
    ///
    /// Idempotent and callable from any thread. The first call closes every slot (one atomic read-modify-write
    /// each) and folds their counts into the shared pending count; if no holder remains the generation completes
    /// here. Later calls cost one atomic load. See ``RundownRef/beginRundown()``.
    ///
    /// - Returns: `true` if this call began the run-down; `false` if it had already begun (or completed).
    @discardableResult
    public func beginRundown() -> Bool {
        close().began
    }

    /// Begins run-down without waiting and runs `onCompletion` once this generation's run-down completes.
    ///
    /// Exactly once: on the thread whose release completes the run-down, or here, before returning, if it has
    /// already completed. Never under an internal lock. See ``RundownRef/beginRundown(onCompletion:)``.
    public func beginRundown(onCompletion: @escaping @Sendable () -> Void) {
        shared.keepCallback(onCompletion, for: close().generation)
    }

    /// Begins run-down and blocks the calling thread until every holder has released.
    ///
    /// Idempotent; any number of waiters; returning is an *acquiring* operation. See
    /// ``RundownRef/waitForRundown()-3hakh``.
    @available(*, noasync, message: "blocks the thread until the last holder leaves; use the async form in async code")
    public func waitForRundown() {
        _ = shared.waitBlocking(for: close().generation, until: nil)
    }

    /// Begins run-down and blocks the calling thread until every holder has released or `timeout` has passed.
    ///
    /// - Returns: `true` if run-down completed; `false` if the deadline came first (run-down stays begun). See
    ///   ``RundownRef/waitForRundown(timeout:)-9ghhd``.
    @available(*, noasync, message: "blocks the thread until the last holder leaves; use the async form in async code")
    public func waitForRundown(timeout: Duration) -> Bool {
        shared.waitBlocking(for: close().generation, until: MonotonicDeadline(fromNow: timeout))
    }

    /// Begins run-down and suspends the calling task until every holder has released; cancellation does not end
    /// the wait. See ``RundownRef/waitForRundown()-8bh73``.
    public func waitForRundown() async {
        await shared.waitSuspending(for: close().generation)
    }

    /// Begins run-down and suspends the calling task until every holder has released, `timeout` has passed, or the
    /// task is cancelled.
    ///
    /// - Returns: `true` if run-down completed; `false` at the deadline or as soon as the task is cancelled. See
    ///   ``RundownRef/waitForRundown(timeout:)-6w83l``.
    public func waitForRundown(timeout: Duration) async -> Bool {
        await shared.waitSuspending(for: close().generation, timeout: timeout)
    }

    /// Opens a new generation after run-down has completed: acquisitions succeed again.
    ///
    /// Marks the shared word "opening", re-opens every slot, then opens the shared word (a *releasing*
    /// operation). See ``RundownRef/reInitialize()``.
    ///
    /// - Precondition: Run-down has completed. Otherwise traps with a message naming the state.
    public func reInitialize() {
        let current = RundownWord(rawValue: shared.word.load(ordering: .acquiring))
        guard current.isCompleted else { RundownMisuse.reInitialized(in: state) }
        // First move the shared word out of "completed", to the next generation marked "slots being opened", so
        // that nobody sees the old generation completed while holders of the new one are already inside, and a
        // run-down that begins meanwhile waits until the slots are open.
        let opening = RundownWord.opened(generation: current.generation &+ 1).rawValue
        let (claimed, _) = shared.word.compareExchange(
            expected: current.rawValue,
            desired: opening | RundownWord.closedBit | Self.foldBias * RundownWord.holderUnit,
            successOrdering: .acquiringAndReleasing,
            failureOrdering: .relaxed
        )
        if !claimed { RundownMisuse.reInitialized(in: .completed) }
        for index in 0...slotMask {
            // A completed generation leaves every slot closed and empty.
            let (exchanged, _) = slot(index).pointee.compareExchange(
                expected: RundownWord.closedBit,
                desired: 0,
                successOrdering: .releasing,
                failureOrdering: .relaxed
            )
            if !exchanged { RundownMisuse.reInitialized(in: .completed) }
        }
        shared.word.store(opening, ordering: .releasing)
    }

    /// Closes the generation if it is open: marks the shared word closed with the fold bias, closes every slot
    /// and folds the slots' counts in. Completes the generation if no holder remains.
    ///
    /// - Returns: The generation that is (now) running down, and whether this call closed it.
    func close() -> (generation: UInt32, began: Bool) {
        var current = shared.word.load(ordering: .acquiring)
        while true {
            let observed = RundownWord(rawValue: current)
            if observed.isClosed {
                // Closed: done, unless another thread is still folding the slots in (or a re-initialization is
                // still opening them); run-down has begun only once every slot refuses, so wait for that. The fold
                // is a handful of instructions per slot; this yields only if its thread was preempted.
                guard UInt64(observed.holders) >= Self.foldInProgress else { return (observed.generation, false) }
                Platform.yieldThread()
                current = shared.word.load(ordering: .acquiring)
                continue
            }
            let (exchanged, original) = shared.word.compareExchange(
                expected: current,
                desired: current | RundownWord.closedBit | Self.foldBias * RundownWord.holderUnit,
                successOrdering: .acquiringAndReleasing,
                failureOrdering: .acquiring
            )
            if exchanged { break }
            current = original
        }
        // This call won the race to close the generation: fold every slot in. Releasers of slots closed so far
        // already decrement the shared count; the bias keeps it above zero until the fold is done.
        var folded: UInt64 = 0
        for index in 0...slotMask {
            let old = slot(index).pointee.bitwiseOr(RundownWord.closedBit, ordering: .acquiringAndReleasing).oldValue
            folded += old & RundownWord.holderMask
        }
        // Taking the bias out is a release of `foldBias - folded` units on the shared engine: the release that
        // brings its count to zero completes the generation, whether it is this one or a holder's.
        shared.release(units: Self.foldBias * RundownWord.holderUnit - folded)
        return (RundownWord(rawValue: current).generation, true)
    }
}
