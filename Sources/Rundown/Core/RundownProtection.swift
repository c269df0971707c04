// SPDX-License-Identifier: Apache-2.0

/// The surface shared by the run-down protection classes, for code that works with either.
///
/// Every requirement has the meaning, cost and memory ordering documented on ``RundownRef``. The acquiring
/// requirements take the caller's site (`fileID`, `line`, `function`) for holder reports; the protocol extension gives
/// them the usual defaults, so generic code calls them as it calls the concrete types. Generic code calling the
/// asynchronous `withProtection(isolation:_:)` passes `isolation: #isolation` explicitly; on the concrete types it is
/// defaulted. ``RundownEngine`` has the same members but is not a class (it is embedded, and has no guard), so it does
/// not conform.
public protocol RundownProtection: AnyObject, Sendable {
    /// The type of the fenced-off unguarded acquire/release pair.
    associatedtype UnsafeProtection: RundownUnsafeProtection
    /// Acquires protection for one holder; throws ``RundownError/rundownInProgress`` once run-down has begun.
    func tryAcquire(fileID: StaticString, line: UInt, function: StaticString) throws(RundownError) -> RundownGuard
    /// Acquires protection for `count` holders, all or nothing.
    func tryAcquire(
        count: Int,
        fileID: StaticString,
        line: UInt,
        function: StaticString
    ) throws(RundownError) -> RundownGuard
    /// Runs `body` under protection.
    func withProtection<Result: ~Copyable, Failure: Error>(
        fileID: StaticString,
        line: UInt,
        function: StaticString,
        _ body: () throws(Failure) -> Result
    ) throws -> Result
    /// Runs `body` under protection unless run-down has begun; `nil` then. Throws only what `body` throws.
    func withProtectionIfAvailable<Result: ~Copyable, Failure: Error>(
        fileID: StaticString,
        line: UInt,
        function: StaticString,
        _ body: () throws(Failure) -> sending Result
    ) throws(Failure) -> sending Result?
    /// Runs the asynchronous `body` under protection, on `isolation`.
    func withProtection<Result: ~Copyable, Failure: Error>(
        isolation: isolated (any Actor)?,
        fileID: StaticString,
        line: UInt,
        function: StaticString,
        _ body: () async throws(Failure) -> Result
    ) async throws -> Result
    /// Runs the asynchronous `body` under protection unless run-down has begun, on `isolation`; `nil` then.
    func withProtectionIfAvailable<Result: ~Copyable, Failure: Error>(
        isolation: isolated (any Actor)?,
        fileID: StaticString,
        line: UInt,
        function: StaticString,
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
    /// Runs `body` under protection in a child task that a run-down may cancel.
    func withCancellableProtection<Result: Sendable>(
        fileID: StaticString,
        line: UInt,
        function: StaticString,
        _ body: @escaping @Sendable () async throws -> Result
    ) async throws -> Result
    /// Cancels the cancellable holders of the current generation, without beginning run-down.
    func cancelCancellableHolders()
    /// Begins run-down, waits `gracePeriod`, cancels the cancellable holders, and waits for everyone.
    func waitForRundown(gracePeriod: Duration) async
    /// As ``waitForRundown(gracePeriod:)``, giving up at `timeout` (from the call) or on cancellation; `false` then.
    func waitForRundown(gracePeriod: Duration, timeout: Duration) async -> Bool
    /// Opens a new generation after run-down completed; traps otherwise.
    func reInitialize()
    /// A snapshot of the state, for diagnostics.
    var state: RundownState { get }
    /// Who is inside: the recorded holders, oldest first (if the object records them), or how many there are.
    func holderReport() -> RundownHolderReport
    /// The unguarded acquire/release pair, for protection that must cross a boundary no guard can.
    var unsafe: UnsafeProtection { get }
}

extension RundownProtection {
    /// Acquires protection for one holder, recording the caller's site if the object records holders.
    @inlinable
    public func tryAcquire(
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function
    ) throws(RundownError) -> RundownGuard {
        try tryAcquire(fileID: fileID, line: line, function: function)
    }

    /// Acquires protection for `count` holders, all or nothing, recording the caller's site.
    @inlinable
    public func tryAcquire(
        count: Int,
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function
    ) throws(RundownError) -> RundownGuard {
        try tryAcquire(count: count, fileID: fileID, line: line, function: function)
    }

    /// Runs `body` under protection, recording the caller's site.
    @inlinable
    public func withProtection<Result: ~Copyable, Failure: Error>(
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function,
        _ body: () throws(Failure) -> Result
    ) throws -> Result {
        try withProtection(fileID: fileID, line: line, function: function, body)
    }

    /// Runs `body` under protection unless run-down has begun, recording the caller's site.
    @inlinable
    public func withProtectionIfAvailable<Result: ~Copyable, Failure: Error>(
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function,
        _ body: () throws(Failure) -> sending Result
    ) throws(Failure) -> sending Result? {
        try withProtectionIfAvailable(fileID: fileID, line: line, function: function, body)
    }

    /// Runs the asynchronous `body` under protection, on `isolation`, recording the caller's site.
    @inlinable
    public func withProtection<Result: ~Copyable, Failure: Error>(
        isolation: isolated (any Actor)?,
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function,
        _ body: () async throws(Failure) -> Result
    ) async throws -> Result {
        try await withProtection(isolation: isolation, fileID: fileID, line: line, function: function, body)
    }

    /// Runs the asynchronous `body` under protection unless run-down has begun, on `isolation`.
    @inlinable
    public func withProtectionIfAvailable<Result: ~Copyable, Failure: Error>(
        isolation: isolated (any Actor)?,
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function,
        _ body: () async throws(Failure) -> sending Result
    ) async throws(Failure) -> sending Result? {
        try await withProtectionIfAvailable(isolation: isolation, fileID: fileID, line: line, function: function, body)
    }

    /// Runs `body` under protection in a child task that a run-down may cancel, recording the caller's site.
    public func withCancellableProtection<Result: Sendable>(
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function,
        _ body: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        try await withCancellableProtection(fileID: fileID, line: line, function: function, body)
    }
}

/// The unguarded acquire/release pair of a run-down protection type, reached through its `unsafe` view.
public protocol RundownUnsafeProtection: Sendable {
    /// Acquires protection for `count` holders, all or nothing; `false` once run-down has begun.
    func tryAcquire(count: Int, fileID: StaticString, line: UInt, function: StaticString) -> Bool
    /// Releases `count` holders acquired earlier with `tryAcquire(count:)`; traps on releasing more.
    func release(count: Int)
}

extension RundownUnsafeProtection {
    /// Acquires protection for `count` holders, all or nothing, recording the caller's site.
    @inlinable
    public func tryAcquire(
        count: Int,
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function
    ) -> Bool {
        tryAcquire(count: count, fileID: fileID, line: line, function: function)
    }
}

extension RundownRef: RundownProtection {}

extension RundownRef.UnsafeProtection: RundownUnsafeProtection {}

extension CacheAwareRundownRef: RundownProtection {}
