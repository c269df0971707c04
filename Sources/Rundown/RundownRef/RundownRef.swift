// SPDX-License-Identifier: Apache-2.0

/// Run-down protection for a shared object: many holders use it, one party tears it down once they have left.
///
/// A thread or task that wants to use the protected object first acquires protection, with
/// ``withProtection(fileID:line:function:_:)`` (the everyday form) or ``tryAcquire(fileID:line:function:)``, and releases it when done. While it holds
/// protection the object stays usable. Another party calls ``waitForRundown()-3hakh`` (or
/// ``beginRundown()`` and a completion callback): from that moment every new acquisition fails with
/// ``RundownError/rundownInProgress``, and the wait returns once the last holder has released. The object can then
/// be destroyed, or re-initialized with ``reInitialize()`` so that acquisitions succeed again.
///
/// This is the NT kernel's `EX_RUNDOWN_REF` and the Rust `run-down` crate's `RundownRef`, with Swift-native waiting
/// (blocking, `async`, timed, cancellable), any number of concurrent waiters and completion callbacks.
///
/// ```swift
/// let rundown = RundownRef()
///
/// // Any thread or task, any number of them:
/// try rundown.withProtection {
///     plugin.handle(request)
/// }
///
/// // The one that unloads the plugin:
/// rundown.waitForRundown()   // new holders fail from here on; returns when the last one has left
/// plugin.unload()
/// ```
///
/// ## RundownRef or RundownEngine?
/// `RundownRef` is a small class around a ``RundownEngine`` that adds the guard, ``RundownGuard``: a guard keeps
/// the `RundownRef` alive, so it may be stored, sent to another task and released there. When the protected
/// object is a class of your own and the closure form is all you need, embed a ``RundownEngine`` in it instead:
/// same cost, no separate allocation.
///
/// ## Cost
/// Acquire and release are one atomic read-modify-write each (a compare-and-swap and a subtract) on one 64-bit
/// word, with no lock and no allocation; ``withProtection(fileID:line:function:_:)`` adds no reference counting. An instance is
/// 32 bytes including the object header. The waiter store (a pthread mutex and condition variable and the waiter
/// records) is allocated only when a wait actually has to block or a callback has to be kept.
///
/// Under contention from several cores every acquire and release moves the same cache line; when that shows up in
/// profiles, use ``CacheAwareRundownRef`` instead.
///
/// ## Memory ordering
/// - A successful acquisition is an *acquiring* operation: everything done before the last ``reInitialize()`` (or
///   `init`) is visible to the holder.
/// - A release is a *releasing* operation: everything the holder did happens-before any wait returning and any
///   completion callback running.
/// - ``reInitialize()`` is a *releasing* operation.
public final class RundownRef: Sendable {
    /// The run-down protection itself; this class adds guards and an identity.
    @usableFromInline
    let engine: RundownEngine

    /// Creates an object in the `active(holders: 0)` state: acquisitions succeed.
    public init() {
        engine = RundownEngine()
    }

    /// Creates an object in the `active(holders: 0)` state that, if `recordingHolders` is `true`, records every
    /// outstanding holder for ``holderReport()``; see ``RundownEngine/init(recordingHolders:)`` for what it costs.
    public init(recordingHolders: Bool) {
        engine = RundownEngine(recordingHolders: recordingHolders)
    }

    /// Whether this object records its holders.
    public var isRecordingHolders: Bool { engine.isRecordingHolders }

    /// Who is inside right now: every outstanding holder, oldest first, if the object records them; otherwise only
    /// how many there are. See ``RundownHolderReport``.
    public func holderReport() -> RundownHolderReport { engine.holderReport() }

    /// A snapshot of the state, for diagnostics; racy by nature, never use it to decide whether to acquire.
    ///
    /// Costs one relaxed atomic load.
    public var state: RundownState { engine.state }
}
