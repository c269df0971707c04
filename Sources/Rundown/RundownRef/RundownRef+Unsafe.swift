// SPDX-License-Identifier: Apache-2.0

extension RundownRef {
    /// Unguarded acquire and release, for protection that must cross a boundary no guard can (a C callback, a
    /// completion handler that only takes a pointer).
    ///
    /// Nothing ties a release to its acquire here: every successful ``tryAcquire(count:fileID:line:function:)`` must be matched by
    /// exactly one ``release(count:)`` of the same count, on any thread. Prefer
    /// ``RundownRef/withProtection(fileID:line:function:_:)`` or a ``RundownGuard`` wherever they fit. Costs and orderings are
    /// those of the guarded forms.
    public struct UnsafeProtection: Sendable {
        @usableFromInline
        let rundown: RundownRef

        @inlinable
        init(rundown: RundownRef) {
            self.rundown = rundown
        }

        /// Acquires protection for `count` holders, all or nothing.
        ///
        /// - Returns: `false` once run-down has begun; nothing was acquired then.
        /// - Precondition: `count` is positive and the holder count stays at most 2^32 - 1.
        @inlinable
        public func tryAcquire(
            count: Int = 1,
            fileID: StaticString = #fileID,
            line: UInt = #line,
            function: StaticString = #function
        ) -> Bool {
            rundown.engine.unsafeTryAcquire(count: count, fileID: fileID, line: line, function: function)
        }

        /// Releases `count` holders acquired earlier with ``tryAcquire(count:fileID:line:function:)``.
        ///
        /// - Precondition: At least `count` holders are inside; releasing more than was acquired traps with
        ///   "run-down protection released without a matching acquire".
        @inlinable
        public func release(count: Int = 1) {
            rundown.engine.unsafeRelease(count: count)
        }
    }

    /// The unguarded acquire/release pair; see ``UnsafeProtection``.
    public var unsafe: UnsafeProtection { UnsafeProtection(rundown: self) }
}
