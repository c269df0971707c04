// SPDX-License-Identifier: Apache-2.0

extension RundownEngine {
    /// Runs `body` under run-down protection; the everyday way to use the protected object.
    ///
    /// Costs a load and one compare-and-swap before `body` and one atomic subtract after it: no lock, no
    /// allocation, no reference counting, no call. Protection is released however `body` exits, also when it
    /// throws. The acquisition is *acquiring*, the release *releasing* (see ``RundownEngine``).
    ///
    /// `body` may return a non-copyable value and throw a typed error; a refusal and `body`'s error both come back
    /// as `any Error`. Use ``withProtectionIfAvailable(_:)`` to keep `body`'s error type. Unlike
    /// `Mutex.withLock`, the result is not `sending`, so that a body may return state isolated to the caller's
    /// actor (which existing callers of ``RundownRef/withProtection(_:)`` do); ``withProtectionIfAvailable(_:)``
    /// returns a `sending` result.
    ///
    /// - Returns: What `body` returns.
    /// - Throws: ``RundownError/rundownInProgress`` (without running `body`) once run-down has begun, or what
    ///   `body` throws.
    @inlinable
    public borrowing func withProtection<Result: ~Copyable, Failure: Error>(
        _ body: () throws(Failure) -> Result
    ) throws -> Result {
        guard acquire(units: RundownWord.holderUnit) else { throw RundownError.rundownInProgress }
        defer { release(units: RundownWord.holderUnit) }
        return try body()
    }

    /// Runs `body` under run-down protection unless run-down has begun; the shape of `Mutex.withLockIfAvailable`.
    ///
    /// Costs what ``withProtection(_:)`` costs. Throws exactly what `body` throws, so a typed error stays typed.
    ///
    /// - Returns: What `body` returns, or `nil` (without running `body`) once run-down has begun.
    /// - Throws: Only what `body` throws.
    @inlinable
    public borrowing func withProtectionIfAvailable<Result: ~Copyable, Failure: Error>(
        _ body: () throws(Failure) -> sending Result
    ) throws(Failure) -> sending Result? {
        guard acquire(units: RundownWord.holderUnit) else { return nil }
        defer { release(units: RundownWord.holderUnit) }
        return try body()
    }

    /// Runs the asynchronous `body` under run-down protection.
    ///
    /// Costs the same as the synchronous form. The protection is held across suspension points and released
    /// however `body` exits: when it returns, throws, or throws because its task was cancelled. A run-down waiting
    /// meanwhile waits for `body` to finish.
    ///
    /// - Parameters:
    ///   - isolation: The actor `body` runs on; the caller's, by default.
    ///   - body: The work to do while protected.
    /// - Returns: What `body` returns.
    /// - Throws: ``RundownError/rundownInProgress`` (without running `body`) once run-down has begun, or what
    ///   `body` throws.
    @inlinable
    public borrowing func withProtection<Result: ~Copyable, Failure: Error>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws(Failure) -> Result
    ) async throws -> Result {
        guard acquire(units: RundownWord.holderUnit) else { throw RundownError.rundownInProgress }
        defer { release(units: RundownWord.holderUnit) }
        return try await body()
    }

    /// Runs the asynchronous `body` under run-down protection unless run-down has begun.
    ///
    /// - Parameters:
    ///   - isolation: The actor `body` runs on; the caller's, by default.
    ///   - body: The work to do while protected.
    /// - Returns: What `body` returns, or `nil` (without running `body`) once run-down has begun.
    /// - Throws: Only what `body` throws.
    @inlinable
    public borrowing func withProtectionIfAvailable<Result: ~Copyable, Failure: Error>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws(Failure) -> sending Result
    ) async throws(Failure) -> sending Result? {
        guard acquire(units: RundownWord.holderUnit) else { return nil }
        defer { release(units: RundownWord.holderUnit) }
        return try await body()
    }

    /// Acquires protection for `count` holders, all or nothing, with nothing to release it automatically.
    ///
    /// For protection that must cross a boundary no closure can (a C callback, a completion handler that only
    /// takes a pointer). Every successful acquisition must be matched by exactly one ``unsafeRelease(count:)`` of
    /// the same count, on any thread. Costs and orderings are those of ``withProtection(_:)``.
    ///
    /// - Returns: `false` once run-down has begun; nothing was acquired then.
    /// - Precondition: `count` is positive and the holder count stays at most 2^32 - 1.
    @inlinable
    public borrowing func unsafeTryAcquire(count: Int = 1) -> Bool {
        acquire(units: RundownWord.units(forCount: count))
    }

    /// Releases `count` holders acquired earlier with ``unsafeTryAcquire(count:)``.
    ///
    /// - Precondition: At least `count` holders are inside; releasing more than was acquired traps with "run-down
    ///   protection released without a matching acquire".
    @inlinable
    public borrowing func unsafeRelease(count: Int = 1) {
        release(units: RundownWord.units(forCount: count))
    }
}
