// SPDX-License-Identifier: Apache-2.0

// Timed waits that hand back who is still inside when they give up: the wait of the same name, then a holder report
// taken at the deadline.

extension RundownEngine {
    /// Begins run-down and blocks until every holder has released or `timeout` has passed; at the deadline, returns
    /// who is still inside.
    ///
    /// Costs what ``waitForRundown(timeout:)-2ld8h`` costs, plus ``holderReport()`` when it gives up.
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

extension RundownProtection {
    /// Begins run-down and blocks until every holder has released or `timeout` has passed; at the deadline, returns
    /// who is still inside (``RundownHolderReport``).
    ///
    /// - Returns: `nil` if run-down completed; otherwise the holder report taken at the deadline (run-down stays
    ///   begun).
    @available(*, noasync, message: "blocks the thread until the last holder leaves; use the async form in async code")
    public func waitForRundownReportingHolders(timeout: Duration) -> RundownHolderReport? {
        waitForRundown(timeout: timeout) ? nil : holderReport()
    }

    /// Begins run-down and suspends until every holder has released, `timeout` has passed, or the task is cancelled;
    /// when it gives up, returns who is still inside.
    ///
    /// - Returns: `nil` if run-down completed; otherwise the holder report taken when the wait gave up.
    public func waitForRundownReportingHolders(timeout: Duration) async -> RundownHolderReport? {
        await waitForRundown(timeout: timeout) ? nil : holderReport()
    }
}
