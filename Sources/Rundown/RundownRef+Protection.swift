extension RundownRef {
    /// Acquires run-down protection for one holder; the seed crate's `try_acquire`.
    ///
    /// Never blocks and never allocates: one compare-and-swap on success (an *acquiring* operation), a plain load on
    /// failure, which leaves the object untouched. The guard retains the ``RundownRef``; prefer
    /// ``withProtection(_:)`` when the protected work is one scope.
    ///
    /// - Returns: A guard that releases the protection when it goes out of scope.
    /// - Throws: ``RundownError/rundownInProgress`` once run-down has begun.
    /// - Precondition: The object does not already have 2^32 - 1 holders.
    @inlinable
    public func tryAcquire() throws(RundownError) -> RundownGuard {
        guard acquire(units: RundownWord.holderUnit) else { throw .rundownInProgress }
        return RundownGuard(rundown: self, units: RundownWord.holderUnit)
    }

    /// Acquires run-down protection for `count` holders at once, all or nothing; NT's
    /// `ExAcquireRundownProtectionEx`.
    ///
    /// Costs the same as ``tryAcquire()``. The returned guard releases all `count` holders together.
    ///
    /// - Throws: ``RundownError/rundownInProgress`` once run-down has begun; nothing is acquired then.
    /// - Precondition: `count` is positive and the holder count stays at most 2^32 - 1.
    @inlinable
    public func tryAcquire(count: Int) throws(RundownError) -> RundownGuard {
        let units = RundownWord.units(forCount: count)
        guard acquire(units: units) else { throw .rundownInProgress }
        return RundownGuard(rundown: self, units: units)
    }

    /// Runs `body` under run-down protection; the everyday way to use the protected object.
    ///
    /// Costs one compare-and-swap before `body` and one atomic subtract after it: no lock, no allocation, no
    /// reference counting. Protection is released however `body` exits, also when it throws.
    ///
    /// - Returns: What `body` returns.
    /// - Throws: ``RundownError/rundownInProgress`` (without running `body`) once run-down has begun, or what
    ///   `body` throws.
    @inlinable
    public func withProtection<R>(_ body: () throws -> R) throws -> R {
        guard acquire(units: RundownWord.holderUnit) else { throw RundownError.rundownInProgress }
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
    /// - Throws: ``RundownError/rundownInProgress`` (without running `body`) once run-down has begun, or what
    ///   `body` throws.
    @inlinable
    public func withProtection<R>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> R
    ) async throws -> R {
        guard acquire(units: RundownWord.holderUnit) else { throw RundownError.rundownInProgress }
        defer { release(units: RundownWord.holderUnit) }
        return try await body()
    }
}
