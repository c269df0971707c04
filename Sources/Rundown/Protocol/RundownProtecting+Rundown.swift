// SPDX-License-Identifier: Apache-2.0

extension RundownProtecting where Self: ~Copyable {
    /// Begins run-down without waiting: from now on every acquisition fails.
    ///
    /// Idempotent and callable from any thread; does nothing if run-down has already begun or completed. If there
    /// are no holders, the generation completes right here. Never blocks. ``RundownEngine`` and ``RundownRef``: one
    /// atomic read-modify-write (*acquiring and releasing*). ``CacheAwareRundownRef``: the first call closes every slot
    /// and folds their counts into the shared count (an atomic read-modify-write per slot on atomic slots; one
    /// `membarrier` system call and a load per slot on restartable sequences, see ``CacheAwareRundownRef/FastPath``);
    /// later calls cost one atomic load.
    ///
    /// - Returns: `true` if this call began the run-down; `false` if it had already begun (or completed).
    @discardableResult
    public borrowing func beginRundown() -> Bool {
        _beginRundown().began
    }

    /// Begins run-down without waiting and runs `onCompletion` once this generation's run-down completes.
    ///
    /// The callback runs exactly once: on the thread whose release completes the run-down, or right here, before
    /// this method returns, if the generation has already completed (also when the object was re-initialized
    /// since). It never runs under an internal lock, so it may use the object, for example to ``reInitialize()``
    /// it. Everything every holder did happens-before the callback runs. Keep it short: it runs on a releasing
    /// thread.
    ///
    /// Costs what ``beginRundown()`` costs, plus (if holders remain) one lock and, the first time, the allocation
    /// of the waiter store.
    public borrowing func beginRundown(onCompletion: @escaping @Sendable () -> Void) {
        let generation = _beginRundown().generation
        _withCompletionEngine { $0.keepCallback(onCompletion, for: generation) }
    }

    /// Begins run-down and blocks the calling thread until every holder has released; the seed crate's
    /// `wait_for_rundown`.
    ///
    /// Any number of threads and tasks may wait at once. Idempotent: returns at once when run-down has already
    /// completed. A waiter returns once *its* generation completes, even if the object is re-initialized (or run
    /// down again) before the waiter gets to run. Returning is an *acquiring* operation: everything every holder
    /// did happens-before it.
    ///
    /// Blocks on a pthread condition variable (never spins); the first wait that has to block allocates the
    /// waiter store. Unavailable from `async` code, which gets the suspending overload of the same name.
    @available(*, noasync, message: "blocks the thread until the last holder leaves; use the async form in async code")
    public borrowing func waitForRundown() {
        let generation = _beginRundown().generation
        _withCompletionEngine { engine in
            _ = engine.measuringWait(holdersInside: { 0 }) { engine.waitBlocking(for: generation, until: nil) }
        }
    }

    /// Begins run-down and blocks the calling thread until every holder has released or `timeout` has passed.
    ///
    /// A timeout does not undo anything: run-down stays begun, acquisitions keep failing, and waiting again
    /// continues where this wait stopped. Otherwise behaves like the untimed blocking `waitForRundown()`. The
    /// deadline is measured on a monotonic clock that stands still while the system sleeps.
    ///
    /// - Parameter timeout: How long to wait at most; zero or negative only checks.
    /// - Returns: `true` if run-down completed; `false` if the deadline came first.
    @available(*, noasync, message: "blocks the thread until the last holder leaves; use the async form in async code")
    public borrowing func waitForRundown(timeout: Duration) -> Bool {
        let deadline = MonotonicDeadline(fromNow: timeout)
        let generation = _beginRundown().generation
        return _withCompletionEngine { engine in
            engine.measuringWait(holdersInside: { _state.holderCount }) {
                engine.waitBlocking(for: generation, until: deadline)
            }
        }
    }

    /// Begins run-down and suspends the calling task until every holder has released.
    ///
    /// Like the blocking `waitForRundown()`, but suspends instead of blocking a thread. Cancellation does not end the
    /// wait early: a run-down must not be abandoned half-way, and the caller is about to tear the object down. Use
    /// `waitForRundown(timeout:)` or ``waitForRundown(gracePeriod:timeout:)`` to give up.
    public borrowing func waitForRundown() async {
        let generation = _beginRundown().generation
        await _withCompletionEngineAsync { engine in
            _ = await engine.measuringWait(holdersInside: { 0 }) {
                await engine.waitSuspending(for: generation)
                return true
            }
        }
    }

    /// Begins run-down and suspends the calling task until every holder has released, `timeout` has passed, or the
    /// task is cancelled.
    ///
    /// On a timeout or cancellation the waiter's record is removed at once (nothing is leaked and nothing resumes
    /// it later) and run-down stays begun. If run-down has already completed, returns `true` even when the task is
    /// cancelled. The deadline is measured on the clock of the blocking waits (monotonic, standing still while the
    /// system sleeps) by the process's one timer thread; the wait's timer is removed as soon as the wait ends, so a
    /// wait that ends long before its deadline leaves nothing behind.
    ///
    /// - Returns: `true` if run-down completed; `false` at the deadline or as soon as the task is cancelled.
    public borrowing func waitForRundown(timeout: Duration) async -> Bool {
        let generation = _beginRundown().generation
        return await _withCompletionEngineAsync { engine in
            await engine.measuringWait(holdersInside: { _state.holderCount }) {
                await engine.waitSuspending(for: generation, timeout: timeout)
            }
        }
    }

    /// Opens a new generation after run-down has completed: acquisitions succeed again; the seed crate's `re_init`.
    ///
    /// A *releasing* operation: everything done before it is visible to every later holder. Waiters of the
    /// completed generation still return (they may not have run yet). ``CacheAwareRundownRef`` marks its shared
    /// word "opening", reopens the slots, then opens the shared word.
    ///
    /// - Precondition: Run-down has completed (``state`` is ``RundownState/completed``). Re-initializing an active
    ///   object or one with holders left is a programming error and traps with a message naming the state.
    public borrowing func reInitialize() {
        _reInitialize()
    }

    /// A snapshot of the state, for diagnostics; racy by nature, never use it to decide whether to acquire.
    ///
    /// Costs one relaxed atomic load (``CacheAwareRundownRef``: a load of every slot).
    public var state: RundownState {
        _state
    }
}
