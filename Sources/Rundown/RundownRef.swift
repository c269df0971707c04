import Synchronization

/// Run-down protection for a shared object: many holders use it, one party tears it down once they have left.
///
/// A thread or task that wants to use the protected object first acquires protection, with
/// ``withProtection(_:)`` (the everyday form) or ``tryAcquire()``, and releases it when done. While it holds
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
/// ## Cost
/// Acquire and release are one atomic read-modify-write each (a compare-and-swap and a subtract) on one 64-bit
/// word, with no lock and no allocation; ``withProtection(_:)`` adds no reference counting. An instance is
/// 32 bytes including the object header. The waiter store (a pthread mutex and condition variable and the waiter
/// records) is allocated only when a wait actually has to block or a callback has to be kept.
///
/// Under contention from several cores every acquire and release moves the same cache line; when that shows up in
/// profiles, use a per-CPU design instead.
///
/// ## Memory ordering
/// - A successful acquisition is an *acquiring* operation: everything done before the last ``reInitialize()`` (or
///   `init`) is visible to the holder.
/// - A release is a *releasing* operation: everything the holder did happens-before any wait returning and any
///   completion callback running.
/// - ``reInitialize()`` is a *releasing* operation.
public final class RundownRef: Sendable {
    /// The one word of state; see ``RundownWord`` for its layout.
    @usableFromInline
    let word: Atomic<UInt64>

    /// The slow-path store, allocated by the first wait that has to block or callback that has to be kept.
    let waiterStore = AtomicLazyReference<RundownWaiters>()

    /// Creates an object in the `active(holders: 0)` state: acquisitions succeed.
    public init() {
        word = Atomic(RundownWord.opened(generation: 0).rawValue)
    }

    /// A snapshot of the state, for diagnostics; racy by nature, never use it to decide whether to acquire.
    ///
    /// Costs one relaxed atomic load.
    public var state: RundownState {
        RundownWord(rawValue: word.load(ordering: .relaxed)).state
    }

    // MARK: Fast path

    /// Adds `units` holders unless run-down has begun. One compare-and-swap (retried only under contention).
    @inlinable
    @inline(__always)
    func acquire(units: UInt64) -> Bool {
        var current = word.load(ordering: .relaxed)
        while true {
            if current & RundownWord.closedBit != 0 { return false }
            if current & RundownWord.holderMask > RundownWord.holderMask - units {
                overflow(current, units: units)
            }
            let (exchanged, original) = word.weakCompareExchange(
                expected: current,
                desired: current &+ units,
                successOrdering: .acquiring,
                failureOrdering: .relaxed
            )
            if exchanged { return true }
            current = original
        }
    }

    /// Removes `units` holders. One atomic subtract; only a release during run-down leaves the fast path.
    ///
    /// `wrappingSubtract`, not `subtract`: the checked form compiles to a compare-and-swap loop, and underflow is
    /// detected from the old value instead.
    @inlinable
    @inline(__always)
    func release(units: UInt64) {
        let old = word.wrappingSubtract(units, ordering: .releasing).oldValue
        if old & RundownWord.closedBit != 0 || old & RundownWord.holderMask < units {
            releasedWhileClosedOrUnderflowed(old, units: units)
        }
    }

    // MARK: Slow path

    @usableFromInline
    @inline(never)
    func overflow(_ current: UInt64, units: UInt64) -> Never {
        let word = RundownWord(rawValue: current)
        RundownMisuse.report(
            "acquiring \(units / RundownWord.holderUnit) more run-down holders would overflow the holder count "
                + "(\(word.holders) inside, \(RundownWord.maximumHolders) at most)"
        )
    }

    @usableFromInline
    @inline(never)
    func releasedWhileClosedOrUnderflowed(_ old: UInt64, units: UInt64) {
        let oldWord = RundownWord(rawValue: old)
        if old & RundownWord.holderMask < units {
            RundownMisuse.report(
                "run-down protection released without a matching acquire: releasing \(units / RundownWord.holderUnit) "
                    + "while \(oldWord.holders) holders are inside"
            )
        }
        if oldWord.isClosed, old & RundownWord.holderMask == units {
            completeGeneration(afterChanging: oldWord)
        }
    }
}
