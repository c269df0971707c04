// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// Run-down protection that scales with cores: one counter per CPU slot, each on its own cache line.
///
/// The same surface, contract and memory orderings as ``RundownRef`` (see there, and the ``RundownProtection``
/// protocol both conform to), for objects that many cores acquire and release at once. This is the NT kernel's
/// `EX_RUNDOWN_REF_CACHE_AWARE` and, in spirit, Linux's `percpu_ref`.
///
/// A single counter word is the bottleneck of run-down protection under contention: every acquire and release from
/// every core moves its cache line. Here each acquisition counts in the slot of the CPU the thread runs on and the
/// guard remembers that slot, so a release touches the same line, also when it happens on another thread or CPU.
/// Beginning run-down closes every slot and folds their counts into a shared ``RundownEngine``, whose holder count
/// releasers of a closed slot then decrement; whoever brings it to zero completes the generation, and the engine's
/// waiting and callback machinery (the same code as ``RundownRef``'s) does the rest.
///
/// ## Cost
/// - Acquire and release: one atomic read-modify-write each on the caller's slot, plus reading the current CPU
///   (a vDSO call on Linux); no lock, no allocation. Uncontended, somewhat slower than ``RundownRef``; contended
///   from several cores, much faster, because the cores do not share a line.
/// - Beginning run-down: one read-modify-write per slot.
/// - Memory: `slotCount` x 128 bytes (each slot on its own pair of cache lines, so adjacent-line prefetching does not
///   couple them) plus a small object; ``memoryFootprint`` says how much. Pick ``RundownRef`` for the many objects
///   that are rarely contended, and this type for the few that all cores hit.
/// - Holders: at most ``maximumHoldersPerSlot`` at once per slot.
///
/// The unguarded pair (``unsafe``) always counts in slot 0: an unguarded release cannot know which slot its
/// acquisition used, and counting both in one slot keeps releasing more than was acquired detectable.
public final class CacheAwareRundownRef: @unchecked Sendable {
    // `@unchecked Sendable`: `slots` is raw memory, and it is only ever accessed through the `Atomic`s bound in it;
    // everything else is an `Atomic`, an engine, or immutable.

    /// The slot words: bit 0 is "closed", the count of the slot's holders is in the bits above, in units of
    /// ``RundownWord/holderUnit``.
    @usableFromInline
    let slots: UnsafeMutableRawPointer

    /// `slotCount - 1`; slot counts are powers of two.
    @usableFromInline
    let slotMask: Int

    /// The completion word and waiter store. While active its count is zero; beginning run-down closes it with
    /// ``foldBias`` added, folds the slots' counts in and takes the bias out again; a count at or above
    /// ``foldInProgress`` means a fold (or a re-opening) is under way.
    let shared: RundownEngine

    /// The bytes between two slots: two 64-byte cache lines, against adjacent-line prefetch.
    @usableFromInline
    static var slotStride: Int { 128 }

    /// The most slots an instance can have.
    public static let maximumSlotCount = 128

    /// The most holders one slot can count at once.
    public static let maximumHoldersPerSlot = (1 << 23) - 1

    /// The bias the shared count carries while the slots are being folded in at the start of a run-down (or opened
    /// again by a re-initialization): twice as large as all the holders the slots can hold together. Releasers of
    /// already-closed slots cannot bring it to zero before every slot is folded in, and a shared count at or above
    /// ``foldInProgress`` tells everyone that the slots are being closed or opened right now.
    static let foldBias = 2 * UInt64(maximumSlotCount) * UInt64(maximumHoldersPerSlot + 1)

    /// A shared count at or above this means a fold (or re-opening) is in progress; after the fold the count is at
    /// most the number of holders, which stays below it.
    static let foldInProgress = foldBias / 2

    /// Creates an object with one slot per CPU (the next power of two, at most ``maximumSlotCount``), in the
    /// `active(holders: 0)` state.
    public convenience init() {
        var slotCount = 1
        while slotCount < Platform.processorCount, slotCount < Self.maximumSlotCount { slotCount *= 2 }
        self.init(slotCount: slotCount)
    }

    /// Creates an object with `slotCount` slots, in the `active(holders: 0)` state.
    ///
    /// A tuning knob: fewer slots than CPUs save memory (``memoryFootprint``) at the price of CPUs sharing a slot's
    /// cache line; more buy nothing. ``init()`` picks one slot per CPU.
    ///
    /// - Precondition: `slotCount` is a power of two from 1 to ``maximumSlotCount``.
    public init(slotCount: Int) {
        guard slotCount > 0, slotCount <= Self.maximumSlotCount, slotCount & (slotCount - 1) == 0 else {
            RundownMisuse.report(
                "CacheAwareRundownRef needs a power-of-two slot count from 1 to \(Self.maximumSlotCount), got \(slotCount)"
            )
        }
        slotMask = slotCount - 1
        slots = .allocate(byteCount: slotCount * Self.slotStride, alignment: Self.slotStride)
        for index in 0..<slotCount {
            (slots + index * Self.slotStride).bindMemory(to: Atomic<UInt64>.self, capacity: 1).initialize(to: Atomic(0))
        }
        shared = RundownEngine()
    }

    deinit {
        for index in 0...slotMask {
            _ = slot(index).move()
        }
        slots.deallocate()
    }

    /// The number of slots.
    public var slotCount: Int { slotMask + 1 }

    /// The memory one instance occupies: the slots plus the object itself.
    public var memoryFootprint: Int { slotCount * Self.slotStride + 64 }

    /// A snapshot of the state, for diagnostics; racy by nature, never use it to decide whether to acquire.
    ///
    /// Costs a load of every slot.
    public var state: RundownState {
        let word = RundownWord(rawValue: shared.word.load(ordering: .relaxed))
        if word.isCompleted { return .completed }
        // While active the shared count is zero; during the fold it carries the bias: count the slots then.
        if !word.isClosed || UInt64(word.holders) >= Self.foldInProgress {
            let holders = (0...slotMask).reduce(0) { sum, index in sum + slotWord(index).holders }
            // Slot 0 is closed first by a fold and opened first by a re-initialization: while it is open,
            // acquisitions can succeed.
            let open = !word.isClosed || !slotWord(0).isClosed
            return open ? .active(holders: holders) : .runningDown(holders: holders)
        }
        return .runningDown(holders: word.holders)
    }

    // MARK: Fast path

    @inlinable
    @inline(__always)
    func slot(_ index: Int) -> UnsafeMutablePointer<Atomic<UInt64>> {
        (slots + index * Self.slotStride).assumingMemoryBound(to: Atomic<UInt64>.self)
    }

    /// The slot of the CPU the caller runs on.
    @inlinable
    @inline(__always)
    var currentSlot: Int { CurrentProcessor.index & slotMask }

    /// Adds `units` holders in slot `index` unless run-down has begun there. One compare-and-swap.
    @inlinable
    @inline(__always)
    func acquire(units: UInt64, slot index: Int) -> Bool {
        slot(index).pointee.acquireHolders(units, limit: Self.slotHolderLimit) { overflow($0, units: units) }
    }

    /// Removes `units` holders from slot `index`. One atomic subtract; only a release on a closed slot leaves the
    /// fast path.
    @inlinable
    @inline(__always)
    func release(units: UInt64, slot index: Int) {
        if let old = slot(index).pointee.releaseHolders(units) {
            releasedOnClosedSlotOrUnderflowed(old, units: units)
        }
    }

    /// The largest value a slot word may reach with its closed bit clear.
    @inlinable
    static var slotHolderLimit: UInt64 { UInt64((1 << 23) - 1) * RundownWord.holderUnit }

    /// Slot `index`'s word, loaded relaxed.
    func slotWord(_ index: Int) -> RundownWord {
        RundownWord(rawValue: slot(index).pointee.load(ordering: .relaxed))
    }

    // MARK: Slow path

    @usableFromInline
    @inline(never)
    func overflow(_ current: UInt64, units: UInt64) -> Never {
        RundownMisuse.report(
            "acquiring \(units / RundownWord.holderUnit) more run-down holders would overflow the holder count of a "
                + "CacheAwareRundownRef slot (\(current / RundownWord.holderUnit) inside, "
                + "\(Self.maximumHoldersPerSlot) at most)"
        )
    }

    /// A release on a slot that run-down has closed: its holder was folded into the shared count, so it is
    /// released there; the release that brings that count to zero completes the generation.
    @usableFromInline
    @inline(never)
    func releasedOnClosedSlotOrUnderflowed(_ old: UInt64, units: UInt64) {
        if old & RundownWord.holderMask < units {
            RundownMisuse.report(
                "run-down protection released without a matching acquire: releasing \(units / RundownWord.holderUnit) "
                    + "while \((old & RundownWord.holderMask) / RundownWord.holderUnit) holders are inside its slot"
            )
        }
        shared.release(units: units)
    }
}
