// SPDX-License-Identifier: Apache-2.0

/// The generation, waiter and callback machinery: one piece of code for every run-down type.
///
/// The engine's word is a *completion word* in ``RundownWord``'s layout (closed bit, waiters bit, holder count,
/// generation). ``RundownEngine`` and ``RundownRef`` count their holders in it; ``CacheAwareRundownRef`` keeps an
/// engine as its shared word, into which it folds its slots' counts when run-down begins, and then waits through
/// the members below. A generation has completed when the word is closed with a count of zero, or carries a later
/// generation. Waiters and callbacks register by setting the waiters bit under the waiter store's lock; whoever
/// brings the count to zero sees the bit in its own read-modify-write and wakes them.
extension RundownEngine {
    /// Sets the closed bit; completes the generation if it was open with no holders.
    /// - Returns: The generation that is (now) running down, and whether this call closed it.
    borrowing func close() -> (generation: UInt32, began: Bool) {
        let metrics = metrics
        let now = metrics == nil ? 0 : Platform.monotonicNanoseconds()
        let old = RundownWord(
            rawValue: word.bitwiseOr(RundownWord.closedBit, ordering: .acquiringAndReleasing).oldValue
        )
        if !old.isClosed { metrics?.rundownBegan(at: now) }
        if !old.isClosed, old.holders == 0 {
            completeGeneration(afterChanging: old)
        }
        return (old.generation, !old.isClosed)
    }

    /// The metrics of a named engine (with the `MetricsSupport` trait); `nil` otherwise.
    var metrics: ObjectMetrics? { sideTable.withTable { $0?.metrics } }

    /// The word, loaded with *acquiring* ordering.
    borrowing func loadCompletionWord() -> RundownWord {
        RundownWord(rawValue: word.load(ordering: .acquiring))
    }

    /// Whether `generation`'s run-down has completed; an *acquiring* load.
    borrowing func hasCompleted(_ generation: UInt32) -> Bool {
        loadCompletionWord().hasCompleted(generation: generation)
    }

    /// Marks the word "has waiters" unless `generation` has completed; called under the store's lock.
    ///
    /// Setting the bit is a *releasing* read-modify-write on the word the completer changes last, so the completer
    /// sees the bit in its own read-modify-write, and with it the waiter store the waiter allocated.
    /// - Returns: `false` if the generation has already completed (the caller must not wait).
    borrowing func registerWaiter(_ generation: UInt32) -> Bool {
        var current = loadCompletionWord()
        while true {
            if current.hasCompleted(generation: generation) { return false }
            if current.hasWaiters { return true }
            let (exchanged, original) = word.compareExchange(
                expected: current.rawValue,
                desired: current.rawValue | RundownWord.waitersBit,
                successOrdering: .releasing,
                failureOrdering: .acquiring
            )
            if exchanged { return true }
            current = RundownWord(rawValue: original)
        }
    }

    /// Finishes the generation that the caller's read-modify-write of the word completed; `oldWord` is the value
    /// that read-modify-write replaced.
    ///
    /// The completer must *acquire* every holder's release (and every waiter's registration) before it wakes
    /// anyone, so that waiters and callbacks observe all of it. Every change of the word is a read-modify-write,
    /// so each release heads a release sequence that runs through every later value; an acquiring load of the
    /// current value therefore synchronizes with all of them. An acquiring fence would do the same, but
    /// ThreadSanitizer does not model fences and would report the holders' writes as races.
    borrowing func completeGeneration(afterChanging oldWord: RundownWord) {
        _ = loadCompletionWord()
        metrics?.rundownCompleted(at: Platform.monotonicNanoseconds())
        if oldWord.hasWaiters, let waiters = sideTable.load()?.existingWaiters {
            waiters.complete(generation: oldWord.generation)
        }
    }

    /// The waiter store, allocated on first use.
    borrowing func waiterStore() -> WaiterStore {
        slowPath.waiters
    }

    // MARK: Waiting for a generation that has been closed

    /// Runs `callback` once `generation` completes (at once if it has).
    borrowing func keepCallback(_ callback: @escaping @Sendable () -> Void, for generation: UInt32) {
        guard !hasCompleted(generation) else { return callback() }
        let kept = waiterStore().addCallback(callback, for: generation) { registerWaiter(generation) }
        if !kept { callback() }
    }

    /// Blocks until `generation` completes or `deadline` passes.
    /// - Returns: `false` at the deadline.
    borrowing func waitBlocking(for generation: UInt32, until deadline: MonotonicDeadline?) -> Bool {
        if hasCompleted(generation) { return true }
        if let deadline, deadline.hasPassed { return false }
        return waiterStore().waitBlocking(for: generation, until: deadline) { registerWaiter(generation) }
    }

    /// Suspends until `generation` completes; cancellation does not end the wait.
    borrowing func waitSuspending(for generation: UInt32) async {
        guard !hasCompleted(generation) else { return }
        let store = waiterStore()
        guard let id = store.registerSuspending(for: generation, register: { registerWaiter(generation) }) else {
            return
        }
        await store.suspend(id)
    }

    /// Suspends until `generation` completes, `timeout` passes or the task is cancelled.
    /// - Returns: `false` at the deadline or on cancellation.
    borrowing func waitSuspending(for generation: UInt32, timeout: Duration) async -> Bool {
        await waitSuspending(for: generation, until: MonotonicDeadline(fromNow: timeout))
    }

    /// Suspends until `generation` completes, `deadline` passes or the task is cancelled.
    /// - Returns: `false` at the deadline or on cancellation.
    borrowing func waitSuspending(for generation: UInt32, until deadline: MonotonicDeadline) async -> Bool {
        guard !hasCompleted(generation) else { return true }
        guard !deadline.hasPassed, !Task.isCancelled else { return false }
        let store = waiterStore()
        guard let id = store.registerSuspending(for: generation, register: { registerWaiter(generation) }) else {
            return true
        }
        return await store.suspend(id, until: deadline)
    }

    /// Begins run-down and suspends until it completes, `deadline` passes or the task is cancelled (a bounded
    /// writer of ``RundownProtected`` waiting for the old value's readers within its own deadline).
    borrowing func waitForRundown(until deadline: MonotonicDeadline) async -> Bool {
        await waitSuspending(for: close().generation, until: deadline)
    }

    /// The number of waiter records and kept callbacks, for leak checks.
    var liveWaiterRecords: Int { sideTable.load()?.existingWaiters?.liveRecords ?? 0 }

    // MARK: Metrics of the waits (a named engine, with the `MetricsSupport` trait)

    /// Runs the wait `body`, recording its duration, and the holders inside if it gave up (`false`).
    borrowing func measuringWait(holdersInside: () -> Int, _ body: () -> Bool) -> Bool {
        guard let metrics else { return body() }
        let start = Platform.monotonicNanoseconds()
        let completed = body()
        metrics.waited(since: start)
        if !completed { metrics.gaveUp(holders: holdersInside()) }
        return completed
    }

    /// Runs the asynchronous wait `body`, recording its duration, and the holders inside if it gave up (`false`).
    borrowing func measuringWait(holdersInside: () -> Int, _ body: () async -> Bool) async -> Bool {
        guard let metrics else { return await body() }
        let start = Platform.monotonicNanoseconds()
        let completed = await body()
        metrics.waited(since: start)
        if !completed { metrics.gaveUp(holders: holdersInside()) }
        return completed
    }
}
