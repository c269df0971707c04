// SPDX-License-Identifier: Apache-2.0

/// Run-down protection that is an object: ``RundownRef`` and ``CacheAwareRundownRef``, which add guards to everything
/// ``RundownProtecting`` has.
///
/// A ``RundownGuard`` may outlive the scope that acquired it (it can be stored, or sent to another task and released
/// there), so it keeps what it releases into alive, and only an object can be kept alive: that is why the embedded
/// ``RundownEngine`` has every member but these. Generic code over the two classes takes `some RundownProtection`.
public protocol RundownProtection: AnyObject, RundownProtecting {
    /// The type of the unguarded view, ``unsafe``.
    associatedtype UnsafeProtection: RundownUnsafeProtection

    /// Adds `units` holders unless run-down has begun, and returns the guard that releases them; records the holder
    /// at the site if the object records holders.
    func _acquireGuard(units: UInt64, fileID: StaticString, line: UInt, function: StaticString) -> RundownGuard?

    /// The unguarded acquire/release pair as a view.
    @available(
        *,
        deprecated,
        message: "use unsafeTryAcquire(count:) and unsafeRelease(count:), which every run-down type has"
    )
    var unsafe: UnsafeProtection { get }
}

extension RundownProtection {
    /// Acquires run-down protection for one holder; the seed crate's `try_acquire`.
    ///
    /// Never blocks and never allocates: the type's acquire (one compare-and-swap on ``RundownRef``, one restartable
    /// sequence or compare-and-swap on the caller's CPU slot for ``CacheAwareRundownRef``), an *acquiring* operation;
    /// a refusal leaves the object untouched. The guard retains what it releases into (the ``RundownRef``; for
    /// ``CacheAwareRundownRef`` the per-CPU anchor of its slot, so guards on different cores do not share a reference
    /// count); prefer ``RundownProtecting/withProtection(fileID:line:function:_:)`` when the protected work is one
    /// scope.
    ///
    /// - Parameters:
    ///   - fileID: Where the holder acquires, for holder reports; leave the default.
    ///   - line: Where the holder acquires, for holder reports; leave the default.
    ///   - function: Where the holder acquires, for holder reports; leave the default.
    /// - Returns: A guard that releases the protection when it goes out of scope.
    /// - Throws: ``RundownError/rundownInProgress`` once run-down has begun.
    /// - Precondition: The holder count stays within its limit (2^32 - 1 holders;
    ///   ``CacheAwareRundownRef/maximumHoldersPerSlot`` in a slot of the atomic-slot path).
    @inlinable
    public func tryAcquire(
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function
    ) throws(RundownError) -> RundownGuard {
        guard
            let acquired = _acquireGuard(units: RundownWord.holderUnit, fileID: fileID, line: line, function: function)
        else { throw .rundownInProgress }
        return acquired
    }

    /// Acquires run-down protection for `count` holders at once, all or nothing; NT's
    /// `ExAcquireRundownProtectionEx`.
    ///
    /// Costs what ``tryAcquire(fileID:line:function:)`` costs. The returned guard releases all `count` holders
    /// together.
    ///
    /// - Throws: ``RundownError/rundownInProgress`` once run-down has begun; nothing is acquired then.
    /// - Precondition: `count` is positive and the holder count stays within its limit.
    @inlinable
    public func tryAcquire(
        count: Int,
        fileID: StaticString = #fileID,
        line: UInt = #line,
        function: StaticString = #function
    ) throws(RundownError) -> RundownGuard {
        let units = RundownWord.units(forCount: count)
        guard let acquired = _acquireGuard(units: units, fileID: fileID, line: line, function: function) else {
            throw .rundownInProgress
        }
        return acquired
    }
}

extension RundownRef: RundownProtection {}

extension CacheAwareRundownRef: RundownProtection {}
