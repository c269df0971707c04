// SPDX-License-Identifier: Apache-2.0

// Who is inside: the holder report, and the timed waits that hand one back when they give up.
extension RundownProtecting where Self: ~Copyable {
    /// Whether this object records its holders (it was created with `recordingHolders: true`).
    public var isRecordingHolders: Bool {
        _withCompletionEngine { $0.isRecording }
    }

    /// Who is inside right now: every outstanding holder, oldest first, if the object records them; otherwise only
    /// how many there are. See ``RundownHolderReport``.
    ///
    /// Takes the recorder's lock (an object that records) and costs a copy of the records; call it when a wait has
    /// given up or for diagnostics, not on a hot path.
    public borrowing func holderReport() -> RundownHolderReport {
        let recorded = _withCompletionEngine { $0.recordedHolders() }
        return RundownHolderReport(
            holders: recorded ?? [],
            isRecording: recorded != nil,
            holderCount: _state.holderCount,
            takenAt: .now
        )
    }

    /// Begins run-down and blocks until every holder has released or `timeout` has passed; at the deadline, returns
    /// who is still inside.
    ///
    /// Costs what the blocking `waitForRundown(timeout:)` costs, plus ``holderReport()`` when it gives
    /// up.
    ///
    /// - Returns: `nil` if run-down completed; otherwise the holder report taken at the deadline (run-down stays
    ///   begun).
    @available(*, noasync, message: "blocks the thread until the last holder leaves; use the async form in async code")
    public borrowing func waitForRundownReportingHolders(timeout: Duration) -> RundownHolderReport? {
        waitForRundown(timeout: timeout) ? nil : holderReport()
    }

    /// Begins run-down and suspends until every holder has released, `timeout` has passed, or the task is cancelled;
    /// when it gives up, returns who is still inside.
    ///
    /// - Returns: `nil` if run-down completed; otherwise the holder report taken when the wait gave up.
    public borrowing func waitForRundownReportingHolders(timeout: Duration) async -> RundownHolderReport? {
        await waitForRundown(timeout: timeout) ? nil : holderReport()
    }
}
