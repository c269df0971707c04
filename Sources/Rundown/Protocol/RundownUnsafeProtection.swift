// SPDX-License-Identifier: Apache-2.0

/// The unguarded acquire/release pair of a run-down class, as the view its `unsafe` property returns.
///
/// Superseded by ``RundownProtecting/unsafeTryAcquire(count:fileID:line:function:)`` and
/// ``RundownProtecting/unsafeRelease(count:)``, which every run-down type has, the embedded ``RundownEngine``
/// included (a view of a non-copyable engine could outlive it). Kept so that existing code compiles.
public protocol RundownUnsafeProtection: Sendable {
    /// Acquires protection for `count` holders at the given site; the view's `tryAcquire(count:)` calls this.
    func _tryAcquire(count: Int, fileID: StaticString, line: UInt, function: StaticString) -> Bool

    /// Releases `count` holders acquired earlier with `tryAcquire(count:)`; traps on releasing more.
    func release(count: Int)
}

extension RundownUnsafeProtection {
    /// Acquires protection for `count` holders, all or nothing, recording the caller's site; `false` once run-down
    /// has begun.
    @inlinable
    public func tryAcquire(
        count: Int = 1,
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function
    ) -> Bool {
        _tryAcquire(count: count, fileID: fileID, line: line, function: function)
    }
}

/// The view `unsafe` returns: ``RundownRef/UnsafeProtection`` and
/// ``CacheAwareRundownRef/UnsafeProtection``. Its members are the object's ``RundownProtecting/unsafeTryAcquire(count:fileID:line:function:)``
/// and ``RundownProtecting/unsafeRelease(count:)``; the view keeps the object alive.
public struct _RundownUnsafeView<Base: RundownProtection>: RundownUnsafeProtection {
    @usableFromInline
    let base: Base

    @inlinable
    init(base: Base) {
        self.base = base
    }

    /// A primitive of ``RundownUnsafeProtection``: acquires `count` holders at the given site. Not API.
    @inlinable
    public func _tryAcquire(count: Int, fileID: StaticString, line: UInt, function: StaticString) -> Bool {
        base.unsafeTryAcquire(count: count, fileID: fileID, line: line, function: function)
    }

    /// Releases `count` holders acquired earlier with `tryAcquire(count:)`.
    ///
    /// - Precondition: At least `count` holders are inside; releasing more than was acquired traps with "run-down
    ///   protection released without a matching acquire".
    @inlinable
    public func release(count: Int = 1) {
        base.unsafeRelease(count: count)
    }
}

extension RundownProtection where UnsafeProtection == _RundownUnsafeView<Self> {
    /// The unguarded acquire/release pair as a view: `rundown.unsafe.tryAcquire(count:)` and
    /// `rundown.unsafe.release(count:)`.
    @available(
        *,
        deprecated,
        message: "use unsafeTryAcquire(count:) and unsafeRelease(count:), which every run-down type has"
    )
    @inlinable
    public var unsafe: UnsafeProtection { _RundownUnsafeView(base: self) }
}

extension RundownRef {
    /// The unguarded view's type; superseded by ``RundownProtecting/unsafeTryAcquire(count:fileID:line:function:)``
    /// and ``RundownProtecting/unsafeRelease(count:)``.
    public typealias UnsafeProtection = _RundownUnsafeView<RundownRef>
}

extension CacheAwareRundownRef {
    /// The unguarded view's type; superseded by ``RundownProtecting/unsafeTryAcquire(count:fileID:line:function:)``
    /// and ``RundownProtecting/unsafeRelease(count:)``.
    public typealias UnsafeProtection = _RundownUnsafeView<CacheAwareRundownRef>
}
