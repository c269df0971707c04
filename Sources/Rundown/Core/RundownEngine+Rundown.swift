// SPDX-License-Identifier: Apache-2.0

extension RundownEngine {
    /// Begins run-down without waiting: from now on every acquisition fails.
    ///
    /// Idempotent and callable from any thread; does nothing if run-down has already begun or completed. If there
    /// are no holders, the generation completes right here. One atomic read-modify-write (*acquiring and
    /// releasing*); never blocks.
    ///
    /// - Returns: `true` if this call began the run-down; `false` if it had already begun (or completed).
    @discardableResult
    public borrowing func beginRundown() -> Bool {
        close().began
    }

    /// Begins run-down without waiting and runs `onCompletion` once this generation's run-down completes.
    ///
    /// The callback runs exactly once: on the thread whose release completes the run-down, or right here, before
    /// this method returns, if the generation has already completed (also when the engine was re-initialized
    /// since). It never runs under an internal lock, so it may use the engine, for example to ``reInitialize()``
    /// it. Everything every holder did happens-before the callback runs. Keep it short: it runs on a releasing
    /// thread.
    ///
    /// Costs what ``beginRundown()`` costs, plus (if holders remain) one lock and, the first time, the allocation
    /// of the waiter store.
    public borrowing func beginRundown(onCompletion: @escaping @Sendable () -> Void) {
        keepCallback(onCompletion, for: close().generation)
    }

    /// Begins run-down and blocks the calling thread until every holder has released; the seed crate's
    /// `wait_for_rundown`.
    ///
    /// Any number of threads and tasks may wait at once. Idempotent: returns at once when run-down has already
    /// completed. A waiter returns once *its* generation completes, even if the engine is re-initialized (or run
    /// down again) before the waiter gets to run. Returning is an *acquiring* operation: everything every holder
    /// did happens-before it.
    ///
    /// Blocks on a pthread condition variable (never spins); the first wait that has to block allocates the
    /// waiter store. Unavailable from `async` code, which gets the suspending overload of the same name.
    @available(*, noasync, message: "blocks the thread until the last holder leaves; use the async form in async code")
    public borrowing func waitForRundown() {
        _ = waitBlocking(for: close().generation, until: nil)
    }

    /// Begins run-down and blocks the calling thread until every holder has released or `timeout` has passed.
    ///
    /// A timeout does not undo anything: run-down stays begun, acquisitions keep failing, and waiting again
    /// continues where this wait stopped. Otherwise behaves like ``waitForRundown()-56e4y``.
    ///
    /// - Parameter timeout: How long to wait at most, on the monotonic clock; zero or negative only checks.
    /// - Returns: `true` if run-down completed; `false` if the deadline came first.
    @available(*, noasync, message: "blocks the thread until the last holder leaves; use the async form in async code")
    public borrowing func waitForRundown(timeout: Duration) -> Bool {
        waitBlocking(for: close().generation, until: MonotonicDeadline(fromNow: timeout))
    }

    /// Begins run-down and suspends the calling task until every holder has released.
    ///
    /// Like ``waitForRundown()-56e4y`` but suspends instead of blocking a thread. Cancellation does not end the
    /// wait early: a run-down must not be abandoned half-way, and the caller is about to tear the object down. Use
    /// ``waitForRundown(timeout:)-s83p`` to give up.
    public borrowing func waitForRundown() async {
        await waitSuspending(for: close().generation)
    }

    /// Begins run-down and suspends the calling task until every holder has released, `timeout` has passed, or the
    /// task is cancelled.
    ///
    /// On a timeout or cancellation the waiter's record is removed at once (nothing is leaked and nothing resumes
    /// it later) and run-down stays begun. If run-down has already completed, returns `true` even when the task is
    /// cancelled. Waiting with a deadline costs a child task for the timer (a `Task.sleep`); when the wait ends before
    /// its deadline, the Swift runtime keeps that sleep's timer queued (a few allocations) until the deadline passes,
    /// so prefer deadlines of seconds to hours when waits are frequent and usually end early.
    ///
    /// - Returns: `true` if run-down completed; `false` at the deadline or as soon as the task is cancelled.
    public borrowing func waitForRundown(timeout: Duration) async -> Bool {
        await waitSuspending(for: close().generation, timeout: timeout)
    }

    /// Opens a new generation after run-down has completed: acquisitions succeed again; the seed crate's
    /// `re_init`.
    ///
    /// A *releasing* operation: everything done before it is visible to every later holder. Waiters of the
    /// completed generation still return (they may not have run yet).
    ///
    /// - Precondition: Run-down has completed (``state`` is ``RundownState/completed``). Re-initializing an active
    ///   engine or one with holders left is a programming error and traps with a message naming the state.
    public borrowing func reInitialize() {
        let current = word.load(ordering: .relaxed)
        let completed = RundownWord(rawValue: current)
        if completed.isCompleted {
            let next = RundownWord.opened(generation: completed.generation &+ 1, recording: completed.isRecording)
            let (exchanged, _) = word.compareExchange(
                expected: current,
                desired: next.rawValue,
                successOrdering: .releasing,
                failureOrdering: .relaxed
            )
            if exchanged { return }
        }
        RundownMisuse.reInitialized(in: state)
    }
}
