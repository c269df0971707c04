// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// The engine's one reference to its side table: set once (lazily, or at `init`), released with the engine, and read
/// on the recording fast path without retaining it.
///
/// `AtomicLazyReference` would do, but its `load()` retains and releases the object around every read, two atomic
/// read-modify-writes on the side table's reference count that every recording acquisition would pay. The table lives
/// exactly as long as the engine that holds this reference, so a borrowed engine may use it unretained.
struct SideTableReference: ~Copyable, Sendable {
    /// The side table's address (a +1 reference owned by this value), zero until it is set.
    private let address = Atomic<UInt>(0)

    init() {}

    deinit {
        let raw = address.load(ordering: .acquiring)
        if raw != 0 { Unmanaged<RundownSideTable>.fromOpaque(UnsafeRawPointer(bitPattern: raw)!).release() }
    }

    /// Runs `body` with the side table, if it is set, without retaining it.
    @inline(__always)
    borrowing func withTable<Result>(_ body: (RundownSideTable?) -> Result) -> Result {
        let raw = address.load(ordering: .acquiring)
        guard raw != 0 else { return body(nil) }
        return Unmanaged<RundownSideTable>.fromOpaque(UnsafeRawPointer(bitPattern: raw)!)._withUnsafeGuaranteedRef {
            body($0)
        }
    }

    /// The side table, if it is set (retained, for slow paths).
    borrowing func load() -> RundownSideTable? {
        withTable { $0 }
    }

    /// Sets the side table to `table` unless one is set already; returns the one that is set.
    borrowing func storeIfNil(_ table: RundownSideTable) -> RundownSideTable {
        let retained = Unmanaged.passRetained(table)
        let raw = UInt(bitPattern: retained.toOpaque())
        let (exchanged, current) = address.compareExchange(
            expected: 0,
            desired: raw,
            successOrdering: .acquiringAndReleasing,
            failureOrdering: .acquiring
        )
        if exchanged { return table }
        retained.release()
        return Unmanaged<RundownSideTable>.fromOpaque(UnsafeRawPointer(bitPattern: current)!).takeUnretainedValue()
    }
}
