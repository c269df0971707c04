// SPDX-License-Identifier: Apache-2.0

extension CacheAwareRundownRef {
    /// Acquires run-down protection for one holder, in the slot of the CPU the caller runs on.
    ///
    /// Never blocks and never allocates: reads the current CPU, then one compare-and-swap on that slot (an
    /// *acquiring* operation). The guard remembers the slot, so its release touches the same cache line wherever
    /// it happens.
    ///
    /// - Throws: ``RundownError/rundownInProgress`` once run-down has begun.
    /// - Precondition: The slot does not already have ``maximumHoldersPerSlot`` holders.
    @inlinable
    public func tryAcquire() throws(RundownError) -> RundownGuard {
        let index = currentSlot
        guard acquire(units: RundownWord.holderUnit, slot: index) else { throw .rundownInProgress }
        return RundownGuard(cacheAware: self, slot: index, units: RundownWord.holderUnit)
    }

    /// Acquires run-down protection for `count` holders at once, all or nothing, in the caller's slot.
    ///
    /// - Throws: ``RundownError/rundownInProgress`` once run-down has begun; nothing is acquired then.
    /// - Precondition: `count` is positive and the slot's count stays at most ``maximumHoldersPerSlot``.
    @inlinable
    public func tryAcquire(count: Int) throws(RundownError) -> RundownGuard {
        let units = RundownWord.units(forCount: count)
        let index = currentSlot
        guard acquire(units: units, slot: index) else { throw .rundownInProgress }
        return RundownGuard(cacheAware: self, slot: index, units: units)
    }

    /// Runs `body` under run-down protection.
    ///
    /// Costs reading the current CPU, one compare-and-swap before `body` and one atomic subtract after it, both on
    /// the caller's slot: no lock, no allocation, no reference counting. Released however `body` exits. `body` may
    /// return a non-copyable value and throw a typed error, as with ``RundownRef/withProtection(_:)``.
    ///
    /// - Returns: What `body` returns.
    /// - Throws: ``RundownError/rundownInProgress`` (without running `body`) once run-down has begun, or what
    ///   `body` throws.
    @inlinable
    public func withProtection<Result: ~Copyable, Failure: Error>(
        _ body: () throws(Failure) -> Result
    ) throws -> Result {
        let index = currentSlot
        guard acquire(units: RundownWord.holderUnit, slot: index) else { throw RundownError.rundownInProgress }
        defer { release(units: RundownWord.holderUnit, slot: index) }
        return try body()
    }

    /// Runs `body` under run-down protection unless run-down has begun; the shape of `Mutex.withLockIfAvailable`.
    ///
    /// Costs what ``withProtection(_:)`` costs and throws exactly what `body` throws.
    ///
    /// - Returns: What `body` returns, or `nil` (without running `body`) once run-down has begun.
    /// - Throws: Only what `body` throws.
    @inlinable
    public func withProtectionIfAvailable<Result: ~Copyable, Failure: Error>(
        _ body: () throws(Failure) -> sending Result
    ) throws(Failure) -> sending Result? {
        let index = currentSlot
        guard acquire(units: RundownWord.holderUnit, slot: index) else { return nil }
        defer { release(units: RundownWord.holderUnit, slot: index) }
        return try body()
    }

    /// Runs the asynchronous `body` under run-down protection.
    ///
    /// The protection counts in the slot where it was acquired and is released there, even if the task resumes on
    /// another CPU. Released however `body` exits, also when its task is cancelled.
    ///
    /// - Parameters:
    ///   - isolation: The actor `body` runs on; the caller's, by default.
    ///   - body: The work to do while protected.
    /// - Throws: ``RundownError/rundownInProgress`` (without running `body`) once run-down has begun, or what
    ///   `body` throws.
    @inlinable
    public func withProtection<Result: ~Copyable, Failure: Error>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws(Failure) -> Result
    ) async throws -> Result {
        let index = currentSlot
        guard acquire(units: RundownWord.holderUnit, slot: index) else { throw RundownError.rundownInProgress }
        defer { release(units: RundownWord.holderUnit, slot: index) }
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
    public func withProtectionIfAvailable<Result: ~Copyable, Failure: Error>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws(Failure) -> sending Result
    ) async throws(Failure) -> sending Result? {
        let index = currentSlot
        guard acquire(units: RundownWord.holderUnit, slot: index) else { return nil }
        defer { release(units: RundownWord.holderUnit, slot: index) }
        return try await body()
    }
}
