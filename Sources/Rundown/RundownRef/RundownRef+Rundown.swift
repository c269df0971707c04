// SPDX-License-Identifier: Apache-2.0

// Run-down of a `RundownRef` is its engine's run-down; see `RundownEngine+Rundown.swift` for the behaviour in full.
extension RundownRef {
    /// Begins run-down without waiting: from now on every acquisition fails.
    ///
    /// Idempotent and callable from any thread; if there are no holders, the generation completes right here. One
    /// atomic read-modify-write (*acquiring and releasing*); never blocks. See
    /// ``RundownEngine/beginRundown()``.
    ///
    /// - Returns: `true` if this call began the run-down; `false` if it had already begun (or completed).
    @discardableResult
    public func beginRundown() -> Bool {
        engine.beginRundown()
    }

    /// Begins run-down without waiting and runs `onCompletion` once, when this generation's run-down completes
    /// (at once if it has), never under an internal lock. See ``RundownEngine/beginRundown(onCompletion:)``.
    public func beginRundown(onCompletion: @escaping @Sendable () -> Void) {
        engine.beginRundown(onCompletion: onCompletion)
    }

    /// Begins run-down and blocks the calling thread until every holder has released; the seed crate's
    /// `wait_for_rundown`.
    ///
    /// Any number of waiters; idempotent; returns once *its* generation completes; returning is an *acquiring*
    /// operation. Blocks on a condition variable, never spins. See ``RundownEngine/waitForRundown()-56e4y``.
    @available(*, noasync, message: "blocks the thread until the last holder leaves; use the async form in async code")
    public func waitForRundown() {
        engine.waitForRundown()
    }

    /// Begins run-down and blocks the calling thread until every holder has released or `timeout` has passed.
    ///
    /// - Returns: `true` if run-down completed; `false` if the deadline came first (run-down stays begun). See
    ///   ``RundownEngine/waitForRundown(timeout:)-2ld8h``.
    @available(*, noasync, message: "blocks the thread until the last holder leaves; use the async form in async code")
    public func waitForRundown(timeout: Duration) -> Bool {
        engine.waitForRundown(timeout: timeout)
    }

    /// Begins run-down and suspends the calling task until every holder has released; cancellation does not end
    /// the wait. See ``RundownEngine/waitForRundown()-5xp8u``.
    public func waitForRundown() async {
        await engine.waitForRundown()
    }

    /// Begins run-down and suspends the calling task until every holder has released, `timeout` has passed, or the
    /// task is cancelled.
    ///
    /// - Returns: `true` if run-down completed; `false` at the deadline or as soon as the task is cancelled. See
    ///   ``RundownEngine/waitForRundown(timeout:)-s83p``.
    public func waitForRundown(timeout: Duration) async -> Bool {
        await engine.waitForRundown(timeout: timeout)
    }

    /// Opens a new generation after run-down has completed: acquisitions succeed again; the seed crate's
    /// `re_init`. A *releasing* operation.
    ///
    /// - Precondition: Run-down has completed (``state`` is ``RundownState/completed``); otherwise traps with a
    ///   message naming the state. See ``RundownEngine/reInitialize()``.
    public func reInitialize() {
        engine.reInitialize()
    }
}
