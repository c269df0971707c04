// SPDX-License-Identifier: Apache-2.0

/// What a guard of a ``CacheAwareRundownRef`` retains: one small object per slot, padded so that no two anchors'
/// reference counts share a cache line (or an adjacent-line-prefetch pair), and holding the storage alive.
///
/// A guard must keep alive what it releases into. If every guard retained the public object, every acquire and
/// release of a guard on every core would change that one object's reference count, and the per-CPU slots would buy
/// nothing. A guard retains the anchor of the slot it acquired in instead: its reference count is on the acquiring
/// CPU's own line, and the anchor keeps the ``PerCPUStorage`` (slots, shared engine, waiter store) alive for as long
/// as any guard holds it, also after the public object is gone.
@usableFromInline
final class SlotAnchor: Sendable {
    /// What the guard releases into.
    @usableFromInline
    let storage: PerCPUStorage

    /// The slot this anchor belongs to (``PerCPUStorage/overflowIndex`` for the overflow word); an atomic-slot
    /// guard releases into it.
    @usableFromInline
    let slot: Int

    /// The storage's fast-path fields, on this anchor's own line, for the guard's release.
    @usableFromInline
    let pathFields: PerCPUFastPath

    /// Padding: with it an anchor takes more than 256 bytes, so the reference counts of two anchors are on different
    /// 128-byte pairs of cache lines.
    private let padding = PaddingLines()

    init(storage: PerCPUStorage, slot: Int) {
        self.storage = storage
        self.slot = slot
        pathFields = storage.pathFields
    }
}

/// 256 bytes of nothing.
private struct PaddingLines: Sendable {
    var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    var more: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    var evenMore: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    var last: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
}
