// SPDX-License-Identifier: Apache-2.0

extension CacheAwareRundownRef {
    /// Acquires run-down protection for one holder, in the slot of the CPU the caller runs on.
    ///
    /// Never blocks and never allocates: one restartable sequence on the current CPU's slot, or one compare-and-swap
    /// on it (see ``FastPath``); an *acquiring* operation. The guard retains the slot's per-CPU anchor, not this
    /// object, so guards on different cores do not share a reference count.
    ///
    /// - Throws: ``RundownError/rundownInProgress`` once run-down has begun.
    /// - Precondition: The slot does not already have ``maximumHoldersPerSlot`` holders (atomic slots).
    @inlinable
    public func tryAcquire() throws(RundownError) -> RundownGuard {
        guard let slot = storage.acquireForGuard(units: RundownWord.holderUnit) else { throw .rundownInProgress }
        return RundownGuard(anchor: storage.anchorPointer(slot).pointee, units: RundownWord.holderUnit)
    }

    /// Acquires run-down protection for `count` holders at once, all or nothing, in the caller's slot.
    ///
    /// - Throws: ``RundownError/rundownInProgress`` once run-down has begun; nothing is acquired then.
    /// - Precondition: `count` is positive and the slot's count stays at most ``maximumHoldersPerSlot`` (atomic
    ///   slots).
    @inlinable
    public func tryAcquire(count: Int) throws(RundownError) -> RundownGuard {
        let units = RundownWord.units(forCount: count)
        guard let slot = storage.acquireForGuard(units: units) else { throw .rundownInProgress }
        return RundownGuard(anchor: storage.anchorPointer(slot).pointee, units: units)
    }

    /// Runs `body` under run-down protection.
    ///
    /// Costs one restartable sequence (or one compare-and-swap) before `body` and one after it, on the caller's
    /// slot: no lock, no allocation, no reference counting. Released however `body` exits. `body` may return a
    /// non-copyable value and throw a typed error, as with ``RundownRef/withProtection(_:)``.
    ///
    /// - Returns: What `body` returns.
    /// - Throws: ``RundownError/rundownInProgress`` (without running `body`) once run-down has begun, or what
    ///   `body` throws.
    @inlinable
    public func withProtection<Result: ~Copyable, Failure: Error>(
        _ body: () throws(Failure) -> Result
    ) throws -> Result {
        let path = pathFields
        guard let slot = storage.acquire(units: RundownWord.holderUnit, path: path) else {
            throw RundownError.rundownInProgress
        }
        defer { storage.release(units: RundownWord.holderUnit, slot: slot, path: path) }
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
        let path = pathFields
        guard let slot = storage.acquire(units: RundownWord.holderUnit, path: path) else { return nil }
        defer { storage.release(units: RundownWord.holderUnit, slot: slot, path: path) }
        return try body()
    }

    /// Runs the asynchronous `body` under run-down protection.
    ///
    /// The protection counts in the slot where it was acquired; a release after the task moved to another CPU is
    /// correct on both fast paths. Released however `body` exits, also when its task is cancelled.
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
        let path = pathFields
        guard let slot = storage.acquire(units: RundownWord.holderUnit, path: path) else {
            throw RundownError.rundownInProgress
        }
        defer { storage.release(units: RundownWord.holderUnit, slot: slot, path: path) }
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
        let path = pathFields
        guard let slot = storage.acquire(units: RundownWord.holderUnit, path: path) else { return nil }
        defer { storage.release(units: RundownWord.holderUnit, slot: slot, path: path) }
        return try await body()
    }
}
