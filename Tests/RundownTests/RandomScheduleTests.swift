// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown
import Synchronization
import Testing

/// Random schedules of every operation, checked step by step against a reference: exactly, one step at a time
/// (``AsyncModelDriver`` against ``ReferenceModel``), and with threads and tasks racing (``ConcurrentSchedule``
/// against ``GenerationLedger``). The fuzzer (`Fuzz/`) drives the same model from its input.
///
/// Seeded: a failure names its seed, and `RUNDOWN_SEED=<seed>` replays the same operations. About a second per
/// flavor by default; `RUNDOWN_LONG_TESTS=1` runs each for two minutes, `RUNDOWN_STRESS_SECONDS=<n>` for `n`.
///
/// Two targeted races follow: the two windows a multi-word design opens (between closing and folding, between
/// re-opening the slots and the shared word), each checked by the thread that can tell.
@Suite("Random schedules")
struct RandomScheduleTests {
    @Test("one operation at a time, each checked against the reference model", arguments: RundownFlavor.allCases)
    func stepByStepAgainstModel(flavor: RundownFlavor) async {
        let seed = StressSeed.current()
        let driver = AsyncModelDriver(rundown: flavor.make(), seed: seed)
        await driver.run(
            minSteps: 300,
            maxSteps: iterations(quick: 4_000, long: 10_000_000),
            budget: stressBudget(quick: .seconds(1), long: .seconds(120))
        )
        #expect(driver.failure == nil, "seed \(seed) (replay with RUNDOWN_SEED=\(seed)): \(driver.failure ?? "")")
        if longTestsEnabled {
            print("step by step, \(flavor), seed \(seed): \(driver.steps) steps, \(driver.generations) generations")
        }
    }

    @Test("threads and tasks racing, each step checked against the ledger", arguments: RundownFlavor.allCases)
    func racingAgainstLedger(flavor: RundownFlavor) async {
        let seed = StressSeed.current()
        let budget = stressBudget(quick: .seconds(1), long: .seconds(120))
        let schedule = ConcurrentSchedule(
            rundown: flavor.make(),
            seed: seed,
            budget: budget,
            minimumGenerations: 20,
            maximumGenerations: iterations(quick: 1_000_000, long: 100_000_000)
        )
        let replay = "seed \(seed) (replay with RUNDOWN_SEED=\(seed))"
        let finished = Counter()
        let generations = Counter()
        let threads =
            [
                TestThread {
                    generations.add(schedule.runController())
                    finished.add()
                }
            ]
            + (0..<3).map { index in
                TestThread {
                    schedule.runWorkerThread(index)
                    finished.add()
                }
            }
        for index in 0..<3 {
            Task {
                await schedule.runWorkerTask(index)
                finished.add()
            }
        }
        let allFinished = await eventually(within: budget + .seconds(120)) { finished.value == threads.count + 3 }
        #expect(allFinished, "\(replay): a thread or task never finished; \(schedule.ledger.summary)")
        guard allFinished else { return }
        for thread in threads { thread.join() }

        let ledger = schedule.ledger
        #expect(ledger.violationReport.isEmpty, "\(replay): \(ledger.violationReport); \(ledger.summary)")
        #expect(
            ledger.acquiredUnits.load(ordering: .relaxed) == ledger.releasedUnits.load(ordering: .relaxed),
            "\(replay): acquisitions and releases differ; \(ledger.summary)"
        )
        #expect(
            ledger.callbacksRun.load(ordering: .relaxed) == ledger.callbacksRegistered.load(ordering: .relaxed),
            "\(replay): not every callback ran; \(ledger.summary)"
        )
        #expect(schedule.rundown.state == .completed, "\(replay)")
        #expect(liveWaiterRecords(schedule.rundown) == 0, "\(replay): waiter records leaked")
        #expect(generations.value >= 20, "\(replay): the controller completed \(generations.value) generations")
        if longTestsEnabled {
            print("racing, \(flavor), seed \(seed): \(generations.value) generations, \(ledger.summary)")
        }
    }

    // MARK: Targeted races

    @Test("a thread's own begin, once returned, refuses its next acquisition", arguments: RundownFlavor.allCases)
    func ownBeginRefusesNextAcquisition(flavor: RundownFlavor) async {
        let rundown = flavor.make()
        let late = Counter()
        let checked = Counter()
        await raceAgainstReInitialization(rundown) { _, phase in
            let before = phase.value
            rundown.beginRundown()
            guard let guardValue = try? rundown.tryAcquire() else { return false }
            // Only an acquisition in a generation opened after the begin may succeed; the phase tells.
            if phase.value == before, before.isMultiple(of: 2) { late.add() }
            checked.add()
            guardValue.release()
            return true
        }
        #expect(
            late.value == 0,
            "\(late.value) of \(checked.value) acquisitions succeeded after the thread's own begin"
        )
    }

    @Test("a holder never sees its own generation completed", arguments: RundownFlavor.allCases)
    func holderNeverSeesCompletion(flavor: RundownFlavor) async {
        let rundown = flavor.make()
        let completedSnapshots = Counter()
        let completedWaits = Counter()
        let holds = Counter()
        await raceAgainstReInitialization(rundown) { index, _ in
            guard let guardValue = try? rundown.tryAcquire() else { return false }
            holds.add()
            if rundown.state == .completed { completedSnapshots.add() }
            // Begins run-down, so that the controller re-initializes again; it must not report completion.
            if index == 0, rundown.waitForRundown(timeout: .zero) { completedWaits.add() }
            guardValue.release()
            return true
        }
        #expect(completedSnapshots.value == 0, "\(completedSnapshots.value) of \(holds.value) holders saw .completed")
        #expect(completedWaits.value == 0, "\(completedWaits.value) holders' own zero-timeout waits returned true")
    }

    @Test("an acquisition racing a begin never lands in a completed generation", arguments: RundownFlavor.allCases)
    func acquisitionRacingBegin(flavor: RundownFlavor) async {
        let rundown = flavor.make()
        let late = Counter()
        let holds = Counter()
        await raceAgainstReInitialization(rundown) { _, phase in
            guard let guardValue = try? rundown.tryAcquire() else { return false }
            let generation = (phase.value + 1) / 2
            holds.add()
            // Hold a moment: the controller begins run-down right after each re-initialization, and reports the
            // generation completed once its wait returns, which it must not do while this holder is inside.
            sched_yield()
            if phase.completedThrough >= generation { late.add() }
            guardValue.release()
            return true
        }
        #expect(late.value == 0, "\(late.value) of \(holds.value) holders were inside a generation reported completed")
    }

    /// Runs `step(threadIndex, phase)` in a loop on two threads while a controller thread keeps running `rundown`
    /// down and re-initializing it, announcing each re-initialization in `phase` (odd while one is under way).
    /// A step returns whether it acquired; one that did not yields, so the controller gets to run.
    private func raceAgainstReInitialization(
        _ rundown: any RundownProtection,
        step: @escaping @Sendable (Int, ReInitializationPhase) -> Bool
    ) async {
        let budget = stressBudget(quick: .seconds(1), long: .seconds(60))
        let phase = ReInitializationPhase()
        let stop = Flag()
        let finished = Counter()
        let workers = (0..<2).map { index in
            TestThread {
                while !stop.isSet {
                    if !step(index, phase) { sched_yield() }
                }
                finished.add()
            }
        }
        let deadline = ContinuousClock.now.advanced(by: budget)
        let stalled = Flag()
        let notCompleted = Flag()
        let controller = TestThread {
            var generation = 0
            while ContinuousClock.now < deadline {
                guard rundown.waitForRundown(timeout: .seconds(60)) else {
                    stalled.set()
                    break
                }
                // Only this thread re-initializes, so the completed state must hold until it does.
                guard rundown.state == .completed else {
                    notCompleted.set()
                    break
                }
                phase.completed(generation)
                phase.announce(2 * generation + 1)
                rundown.reInitialize()
                generation += 1
                phase.announce(2 * generation)
            }
            stop.set()
            finished.add()
        }
        let allFinished = await eventually(within: budget + .seconds(60)) { finished.value == 3 }
        #expect(allFinished, "the race did not finish")
        #expect(!stalled.isSet, "a run-down did not complete within a minute")
        #expect(!notCompleted.isSet, "the state was not completed right after the run-down completed")
        guard allFinished else { return }
        for worker in workers { worker.join() }
        controller.join()
    }
}

/// `2g` while generation `g` is open and stable, `2g + 1` while re-initializing from `g`; see ``GenerationLedger``.
/// Also the last generation whose run-down the controller saw complete.
private final class ReInitializationPhase: Sendable {
    private let storage = Atomic<Int>(0)
    private let completedStorage = Atomic<Int>(-1)

    /// The phase, read with *acquiring* ordering.
    var value: Int { storage.load(ordering: .acquiring) }

    /// The last generation the controller saw complete; -1 before the first.
    var completedThrough: Int { completedStorage.load(ordering: .acquiring) }

    func announce(_ phase: Int) {
        storage.store(phase, ordering: .releasing)
    }

    func completed(_ generation: Int) {
        completedStorage.store(generation, ordering: .releasing)
    }
}
