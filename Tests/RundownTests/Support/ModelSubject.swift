// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown

/// A run-down object as ``ModelDriver`` drives it: the operations that every run-down type has, performed on the
/// calling thread, and the state and records the driver compares with its model.
///
/// ``RundownRef`` and ``CacheAwareRundownRef`` conform with their own members; the fuzzer adds a ``RundownEngine``
/// embedded in a class, which has no guards.
protocol ModelSubject: AnyObject, Sendable {
    /// Whether acquisitions can hand out a ``RundownGuard``; an engine has only the unguarded pair and closure forms.
    var hasGuards: Bool { get }
    /// Whether the object records its holders, so that ``liveHolderRecordCount`` counts every acquisition.
    var isRecordingHolders: Bool { get }
    /// The state snapshot.
    var state: RundownState { get }
    /// Registered waiters plus kept completion callbacks.
    var liveWaiterRecordCount: Int { get }
    /// The holder records (and cancellable holders waiting for a cancellation request).
    var liveHolderRecordCount: Int { get }
    /// Who is inside.
    func holderReport() -> RundownHolderReport
    /// Acquires a guard for `count` holders: `tryAcquire(count:)`, or `tryAcquire()` when `countForm` is `false`
    /// (then `count` is 1). Only where ``hasGuards``.
    func acquireGuard(count: Int, countForm: Bool) throws(RundownError) -> GuardBox
    /// The unguarded acquisition of `count` holders; `false` once run-down has begun.
    func unguardedTryAcquire(count: Int) -> Bool
    /// Releases `count` holders of the unguarded pair.
    func unguardedRelease(count: Int)
    /// Runs `body` under `withProtection`, or `withProtectionIfAvailable` if `ifAvailable`; whether it ran.
    func protect(ifAvailable: Bool, _ body: () -> Void) -> Bool
    /// Begins run-down; `true` if this call began it.
    @discardableResult
    func beginRundown() -> Bool
    /// Begins run-down and runs `onCompletion` once when this generation completes.
    func beginRundown(onCompletion: @escaping @Sendable () -> Void)
    /// Begins run-down and blocks until it completes.
    func waitForRundown()
    /// Begins run-down and blocks until it completes or `timeout` passes.
    func waitForRundown(timeout: Duration) -> Bool
    /// Opens the next generation; only once the run-down has completed.
    func reInitialize()
}

extension ModelSubject where Self: RundownProtection {
    var hasGuards: Bool { true }

    func acquireGuard(count: Int, countForm: Bool) throws(RundownError) -> GuardBox {
        GuardBox(try countForm ? tryAcquire(count: count) : tryAcquire())
    }

    func unguardedTryAcquire(count: Int) -> Bool {
        unsafeTryAcquire(count: count)
    }

    func unguardedRelease(count: Int) {
        unsafeRelease(count: count)
    }

    func protect(ifAvailable: Bool, _ body: () -> Void) -> Bool {
        if ifAvailable { return withProtectionIfAvailable { body() } != nil }
        return (try? withProtection { body() }) != nil
    }
}

extension RundownRef: ModelSubject {}

extension CacheAwareRundownRef: ModelSubject {}

/// `rundown` as a ``ModelSubject``: every run-down class conforms.
func modelSubject(_ rundown: any RundownProtection) -> any ModelSubject {
    guard let subject = rundown as? any ModelSubject else {
        preconditionFailure("\(type(of: rundown)) is not a ModelSubject")
    }
    return subject
}
