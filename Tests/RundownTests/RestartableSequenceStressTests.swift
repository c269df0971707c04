@_spi(Testing) import Rundown
// SPDX-License-Identifier: Apache-2.0
import Synchronization
import Testing

/// The restartable-sequence path under load: more holder threads than CPUs (so the kernel preempts them inside their
/// critical sections, and the membarrier of every close interrupts the others), run down and re-initialized over and
/// over, every step checked against a ledger kept by the test.
///
/// What it checks, per generation: no acquisition succeeds that started after a `beginRundown()` of that generation
/// had returned; a `waitForRundown()` returns only when every holder the test counted in has left; every acquisition
/// is released exactly once. A close that folded the slots without the membarrier loses holders that were inside a
/// critical section: their generation then completes while they are still inside, which this test reports (and their
/// late release traps as a release without an acquire).
///
/// Runs 1.5 s per case by default, a minute with `RUNDOWN_LONG_TESTS=1`, `n` seconds with `RUNDOWN_STRESS_SECONDS=<n>`
/// (the soak, `Scripts/soak.sh`); each case prints a ``StressLoop`` summary line.
@Suite(
    "Restartable sequences under stress",
    .enabled(
        if: CacheAwareRundownRef.processFastPath == .restartableSequences,
        "this process uses the atomic-slot path (\(CacheAwareRundownRef.processFastPath))"
    )
)
struct RestartableSequenceStressTests {
    /// The test's own account of one generation.
    final class Ledger: Sendable {
        static let generations = 1 << 12
        /// The holders inside each generation (modulo `generations`).
        let inside = (0..<Ledger.generations).map { _ in Cell() }
        let acquired = Atomic<Int>(0)
        let released = Atomic<Int>(0)
        /// The generation holders are in; advanced by the owner while the object is completed.
        let generation = Atomic<Int>(0)
        /// The last generation whose `beginRundown()` has returned.
        let closedThrough = Atomic<Int>(-1)
        let lateAcquisitions = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
    }

    /// One counter, in a class so that an array can hold it.
    final class Cell: Sendable {
        let value = Atomic<Int>(0)
    }

    @Test(
        "holders on more threads than CPUs, run down and re-initialized: the ledger balances every generation",
        arguments: [nil, 1]
    )
    func ledgerBalances(slotCount: Int?) {
        // One slot on two CPUs: the second CPU has none and goes through the overflow word, whose closed bit is the
        // flag every section reads.
        let rundown = slotCount.map { CacheAwareRundownRef(slotCount: $0) } ?? CacheAwareRundownRef()
        let ledger = Ledger()
        let abortsBefore = CacheAwareRundownRef.restartedSequences
        var loop = StressLoop(
            "rseq-ledger-\(rundown.slotCount)-slots",
            flavor: RundownFlavor.cacheAware.rawValue,
            rundown: rundown,
            budget: stressBudget(quick: .milliseconds(1_500), long: .seconds(60)),
            minimumRounds: 200
        )
        let sections = Counter()
        let holders = (0..<4).map { index in
            TestThread { sections.add(Self.hold(rundown, ledger, seed: UInt64(index))) }
        }
        var drainedWhileInside = 0
        while loop.nextRound() {
            let generation = ledger.generation.load(ordering: .relaxed)
            if loop.rounds % 3 == 1 { yieldBriefly(microseconds: 50) }
            rundown.beginRundown()
            ledger.closedThrough.store(generation, ordering: .releasing)
            rundown.waitForRundown()
            if ledger.inside[generation % Ledger.generations].value.load(ordering: .acquiring) != 0 {
                drainedWhileInside += 1
            }
            // Advance the test's generation while the object is completed and no holder can get in, then open it.
            ledger.generation.store(generation + 1, ordering: .releasing)
            rundown.reInitialize()
        }
        ledger.stop.store(true, ordering: .relaxed)
        for holder in holders { holder.join() }
        let aborts = CacheAwareRundownRef.restartedSequences - abortsBefore
        // Operations: the protected sections, plus one wait per round.
        loop.report(operations: sections.value + loop.rounds)
        #expect(drainedWhileInside == 0, "a wait returned while a holder of its generation was still inside")
        #expect(ledger.lateAcquisitions.load(ordering: .relaxed) == 0, "an acquisition succeeded after its close")
        #expect(ledger.acquired.load(ordering: .relaxed) == ledger.released.load(ordering: .relaxed))
        #expect(rundown.state == .active(holders: 0))
        #expect(aborts > 0, "no critical section was ever restarted: the test did not exercise restarts")
    }

    /// One holder thread: acquires (guards and closures, one or two units), checks and releases, until stopped.
    /// - Returns: The protected sections it went through.
    static func hold(_ rundown: CacheAwareRundownRef, _ ledger: Ledger, seed: UInt64) -> Int {
        var random = SeededGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15)
        var sections = 0
        while !ledger.stop.load(ordering: .relaxed) {
            let closedBefore = ledger.closedThrough.load(ordering: .acquiring)
            let units = Int(random.next() % 2) + 1
            if random.next() % 2 == 0 {
                guard let guardValue = try? rundown.tryAcquire(count: units) else { continue }
                enter(ledger, units: units, closedBefore: closedBefore)
                guardValue.release()
                sections += 1
            } else if (try? rundown.withProtection({ enter(ledger, units: 1, closedBefore: closedBefore) })) != nil {
                sections += 1
            }
        }
        return sections
    }

    /// Books `units` into the generation the holder is in, checks it, and books them out again; the caller releases
    /// right after.
    static func enter(_ ledger: Ledger, units: Int, closedBefore: Int) {
        // Inside, the generation cannot complete, so it cannot advance either.
        let generation = ledger.generation.load(ordering: .acquiring)
        if generation <= closedBefore { ledger.lateAcquisitions.add(1, ordering: .relaxed) }
        let cell = ledger.inside[generation % Ledger.generations]
        cell.value.add(units, ordering: .relaxed)
        ledger.acquired.add(units, ordering: .relaxed)
        // Stay inside a little, so that a run-down that completes too early finds the holder still booked in.
        for _ in 0..<(generation % 4) * 50 { _ = ledger.stop.load(ordering: .relaxed) }
        cell.value.subtract(units, ordering: .releasing)
        ledger.released.add(units, ordering: .relaxed)
    }
}
