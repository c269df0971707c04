// SPDX-License-Identifier: Apache-2.0

/// The surface shared by the run-down protection classes, for code that works with either.
///
/// Every requirement has the meaning, cost and memory ordering documented on ``RundownRef``. Generic code calling
/// the asynchronous ``withProtection(isolation:_:)`` through this protocol passes `isolation: #isolation`
/// explicitly; on the concrete types it is defaulted. ``RundownEngine`` has the same members but is not a class
/// (it is embedded, and has no guard), so it does not conform.
public protocol RundownProtection: AnyObject, Sendable {
    /// The type of the fenced-off unguarded acquire/release pair.
    associatedtype UnsafeProtection: RundownUnsafeProtection
    /// Acquires protection for one holder; throws ``RundownError/rundownInProgress`` once run-down has begun.
    func tryAcquire() throws(RundownError) -> RundownGuard
    /// Acquires protection for `count` holders, all or nothing.
    func tryAcquire(count: Int) throws(RundownError) -> RundownGuard
    /// Runs `body` under protection.
    func withProtection<Result: ~Copyable, Failure: Error>(_ body: () throws(Failure) -> Result) throws -> Result
    /// Runs `body` under protection unless run-down has begun; `nil` then. Throws only what `body` throws.
    func withProtectionIfAvailable<Result: ~Copyable, Failure: Error>(
        _ body: () throws(Failure) -> sending Result
    ) throws(Failure) -> sending Result?
    /// Runs the asynchronous `body` under protection, on `isolation`.
    func withProtection<Result: ~Copyable, Failure: Error>(
        isolation: isolated (any Actor)?,
        _ body: () async throws(Failure) -> Result
    ) async throws -> Result
    /// Runs the asynchronous `body` under protection unless run-down has begun, on `isolation`; `nil` then.
    func withProtectionIfAvailable<Result: ~Copyable, Failure: Error>(
        isolation: isolated (any Actor)?,
        _ body: () async throws(Failure) -> sending Result
    ) async throws(Failure) -> sending Result?
    /// Begins run-down without waiting; `true` if this call began it.
    @discardableResult
    func beginRundown() -> Bool
    /// Begins run-down and runs `onCompletion` once when this generation completes.
    func beginRundown(onCompletion: @escaping @Sendable () -> Void)
    /// Begins run-down and blocks until it completes.
    @available(*, noasync, message: "blocks the thread until the last holder leaves; use the async form in async code")
    func waitForRundown()
    /// Begins run-down and blocks until it completes or `timeout` passes; `false` at the deadline.
    @available(*, noasync, message: "blocks the thread until the last holder leaves; use the async form in async code")
    func waitForRundown(timeout: Duration) -> Bool
    /// Begins run-down and suspends until it completes; cancellation does not end it.
    func waitForRundown() async
    /// Begins run-down and suspends until it completes, `timeout` passes or the task is cancelled.
    func waitForRundown(timeout: Duration) async -> Bool
    /// Opens a new generation after run-down completed; traps otherwise.
    func reInitialize()
    /// A snapshot of the state, for diagnostics.
    var state: RundownState { get }
    /// The unguarded acquire/release pair, for protection that must cross a boundary no guard can.
    var unsafe: UnsafeProtection { get }
}

/// The unguarded acquire/release pair of a run-down protection type, reached through its `unsafe` view.
public protocol RundownUnsafeProtection: Sendable {
    /// Acquires protection for `count` holders, all or nothing; `false` once run-down has begun.
    func tryAcquire(count: Int) -> Bool
    /// Releases `count` holders acquired earlier with ``tryAcquire(count:)``; traps on releasing more.
    func release(count: Int)
}

extension RundownRef: RundownProtection {}

extension RundownRef.UnsafeProtection: RundownUnsafeProtection {}

extension CacheAwareRundownRef: RundownProtection {}
