// SPDX-License-Identifier: Apache-2.0

// Grace, then cancel, for a `RundownRef`: its engine's code; see `RundownEngine+Cancellation.swift`.
extension RundownRef {
    /// Runs `body` under run-down protection in a child task that a run-down may cancel (task cancellation).
    ///
    /// Holders that use this form are cancelled by ``cancelCancellableHolders()`` or, after its grace period, by
    /// ``waitForRundown(gracePeriod:)``; holders that use any other form never are. Costs a task group with two
    /// child tasks. See ``RundownEngine/withCancellableProtection(fileID:line:function:_:)``.
    ///
    /// - Throws: ``RundownError/rundownInProgress`` (without running `body`) once run-down has begun, or what
    ///   `body` throws.
    public func withCancellableProtection<Result: Sendable>(
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function,
        _ body: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        try await engine.withCancellableProtection(fileID: fileID, line: line, function: function, body)
    }

    /// Cancels the cancellable holders of the current generation; later ones of it start cancelled. Does not begin
    /// run-down. See ``RundownEngine/cancelCancellableHolders()``.
    public func cancelCancellableHolders() {
        engine.cancelCancellableHolders()
    }

    /// Begins run-down, waits up to `gracePeriod`, cancels the cancellable holders still inside, and waits for
    /// everyone to leave. See ``RundownEngine/waitForRundown(gracePeriod:)``.
    public func waitForRundown(gracePeriod: Duration) async {
        await engine.waitForRundown(gracePeriod: gracePeriod)
    }

    /// Begins run-down, waits up to `gracePeriod`, cancels the cancellable holders still inside, and waits until
    /// `timeout` (from the call) or task cancellation.
    ///
    /// - Returns: `true` if run-down completed; `false` at the deadline (ask ``holderReport()`` who is inside).
    public func waitForRundown(gracePeriod: Duration, timeout: Duration) async -> Bool {
        await engine.waitForRundown(gracePeriod: gracePeriod, timeout: timeout)
    }
}
