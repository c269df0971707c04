// SPDX-License-Identifier: Apache-2.0
import CRundownSupport
import Synchronization

/// The memory and the fast path of a ``CacheAwareRundownRef``: the per-CPU slots, the closed flag, the overflow word
/// and the shared engine, in an object of its own so that guards can keep it alive through their per-CPU
/// ``SlotAnchor``s without keeping the public object, whose reference count every core would share.
///
/// The memory is one allocation of 128-byte lines (two cache lines each, against adjacent-line prefetch):
///
/// ```
/// line 0        the overflow word (restartable-sequence path only), whose bit 0 is also the closed flag; the slot
///               count at offset 8; the Unmanaged pointer to the overflow word's anchor at offset 16
/// line 1 + i    slot i: its count at offset 0, the Unmanaged pointer to its anchor at offset 8
/// ```
///
/// Two protocols share that layout, decided once per process (``CacheAwareRundownRef/FastPath``):
///
/// - **Restartable sequences** (Linux with glibc's rseq registration): a slot holds a *net* count written only by
///   restartable sequences on its own CPU, with a plain add; a release may land on another CPU's slot than its
///   acquire, and only the sum means anything. The section reads the closed flag before its commit. A thread on a
///   CPU without a slot (an id beyond the slot count) counts in the overflow word instead, with a compare-and-swap
///   that refuses when it is closed. The closed flag *is* the overflow word's closed bit: one indicator for both
///   paths, so that no holder can acquire on one path and release on the other while the two disagree (the SPIN
///   model in `Verification/rundown_rseq.pml` found exactly that with two separate indicators). Beginning run-down
///   closes the overflow word (an atomic OR that also reads its count), issues
///   `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ)` (after which every section in flight has committed or
///   restarts and sees the flag), and folds the slots' sum since the last fold and the overflow count into the shared
///   engine; releases after the close release on the shared engine. Re-initialization reopens both paths with one
///   store to the overflow word.
/// - **Atomic slots** (everywhere else): a slot holds its CPU's holders and a closed bit (bit 0) in one word; acquire
///   is a compare-and-swap refusing when closed, release an atomic subtract, and a guard releases into the slot it
///   acquired in. Beginning run-down closes every slot with an atomic OR and folds their counts.
///
/// Both fold the same way into the shared engine: close its word with ``foldBias`` added, fold, release
/// `foldBias - folded`; the bias keeps the count above zero until the fold is done.
@usableFromInline
final class PerCPUStorage: @unchecked Sendable {
    // `@unchecked Sendable`: `memory` is raw memory. Its slot and overflow words are accessed only through the
    // `Atomic`s bound in it, or, on the restartable-sequence path, by restartable sequences, each of which writes only
    // the slot of the CPU it runs on and is restarted if anything else ran there in between; the anchor pointers are
    // written once, in `init`, before the object is shared. Everything else is immutable, an `Atomic` or an engine.

    /// The lines: the overflow word (and closed flag), then the slots.
    @usableFromInline
    let memory: UnsafeMutableRawPointer

    /// The number of slots, a power of two.
    @usableFromInline
    let slotCount: Int

    /// Everything the fast path reads, in one value that a caller loads once: after a restartable sequence (whose
    /// assembly clobbers memory) the fields are in registers instead of being loaded from this object again.
    @usableFromInline
    let pathFields: PerCPUFastPath

    /// The completion word and waiter store. While active its count is zero; beginning run-down closes it with
    /// ``foldBias`` added, folds the slots' counts in and takes the bias out again; a count at or above
    /// ``foldInProgress`` means a fold (or a re-opening) is under way.
    @usableFromInline
    let shared: RundownEngine

    /// Restartable-sequence path: the sum of the slots at the last fold. Slots are never reset (only their CPU may
    /// write them), so the next fold counts what was added since. Touched only by the thread that won the close, or
    /// the one re-initializing, which never run at the same time.
    let baseline = Atomic<Int64>(0)

    /// The bytes of one line.
    @usableFromInline
    static var stride: Int { Int(C_RUNDOWN_SLOT_STRIDE) }

    /// The most slots an instance can have.
    static let maximumSlotCount = 128

    /// The most holders one atomic slot (or the overflow word) can count at once: what the count bits of a slot
    /// word hold below the fold's bias (``foldBias`` must stay far below the engine's holder limit).
    @usableFromInline
    static let maximumHoldersPerSlot = (1 << 23) - 1

    /// The bias the shared count carries while the slots are being folded in (or opened again by a
    /// re-initialization): twice as large as anything a fold can count. Releasers of already-closed slots cannot
    /// bring it to zero before every slot is folded in, and a shared count at or above ``foldInProgress`` tells
    /// everyone that the slots are being closed or opened right now.
    static let foldBias = 2 * UInt64(maximumSlotCount) * UInt64(maximumHoldersPerSlot + 1)

    /// A shared count at or above this means a fold (or re-opening) is in progress; after the fold the count is the
    /// number of holders, which stays below it (the most holders an instance can have at once).
    static let foldInProgress = foldBias / 2

    init(
        slotCount: Int,
        mode: PerCPUMode,
        name: String? = nil,
        kind: String = "CacheAwareRundownRef",
        reportsMetrics: Bool = true
    ) {
        self.slotCount = slotCount
        let memory = UnsafeMutableRawPointer.allocate(byteCount: (slotCount + 1) * Self.stride, alignment: Self.stride)
        self.memory = memory
        pathFields = PerCPUFastPath(memory: memory, slotCount: slotCount, mode: mode)
        for line in 0..<(slotCount + 1) {
            (memory + line * Self.stride).bindMemory(to: Atomic<UInt64>.self, capacity: 1).initialize(to: Atomic(0))
        }
        // The slot count, next to the flag, where the restartable sequence compares the CPU id with it.
        (memory + Int(C_RUNDOWN_RSEQ_SLOT_COUNT_OFFSET)).bindMemory(to: UInt32.self, capacity: 1)
            .initialize(to: UInt32(slotCount))
        shared = RundownEngine(recordingHolders: mode.records, name: name, kind: kind, reportsMetrics: reportsMetrics)
    }

    /// How holders are counted.
    var mode: PerCPUMode { pathFields.mode }

    deinit {
        for line in 0..<(slotCount + 1) {
            _ = (memory + line * Self.stride).assumingMemoryBound(to: Atomic<UInt64>.self).move()
        }
        memory.deallocate()
    }

    // MARK: Words

    /// The overflow word of the restartable-sequence path; its closed bit is the closed flag every section reads.
    @inlinable
    var overflowWord: UnsafeMutablePointer<Atomic<UInt64>> {
        memory.assumingMemoryBound(to: Atomic<UInt64>.self)
    }

    /// The word of slot `index` (below ``slotCount``).
    @inlinable
    @inline(__always)
    func slot(_ index: Int) -> UnsafeMutablePointer<Atomic<UInt64>> {
        (memory + (index &+ 1) &* Self.stride).assumingMemoryBound(to: Atomic<UInt64>.self)
    }

    /// The index that names the overflow word (for anchors and snapshots).
    @inlinable
    var overflowIndex: Int { slotCount }

    /// Where slot `index` (or, for ``overflowIndex``, the overflow word) keeps the pointer to its anchor, on the same
    /// cache line as its count.
    @inlinable
    @inline(__always)
    func anchorPointer(_ index: Int) -> UnsafeMutablePointer<Unmanaged<SlotAnchor>> {
        (memory + Self.anchorOffset(index, slotCount: slotCount)).assumingMemoryBound(to: Unmanaged<SlotAnchor>.self)
    }

    /// The byte offset of the anchor pointer of slot `index`, or of the overflow word's at `index == slotCount`.
    @inlinable
    @inline(__always)
    static func anchorOffset(_ index: Int, slotCount: Int) -> Int {
        index == slotCount
            ? Int(C_RUNDOWN_OVERFLOW_ANCHOR_OFFSET) : (index &+ 1) &* stride &+ Int(C_RUNDOWN_SLOT_ANCHOR_OFFSET)
    }

    /// Records the anchors, once, before the storage is shared; the ``CacheAwareRundownRef`` owns them.
    func install(_ anchors: [SlotAnchor]) {
        for (index, anchor) in anchors.enumerated() {
            (memory + Self.anchorOffset(index, slotCount: slotCount))
                .bindMemory(to: Unmanaged<SlotAnchor>.self, capacity: 1)
                .initialize(to: .passUnretained(anchor))
        }
    }

    // MARK: Fast path

    /// Adds `units` holders unless run-down has begun; records the holder as `kind` if the object records.
    ///
    /// - Returns: Where the acquisition counts, for its release: the slot index on atomic slots (for a guard on
    ///   restartable sequences too, where it only says which anchor the guard keeps); 0 or the overflow index on
    ///   restartable sequences, where a release may go anywhere; the holder's token if it was recorded. `nil` if
    ///   run-down has begun.
    @inlinable
    @inline(__always)
    func acquire(
        units: UInt64,
        site: HolderSite,
        path: PerCPUFastPath,
        kind: HolderKind = .scoped,
        forGuard: Bool = false
    ) -> _RundownAcquisition? {
        if path.mode == .restartableSequences {
            return count(units: units, path: path, restartable: true, forGuard: forGuard)
        }
        if path.mode == .atomicSlots { return count(units: units, path: path, restartable: false, forGuard: forGuard) }
        return acquireRecorded(units: units, site: site, path: path, kind: kind, forGuard: forGuard)
    }

    /// Removes the `units` holders that `acquisition` added; the restartable-sequence path releases in the current
    /// CPU's slot, wherever it acquired.
    @inlinable
    @inline(__always)
    func release(units: UInt64, acquisition: _RundownAcquisition, path: PerCPUFastPath) {
        if path.mode == .restartableSequences {
            uncount(units: units, slot: acquisition.slot, restartable: true, path: path)
            return
        }
        if path.mode == .atomicSlots {
            uncount(units: units, slot: acquisition.slot, restartable: false, path: path)
            return
        }
        releaseRecorded(units: units, acquisition: acquisition, path: path)
    }

    /// Adds `units` holders for the unguarded pair, whose release cannot know where the acquisition counted: slot 0
    /// on atomic slots (so that releasing more than was acquired stays detectable); the current CPU's slot on
    /// restartable sequences, where slots hold net counts and the release may go anywhere.
    @inlinable
    @inline(__always)
    func acquireUnguarded(units: UInt64, site: HolderSite) -> Bool {
        let path = pathFields
        if path.mode == .restartableSequences {
            return count(units: units, path: path, restartable: true, forGuard: false) != nil
        }
        if path.mode == .atomicSlots { return acquireAtomic(units: units, slot: 0) }
        return acquireRecorded(units: units, site: site, path: path, kind: .unguarded, forGuard: false) != nil
    }

    /// Removes `units` holders of the unguarded pair (see ``acquireUnguarded(units:site:)``).
    @inlinable
    @inline(__always)
    func releaseUnguarded(units: UInt64) {
        let path = pathFields
        if path.mode == .restartableSequences {
            uncount(units: units, slot: 0, restartable: true, path: path)
            return
        }
        if path.mode == .atomicSlots {
            uncount(units: units, slot: 0, restartable: false, path: path)
            return
        }
        releaseRecordedUnguarded(units: units, path: path)
    }

    /// Counts `units` holders in the caller's slot unless it is closed. Restartable sequences: one section on the
    /// current CPU's slot (or the overflow word's compare-and-swap on a CPU without a slot); atomic slots: one
    /// compare-and-swap on the current CPU's slot.
    @inlinable
    @inline(__always)
    func count(units: UInt64, path: PerCPUFastPath, restartable: Bool, forGuard: Bool) -> _RundownAcquisition? {
        if restartable {
            let result = path.addInCurrentSlot(Int64(bitPattern: units))
            if result == C_RUNDOWN_RSEQ_DONE {
                let slot = forGuard ? Int(truncatingIfNeeded: c_rundown_rseq_cpu()) & path.slotMask : 0
                return _RundownAcquisition(slot: slot, token: .unrecorded)
            }
            return result == C_RUNDOWN_RSEQ_CLOSED ? refused() : acquireOverflow(units: units)
        }
        let index = CurrentProcessor.index & path.slotMask
        return acquireAtomic(units: units, slot: index)
            ? _RundownAcquisition(slot: index, token: .unrecorded) : refused()
    }

    /// Removes `units` holders counted by ``count(units:path:restartable:forGuard:)`` (atomic slots: in `slot`), with
    /// the fast-path fields the caller already has in registers.
    @inlinable
    @inline(__always)
    func uncount(units: UInt64, slot: Int, restartable: Bool, path: PerCPUFastPath) {
        if restartable {
            let result = path.addInCurrentSlot(0 &- Int64(bitPattern: units))
            if result != C_RUNDOWN_RSEQ_DONE { releasedAfterCloseOrWithoutSlot(result, units: units) }
            return
        }
        releaseAtomic(units: units, slot: slot)
    }

    /// Atomic-slot path: adds `units` holders in slot `index` unless it is closed. One compare-and-swap.
    @inlinable
    @inline(__always)
    func acquireAtomic(units: UInt64, slot index: Int) -> Bool {
        slot(index).pointee.acquireHolders(units, limit: Self.slotHolderLimit) { overflow($0, units: units) }
    }

    /// Atomic-slot path: removes `units` holders from slot `index`. One atomic subtract; only a release on a closed
    /// slot leaves the fast path.
    @inlinable
    @inline(__always)
    func releaseAtomic(units: UInt64, slot index: Int) {
        if let old = slot(index).pointee.releaseHolders(units) {
            releasedOnClosedSlotOrUnderflowed(old, units: units)
        }
    }

    /// The largest value an atomic slot word may reach with its closed bit clear.
    @inlinable
    static var slotHolderLimit: UInt64 { UInt64(maximumHoldersPerSlot) * RundownWord.holderUnit }

    // MARK: Slow path

    /// An acquisition refused because run-down has begun: nothing was written.
    @usableFromInline
    @inline(never)
    func refused() -> _RundownAcquisition? {
        shared.metrics?.refused()
        return nil
    }

    @usableFromInline
    @inline(never)
    func overflow(_ current: UInt64, units: UInt64) -> Never {
        RundownMisuse.report(
            "acquiring \(units / RundownWord.holderUnit) more run-down holders would overflow the holder count of a "
                + "CacheAwareRundownRef slot (\(current / RundownWord.holderUnit) inside, "
                + "\(Self.maximumHoldersPerSlot) at most)"
        )
    }

    /// Atomic-slot path: a release on a slot that run-down has closed: its holder was folded into the shared count,
    /// so it is released there; the release that brings that count to zero completes the generation.
    @usableFromInline
    @inline(never)
    func releasedOnClosedSlotOrUnderflowed(_ old: UInt64, units: UInt64) {
        if old & RundownWord.holderMask < units {
            RundownMisuse.report(
                "run-down protection released without a matching acquire: releasing \(units / RundownWord.holderUnit) "
                    + "while \((old & RundownWord.holderMask) / RundownWord.holderUnit) holders are inside its slot"
            )
        }
        shared.release(units: units, token: .unrecorded)
    }

    /// Recording modes: counts the holder in the slots as the mode's protocol does, then records it with the shared
    /// engine's recorder (the records are what reports read; the counts are what run-down waits for).
    @usableFromInline
    @inline(never)
    func acquireRecorded(
        units: UInt64,
        site: HolderSite,
        path: PerCPUFastPath,
        kind: HolderKind,
        forGuard: Bool
    ) -> _RundownAcquisition? {
        let restartable = path.mode.usesRestartableSequences
        let counted: _RundownAcquisition?
        if kind == .unguarded, !restartable {
            counted = acquireAtomic(units: units, slot: 0) ? _RundownAcquisition(slot: 0, token: .unrecorded) : nil
        } else {
            counted = count(units: units, path: path, restartable: restartable, forGuard: forGuard)
        }
        guard let counted else { return nil }
        if kind == .unguarded { shared.noteUnguardedRecord() }
        let token = HolderRecorder.add(site: site, units: units, kind: kind, owner: shared.recorderIdentity)
        return _RundownAcquisition(slot: counted.slot, token: token)
    }

    /// Recording modes: forgets the holder's record, then releases its count (so that its record is gone by the
    /// time a run-down it completes lets a waiter report).
    @usableFromInline
    @inline(never)
    func releaseRecorded(units: UInt64, acquisition: _RundownAcquisition, path: PerCPUFastPath) {
        if acquisition.token.isRecorded { HolderRecordSlab.free(acquisition.token) }
        uncount(units: units, slot: acquisition.slot, restartable: path.mode.usesRestartableSequences, path: path)
    }

    /// Recording modes: forgets the newest matching unguarded record, then releases the count.
    @usableFromInline
    @inline(never)
    func releaseRecordedUnguarded(units: UInt64, path: PerCPUFastPath) {
        HolderRecorder.removeUnguarded(units: units, owner: shared.recorderIdentity)
        uncount(units: units, slot: 0, restartable: path.mode.usesRestartableSequences, path: path)
    }

    /// Restartable-sequence path, a thread on a CPU without a slot: adds `units` to the overflow word unless it is
    /// closed, with a compare-and-swap (no section: several CPUs share this word). Its count is net, like the slots'.
    @usableFromInline
    @inline(never)
    func acquireOverflow(units: UInt64) -> _RundownAcquisition? {
        let word = overflowWord
        var current = word.pointee.load(ordering: .relaxed)
        while true {
            if current & RundownWord.closedBit != 0 { return nil }
            let (exchanged, original) = word.pointee.weakCompareExchange(
                expected: current,
                desired: current &+ units,
                successOrdering: .acquiring,
                failureOrdering: .relaxed
            )
            if exchanged { return _RundownAcquisition(slot: overflowIndex, token: .unrecorded) }
            current = original
        }
    }

    /// Restartable-sequence path: a release the section could not do. Closed: the holder was folded into the shared
    /// count, release it there. No slot for this CPU: subtract from the overflow word; if that was closed already,
    /// its count was folded, so release on the shared engine as well.
    @usableFromInline
    @inline(never)
    func releasedAfterCloseOrWithoutSlot(_ result: Int32, units: UInt64) {
        if result == C_RUNDOWN_RSEQ_CLOSED {
            shared.release(units: units, token: .unrecorded)
            return
        }
        let old = overflowWord.pointee.wrappingSubtract(units, ordering: .releasing).oldValue
        if old & RundownWord.closedBit != 0 {
            shared.release(units: units, token: .unrecorded)
        }
    }

    /// Restartable-sequence path: the net holders in the slots and the overflow word since the last fold. Racy
    /// unless the overflow word is closed and the barrier has been issued.
    func netHoldersSinceFold() -> Int64 {
        var sum: Int64 = 0
        for index in 0..<slotCount {
            sum &+= Int64(bitPattern: slot(index).pointee.load(ordering: .acquiring))
        }
        let overflow = overflowWord.pointee.load(ordering: .acquiring)
        return (sum &- baseline.load(ordering: .relaxed)) / Int64(RundownWord.holderUnit)
            &+ Self.netHolders(inOverflowWord: overflow)
    }

    /// The net holders an overflow word counts (the count may be negative: a release of a holder that acquired in a
    /// slot may land there). The low two bits are flags; the count is in units of four.
    static func netHolders(inOverflowWord word: UInt64) -> Int64 {
        Int64(bitPattern: word & ~UInt64(3)) >> 2
    }
}
