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
@frozen
public struct RundownGuard: ~Copyable, Sendable {
    /// What the guard releases into, retained once by the guard (a +1 reference it gives up in `deinit`).
    ///
    /// `Unmanaged` rather than strong references in an enum: matching an enum with class payloads copies the payload
    /// (a retain and a release around every release of the guard). The guard is non-copyable, so its one reference
    /// is given up exactly once, and it keeps the object alive for as long as it exists: memory-safe, with the
    /// reference counting the guard needs and no more.
    @usableFromInline
    enum Owner: Sendable {
        /// A ``RundownRef``.
        case single(Unmanaged<RundownRef>)
        /// The per-CPU anchor of the slot a ``CacheAwareRundownRef`` guard acquired in; it keeps the slots alive.
        case cacheAware(Unmanaged<SlotAnchor>)
    }

    @usableFromInline
    let owner: Owner

    @usableFromInline
    let units: UInt64

    /// The acquisition's record, if the object records its holders.
    @usableFromInline
    let token: HolderToken

    /// A guard of `rundown`, which it retains.
    @inlinable
    init(rundown: RundownRef, units: UInt64, token: HolderToken) {
        owner = .single(.passRetained(rundown))
        self.units = units
        self.token = token
    }

    /// A guard that releases through `anchor`, which it retains.
    @inlinable
    init(anchor: Unmanaged<SlotAnchor>, units: UInt64, token: HolderToken) {
        owner = .cacheAware(anchor.retain())
        self.units = units
        self.token = token
    }

    /// The number of holders this guard releases.
    public var count: Int { Int(units / RundownWord.holderUnit) }

    /// Releases the protection now instead of at the end of the guard's scope.
    ///
    /// Inlined into the caller: one atomic subtract (or restartable sequence) and the release of the guard's one
    /// reference.
    @inlinable
    @inline(__always)
    public consuming func release() {
        let owner = self.owner
        let units = self.units
        let token = self.token
        discard self
        Self.release(owner, units: units, token: token)
    }

    @inlinable
    deinit {
        Self.release(owner, units: units, token: token)
    }

    /// Releases `units` holders into `owner`, then gives up the guard's reference to it.
    @inlinable
    @inline(__always)
    static func release(_ owner: Owner, units: UInt64, token: HolderToken) {
        switch owner {
        case .single(let rundown):
            rundown._withUnsafeGuaranteedRef { $0.engine.release(units: units, token: token) }
            rundown.release()
        case .cacheAware(let anchor):
            anchor._withUnsafeGuaranteedRef { anchor in
                anchor.storage.release(
                    units: units,
                    acquisition: _RundownAcquisition(slot: anchor.slot, token: token),
                    path: anchor.pathFields
                )
            }
            anchor.release()
        }
    }
}
