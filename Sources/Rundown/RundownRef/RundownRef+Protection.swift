// SPDX-License-Identifier: Apache-2.0

extension RundownRef {
    /// Acquires run-down protection for one holder; the seed crate's `try_acquire`.
    ///
    /// Never blocks and never allocates: one compare-and-swap on success (an *acquiring* operation), a plain load on
    /// failure, which leaves the object untouched. The guard retains the ``RundownRef``; prefer
    /// ``withProtection(fileID:line:function:_:)`` when the protected work is one scope.
    ///
    /// - Parameters:
    ///   - fileID: Where the holder acquires, for holder reports; leave the default.
    ///   - line: Where the holder acquires, for holder reports; leave the default.
    ///   - function: Where the holder acquires, for holder reports; leave the default.
    /// - Returns: A guard that releases the protection when it goes out of scope.
    /// - Throws: ``RundownError/rundownInProgress`` once run-down has begun.
    /// - Precondition: The object does not already have 2^32 - 1 holders.
    @inlinable
    public func tryAcquire(
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function
    ) throws(RundownError) -> RundownGuard {
        let site = HolderSite(fileID: fileID, line: line, function: function)
        guard let token = engine.acquire(units: RundownWord.holderUnit, site: site) else { throw .rundownInProgress }
        return RundownGuard(rundown: self, units: RundownWord.holderUnit, token: token)
    }

    /// Acquires run-down protection for `count` holders at once, all or nothing; NT's
    /// `ExAcquireRundownProtectionEx`.
    ///
    /// Costs the same as ``tryAcquire(fileID:line:function:)``. The returned guard releases all `count` holders together.
    ///
    /// - Throws: ``RundownError/rundownInProgress`` once run-down has begun; nothing is acquired then.
    /// - Precondition: `count` is positive and the holder count stays at most 2^32 - 1.
    @inlinable
    public func tryAcquire(
        count: Int,
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function
    ) throws(RundownError) -> RundownGuard {
        let units = RundownWord.units(forCount: count)
        let site = HolderSite(fileID: fileID, line: line, function: function)
        guard let token = engine.acquire(units: units, site: site) else { throw .rundownInProgress }
        return RundownGuard(rundown: self, units: units, token: token)
    }

    /// Runs `body` under run-down protection; the everyday way to use the protected object.
    ///
    /// Costs one compare-and-swap before `body` and one atomic subtract after it: no lock, no allocation, no
    /// reference counting. Protection is released however `body` exits, also when it throws. `body` may return a
    /// non-copyable value and throw a typed error; see ``RundownEngine/withProtection(fileID:line:function:_:)`` for why the result is
    /// not `sending`, and ``withProtectionIfAvailable(fileID:line:function:_:)`` for the form that keeps the error's type.
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
        try engine.withProtection(fileID: fileID, line: line, function: function, body)
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
        try engine.withProtectionIfAvailable(fileID: fileID, line: line, function: function, body)
    }

    /// Runs the asynchronous `body` under run-down protection.
    ///
    /// Costs the same as the synchronous form. The protection is held across suspension points and released
    /// however `body` exits: when it returns, throws, or throws because its task was cancelled. A run-down waiting
    /// meanwhile waits for `body` to finish.
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
        try await engine.withProtection(isolation: isolation, fileID: fileID, line: line, function: function, body)
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
        try await engine.withProtectionIfAvailable(
            isolation: isolation,
            fileID: fileID,
            line: line,
            function: function,
            body
        )
    }
}
