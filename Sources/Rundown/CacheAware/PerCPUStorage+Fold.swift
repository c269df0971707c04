// SPDX-License-Identifier: Apache-2.0
import CRundownSupport
import Synchronization

// Beginning run-down (the fold), re-initialization and the state snapshot: the slow paths of both per-CPU
// protocols. Waiting and callbacks are the shared engine's code, the same `RundownRef` runs.
extension PerCPUStorage {
    /// Closes the generation if it is open: marks the shared word closed with the fold bias, closes the slots and
    /// folds their counts in. Completes the generation if no holder remains.
    ///
    /// - Returns: The generation that is (now) running down, and whether this call closed it.
    func close() -> (generation: UInt32, began: Bool) {
        var current = shared.word.load(ordering: .acquiring)
        while true {
            let observed = RundownWord(rawValue: current)
            if observed.isClosed {
                // Closed: done, unless another thread is still folding the slots in (or a re-initialization is
                // still opening them); run-down has begun only once every slot refuses, so wait for that. The fold
                // is a handful of instructions per slot (and one membarrier); this yields only if its thread was
                // preempted.
                guard UInt64(observed.holders) >= Self.foldInProgress else { return (observed.generation, false) }
                Platform.yieldThread()
                current = shared.word.load(ordering: .acquiring)
                continue
            }
            let (exchanged, original) = shared.word.compareExchange(
                expected: current,
                desired: current | RundownWord.closedBit | Self.foldBias * RundownWord.holderUnit,
                successOrdering: .acquiringAndReleasing,
                failureOrdering: .acquiring
            )
            if exchanged { break }
            current = original
        }
        shared.metrics?.rundownBegan(at: Platform.monotonicNanoseconds())
        // This call won the race to close the generation: fold every slot in. Releasers of slots closed so far
        // already release on the shared engine; the bias keeps its count above zero until the fold is done.
        let folded = mode.usesRestartableSequences ? foldNetSlots() : foldAtomicSlots()
        // Taking the bias out is a release of `foldBias - folded` units on the shared engine: the release that
        // brings its count to zero completes the generation, whether it is this one or a holder's.
        shared.release(units: (Self.foldBias - folded) * RundownWord.holderUnit, token: .unrecorded)
        return (RundownWord(rawValue: current).generation, true)
    }

    /// Atomic-slot path: closes every slot with an atomic OR and adds up what they held.
    /// - Returns: The holders folded.
    private func foldAtomicSlots() -> UInt64 {
        var folded: UInt64 = 0
        for index in 0..<slotCount {
            let old = slot(index).pointee.bitwiseOr(RundownWord.closedBit, ordering: .acquiringAndReleasing).oldValue
            folded += (old & RundownWord.holderMask) / RundownWord.holderUnit
        }
        return folded
    }

    /// Restartable-sequence path: closes the overflow word (its closed bit is the flag every section reads, so this
    /// closes both paths at once and reads the overflow count), waits with the membarrier until no section that read
    /// the flag open can still commit, then adds up the slots since the last fold.
    /// - Returns: The holders folded.
    private func foldNetSlots() -> UInt64 {
        let overflow = overflowWord.pointee.bitwiseOr(RundownWord.closedBit, ordering: .acquiringAndReleasing).oldValue
        // After the barrier every section in flight has committed (and its write is visible here) or restarts and
        // finds the flag closed. Without it a section that read the flag open could commit after the sum below.
        let error = c_rundown_rseq_fence()
        guard error == 0 else {
            fatalError(
                "CacheAwareRundownRef cannot close its per-CPU slots: membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ) "
                    + "failed with error \(error), and folding them without it could lose holders"
            )
        }
        var sum: Int64 = 0
        for index in 0..<slotCount {
            sum &+= Int64(bitPattern: slot(index).pointee.load(ordering: .acquiring))
        }
        let sinceLastFold = (sum &- baseline.load(ordering: .relaxed)) / Int64(RundownWord.holderUnit)
        baseline.store(sum, ordering: .relaxed)
        let folded = sinceLastFold &+ Self.netHolders(inOverflowWord: overflow)
        guard folded >= 0 else {
            RundownMisuse.report(
                "run-down protection released without a matching acquire: the per-CPU slots of a CacheAwareRundownRef "
                    + "hold \(folded) holders when its run-down begins"
            )
        }
        guard UInt64(folded) < Self.foldInProgress else {
            RundownMisuse.report(
                "a CacheAwareRundownRef holds \(folded) holders when its run-down begins, more than the "
                    + "\(Self.foldInProgress - 1) it can count"
            )
        }
        return UInt64(folded)
    }

    /// Opens a new generation after run-down has completed; `state` names the state in a misuse message.
    ///
    /// Marks the shared word "opening" (the next generation, closed, with the bias), reopens the slots (atomic
    /// slots: each CAS closed|0 -> 0; restartable sequences: one store to the overflow word, which is also the flag,
    /// with the slots' sum kept as the baseline), then opens the shared word with a releasing store.
    func reInitialize(misuseState state: () -> RundownState) {
        let current = RundownWord(rawValue: shared.word.load(ordering: .acquiring))
        guard current.isCompleted else { RundownMisuse.reInitialized(in: state()) }
        // First move the shared word out of "completed", to the next generation marked "slots being opened", so
        // that nobody sees the old generation completed while holders of the new one are already inside, and a
        // run-down that begins meanwhile waits until the slots are open.
        let opening = RundownWord.opened(generation: current.generation &+ 1, recording: current.isRecording).rawValue
        let (claimed, _) = shared.word.compareExchange(
            expected: current.rawValue,
            desired: opening | RundownWord.closedBit | Self.foldBias * RundownWord.holderUnit,
            successOrdering: .acquiringAndReleasing,
            failureOrdering: .relaxed
        )
        if !claimed { RundownMisuse.reInitialized(in: .completed) }
        if mode.usesRestartableSequences {
            // No holder of the completed generation is left and every acquisition refuses: nothing else writes the
            // overflow word now, and the slots keep their sums (only their CPUs may write them). One store reopens
            // both paths: the overflow word's compare-and-swap and the sections that read its closed bit.
            overflowWord.pointee.store(0, ordering: .releasing)
        } else {
            for index in 0..<slotCount {
                // A completed generation leaves every slot closed and empty.
                let (exchanged, _) = slot(index).pointee.compareExchange(
                    expected: RundownWord.closedBit,
                    desired: 0,
                    successOrdering: .releasing,
                    failureOrdering: .relaxed
                )
                if !exchanged { RundownMisuse.reInitialized(in: .completed) }
            }
        }
        shared.word.store(opening, ordering: .releasing)
    }

    /// A snapshot of the state, for diagnostics; racy by nature. Costs a load of every slot.
    var state: RundownState {
        let word = RundownWord(rawValue: shared.word.load(ordering: .relaxed))
        if word.isCompleted { return .completed }
        // While active the shared count is zero; during the fold it carries the bias: count the slots then.
        guard !word.isClosed || UInt64(word.holders) >= Self.foldInProgress else {
            return .runningDown(holders: word.holders)
        }
        if mode.usesRestartableSequences {
            let holders = Int(truncatingIfNeeded: max(netHoldersSinceFold(), 0))
            let open = !word.isClosed || overflowWord.pointee.load(ordering: .relaxed) & RundownWord.closedBit == 0
            return open ? .active(holders: holders) : .runningDown(holders: holders)
        }
        let holders = (0..<slotCount).reduce(0) { sum, index in
            sum + RundownWord(rawValue: slot(index).pointee.load(ordering: .relaxed)).holders
        }
        // Slot 0 is closed first by a fold and opened first by a re-initialization: while it is open, acquisitions
        // can succeed.
        let open = !word.isClosed || !RundownWord(rawValue: slot(0).pointee.load(ordering: .relaxed)).isClosed
        return open ? .active(holders: holders) : .runningDown(holders: holders)
    }

    /// The holders counted in slot `index` (or, for ``overflowIndex``, the overflow word) and whether it is closed;
    /// for tests.
    func snapshot(ofSlot index: Int) -> (holders: Int, isClosed: Bool) {
        let word = RundownWord(
            rawValue: (index == overflowIndex ? overflowWord : slot(index)).pointee.load(ordering: .relaxed)
        )
        return (word.holders, word.isClosed)
    }
}
