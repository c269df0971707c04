// SPDX-License-Identifier: Apache-2.0

extension RundownEngine {
    /// Runs `body` under run-down protection; the everyday way to use the protected object.
    ///
    /// Costs a load and one compare-and-swap before `body` and one atomic subtract after it: no lock, no
    /// allocation, no reference counting, no call. Protection is released however `body` exits, also when it
    /// throws. The acquisition is *acquiring*, the release *releasing* (see ``RundownEngine``).
    ///
    /// `body` may return a non-copyable value and throw a typed error; a refusal and `body`'s error both come back
    /// as `any Error`. Use ``withProtectionIfAvailable(fileID:line:function:_:)`` to keep `body`'s error type. Unlike
    /// `Mutex.withLock`, the result is not `sending`, so that a body may return state isolated to the caller's
    /// actor (which existing callers of ``RundownRef/withProtection(fileID:line:function:_:)`` do); ``withProtectionIfAvailable(fileID:line:function:_:)``
    /// returns a `sending` result.
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
    public borrowing func withProtection<Result: ~Copyable, Failure: Error>(
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function,
        _ body: () throws(Failure) -> Result
    ) throws -> Result {
        let site = HolderSite(fileID: fileID, line: line, function: function)
        guard let token = acquire(units: RundownWord.holderUnit, site: site) else {
            throw RundownError.rundownInProgress
        }
        defer { release(units: RundownWord.holderUnit, token: token) }
        return try body()
    }

    /// Runs `body` under run-down protection unless run-down has begun; the shape of `Mutex.withLockIfAvailable`.
    ///
    /// Costs what ``withProtection(fileID:line:function:_:)`` costs. Throws exactly what `body` throws, so a typed error stays typed.
    ///
    /// - Parameters:
    ///   - fileID: Where the holder acquires, for holder reports; leave the default.
    ///   - line: Where the holder acquires, for holder reports; leave the default.
    ///   - function: Where the holder acquires, for holder reports; leave the default.
    ///   - body: The work to do while protected.
    /// - Returns: What `body` returns, or `nil` (without running `body`) once run-down has begun.
    /// - Throws: Only what `body` throws.
    @inlinable
    public borrowing func withProtectionIfAvailable<Result: ~Copyable, Failure: Error>(
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function,
        _ body: () throws(Failure) -> sending Result
    ) throws(Failure) -> sending Result? {
        let site = HolderSite(fileID: fileID, line: line, function: function)
        guard let token = acquire(units: RundownWord.holderUnit, site: site) else { return nil }
        defer { release(units: RundownWord.holderUnit, token: token) }
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
        let site = HolderSite(fileID: fileID, line: line, function: function)
        guard let token = acquire(units: RundownWord.holderUnit, site: site) else {
            throw RundownError.rundownInProgress
        }
        defer { release(units: RundownWord.holderUnit, token: token) }
        return try await body()
    }

    /// Runs the asynchronous `body` under run-down protection unless run-down has begun.
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
        let site = HolderSite(fileID: fileID, line: line, function: function)
        guard let token = acquire(units: RundownWord.holderUnit, site: site) else { return nil }
        defer { release(units: RundownWord.holderUnit, token: token) }
        return try await body()
    }

    /// Acquires protection for `count` holders, all or nothing, with nothing to release it automatically.
    ///
    /// For protection that must cross a boundary no closure can (a C callback, a completion handler that only
    /// takes a pointer). Every successful acquisition must be matched by exactly one ``unsafeRelease(count:)`` of
    /// the same count, on any thread. Costs and orderings are those of ``withProtection(fileID:line:function:_:)``.
    ///
    /// A recording engine records the acquisition at the caller's site; ``unsafeRelease(count:)`` forgets the
    /// newest unguarded record of the same count on the same thread (or, failing that, any thread); the records of
    /// guards and scopes are left to their own releases.
    ///
    /// - Returns: `false` once run-down has begun; nothing was acquired then.
    /// - Precondition: `count` is positive and the holder count stays at most 2^32 - 1.
    @inlinable
    public borrowing func unsafeTryAcquire(
        count: Int = 1,
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function
    ) -> Bool {
        acquire(
            units: RundownWord.units(forCount: count),
            site: HolderSite(fileID: fileID, line: line, function: function),
            kind: .unguarded
        ) != nil
    }

    /// Releases `count` holders acquired earlier with ``unsafeTryAcquire(count:fileID:line:function:)``.
    ///
    /// - Precondition: At least `count` holders are inside; releasing more than was acquired traps with "run-down
    ///   protection released without a matching acquire".
    @inlinable
    public borrowing func unsafeRelease(count: Int = 1) {
        releaseUnguarded(units: RundownWord.units(forCount: count))
    }
}
