// SPDX-License-Identifier: Apache-2.0

extension RundownProtecting where Self: ~Copyable {
    /// Runs `body` under run-down protection; the everyday way to use the protected object.
    ///
    /// Protection is released however `body` exits, also when it throws. `body` may return a non-copyable value and
    /// throw a typed error; a refusal and `body`'s error both come back as `any Error` (use
    /// ``withProtectionIfAvailable(fileID:line:function:_:)`` to keep `body`'s error type). Unlike `Mutex.withLock`,
    /// the result is not `sending`, so that a body may return state isolated to the caller's actor;
    /// ``withProtectionIfAvailable(fileID:line:function:_:)`` returns a `sending` result.
    ///
    /// Costs the type's acquire before `body` and its release after it, and nothing else: no lock, no allocation, no
    /// reference counting, no call. ``RundownEngine`` and ``RundownRef``: a load and one compare-and-swap, then one
    /// atomic subtract. ``CacheAwareRundownRef``: one restartable sequence (or one compare-and-swap) on the caller's
    /// CPU slot each. An object that records its holders leaves the fast path to record and forget the holder. The
    /// acquisition is *acquiring*, the release *releasing* (see ``RundownProtecting``).
    ///
    /// - Parameters:
    ///   - fileID: Where the holder acquires, for holder reports; leave the default.
    ///   - line: Where the holder acquires, for holder reports; leave the default.
    ///   - function: Where the holder acquires, for holder reports; leave the default.
    ///   - body: The work to do while protected.
    /// - Returns: What `body` returns.
    /// - Throws: ``RundownError/rundownInProgress`` (without running `body`) once run-down has begun, or what
    ///   `body` throws.
    @inlinable
    @inline(__always)
    public borrowing func withProtection<Result: ~Copyable, Failure: Error>(
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function,
        _ body: () throws(Failure) -> Result
    ) throws -> Result {
        let units = RundownWord.holderUnit
        guard
            let acquisition = _acquire(units: units, cancellable: false, fileID: fileID, line: line, function: function)
        else { throw RundownError.rundownInProgress }
        defer { _release(units: units, acquisition) }
        return try body()
    }

    /// Runs `body` under run-down protection unless run-down has begun; the shape of `Mutex.withLockIfAvailable`.
    ///
    /// Costs what ``withProtection(fileID:line:function:_:)`` costs. Throws exactly what `body` throws, so a typed
    /// error stays typed.
    ///
    /// - Parameters:
    ///   - fileID: Where the holder acquires, for holder reports; leave the default.
    ///   - line: Where the holder acquires, for holder reports; leave the default.
    ///   - function: Where the holder acquires, for holder reports; leave the default.
    ///   - body: The work to do while protected.
    /// - Returns: What `body` returns, or `nil` (without running `body`) once run-down has begun.
    /// - Throws: Only what `body` throws.
    @inlinable
    @inline(__always)
    public borrowing func withProtectionIfAvailable<Result: ~Copyable, Failure: Error>(
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function,
        _ body: () throws(Failure) -> sending Result
    ) throws(Failure) -> sending Result? {
        let units = RundownWord.holderUnit
        guard
            let acquisition = _acquire(units: units, cancellable: false, fileID: fileID, line: line, function: function)
        else { return nil }
        defer { _release(units: units, acquisition) }
        return try body()
    }

    /// Runs the asynchronous `body` under run-down protection.
    ///
    /// Costs what the synchronous form costs. The protection is held across suspension points and released however
    /// `body` exits: when it returns, throws, or throws because its task was cancelled. A run-down waiting meanwhile
    /// waits for `body` to finish. On ``CacheAwareRundownRef`` the release may run on another CPU than the acquire;
    /// both fast paths count that correctly.
    ///
    /// - Parameters:
    ///   - isolation: The actor `body` runs on; the caller's, by default.
    ///   - fileID: Where the holder acquires, for holder reports; leave the default.
    ///   - line: Where the holder acquires, for holder reports; leave the default.
    ///   - function: Where the holder acquires, for holder reports; leave the default.
    ///   - body: The work to do while protected.
    /// - Returns: What `body` returns.
    /// - Throws: ``RundownError/rundownInProgress`` (without running `body`) once run-down has begun, or what
    ///   `body` throws.
    @inlinable
    public borrowing func withProtection<Result: ~Copyable, Failure: Error>(
        isolation: isolated (any Actor)? = #isolation,
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function,
        _ body: () async throws(Failure) -> Result
    ) async throws -> Result {
        let units = RundownWord.holderUnit
        guard
            let acquisition = _acquire(units: units, cancellable: false, fileID: fileID, line: line, function: function)
        else { throw RundownError.rundownInProgress }
        defer { _release(units: units, acquisition) }
        return try await body()
    }

    /// Runs the asynchronous `body` under run-down protection unless run-down has begun.
    ///
    /// Costs what the synchronous form costs; throws exactly what `body` throws.
    ///
    /// - Parameters:
    ///   - isolation: The actor `body` runs on; the caller's, by default.
    ///   - fileID: Where the holder acquires, for holder reports; leave the default.
    ///   - line: Where the holder acquires, for holder reports; leave the default.
    ///   - function: Where the holder acquires, for holder reports; leave the default.
    ///   - body: The work to do while protected.
    /// - Returns: What `body` returns, or `nil` (without running `body`) once run-down has begun.
    /// - Throws: Only what `body` throws.
    @inlinable
    public borrowing func withProtectionIfAvailable<Result: ~Copyable, Failure: Error>(
        isolation: isolated (any Actor)? = #isolation,
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function,
        _ body: () async throws(Failure) -> sending Result
    ) async throws(Failure) -> sending Result? {
        let units = RundownWord.holderUnit
        guard
            let acquisition = _acquire(units: units, cancellable: false, fileID: fileID, line: line, function: function)
        else { return nil }
        defer { _release(units: units, acquisition) }
        return try await body()
    }
}
