// SPDX-License-Identifier: Apache-2.0

// The unguarded pair: protection that must cross a boundary no guard or closure can (a C callback, a completion
// handler that only takes a pointer). `unsafe` in the name, as in `unsafeBitCast`: nothing ties a release to its
// acquisition.
extension RundownProtecting where Self: ~Copyable {
    /// Acquires protection for `count` holders, all or nothing, with nothing to release it automatically.
    ///
    /// Every successful acquisition must be matched by exactly one ``unsafeRelease(count:)`` of the same count, on
    /// any thread. Prefer ``withProtection(fileID:line:function:_:)`` or a ``RundownGuard`` wherever they fit. Costs
    /// and orderings are those of ``withProtection(fileID:line:function:_:)``. ``CacheAwareRundownRef`` counts the
    /// pair in slot 0 on atomic slots (an unguarded release cannot know which slot its acquisition used) and in the
    /// current CPU's slot on restartable sequences, where slots hold net counts.
    ///
    /// An object that records its holders records the acquisition at the caller's site; ``unsafeRelease(count:)``
    /// forgets the newest unguarded record of the same count on the same thread (or, failing that, any thread); the
    /// records of guards and scopes are left to their own releases.
    ///
    /// - Returns: `false` once run-down has begun; nothing was acquired then.
    /// - Precondition: `count` is positive and the holder count stays within its limit (2^32 - 1 holders;
    ///   ``CacheAwareRundownRef/maximumHoldersPerSlot`` in a slot of the atomic-slot path).
    @inlinable
    public borrowing func unsafeTryAcquire(
        count: Int = 1,
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function
    ) -> Bool {
        _acquireUnguarded(units: RundownWord.units(forCount: count), fileID: fileID, line: line, function: function)
    }

    /// Releases `count` holders acquired earlier with ``unsafeTryAcquire(count:fileID:line:function:)``.
    ///
    /// - Precondition: At least `count` holders are inside; releasing more than was acquired traps with "run-down
    ///   protection released without a matching acquire" (on the restartable-sequence path of
    ///   ``CacheAwareRundownRef``, whose slots hold net counts, when run-down begins).
    @inlinable
    public borrowing func unsafeRelease(count: Int = 1) {
        _releaseUnguarded(units: RundownWord.units(forCount: count))
    }
}
