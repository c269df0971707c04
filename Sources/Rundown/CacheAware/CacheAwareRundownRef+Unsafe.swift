// SPDX-License-Identifier: Apache-2.0

extension CacheAwareRundownRef {
    /// Unguarded acquire and release, for protection that must cross a boundary no guard can (a C callback).
    ///
    /// On the atomic-slot path both count in slot 0: an unguarded release cannot know which slot its acquisition
    /// used, and counting both in one slot keeps releasing more than was acquired detectable. On the
    /// restartable-sequence path they count in the current CPU's slot like everything else (slots hold net counts).
    /// Every successful ``tryAcquire(count:fileID:line:function:)`` must be matched by exactly one ``release(count:)`` of the same count,
    /// on any thread. Prefer ``CacheAwareRundownRef/withProtection(fileID:line:function:_:)`` or a ``RundownGuard`` wherever they fit.
    public struct UnsafeProtection: RundownUnsafeProtection {
        @usableFromInline
        let rundown: CacheAwareRundownRef

        @inlinable
        init(rundown: CacheAwareRundownRef) {
            self.rundown = rundown
        }

        /// Acquires protection for `count` holders, all or nothing.
        ///
        /// - Returns: `false` once run-down has begun; nothing was acquired then.
        /// - Precondition: `count` is positive and slot 0 holds at most
        ///   ``CacheAwareRundownRef/maximumHoldersPerSlot``.
        @inlinable
        public func tryAcquire(
            count: Int = 1,
            fileID: StaticString = #fileID,
            line: UInt = #line,
            function: StaticString = #function
        ) -> Bool {
            rundown.storage.acquireUnguarded(
                units: RundownWord.units(forCount: count),
                site: HolderSite(fileID: fileID, line: line, function: function)
            )
        }

        /// Releases `count` holders acquired earlier with ``tryAcquire(count:fileID:line:function:)``.
        ///
        /// - Precondition: At least `count` unguarded holders are inside; releasing more traps with "run-down
        ///   protection released without a matching acquire".
        @inlinable
        public func release(count: Int = 1) {
            rundown.storage.releaseUnguarded(units: RundownWord.units(forCount: count))
        }
    }

    /// The unguarded acquire/release pair; see ``UnsafeProtection``.
    public var unsafe: UnsafeProtection { UnsafeProtection(rundown: self) }
}
