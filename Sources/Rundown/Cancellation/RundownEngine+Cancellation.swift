// SPDX-License-Identifier: Apache-2.0

/// Grace, then cancel: holders that opt in are cancelled (Swift task cancellation) when a run-down asks for it,
/// typically after a grace period; the others never are. This is what swift-service-lifecycle's
/// `cancelWhenGracefulShutdown` and tokio's `CancellationToken` give users by hand, here as one call on each side.
extension RundownEngine {
    /// Runs `body` under run-down protection in a child task that a run-down may cancel.
    ///
    /// The holder counts like any other: a run-down waits for it. In addition, when a run-down of its generation
    /// asks for cancellation (``cancelCancellableHolders()``, or ``waitForRundown(gracePeriod:)`` once its grace
    /// period is over), the child task running `body` is cancelled; `body` sees `Task.isCancelled`, and
    /// cancellation-aware calls in it throw `CancellationError`. A holder that starts after cancellation was asked
    /// for starts cancelled. Cancelling the calling task cancels `body` too.
    ///
    /// Costs a task group with two child tasks and, on first use, the waiter store: use it for long-running
    /// holders (a request, a stream), not for short critical sections. Acquiring and releasing order memory as
    /// ``withProtection(fileID:line:function:_:)`` does.
    ///
    /// - Parameters:
    ///   - fileID: The acquiring file, for holder reports; leave the default (`#fileID`).
    ///   - line: The acquiring line; leave the default (`#line`).
    ///   - function: The acquiring function; leave the default (`#function`).
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
        let site = HolderSite(fileID: fileID, line: line, function: function)
        guard let token = acquireCancellable(units: RundownWord.holderUnit, site: site) else {
            throw RundownError.rundownInProgress
        }
        defer { release(units: RundownWord.holderUnit, token: token) }
        return try await runCancellable(body)
    }

    /// Asks every cancellable holder of the current generation (``withCancellableProtection(fileID:line:function:_:)``)
    /// to cancel its work; holders that start in this generation later start cancelled. Other holders are not
    /// touched. Does not begin run-down by itself.
    public borrowing func cancelCancellableHolders() {
        requestCancellation(generation: RundownWord(rawValue: word.load(ordering: .acquiring)).generation)
    }

    /// Begins run-down, waits up to `gracePeriod` for the holders to leave, then cancels the cancellable holders
    /// still inside and waits until everyone has left.
    ///
    /// Holders that did not opt in to cancellation are waited for, never cancelled. Cancelling the calling task ends
    /// the grace period early; the wait after it is not cancellable (use ``waitForRundown(gracePeriod:timeout:)``).
    /// Returning is an *acquiring* operation, as for ``waitForRundown()-56e4y``.
    public borrowing func waitForRundown(gracePeriod: Duration) async {
        await waitSuspending(for: close().generation, gracePeriod: gracePeriod)
    }

    /// Begins run-down, waits up to `gracePeriod` for the holders to leave, cancels the cancellable holders still
    /// inside, and waits for everyone until `timeout` (counted from the call) has passed or the task is cancelled.
    ///
    /// - Returns: `true` if run-down completed; `false` at the deadline (run-down stays begun; ask
    ///   ``holderReport()`` who is still inside).
    public borrowing func waitForRundown(gracePeriod: Duration, timeout: Duration) async -> Bool {
        await waitSuspending(for: close().generation, gracePeriod: gracePeriod, timeout: timeout)
    }

    // MARK: Shared with the cache-aware type, whose generations this engine completes

    /// Acquires for a cancellable holder: ``acquire(units:site:kind:)``, recorded (if the engine records) as
    /// cancellable.
    borrowing func acquireCancellable(units: UInt64, site: HolderSite) -> HolderToken? {
        acquire(units: units, site: site, kind: .cancellable)
    }

    /// Runs `body` as a cancellable holder of the current generation. The caller holds protection, so the generation
    /// cannot complete and cannot change while `body` runs.
    borrowing func runCancellable<Result: Sendable>(
        _ body: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        let generation = RundownWord(rawValue: word.load(ordering: .relaxed)).generation
        return try await waiterStore().runCancellable(generation: generation, body)
    }

    /// Asks the cancellable holders of `generation` to cancel.
    borrowing func requestCancellation(generation: UInt32) {
        waiterStore().requestCancellation(generation: generation)
    }

    /// Waits up to `gracePeriod` for `generation` to complete, cancels its cancellable holders, and waits on.
    borrowing func waitSuspending(for generation: UInt32, gracePeriod: Duration) async {
        if await waitSuspending(for: generation, timeout: gracePeriod) { return }
        requestCancellation(generation: generation)
        await waitSuspending(for: generation)
    }

    /// As ``waitSuspending(for:gracePeriod:)``, giving up when `timeout` (from now) passes or the task is cancelled.
    borrowing func waitSuspending(for generation: UInt32, gracePeriod: Duration, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        if await waitSuspending(for: generation, timeout: min(gracePeriod, timeout)) { return true }
        requestCancellation(generation: generation)
        return await waitSuspending(for: generation, timeout: ContinuousClock.now.duration(to: deadline))
    }
}
