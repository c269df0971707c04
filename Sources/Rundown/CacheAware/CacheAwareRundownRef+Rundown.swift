// SPDX-License-Identifier: Apache-2.0
// Beginning run-down folds the slots into the shared engine (`PerCPUStorage.close()`); everything after that, waiting and
// callbacks, is the shared engine's code, the same that `RundownRef` runs.
extension CacheAwareRundownRef {
    /// Begins run-down without waiting: from now on every acquisition fails.
    ///
    /// Idempotent and callable from any thread. The first call closes every slot and folds their counts into the
    /// shared pending count: one atomic read-modify-write per slot on the atomic-slot path, one `membarrier` system
    /// call and a load per slot on the restartable-sequence path (see ``FastPath``). If no holder remains the
    /// generation completes here. Later calls cost one atomic load. See ``RundownRef/beginRundown()``.
    ///
    /// - Returns: `true` if this call began the run-down; `false` if it had already begun (or completed).
    @discardableResult
    public func beginRundown() -> Bool {
        storage.close().began
    }

    /// Begins run-down without waiting and runs `onCompletion` once this generation's run-down completes.
    ///
    /// Exactly once: on the thread whose release completes the run-down, or here, before returning, if it has
    /// already completed. Never under an internal lock. See ``RundownRef/beginRundown(onCompletion:)``.
    public func beginRundown(onCompletion: @escaping @Sendable () -> Void) {
        storage.shared.keepCallback(onCompletion, for: storage.close().generation)
    }

    /// Begins run-down and blocks the calling thread until every holder has released.
    ///
    /// Idempotent; any number of waiters; returning is an *acquiring* operation. See
    /// ``RundownRef/waitForRundown()-3hakh``.
    @available(*, noasync, message: "blocks the thread until the last holder leaves; use the async form in async code")
    public func waitForRundown() {
        _ = storage.shared.waitBlocking(for: storage.close().generation, until: nil)
    }

    /// Begins run-down and blocks the calling thread until every holder has released or `timeout` has passed.
    ///
    /// - Returns: `true` if run-down completed; `false` if the deadline came first (run-down stays begun). See
    ///   ``RundownRef/waitForRundown(timeout:)-9ghhd``.
    @available(*, noasync, message: "blocks the thread until the last holder leaves; use the async form in async code")
    public func waitForRundown(timeout: Duration) -> Bool {
        storage.shared.waitBlocking(for: storage.close().generation, until: MonotonicDeadline(fromNow: timeout))
    }

    /// Begins run-down and suspends the calling task until every holder has released; cancellation does not end
    /// the wait. See ``RundownRef/waitForRundown()-8bh73``.
    public func waitForRundown() async {
        await storage.shared.waitSuspending(for: storage.close().generation)
    }

    /// Begins run-down and suspends the calling task until every holder has released, `timeout` has passed, or the
    /// task is cancelled.
    ///
    /// - Returns: `true` if run-down completed; `false` at the deadline or as soon as the task is cancelled. See
    ///   ``RundownRef/waitForRundown(timeout:)-6w83l``.
    public func waitForRundown(timeout: Duration) async -> Bool {
        await storage.shared.waitSuspending(for: storage.close().generation, timeout: timeout)
    }

    /// Opens a new generation after run-down has completed: acquisitions succeed again.
    ///
    /// Marks the shared word "opening", reopens the slots, then opens the shared word (a *releasing* operation).
    /// See ``RundownRef/reInitialize()``.
    ///
    /// - Precondition: Run-down has completed. Otherwise traps with a message naming the state.
    public func reInitialize() {
        storage.reInitialize { state }
    }
}
