// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown
import Synchronization

/// The reference bookkeeping of a concurrent random schedule: which generation is open, which have been closed,
/// and how many holder units each generation has inside, so that every thread and task can check each step it
/// takes against the contract without knowing the interleaving.
///
/// Only a single controller re-initializes. It announces a re-initialization in ``phase`` (odd while it is under
/// way, `2g` once generation `g` is open), so that
/// - a holder that has just acquired knows its generation exactly: `(phase + 1) / 2`, read after the acquisition
///   (the acquisition synchronizes with the re-initialization, and the next one cannot start while it holds);
/// - a closer (begin, wait, callback) knows a generation that its call closes or finds completed: `phase / 2`,
///   read before the call.
///
/// Holders count themselves into a slot of ``insideSlots`` after acquiring and out before releasing, so a slot's
/// count is never more than the real holders of its generation; once that generation completes it must read 0.
/// Whoever sees a generation complete (a wait, a callback) also marks its slot, and a holder that meets the mark
/// when counting itself in or out was inside a completed generation.
/// Slots are reused round-robin and stamped with their generation, so a late reader of a long-gone generation
/// sees another stamp and checks nothing rather than something wrong.
final class GenerationLedger: Sendable {
    /// The invariants checked, one counter each; every one must stay 0.
    enum Violation: String, CaseIterable {
        case acquiredAfterRundownBegan = "an acquisition succeeded after run-down of its generation had begun"
        case acquiredAfterCompletion = "an acquisition succeeded in a generation that a wait or callback saw complete"
        case insideAfterCompletion = "a holder was inside when a wait or callback saw its generation complete"
        case waitReturnedWithHolderInside = "a wait returned true while a holder of its generation was inside"
        case callbackRanWithHolderInside = "a completion callback ran while a holder of its generation was inside"
        case callbackRanTwice = "a completion callback ran more than once"
        case stateWrongWhileHolding = "the state did not show a holder that was inside"
        case ownWaitCompleted = "a holder's own zero-timeout wait returned true while it was inside"
        case stateNotCompletedAfterWait = "the state was not completed after the controller's run-down completed"
        case waiterStalled = "a wait did not return within a minute of its generation's holders leaving"
        case slotStampWrong = "a holder's generation slot carried another generation's stamp"
    }

    static let slotCount = 1_024
    private static let countBits = 32
    /// Set in a slot once a wait or callback saw its generation complete; a holder that sees it is a violation.
    private static let completedMark = 1 << 31

    /// `2g` while generation `g` is open and stable; `2g + 1` while the controller re-initializes to `g + 1`.
    let phase = Atomic<Int>(0)
    /// The highest generation that some closer has seen closed (its begin or wait returned); -1 before any.
    let closedThrough = Atomic<Int>(-1)
    /// Set by the controller when the run's budget is spent; workers finish their current step and stop.
    let stop = Atomic<Bool>(false)

    let acquiredUnits = Atomic<Int>(0)
    let releasedUnits = Atomic<Int>(0)
    let refusals = Atomic<Int>(0)
    let waitsCompleted = Atomic<Int>(0)
    let waitsGaveUp = Atomic<Int>(0)
    let callbacksRegistered = Atomic<Int>(0)
    let callbacksRun = Atomic<Int>(0)

    private let insideSlots: [Slot]
    private let violations: [Counter]

    init() {
        insideSlots = (0..<Self.slotCount).map { Slot(stamp: $0 == 0 ? 0 : -1) }
        violations = Violation.allCases.map { _ in Counter() }
    }

    // MARK: Holders

    /// Called right after a successful acquisition of `units`; `closedBefore` is ``closedThrough`` read before it.
    /// - Returns: The holder's generation, to pass to ``leaving(generation:units:)``.
    func entered(units: Int, closedBefore: Int) -> Int {
        let generation = (phase.load(ordering: .acquiring) + 1) / 2
        if closedBefore >= generation { record(.acquiredAfterRundownBegan) }
        let slot = insideSlots[generation % Self.slotCount]
        let old = slot.value.add(units, ordering: .relaxed).oldValue
        if old >> Self.countBits != generation { record(.slotStampWrong) }
        if old & Self.completedMark != 0 { record(.acquiredAfterCompletion) }
        acquiredUnits.add(units, ordering: .relaxed)
        return generation
    }

    /// Called right before releasing `units` acquired in `generation`.
    func leaving(generation: Int, units: Int) {
        let old = insideSlots[generation % Self.slotCount].value.subtract(units, ordering: .relaxed).oldValue
        if old & Self.completedMark != 0 { record(.insideAfterCompletion) }
        releasedUnits.add(units, ordering: .relaxed)
    }

    /// Checks the state snapshot taken while holding `units`: it must show at least that many holders, or, where the
    /// count is a racy sum of net per-CPU counts (the restartable-sequence path: another holder's acquire and release
    /// may land in slots read on either side of it), at least that it is not completed.
    func checkHolding(_ state: RundownState, units: Int, countIsExact: Bool = true) {
        switch state {
        case .active(let holders), .runningDown(let holders):
            if countIsExact && holders < units { record(.stateWrongWhileHolding) }
        case .completed:
            record(.stateWrongWhileHolding)
        }
    }

    // MARK: Closers

    /// A generation that a begin or wait called after this returns will have closed (or found completed).
    var closerGeneration: Int { phase.load(ordering: .acquiring) / 2 }

    /// Called after a begin or wait whose ``closerGeneration`` was `generation` returned.
    func closed(_ generation: Int) {
        var current = closedThrough.load(ordering: .relaxed)
        while current < generation {
            let (exchanged, original) = closedThrough.compareExchange(
                expected: current,
                desired: generation,
                successOrdering: .releasing,
                failureOrdering: .relaxed
            )
            if exchanged { break }
            current = original
        }
    }

    /// Called when a wait for `generation` returned `true` (or an untimed one returned).
    func waitCompleted(_ generation: Int) {
        waitsCompleted.add(1, ordering: .relaxed)
        if holdersInside(generation) != 0 { record(.waitReturnedWithHolderInside) }
        markCompleted(generation)
    }

    /// A completion callback for `generation` that checks it runs once, after the generation's holders left.
    func makeCallback(for generation: Int) -> @Sendable () -> Void {
        callbacksRegistered.add(1, ordering: .relaxed)
        let runs = Counter()
        return {
            if runs.add() != 1 { self.record(.callbackRanTwice) }
            self.callbacksRun.add(1, ordering: .relaxed)
            if self.holdersInside(generation) != 0 { self.record(.callbackRanWithHolderInside) }
            self.markCompleted(generation)
        }
    }

    /// Marks `generation` completed in its slot (unless the slot has moved on): every holder of it has left, so a
    /// holder that later counts itself in or out of the slot has broken the contract. The marking is a
    /// read-modify-write of the slot, ordered after every holder's count-out by the run-down's own ordering.
    private func markCompleted(_ generation: Int) {
        let slot = insideSlots[generation % Self.slotCount]
        var current = slot.value.load(ordering: .relaxed)
        while current >> Self.countBits == generation, current & Self.completedMark == 0 {
            let (exchanged, original) = slot.value.compareExchange(
                expected: current,
                desired: current | Self.completedMark,
                ordering: .relaxed
            )
            if exchanged { return }
            current = original
        }
    }

    // MARK: Controller

    /// Announces the re-initialization from `generation` to the next; call before `reInitialize()`.
    func beginReInitialization(from generation: Int) {
        insideSlots[(generation + 1) % Self.slotCount].value.store(
            (generation + 1) << Self.countBits,
            ordering: .relaxed
        )
        phase.store(2 * generation + 1, ordering: .releasing)
    }

    /// Marks the re-initialization to `generation` done; call after `reInitialize()`.
    func endReInitialization(to generation: Int) {
        phase.store(2 * generation, ordering: .releasing)
    }

    /// The holder units counted inside `generation`; 0 if its slot has since been reused.
    func holdersInside(_ generation: Int) -> Int {
        let value = insideSlots[generation % Self.slotCount].value.load(ordering: .relaxed)
        guard value >> Self.countBits == generation else { return 0 }
        return value & (Self.completedMark - 1)
    }

    // MARK: Violations

    func record(_ violation: Violation) {
        violations[Violation.allCases.firstIndex(of: violation)!].add()
    }

    /// Every violation seen, with its count; empty when the run was clean.
    var violationReport: [String] {
        zip(Violation.allCases, violations).compactMap { violation, counter in
            let count = counter.value
            return count == 0 ? nil : "\(count)x \(violation.rawValue)"
        }
    }

    /// The run's tallies, for the log of a long run.
    var summary: String {
        "acquired \(acquiredUnits.load(ordering: .relaxed)) units, refused \(refusals.load(ordering: .relaxed)), "
            + "waits completed \(waitsCompleted.load(ordering: .relaxed)), "
            + "gave up \(waitsGaveUp.load(ordering: .relaxed)), "
            + "callbacks \(callbacksRun.load(ordering: .relaxed))/\(callbacksRegistered.load(ordering: .relaxed))"
    }

    /// One generation's holder count, stamped with the generation in its high bits.
    private final class Slot: Sendable {
        let value: Atomic<Int>

        init(stamp: Int) {
            value = Atomic(stamp << GenerationLedger.countBits)
        }
    }
}
