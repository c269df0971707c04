// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown
import Synchronization

/// Random operations on one run-down object from a controller thread, worker threads and worker tasks at once,
/// each step checked against a ``GenerationLedger``.
///
/// The controller alone re-initializes: it lets holders in for a random moment, closes the generation (by a wait,
/// a completion callback or a begin followed by short timed waits), checks that it completed with nobody inside,
/// and opens the next one, until the budget is spent. Workers acquire in every form (guards, counts, the unsafe
/// pair, `withProtection`, guards released on another thread or task), and close generations too: blocking,
/// asynchronous, timed and cancelled waits and completion callbacks, all racing the controller's
/// re-initializations. Each thread and task draws its operations from its own stream of the seed.
struct ConcurrentSchedule: Sendable {
    let rundown: any RundownProtection
    let ledger = GenerationLedger()

    /// Whether the state's holder count is exact at every moment (not on the restartable-sequence path, where it is a
    /// racy sum of net per-CPU counts).
    var countIsExact: Bool {
        (rundown as? CacheAwareRundownRef)?.fastPath != .restartableSequences
    }
    let seed: UInt64
    let budget: Duration

    /// Generations the controller completes at least, however long that takes, and at most.
    let minimumGenerations: Int
    let maximumGenerations: Int

    // MARK: Controller

    /// Runs the controller on the calling thread until the budget is spent (and at least ``minimumGenerations``
    /// have completed); returns the generations it completed.
    func runController() -> Int {
        var random = SeededGenerator(seed: seed, stream: 0)
        let deadline = ContinuousClock.now.advanced(by: budget)
        var generation = 0
        while true {
            let last =
                generation + 1 >= maximumGenerations
                || (generation + 1 >= minimumGenerations && ContinuousClock.now >= deadline)
            if last { ledger.stop.store(true, ordering: .relaxed) }
            // Let holders in for a random moment.
            if random.chance(50) { sched_yield() } else { usleep(UInt32(random.below(100))) }
            guard close(generation, &random) else {
                ledger.record(.waiterStalled)
                return generation
            }
            ledger.waitCompleted(generation)
            if rundown.state != .completed {
                // Re-initializing now would trap; stop the run and let the holders drain instead.
                ledger.record(.stateNotCompletedAfterWait)
                ledger.stop.store(true, ordering: .relaxed)
                _ = rundown.waitForRundown(timeout: .seconds(60))
                return generation + 1
            }
            if last { return generation + 1 }
            ledger.beginReInitialization(from: generation)
            rundown.reInitialize()
            generation += 1
            ledger.endReInitialization(to: generation)
        }
    }

    /// Closes `generation` and waits for it to complete, in one of several ways; `false` if it never completes.
    private func close(_ generation: Int, _ random: inout SeededGenerator) -> Bool {
        switch random.below(3) {
        case 0:
            let completed = rundown.waitForRundown(timeout: .seconds(60))
            ledger.closed(generation)
            return completed
        case 1:
            let done = Flag()
            let check = ledger.makeCallback(for: generation)
            rundown.beginRundown {
                check()
                done.set()
            }
            ledger.closed(generation)
            let deadline = ContinuousClock.now.advanced(by: .seconds(60))
            while !done.isSet {
                if ContinuousClock.now >= deadline { return false }
                sched_yield()
            }
            return true
        default:
            rundown.beginRundown()
            ledger.closed(generation)
            let deadline = ContinuousClock.now.advanced(by: .seconds(60))
            while !rundown.waitForRundown(timeout: .microseconds(random.below(200))) {
                if ContinuousClock.now >= deadline { return false }
            }
            return true
        }
    }

    // MARK: Worker threads

    /// Runs random blocking-world operations on the calling thread until the controller stops the run.
    func runWorkerThread(_ index: Int) {
        var random = SeededGenerator(seed: seed, stream: 1 + index)
        while !ledger.stop.load(ordering: .relaxed) {
            switch random.below(1_000) {
            case 0..<450: holdGuard(&random)
            case 450..<650: holdInScope(&random)
            case 650..<830: holdUnguarded(&random)
            case 830..<850: holdAndReleaseOnAnotherThread(&random)
            case 850..<856:
                closeAndWait {
                    rundown.waitForRundown()
                    return true
                }
            case 856..<866:
                let timeout = Duration.microseconds(random.below(300))
                closeAndWait { rundown.waitForRundown(timeout: timeout) }
            case 866..<870:
                closeAndWait(mustComplete: true) { rundown.waitForRundown(timeout: .seconds(60)) }
            case 870..<876: beginWithCallback()
            case 876..<880:
                let generation = ledger.closerGeneration
                rundown.beginRundown()
                ledger.closed(generation)
            default: pause(&random)
            }
        }
    }

    private func holdGuard(_ random: inout SeededGenerator) {
        let count = random.chance(60) ? 1 : 2 + random.below(3)
        let closedBefore = ledger.closedThrough.load(ordering: .acquiring)
        guard let guardValue = try? count == 1 ? rundown.tryAcquire() : rundown.tryAcquire(count: count) else {
            return refused()
        }
        let generation = ledger.entered(units: count, closedBefore: closedBefore)
        ledger.checkHolding(rundown.state, units: count, countIsExact: countIsExact)
        // A holder's own wait begins run-down, but cannot see it complete while the holder is inside.
        if random.chance(2), rundown.waitForRundown(timeout: .zero) { ledger.record(.ownWaitCompleted) }
        pause(&random)
        ledger.leaving(generation: generation, units: count)
        guardValue.release()
    }

    private func holdInScope(_ random: inout SeededGenerator) {
        let closedBefore = ledger.closedThrough.load(ordering: .acquiring)
        do {
            try rundown.withProtection {
                let generation = ledger.entered(units: 1, closedBefore: closedBefore)
                ledger.checkHolding(rundown.state, units: 1, countIsExact: countIsExact)
                pause(&random)
                ledger.leaving(generation: generation, units: 1)
            }
        } catch {
            refused()
        }
    }

    private func holdUnguarded(_ random: inout SeededGenerator) {
        let count = 1 + random.below(4)
        let closedBefore = ledger.closedThrough.load(ordering: .acquiring)
        guard rundown.unsafeTryAcquire(count: count) else {
            return refused()
        }
        let generation = ledger.entered(units: count, closedBefore: closedBefore)
        pause(&random)
        ledger.leaving(generation: generation, units: count)
        rundown.unsafeRelease(count: count)
    }

    private func holdAndReleaseOnAnotherThread(_ random: inout SeededGenerator) {
        let closedBefore = ledger.closedThrough.load(ordering: .acquiring)
        guard let guardValue = try? rundown.tryAcquire() else {
            return refused()
        }
        let generation = ledger.entered(units: 1, closedBefore: closedBefore)
        let box = GuardBox(guardValue)
        let ledger = self.ledger
        TestThread {
            ledger.leaving(generation: generation, units: 1)
            box.release()
        }
        .join()
    }

    /// Runs a wait that begins run-down and checks what it returned.
    private func closeAndWait(mustComplete: Bool = false, _ wait: () -> Bool) {
        let generation = ledger.closerGeneration
        let completed = wait()
        ledger.closed(generation)
        if completed {
            ledger.waitCompleted(generation)
        } else {
            ledger.waitsGaveUp.add(1, ordering: .relaxed)
            if mustComplete { ledger.record(.waiterStalled) }
        }
    }

    private func beginWithCallback() {
        let generation = ledger.closerGeneration
        rundown.beginRundown(onCompletion: ledger.makeCallback(for: generation))
        ledger.closed(generation)
    }

    /// Counts a refused acquisition and backs off, so that refusals do not crowd out everything else.
    private func refused() {
        ledger.refusals.add(1, ordering: .relaxed)
        sched_yield()
    }

    /// Holds still for a random moment: not at all, a yield, or a short sleep.
    private func pause(_ random: inout SeededGenerator) {
        switch random.below(10) {
        case 0..<5: break
        case 5..<8: sched_yield()
        default: usleep(UInt32(1 + random.below(20)))
        }
    }

    // MARK: Worker tasks

    /// Runs random operations of the asynchronous world until the controller stops the run.
    func runWorkerTask(_ index: Int) async {
        var random = SeededGenerator(seed: seed, stream: 100 + index)
        while !ledger.stop.load(ordering: .relaxed) {
            switch random.below(1_000) {
            case 0..<450: await holdGuardAcrossSuspension(yields: random.below(3))
            case 450..<750: await holdInAsyncScope(yields: random.below(3))
            case 750..<800: await holdAndReleaseInAnotherTask()
            case 800..<806: await closeAndWaitUntimed { await rundown.waitForRundown() }
            case 806..<816:
                let timeout = Duration.microseconds(random.below(300))
                await closeAndWaitAsync { await rundown.waitForRundown(timeout: timeout) }
            case 816..<824: await cancelTimedWait(afterYields: random.below(4))
            case 824..<828: await cancelUntimedWait(afterYields: random.below(4))
            case 828..<834: beginWithCallback()
            default: break
            }
            // Suspend after every step, so that these loops share the cooperative pool with the rest of the suite.
            await Task.yield()
        }
    }

    private func holdGuardAcrossSuspension(yields: Int) async {
        let closedBefore = ledger.closedThrough.load(ordering: .acquiring)
        guard let guardValue = try? rundown.tryAcquire() else {
            return refused()
        }
        let generation = ledger.entered(units: 1, closedBefore: closedBefore)
        for _ in 0..<yields { await Task.yield() }
        ledger.checkHolding(rundown.state, units: 1, countIsExact: countIsExact)
        ledger.leaving(generation: generation, units: 1)
        guardValue.release()
    }

    private func holdInAsyncScope(yields: Int) async {
        let closedBefore = ledger.closedThrough.load(ordering: .acquiring)
        let ledger = self.ledger
        let rundown = self.rundown
        do {
            try await rundown.withProtection(isolation: nil) {
                let generation = ledger.entered(units: 1, closedBefore: closedBefore)
                for _ in 0..<yields { await Task.yield() }
                ledger.checkHolding(rundown.state, units: 1, countIsExact: countIsExact)
                ledger.leaving(generation: generation, units: 1)
            }
        } catch {
            refused()
        }
    }

    private func holdAndReleaseInAnotherTask() async {
        let closedBefore = ledger.closedThrough.load(ordering: .acquiring)
        guard let guardValue = try? rundown.tryAcquire() else {
            return refused()
        }
        let generation = ledger.entered(units: 1, closedBefore: closedBefore)
        let box = GuardBox(guardValue)
        let ledger = self.ledger
        await Task.detached {
            await Task.yield()
            ledger.leaving(generation: generation, units: 1)
            box.release()
        }
        .value
    }

    private func closeAndWaitAsync(_ wait: () async -> Bool) async {
        let generation = ledger.closerGeneration
        let completed = await wait()
        ledger.closed(generation)
        if completed {
            ledger.waitCompleted(generation)
        } else {
            ledger.waitsGaveUp.add(1, ordering: .relaxed)
        }
    }

    private func closeAndWaitUntimed(_ wait: () async -> Void) async {
        await closeAndWaitAsync { () async -> Bool in
            await wait()
            return true
        }
    }

    /// A timed wait whose task is cancelled at a random moment: it returns `false`, or `true` if it completed first.
    private func cancelTimedWait(afterYields yields: Int) async {
        let rundown = self.rundown
        await closeAndWaitAsync { () async -> Bool in
            let waiter = Task { await rundown.waitForRundown(timeout: .seconds(60)) }
            for _ in 0..<yields { await Task.yield() }
            waiter.cancel()
            return await waiter.value
        }
    }

    /// An untimed wait whose task is cancelled: it still returns only once its generation completed.
    private func cancelUntimedWait(afterYields yields: Int) async {
        let rundown = self.rundown
        await closeAndWaitAsync { () async -> Bool in
            let waiter = Task { await rundown.waitForRundown() }
            for _ in 0..<yields { await Task.yield() }
            waiter.cancel()
            await waiter.value
            return true
        }
    }
}
