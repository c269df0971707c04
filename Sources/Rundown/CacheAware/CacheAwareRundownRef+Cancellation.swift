// SPDX-License-Identifier: Apache-2.0

// Grace, then cancel, for a `CacheAwareRundownRef`: a cancellable holder counts in the slots like any other; the
// cancellation requests live in the shared engine, whose generations are this object's.
extension CacheAwareRundownRef {
    /// Runs `body` under run-down protection in a child task that a run-down may cancel (task cancellation).
    ///
    /// Counts in the caller's slot like ``withProtection(fileID:line:function:_:)``; in addition, costs a task
    /// group with two child tasks and the shared waiter store. See
    /// ``RundownEngine/withCancellableProtection(fileID:line:function:_:)``.
    ///
    /// - Throws: ``RundownError/rundownInProgress`` (without running `body`) once run-down has begun, or what
    ///   `body` throws.
    public func withCancellableProtection<Result: Sendable>(
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function,
        _ body: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        let path = pathFields
        let site = HolderSite(fileID: fileID, line: line, function: function)
        guard let acquisition = storage.acquireCancellable(units: RundownWord.holderUnit, site: site, path: path) else {
            throw RundownError.rundownInProgress
        }
        defer { storage.release(units: RundownWord.holderUnit, acquisition: acquisition, path: path) }
        // While this holder is inside, the shared engine cannot complete its generation, so it reads the right one.
        return try await storage.shared.runCancellable(body)
    }

    /// Cancels the cancellable holders of the current generation; later ones of it start cancelled. Does not begin
    /// run-down. See ``RundownEngine/cancelCancellableHolders()``.
    public func cancelCancellableHolders() {
        storage.shared.cancelCancellableHolders()
    }

    /// Begins run-down, waits up to `gracePeriod`, cancels the cancellable holders still inside, and waits for
    /// everyone to leave. See ``RundownEngine/waitForRundown(gracePeriod:)``.
    public func waitForRundown(gracePeriod: Duration) async {
        await storage.shared.waitSuspending(for: storage.close().generation, gracePeriod: gracePeriod)
    }

    /// Begins run-down, waits up to `gracePeriod`, cancels the cancellable holders still inside, and waits until
    /// `timeout` (from the call) or task cancellation.
    ///
    /// - Returns: `true` if run-down completed; `false` at the deadline (ask ``holderReport()`` who is inside).
    public func waitForRundown(gracePeriod: Duration, timeout: Duration) async -> Bool {
        await storage.shared.waitSuspending(
            for: storage.close().generation,
            gracePeriod: gracePeriod,
            timeout: timeout
        )
    }
}
