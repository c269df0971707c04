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
    public func tryAcquire(
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function
    ) throws(RundownError) -> RundownGuard {
        let site = HolderSite(fileID: fileID, line: line, function: function)
        guard let acquisition = storage.acquireForGuard(units: RundownWord.holderUnit, site: site) else {
            throw .rundownInProgress
        }
        return RundownGuard(
            anchor: storage.anchorPointer(acquisition.slot).pointee,
            units: RundownWord.holderUnit,
            token: acquisition.token
        )
    }

    /// Acquires run-down protection for `count` holders at once, all or nothing, in the caller's slot.
    ///
    /// - Throws: ``RundownError/rundownInProgress`` once run-down has begun; nothing is acquired then.
    /// - Precondition: `count` is positive and the slot's count stays at most ``maximumHoldersPerSlot`` (atomic
    ///   slots).
    @inlinable
    public func tryAcquire(
        count: Int,
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function
    ) throws(RundownError) -> RundownGuard {
        let units = RundownWord.units(forCount: count)
        let site = HolderSite(fileID: fileID, line: line, function: function)
        guard let acquisition = storage.acquireForGuard(units: units, site: site) else { throw .rundownInProgress }
        return RundownGuard(
            anchor: storage.anchorPointer(acquisition.slot).pointee,
            units: units,
            token: acquisition.token
        )
    }

    /// Runs `body` under run-down protection.
    ///
    /// Costs one restartable sequence (or one compare-and-swap) before `body` and one after it, on the caller's
    /// slot: no lock, no allocation, no reference counting. Released however `body` exits. `body` may return a
    /// non-copyable value and throw a typed error, as with ``RundownRef/withProtection(fileID:line:function:_:)``.
    ///
    /// - Returns: What `body` returns.
    /// - Throws: ``RundownError/rundownInProgress`` (without running `body`) once run-down has begun, or what
    ///   `body` throws.
    @inlinable
    public func withProtection<Result: ~Copyable, Failure: Error>(
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function,
        _ body: () throws(Failure) -> Result
    ) throws -> Result {
        let path = pathFields
        let site = HolderSite(fileID: fileID, line: line, function: function)
        guard let acquisition = storage.acquire(units: RundownWord.holderUnit, site: site, path: path) else {
            throw RundownError.rundownInProgress
        }
        defer { storage.release(units: RundownWord.holderUnit, acquisition: acquisition, path: path) }
        return try body()
    }

    /// Runs `body` under run-down protection unless run-down has begun; the shape of `Mutex.withLockIfAvailable`.
    ///
    /// Costs what ``withProtection(fileID:line:function:_:)`` costs and throws exactly what `body` throws.
    ///
    /// - Returns: What `body` returns, or `nil` (without running `body`) once run-down has begun.
    /// - Throws: Only what `body` throws.
    @inlinable
    public func withProtectionIfAvailable<Result: ~Copyable, Failure: Error>(
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function,
        _ body: () throws(Failure) -> sending Result
    ) throws(Failure) -> sending Result? {
        let path = pathFields
        let site = HolderSite(fileID: fileID, line: line, function: function)
        guard let acquisition = storage.acquire(units: RundownWord.holderUnit, site: site, path: path) else {
            return nil
        }
        defer { storage.release(units: RundownWord.holderUnit, acquisition: acquisition, path: path) }
        return try body()
    }

    /// Runs the asynchronous `body` under run-down protection.
    ///
    /// The protection counts in the slot where it was acquired; a release after the task moved to another CPU is
    /// correct on both fast paths. Released however `body` exits, also when its task is cancelled.
    ///
    /// - Parameters:
    ///   - isolation: The actor `body` runs on; the caller's, by default.
    ///   - fileID: The acquiring file, for holder reports; leave the default (`#fileID`).
    ///   - line: The acquiring line; leave the default (`#line`).
    ///   - function: The acquiring function; leave the default (`#function`).
    ///   - body: The work to do while protected.
    /// - Throws: ``RundownError/rundownInProgress`` (without running `body`) once run-down has begun, or what
    ///   `body` throws.
    @inlinable
    public func withProtection<Result: ~Copyable, Failure: Error>(
        isolation: isolated (any Actor)? = #isolation,
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function,
        _ body: () async throws(Failure) -> Result
    ) async throws -> Result {
        let path = pathFields
        let site = HolderSite(fileID: fileID, line: line, function: function)
        guard let acquisition = storage.acquire(units: RundownWord.holderUnit, site: site, path: path) else {
            throw RundownError.rundownInProgress
        }
        defer { storage.release(units: RundownWord.holderUnit, acquisition: acquisition, path: path) }
        return try await body()
    }

    /// Runs the asynchronous `body` under run-down protection unless run-down has begun.
    ///
    /// - Parameters:
    ///   - isolation: The actor `body` runs on; the caller's, by default.
    ///   - fileID: The acquiring file, for holder reports; leave the default (`#fileID`).
    ///   - line: The acquiring line; leave the default (`#line`).
    ///   - function: The acquiring function; leave the default (`#function`).
    ///   - body: The work to do while protected.
    /// - Returns: What `body` returns, or `nil` (without running `body`) once run-down has begun.
    /// - Throws: Only what `body` throws.
    @inlinable
    public func withProtectionIfAvailable<Result: ~Copyable, Failure: Error>(
        isolation: isolated (any Actor)? = #isolation,
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function,
        _ body: () async throws(Failure) -> sending Result
    ) async throws(Failure) -> sending Result? {
        let path = pathFields
        let site = HolderSite(fileID: fileID, line: line, function: function)
        guard let acquisition = storage.acquire(units: RundownWord.holderUnit, site: site, path: path) else {
            return nil
        }
        defer { storage.release(units: RundownWord.holderUnit, acquisition: acquisition, path: path) }
        return try await body()
    }
}
