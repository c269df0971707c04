// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown
import Synchronization
import Testing

/// Multi-threaded stress that checks the contract's invariants, not survival. `RUNDOWN_LONG_TESTS=1` runs long,
/// `RUNDOWN_STRESS_SECONDS=<n>` runs each test case for `n` seconds (the soak, `Scripts/soak.sh`); each case prints a
/// ``StressLoop`` summary line.
@Suite("Invariant stress")
struct InvariantStressTests {
    /// The phases a controller thread cycles through; holders check them on every successful acquisition.
    enum Phase: Int {
        case open = 0
        case completed = 1
    }

    @Test(
        "no acquisition succeeds between completion and re-initialization; acquisitions equal releases",
        arguments: RundownFlavor.allCases
    )
    func noAcquisitionWhileCompleted(flavor: RundownFlavor) {
        let rundown = flavor.make()
        var loop = StressLoop(
            "no-acquisition-while-completed",
            flavor: flavor,
            rundown: rundown,
            quick: 200,
            long: 50_000
        )
        let phase = Atomic<Int>(Phase.open.rawValue)
        let stop = Atomic<Bool>(false)
        let acquisitions = Counter()
        let releases = Counter()
        let violations = Counter()
        let sections = Counter()
        let started = Counter()
        let workers = (0..<4).map { index in
            TestThread {
                let count = index + 1
                var entered = 0
                defer { sections.add(entered) }
                while !stop.load(ordering: .relaxed) {
                    guard let guardValue = try? rundown.tryAcquire(count: count) else { continue }
                    entered += 1
                    if entered == 1 { started.add() }
                    acquisitions.add(count)
                    // The acquisition synchronizes with the re-initialization, which comes after the controller
                    // marked the phase open; seeing "completed" means an acquisition got through a completed run-down.
                    if phase.load(ordering: .relaxed) == Phase.completed.rawValue { violations.add() }
                    releases.add(guardValue.count)
                    guardValue.release()
                }
            }
        }
        // Every worker inside once before the first run-down: a short run otherwise ends before the threads start.
        waitUntil { started.value == 4 }
        while loop.nextRound() {
            rundown.waitForRundown()
            phase.store(Phase.completed.rawValue, ordering: .relaxed)
            #expect(throws: RundownError.rundownInProgress) { _ = try rundown.tryAcquire() }
            phase.store(Phase.open.rawValue, ordering: .relaxed)
            rundown.reInitialize()
        }
        stop.store(true, ordering: .relaxed)
        for worker in workers { worker.join() }
        // Operations: the protected sections, plus one wait per round.
        loop.report(operations: sections.value + loop.rounds)
        #expect(violations.value == 0)
        #expect(acquisitions.value == releases.value)
        #expect(rundown.state == .active(holders: 0))
    }

    @Test("every wait returns with no holder inside, with writes visible", arguments: RundownFlavor.allCases)
    func waitReturnsWithNobodyInside(flavor: RundownFlavor) {
        let rundown = flavor.make()
        var loop = StressLoop(
            "wait-returns-with-nobody-inside",
            flavor: flavor,
            rundown: rundown,
            quick: 200,
            long: 30_000
        )
        let cells = PlainCells(count: 3)
        let inside = Counter()
        let stop = Atomic<Bool>(false)
        let started = Counter()
        let holders = (0..<3).map { index in
            TestThread {
                var entered = false
                while !stop.load(ordering: .relaxed) {
                    let protected: Void? = try? rundown.withProtection {
                        inside.add()
                        cells[index] += 1
                        inside.add(-1)
                    }
                    if protected != nil, !entered {
                        entered = true
                        started.add()
                    }
                }
            }
        }
        waitUntil { started.value == 3 }
        var lastTotal = 0
        var violations = 0
        while loop.nextRound() {
            if loop.rounds.isMultiple(of: 2) {
                rundown.waitForRundown()
            } else {
                while !rundown.waitForRundown(timeout: .microseconds(50)) {}
            }
            if inside.value != 0 { violations += 1 }
            // Plain reads of the holders' plain writes: ordered only by the run-down (ThreadSanitizer checks).
            let total = (0..<3).reduce(0) { $0 + cells[$1] }
            if total < lastTotal { violations += 1 }
            lastTotal = total
            rundown.reInitialize()
        }
        stop.store(true, ordering: .relaxed)
        for holder in holders { holder.join() }
        // Operations: the protected sections (each added one to a cell), plus one wait per round.
        loop.report(operations: (0..<3).reduce(0) { $0 + cells[$1] } + loop.rounds)
        #expect(violations == 0)
    }

    @Test("many waiters and callbacks per generation, across re-initializations", arguments: RundownFlavor.allCases)
    func waitersAndCallbacksAcrossGenerations(flavor: RundownFlavor) async {
        let rundown = flavor.make()
        var loop = StressLoop(
            "waiters-and-callbacks-across-generations",
            flavor: flavor,
            rundown: rundown,
            quick: 100,
            long: 10_000
        )
        let callbackRuns = Counter()
        let stop = Atomic<Bool>(false)
        let sections = Counter()
        let started = Counter()
        let holders = (0..<2).map { _ in
            TestThread {
                var entered = 0
                defer { sections.add(entered) }
                while !stop.load(ordering: .relaxed) {
                    guard (try? rundown.withProtection({ yieldBriefly(microseconds: 1) })) != nil else { continue }
                    entered += 1
                    if entered == 1 { started.add() }
                }
            }
        }
        waitUntil { started.value == 2 }
        while loop.nextRound() {
            await withTaskGroup(of: Void.self) { group in
                for waiter in 0..<3 {
                    group.addTask {
                        if waiter == 0 {
                            await rundown.waitForRundown()
                        } else {
                            while await !rundown.waitForRundown(timeout: .milliseconds(1)) {}
                        }
                    }
                }
                rundown.beginRundown { callbackRuns.add() }
            }
            let blockingWaiter = TestThread { rundown.waitForRundown() }
            blockingWaiter.join()
            #expect(rundown.state == .completed)
            rundown.reInitialize()
        }
        stop.store(true, ordering: .relaxed)
        for holder in holders { holder.join() }
        // Operations: the protected sections, plus four waits and one callback per round.
        loop.report(operations: sections.value + loop.rounds * 5)
        #expect(callbackRuns.value == loop.rounds)
    }
}
