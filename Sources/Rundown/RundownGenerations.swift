import Synchronization

/// The generation, waiter and callback machinery that both run-down types share: one piece of code, not two.
///
/// Each type keeps one *completion word* in ``RundownWord``'s layout (closed bit, waiters bit, holder count,
/// generation): ``RundownRef`` the word its holders count on, ``CacheAwareRundownRef`` the shared word its slots'
/// counts are folded into when run-down begins. A generation has completed when that word is closed with a count of
/// zero, or carries a later generation. Waiters and callbacks register by setting the waiters bit under the waiter
/// store's lock; whoever brings the count to zero sees the bit in its own read-modify-write and wakes them.
protocol RundownGenerations: AnyObject, Sendable {
    /// Sets the closed bit if it is not set, completing the generation if no holder remains.
    /// - Returns: The generation that is (now) running down.
    func closeGeneration() -> UInt32

    /// The completion word, loaded with *acquiring* ordering.
    func loadCompletionWord() -> RundownWord

    /// Compare-and-swap on the completion word: *releasing* on success, *acquiring* on failure.
    func compareExchangeCompletionWord(
        expected: RundownWord,
        desired: RundownWord
    ) -> (exchanged: Bool, original: RundownWord)

    /// The waiter store if one was allocated.
    var existingWaiters: RundownWaiters? { get }

    /// The waiter store, allocated on first use.
    func waiters() -> RundownWaiters
}

extension RundownGenerations {
    /// Whether `generation`'s run-down has completed; an *acquiring* load.
    func hasCompleted(_ generation: UInt32) -> Bool {
        loadCompletionWord().hasCompleted(generation: generation)
    }

    /// Marks the completion word "has waiters" unless `generation` has completed; called under the store's lock.
    ///
    /// Setting the bit is a *releasing* read-modify-write on the word the completer changes last, so the completer
    /// sees the bit in its own read-modify-write, and with it the waiter store the waiter allocated.
    /// - Returns: `false` if the generation has already completed (the caller must not wait).
    func registerWaiter(_ generation: UInt32) -> Bool {
        var current = loadCompletionWord()
        while true {
            if current.hasCompleted(generation: generation) { return false }
            if current.hasWaiters { return true }
            let desired = RundownWord(rawValue: current.rawValue | RundownWord.waitersBit)
            let (exchanged, original) = compareExchangeCompletionWord(expected: current, desired: desired)
            if exchanged { return true }
            current = original
        }
    }

    /// Finishes the generation that the caller's read-modify-write of the completion word completed; `oldWord` is
    /// the value that read-modify-write replaced.
    ///
    /// The completer must *acquire* every holder's release (and every waiter's registration) before it wakes
    /// anyone, so that waiters and callbacks observe all of it. Every change of the completion word is a
    /// read-modify-write, so each release heads a release sequence that runs through every later value; an
    /// acquiring load of the current value therefore synchronizes with all of them. An acquiring fence would do the
    /// same, but ThreadSanitizer does not model fences and would report the holders' writes as races.
    func completeGeneration(afterChanging oldWord: RundownWord) {
        _ = loadCompletionWord()
        if oldWord.hasWaiters, let waiters = existingWaiters {
            waiters.complete(generation: oldWord.generation)
        }
    }

    /// Begins run-down and runs `callback` once the generation completes (at once if it has).
    func closeGeneration(thenRun callback: @escaping @Sendable () -> Void) {
        let generation = closeGeneration()
        guard !hasCompleted(generation) else { return callback() }
        let kept = waiters().addCallback(callback, generation: generation) { registerWaiter(generation) }
        if !kept { callback() }
    }

    /// Begins run-down and blocks until it completes or `deadline` passes.
    /// - Returns: `false` at the deadline.
    func closeGenerationAndBlock(until deadline: MonotonicDeadline?) -> Bool {
        let generation = closeGeneration()
        if hasCompleted(generation) { return true }
        if let deadline, deadline.hasPassed { return false }
        return waiters().waitBlocking(generation: generation, deadline: deadline) { registerWaiter(generation) }
    }

    /// Begins run-down and suspends until it completes; cancellation does not end the wait.
    func closeGenerationAndSuspend() async {
        let generation = closeGeneration()
        guard !hasCompleted(generation) else { return }
        await waiters().waitSuspending(generation: generation) { registerWaiter(generation) }
    }

    /// Begins run-down and suspends until it completes, `timeout` passes or the task is cancelled.
    /// - Returns: `false` at the deadline or on cancellation.
    func closeGenerationAndSuspend(timeout: Duration) async -> Bool {
        let generation = closeGeneration()
        guard !hasCompleted(generation) else { return true }
        guard timeout > .zero, !Task.isCancelled else { return false }
        let waiters = waiters()
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await waiters.waitSuspendingUnlessCancelled(generation: generation) {
                    self.registerWaiter(generation)
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let completed = await group.next() ?? false
            group.cancelAll()
            return completed
        }
    }

    /// The number of waiter records and callbacks still registered; for tests that check for leaks.
    var liveWaiterRecords: Int { existingWaiters?.liveRecords ?? 0 }
}
