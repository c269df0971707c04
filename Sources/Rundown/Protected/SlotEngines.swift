// SPDX-License-Identifier: Apache-2.0

/// The run-down protection of a ``RundownProtected``'s two slots, one engine each, reached by slot number: the one
/// place that turns a slot number into an engine, so that every operation on "the slot's engine" is written once.
@usableFromInline
struct SlotEngines: ~Copyable, Sendable {
    /// Slot 0's engine.
    @usableFromInline
    let first: RundownEngine

    /// Slot 1's engine.
    @usableFromInline
    let second: RundownEngine

    /// Slot 0 open (it holds the initial value), slot 1 completed (idle).
    init(recordingHolders: Bool, name: String?) {
        first = RundownEngine(
            recordingHolders: recordingHolders,
            name: name,
            kind: "RundownProtected",
            reportsMetrics: false
        )
        second = RundownEngine(
            recordingHolders: recordingHolders,
            name: name,
            kind: "RundownProtected",
            reportsMetrics: false
        )
        second.beginRundown()
    }

    /// Runs `body` with the engine of `slot` (0 or 1).
    @inlinable
    @inline(__always)
    @discardableResult
    borrowing func with<Result: ~Copyable, Failure: Error>(
        _ slot: Int,
        _ body: (borrowing RundownEngine) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        slot == 0 ? try body(first) : try body(second)
    }

    /// Runs the asynchronous `body` with the engine of `slot` (0 or 1).
    borrowing func with<Result>(_ slot: Int, _ body: (borrowing RundownEngine) async -> Result) async -> Result {
        slot == 0 ? await body(first) : await body(second)
    }

    /// Runs `body` with each engine and combines the two results.
    borrowing func both<Result>(
        _ body: (borrowing RundownEngine) -> Result,
        _ combine: (Result, Result) -> Result
    ) -> Result {
        combine(body(first), body(second))
    }
}
