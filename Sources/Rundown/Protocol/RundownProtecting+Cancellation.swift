// SPDX-License-Identifier: Apache-2.0

// Grace, then cancel: holders that opt in are cancelled (Swift task cancellation) when a run-down asks for it,
// typically after a grace period; the others never are. This is what swift-service-lifecycle's
// `cancelWhenGracefulShutdown` and tokio's `CancellationToken` give users by hand, here as one call on each side.
extension RundownProtecting where Self: ~Copyable {
    /// Runs `body` under run-down protection in a child task that a run-down may cancel.
    ///
    /// The holder counts like any other: a run-down waits for it. In addition, when a run-down of its generation
    /// asks for cancellation (``cancelCancellableHolders()``, or ``waitForRundown(gracePeriod:)`` once its grace
    /// period is over), the child task running `body` is cancelled; `body` sees `Task.isCancelled`, and
    /// cancellation-aware calls in it throw `CancellationError`. A holder that starts after cancellation was asked
    /// for starts cancelled: `body` sees `Task.isCancelled` from its first instruction. Cancelling the calling task
    /// cancels `body` too.
    ///
    /// Costs a task group with two child tasks and, on first use, the store of cancellable holders: use it for
    /// long-running holders (a request, a stream), not for short critical sections. Acquiring and releasing order
    /// memory as ``withProtection(fileID:line:function:_:)`` does.
    ///
    /// - Parameters:
    ///   - fileID: Where the holder acquires, for holder reports; leave the default.
    ///   - line: Where the holder acquires, for holder reports; leave the default.
    ///   - function: Where the holder acquires, for holder reports; leave the default.
    ///   - body: The work to do while protected; runs in a child task, so it must be `@Sendable`.
    /// - Returns: What `body` returns.
    /// - Throws: ``RundownError/rundownInProgress`` (without running `body`) once run-down has begun, or what
    ///   `body` throws (`CancellationError` if it was cancelled and checks for it).
    public borrowing func withCancellableProtection<Result: Sendable>(
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function,
        _ body: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        let units = RundownWord.holderUnit
        guard
            let acquisition = _acquire(units: units, cancellable: true, fileID: fileID, line: line, function: function)
        else { throw RundownError.rundownInProgress }
        defer { _release(units: units, acquisition) }
        // While this holder is inside, its generation cannot complete, so the engine reads the right one.
        return try await _withCompletionEngineAsync { engine in try await engine.runCancellable(body) }
    }

    /// Asks every cancellable holder of the current generation (``withCancellableProtection(fileID:line:function:_:)``)
    /// to cancel its work; holders that start in this generation later start cancelled. Other holders are not
    /// touched. Does not begin run-down by itself.
    public borrowing func cancelCancellableHolders() {
        _withCompletionEngine { $0.requestCancellationOfCurrentGeneration() }
    }

    /// Begins run-down, waits up to `gracePeriod` for the holders to leave, then cancels the cancellable holders
    /// still inside and waits until everyone has left.
    ///
    /// Holders that did not opt in to cancellation are waited for, never cancelled. Cancelling the calling task ends
    /// the grace period early; the wait after it is not cancellable (use ``waitForRundown(gracePeriod:timeout:)``).
    /// Returning is an *acquiring* operation, as for the untimed `waitForRundown()`.
    public borrowing func waitForRundown(gracePeriod: Duration) async {
        let generation = _beginRundown().generation
        await _withCompletionEngineAsync { engine in
            _ = await engine.measuringWait(holdersInside: { 0 }) {
                await engine.waitSuspending(for: generation, gracePeriod: gracePeriod)
                return true
            }
        }
    }

    /// Begins run-down, waits up to `gracePeriod` for the holders to leave, cancels the cancellable holders still
    /// inside, and waits for everyone until `timeout` (counted from the call) has passed or the task is cancelled.
    ///
    /// - Returns: `true` if run-down completed; `false` at the deadline (run-down stays begun; ask
    ///   ``holderReport()`` who is still inside).
    public borrowing func waitForRundown(gracePeriod: Duration, timeout: Duration) async -> Bool {
        let generation = _beginRundown().generation
        return await _withCompletionEngineAsync { engine in
            await engine.measuringWait(holdersInside: { _state.holderCount }) {
                await engine.waitSuspending(for: generation, gracePeriod: gracePeriod, timeout: timeout)
            }
        }
    }
}
