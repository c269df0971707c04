// SPDX-License-Identifier: Apache-2.0
import CRundownSupport

/// What the fast path of a ``PerCPUStorage`` reads: the addresses and the slot count, copied out of the storage once
/// per operation so that they stay in registers across a restartable sequence, whose assembly clobbers memory.
@usableFromInline
struct PerCPUFastPath: @unchecked Sendable {
    // `@unchecked Sendable`: immutable copies of pointers into a `PerCPUStorage`'s raw memory, which is accessed only
    // as that type describes (atomics, or restartable sequences on the running CPU's own slot); whoever holds this
    // value also holds the storage alive.

    /// The storage's lines, as the restartable sequence reads them: the overflow word (whose bit 0 is the closed
    /// flag) and the slot count in line 0, slot `i` in line `i + 1` (see `C_RUNDOWN_RSEQ_FLAG_OFFSET`). One pointer,
    /// so that it stays in a register.
    @usableFromInline
    let lines: UnsafeMutablePointer<CChar>

    /// `slotCount - 1`.
    @usableFromInline
    let slotMask: Int

    /// Where a thread's rseq area is relative to its thread pointer (`c_rundown_rseq_area_offset`, the same for every
    /// thread), read once here so that a section needs no load to find the area; 0 off the rseq path.
    @usableFromInline
    let rseqAreaOffset: Int

    /// How holders are counted: the one field every acquisition and release branches on first.
    @usableFromInline
    let mode: PerCPUMode

    init(memory: UnsafeMutableRawPointer, slotCount: Int, mode: PerCPUMode) {
        lines = memory.assumingMemoryBound(to: CChar.self)
        slotMask = slotCount - 1
        rseqAreaOffset = mode.usesRestartableSequences ? c_rundown_rseq_area_offset() : 0
        self.mode = mode
    }

    /// Restartable-sequence path: adds `delta` (in word units) to the current CPU's slot unless the closed flag is set
    /// or the CPU has no slot; see `c_rundown_rseq_add`.
    @inlinable
    @inline(__always)
    func addInCurrentSlot(_ delta: Int64) -> Int32 {
        c_rundown_rseq_add(lines, delta, rseqAreaOffset)
    }
}
