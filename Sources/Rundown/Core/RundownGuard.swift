// SPDX-License-Identifier: Apache-2.0

/// Run-down protection held on a ``RundownRef`` or a ``CacheAwareRundownRef``; releases it when it goes out of
/// scope.
///
/// Returned by `tryAcquire()` and `tryAcquire(count:)`. The guard is non-copyable, so protection is released exactly
/// once: when the guard's lifetime ends (`deinit`), or earlier by ``release()``. A guard acquired with a count
/// releases the whole count.
///
/// The guard keeps its run-down object alive, and it can be sent to another thread or task and released there. A
/// guard of a ``CacheAwareRundownRef`` remembers its slot and releases there, wherever it is released.
///
/// ## Cost
/// Releasing is one atomic subtract (a *releasing* operation: everything the holder did happens-before any wait
/// for run-down returning). Holding a guard also retains the run-down object; when the protected scope is lexical,
/// `withProtection` avoids that reference counting.
public struct RundownGuard: ~Copyable, Sendable {
    /// What the guard releases into.
    @usableFromInline
    enum Owner: Sendable {
        case single(RundownRef)
        case cacheAware(CacheAwareRundownRef, slot: Int)
    }

    @usableFromInline
    let owner: Owner

    @usableFromInline
    let units: UInt64

    @inlinable
    init(rundown: RundownRef, units: UInt64) {
        owner = .single(rundown)
        self.units = units
    }

    @inlinable
    init(cacheAware rundown: CacheAwareRundownRef, slot: Int, units: UInt64) {
        owner = .cacheAware(rundown, slot: slot)
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
        switch owner {
        case .single(let rundown): rundown.engine.release(units: units)
        case .cacheAware(let rundown, let slot): rundown.release(units: units, slot: slot)
        }
    }
}
