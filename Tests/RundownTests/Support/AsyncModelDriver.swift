// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown
import Synchronization

/// Drives one run-down object through a random sequence of operations, one at a time, and compares it with a
/// ``ReferenceModel`` after every step: ``ModelDriver``'s steps, plus those that need other threads and tasks.
///
/// One driver performs the operations, but not all on one thread: releases happen inline, on another thread or in
/// another task; waiters block on their own threads or suspend in their own tasks; callbacks run on whichever
/// thread completes. The driver waits for each such operation to take effect before the next step, so every
/// outcome is determined and compared exactly, including that no waiter returns before its generation completes and
/// that each completion releases exactly the waiters of its generation.
///
/// The sequence of operations depends only on the seed; replaying the seed replays it.
final class AsyncModelDriver: ModelDriver {
    private let rundown: any RundownProtection
    private var waiters: [PendingWaiter] = []
    /// Waiters that a completion released, with its generation, not yet seen returning.
    private var woken: [(waiter: PendingWaiter, generation: Int)] = []

    init(rundown: any RundownProtection, seed: UInt64) {
        self.rundown = rundown
        super.init(subject: modelSubject(rundown), choices: SeededGenerator(seed: seed))
    }

    /// Runs at least `minSteps` and then, within `budget`, up to `maxSteps` random steps; then releases everything
    /// and completes the run-down.
    func run(minSteps: Int, maxSteps: Int, budget: Duration) async {
        let deadline = ContinuousClock.now.advanced(by: budget)
        while steps < maxSteps, failure == nil, steps < minSteps || ContinuousClock.now < deadline {
            log.beginStep()
            await randomStep()
            await finishWoken()
            if failure == nil { checkStep() }
        }
        guard failure == nil else { return }
        releaseEverything()
        await finishWoken()
        checkDrained(waitersLeft: waiters.count)
    }

    // MARK: Steps

    private func randomStep() async {
        if model.isCompleted, choices.chance(30) { return reInitialize() }
        switch choices.below(100) {
        case 0..<22: acquireGuard()
        case 22..<30: acquireUnguarded()
        case 30..<55: await releaseSomewhere()
        case 55..<60: protectSynchronously()
        case 60..<65: await protectAsynchronously()
        case 65..<69: begin()
        case 69..<74: beginWithCallback()
        case 74..<78: await waitInlineEitherWay()
        case 78..<90: await spawnWaiter()
        case 90..<95: await cancelWaiter()
        default: reInitialize()
        }
    }

    /// Releases one holding inline, on another thread or in another task (acquires one if there is none).
    private func releaseSomewhere() async {
        guard !held.isEmpty else { return acquireGuard() }
        let place = choices.below(10)
        guard place >= 7, let holding = takeHolding() else { return releaseOne() }
        let completion = model.release(holding.count)
        let subject = self.subject
        note("release \(holding) \(place == 7 ? "on another thread" : "in another task")")
        switch (holding, place) {
        case (.guarded(let box, _), 7): TestThread { box.release() }.join()
        case (.guarded(let box, _), _): await Task.detached { box.release() }.value
        case (.unguarded(let count), 7): TestThread { subject.unguardedRelease(count: count) }.join()
        case (.unguarded(let count), _): await Task.detached { subject.unguardedRelease(count: count) }.value
        }
        settle(completion)
    }

    private func protectSynchronously() {
        let beginInside = choices.chance(25)
        protect(beginInside ? ", beginning run-down inside" : "") {
            if beginInside { begin() }
        }
    }

    private func protectAsynchronously() async {
        let expected = model.acquire(1)
        let expectedInside = model.state
        note("async withProtection")
        let rundown = self.rundown
        let seenInside = try? await rundown.withProtection(isolation: nil) { () async -> RundownState in
            await Task.yield()
            return rundown.state
        }
        expect((seenInside != nil) == expected, "async withProtection ran the body: \(seenInside != nil)")
        guard expected else { return }
        expect(
            seenInside == expectedInside,
            "inside async withProtection the state was \(String(describing: seenInside))"
        )
        settle(model.release(1))
    }

    private func waitInlineEitherWay() async {
        guard choices.chance(50) else { return waitInline() }
        let wait = startInlineWait("async")
        let returned = wait.untimed ? await suspendingWait(rundown) : await rundown.waitForRundown(timeout: .zero)
        finishInlineWait(wait, returned: returned)
    }

    private func spawnWaiter() async {
        let kind = PendingWaiter.Kind.allCases[choices.below(PendingWaiter.Kind.allCases.count)]
        let completion = model.begin()
        let returnsAtOnce = model.isCompleted
        note("spawn \(kind) waiter\(returnsAtOnce ? " (returns at once)" : "")")
        if !returnsAtOnce { model.registerWaiter() }
        let waiter = PendingWaiter.start(kind, on: rundown)
        if returnsAtOnce {
            await finish(waiter, expecting: true, "a waiter of a completed generation")
        } else {
            let records = model.liveRecords
            let settled = await eventually {
                waiter.probe.finished.isSet || subject.liveWaiterRecordCount == records
            }
            expect(
                settled,
                "the waiter never registered: \(subject.liveWaiterRecordCount) live records, model \(records)"
            )
            waiters.append(waiter)
        }
        settle(completion)
    }

    private func cancelWaiter() async {
        let cancellable = waiters.indices.filter { waiters[$0].task != nil && !waiters[$0].cancelled }
        guard !cancellable.isEmpty else { return await spawnWaiter() }
        let index = cancellable[choices.below(cancellable.count)]
        note("cancel \(waiters[index].kind) waiter")
        waiters[index].task?.cancel()
        waiters[index].cancelled = true
        guard waiters[index].kind == .suspendedTimed else {
            // The untimed async wait ignores cancellation: it stays registered until its generation completes.
            return
        }
        let waiter = waiters.remove(at: index)
        model.abandonWaiter()
        await finish(waiter, expecting: false, "a cancelled timed waiter")
    }

    // MARK: Checks

    override func releaseWaiters(of completion: ReferenceModel.Completion) {
        expect(completion.waiters == waiters.count, "the driver lost track of its waiters")
        woken += waiters.map { ($0, completion.generation) }
        waiters = []
    }

    /// Every waiter a completion released returns `true`.
    private func finishWoken() async {
        let finishing = woken
        woken = []
        for (waiter, generation) in finishing {
            await finish(waiter, expecting: true, "a \(waiter.kind) waiter of completed generation \(generation)")
        }
    }

    override func checkStep() {
        super.checkStep()
        for waiter in waiters where waiter.probe.finished.isSet {
            fail("a \(waiter.kind) waiter returned \(waiter.probe.result) before its generation completed")
        }
    }

    /// Waits for `waiter` to return and checks what it returned; then joins its thread or task.
    private func finish(_ waiter: PendingWaiter, expecting expected: Bool, _ what: String) async {
        let returned = await eventually { waiter.probe.finished.isSet }
        guard returned else { return fail("\(what) did not return within a minute") }
        let result = waiter.probe.result
        expect(result == expected, "\(what) returned \(result)")
        waiter.thread?.join()
        await waiter.task?.value
    }
}

private func suspendingWait(_ rundown: any RundownProtection) async -> Bool {
    await rundown.waitForRundown()
    return true
}

/// A waiter the driver started on its own thread or task.
private struct PendingWaiter {
    enum Kind: CaseIterable, CustomStringConvertible {
        case blocked
        case blockedTimed
        case suspended
        case suspendedTimed

        var description: String {
            switch self {
            case .blocked: "blocking"
            case .blockedTimed: "blocking timed"
            case .suspended: "async"
            case .suspendedTimed: "async timed"
            }
        }
    }

    let kind: Kind
    let probe: WaiterProbe
    var thread: TestThread?
    var task: Task<Void, Never>?
    var cancelled = false

    /// Starts a waiter of `kind`; the timed ones use a timeout far beyond the test's length.
    static func start(_ kind: Kind, on rundown: any RundownProtection) -> PendingWaiter {
        let probe = WaiterProbe()
        var waiter = PendingWaiter(kind: kind, probe: probe)
        switch kind {
        case .blocked:
            waiter.thread = TestThread {
                rundown.waitForRundown()
                probe.finish(true)
            }
        case .blockedTimed:
            waiter.thread = TestThread { probe.finish(rundown.waitForRundown(timeout: .seconds(3_600))) }
        case .suspended:
            waiter.task = Task {
                await rundown.waitForRundown()
                probe.finish(true)
            }
        case .suspendedTimed:
            waiter.task = Task { probe.finish(await rundown.waitForRundown(timeout: .seconds(3_600))) }
        }
        return waiter
    }
}

/// What a waiter returned, and when.
private final class WaiterProbe: Sendable {
    private let returned = Atomic<Bool>(false)
    let finished = Flag()

    func finish(_ result: Bool) {
        returned.store(result, ordering: .relaxed)
        finished.set()
    }

    /// What the waiter returned; valid once ``finished`` is set.
    var result: Bool { returned.load(ordering: .relaxed) }
}
