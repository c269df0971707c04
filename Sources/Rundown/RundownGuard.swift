/// Run-down protection held on a ``RundownRef``; releases it when it goes out of scope.
///
/// Returned by ``RundownRef/tryAcquire()`` and ``RundownRef/tryAcquire(count:)``. The guard is non-copyable, so
/// protection is released exactly once: when the guard's lifetime ends (`deinit`), or earlier by ``release()``.
/// A guard acquired with a count releases the whole count.
///
/// The guard keeps its ``RundownRef`` alive, and it can be sent to another thread or task and released there.
///
/// ## Cost
/// Releasing is one atomic subtract (a *releasing* operation: everything the holder did happens-before any wait
/// for run-down returning). Holding a guard also retains the ``RundownRef``; when the protected scope is lexical,
/// ``RundownRef/withProtection(_:)`` avoids that reference counting.
public struct RundownGuard: ~Copyable, Sendable {
    @usableFromInline
    let rundown: RundownRef

    @usableFromInline
    let units: UInt64

    @inlinable
    init(rundown: RundownRef, units: UInt64) {
        self.rundown = rundown
        self.units = units
    }

    /// The number of holders this guard releases.
    public var count: Int { Int(units / RundownWord.holderUnit) }

    /// Releases the protection now instead of at the end of the guard's scope.
    @inlinable
    public consuming func release() {
        // Consuming `self` ends its lifetime here, and `deinit` releases.
    }

    @inlinable
    deinit {
        rundown.release(units: units)
    }
}
