// SPDX-License-Identifier: Apache-2.0

/// The readers of a ``RundownProtected`` created with `perCPUReaders: true`: one ``CacheAwareRundownRef`` per value
/// slot, so that a reader counts in the slot of its CPU (a restartable sequence where the platform has them, an atomic
/// slot elsewhere) instead of on one word every core shares.
///
/// The protocol is the one-word design's, with the per-CPU counter's steps: a reader acquires the current value
/// slot's counter and checks the published word again; a replacement re-initializes the idle slot's counter (its
/// values are written first), publishes the slot, then closes the old slot's counter (closed flag, `membarrier`,
/// fold) and waits for its count to drain. A reader that loaded the old slot number finds that counter closed and
/// reads the published word again: no reader is turned away. `Verification/rundown_protected_percpu.pml` checks the
/// protocol.
@usableFromInline
final class PerCPUReaders: Sendable {
    /// Slot 0's readers.
    @usableFromInline
    let first: CacheAwareRundownRef

    /// Slot 1's readers.
    @usableFromInline
    let second: CacheAwareRundownRef

    /// Slot 0 open (it holds the initial value), slot 1 completed (idle). The counters record under `name` if
    /// `recordingHolders`, and report no metrics of their own (a reader refused by a slot that a replacement closed
    /// is not refused by the object: it reads the new slot).
    init(recordingHolders: Bool, name: String?, fastPath: CacheAwareRundownRef.FastPath) {
        first = Self.makeCounter(recordingHolders: recordingHolders, name: name, fastPath: fastPath)
        second = Self.makeCounter(recordingHolders: recordingHolders, name: name, fastPath: fastPath)
        second.beginRundown()
        unretainedCounters = (Unmanaged.passUnretained(first), Unmanaged.passUnretained(second))
    }

    private static func makeCounter(
        recordingHolders: Bool,
        name: String?,
        fastPath: CacheAwareRundownRef.FastPath
    ) -> CacheAwareRundownRef {
        CacheAwareRundownRef(
            slotCount: CacheAwareRundownRef.defaultSlotCount,
            fastPath: fastPath,
            recordingHolders: recordingHolders,
            name: name,
            kind: "RundownProtected",
            reportsMetrics: false
        )
    }

    /// Slot 0's and slot 1's counters, unretained: this object keeps them alive (``first``, ``second``), and the
    /// operations other than reading use them without touching their reference counts.
    @usableFromInline
    let unretainedCounters: (Unmanaged<CacheAwareRundownRef>, Unmanaged<CacheAwareRundownRef>)

    /// What a reader needs of both counters, to be stored inline in the ``RundownProtected``.
    var readerPaths: PerCPUReaderPaths {
        PerCPUReaderPaths(
            paths: (first.pathFields, second.pathFields),
            storages: (Unmanaged.passUnretained(first.storage), Unmanaged.passUnretained(second.storage))
        )
    }

    /// The readers of value slot `slot` (0 or 1), unretained; valid while this object lives.
    @inlinable
    @inline(__always)
    func unretained(_ slot: Int) -> Unmanaged<CacheAwareRundownRef> {
        slot == 0 ? unretainedCounters.0 : unretainedCounters.1
    }
}

/// A reader's way into the per-CPU counters, stored inline in the ``RundownProtected`` (inside its
/// ``SlotCounters``): each slot's fast-path fields and its counter's storage, unretained. A read then loads what it
/// needs from the object it was called on, one level deep, and touches no reference count: the same code as
/// ``CacheAwareRundownRef``'s `withProtection`, on the slot's counter.
@usableFromInline
struct PerCPUReaderPaths: @unchecked Sendable {
    // `@unchecked Sendable`: copies of immutable pointers into the counters' storage (see `PerCPUFastPath`) and
    // unretained references to it; the `PerCPUReaders` that owns the counters lives as long as the object that
    // stores this value.

    /// Slot 0's and slot 1's fast-path fields.
    @usableFromInline
    let paths: (PerCPUFastPath, PerCPUFastPath)

    /// Slot 0's and slot 1's counter storage, unretained.
    @usableFromInline
    let storages: (Unmanaged<PerCPUStorage>, Unmanaged<PerCPUStorage>)

    init(paths: (PerCPUFastPath, PerCPUFastPath), storages: (Unmanaged<PerCPUStorage>, Unmanaged<PerCPUStorage>)) {
        self.paths = paths
        self.storages = storages
    }

    /// Acquires one reader of value slot `slot` at the caller's site.
    @inlinable
    @inline(__always)
    func acquire(slot: Int, fileID: StaticString, line: UInt, function: StaticString) -> _RundownAcquisition? {
        // One branch per slot, each reading only its own slot's fields.
        let site = HolderSite(fileID: fileID, line: line, function: function)
        if slot == 0 {
            return storages.0._withUnsafeGuaranteedRef {
                $0.acquire(units: RundownWord.holderUnit, site: site, path: paths.0)
            }
        }
        return storages.1._withUnsafeGuaranteedRef {
            $0.acquire(units: RundownWord.holderUnit, site: site, path: paths.1)
        }
    }

    /// Releases the reader `acquisition` of value slot `slot`.
    @inlinable
    @inline(__always)
    func release(slot: Int, _ acquisition: _RundownAcquisition) {
        if slot == 0 {
            storages.0._withUnsafeGuaranteedRef {
                $0.release(units: RundownWord.holderUnit, acquisition: acquisition, path: paths.0)
            }
        } else {
            storages.1._withUnsafeGuaranteedRef {
                $0.release(units: RundownWord.holderUnit, acquisition: acquisition, path: paths.1)
            }
        }
    }
}
