// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown
import Synchronization
import Testing

/// Drives one run-down object through a random sequence of operations, one at a time, and compares it with a
/// ``ReferenceModel`` after every step.
///
/// One driver performs the operations, but not all on one thread: releases happen inline, on another thread or in
/// another task; waiters block on their own threads or suspend in their own tasks; callbacks run on whichever
/// thread completes. The driver waits for each such operation to take effect before the next step, so every
/// outcome is determined and compared exactly: the state, each operation's result, the number of live waiter
/// records, that no waiter returns and no callback runs before its generation completes, and that each completion
/// releases exactly the waiters and callbacks of its generation, every callback exactly once.
///
/// The sequence of operations depends only on the seed; replaying the seed replays it.
final class ModelDriver {
    private let rundown: any RundownProtection
    private var random: SeededGenerator
    private var model = ReferenceModel()
    private var held: [Holding] = []
    private var waiters: [PendingWaiter] = []
    private var callbacks: [CallbackProbe] = []
    private var allCallbacks: [CallbackProbe] = []
    private var recentSteps: [String] = []
    private(set) var steps = 0
    private(set) var generations = 0

    /// The first mismatch with the model, with the steps that led to it; `nil` while the run is clean.
    private(set) var failure: String?

    init(rundown: any RundownProtection, seed: UInt64) {
        self.rundown = rundown
        random = SeededGenerator(seed: seed)
    }

    /// Runs at least `minSteps` and then, within `budget`, up to `maxSteps` random steps; then releases everything
    /// and completes the run-down.
    func run(minSteps: Int, maxSteps: Int, budget: Duration) async {
        let deadline = ContinuousClock.now.advanced(by: budget)
        while steps < maxSteps, failure == nil, steps < minSteps || ContinuousClock.now < deadline {
            steps += 1
            await randomStep()
            if failure == nil { checkStep() }
        }
        if failure == nil { await drain() }
    }

    // MARK: Steps

    private func randomStep() async {
        if model.isCompleted, random.chance(30) { return reInitialize() }
        switch random.below(100) {
        case 0..<22: acquireGuard()
        case 22..<30: acquireUnguarded()
        case 30..<55: await releaseOne()
        case 55..<60: protectSynchronously()
        case 60..<65: await protectAsynchronously()
        case 65..<69: begin()
        case 69..<74: beginWithCallback()
        case 74..<78: await waitInline()
        case 78..<90: await spawnWaiter()
        case 90..<95: await cancelWaiter()
        default: reInitialize()
        }
    }

    private func acquireGuard() {
        if held.count >= 64 { return }
        let count = random.chance(50) ? 1 : 1 + random.below(4)
        let countForm = count > 1 || random.chance(30)
        let expected = model.acquire(count)
        note("acquire guard \(count)\(countForm ? " (count form)" : "")")
        do {
            let guardValue = try countForm ? rundown.tryAcquire(count: count) : rundown.tryAcquire()
            let guardCount = guardValue.count
            held.append(.guarded(GuardBox(guardValue), count: count))
            expect(expected, "the acquisition succeeded; the model refuses in state \(model.state)")
            expect(guardCount == count, "the guard counts \(guardCount) holders, not \(count)")
        } catch {
            expect(!expected, "the acquisition was refused; the model accepts")
        }
    }

    private func acquireUnguarded() {
        if held.count >= 64 { return }
        let count = 1 + random.below(4)
        let expected = model.acquire(count)
        note("unsafe acquire \(count)")
        let acquired = rundown.unsafe.tryAcquire(count: count)
        if acquired { held.append(.unguarded(count: count)) }
        expect(acquired == expected, "unsafe.tryAcquire returned \(acquired); the model says \(expected)")
    }

    private func releaseOne() async {
        guard !held.isEmpty else { return acquireGuard() }
        let holding = held.remove(at: random.below(held.count))
        let completion = model.release(holding.count)
        let rundown = self.rundown
        let place = random.below(10)
        note("release \(holding) \(place < 7 ? "inline" : place == 7 ? "on another thread" : "in another task")")
        switch (holding, place) {
        case (.guarded(let box, _), 0..<7): box.release()
        case (.guarded(let box, _), 7): TestThread { box.release() }.join()
        case (.guarded(let box, _), _): await Task.detached { box.release() }.value
        case (.unguarded(let count), 0..<7): rundown.unsafe.release(count: count)
        case (.unguarded(let count), 7): TestThread { rundown.unsafe.release(count: count) }.join()
        case (.unguarded(let count), _): await Task.detached { rundown.unsafe.release(count: count) }.value
        }
        await settle(completion)
    }

    private func protectSynchronously() {
        let expected = model.acquire(1)
        let expectedInside = model.state
        let beginInside = random.chance(25)
        note("withProtection\(beginInside ? ", beginning run-down inside" : "")")
        var seenInside: RundownState?
        do {
            try rundown.withProtection {
                seenInside = rundown.state
                if beginInside { rundown.beginRundown() }
            }
        } catch {}
        expect((seenInside != nil) == expected, "withProtection ran the body: \(seenInside != nil); model: \(expected)")
        guard expected else { return }
        expect(seenInside == expectedInside, "inside withProtection the state was \(String(describing: seenInside))")
        if beginInside { _ = model.begin() }
        let completion = model.release(1)
        if completion != nil {
            // The body's own release completed the generation: callbacks ran on this thread before it returned.
            note("withProtection completed the generation")
        }
        settleSynchronously(completion)
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
        await settle(model.release(1))
    }

    private func begin() {
        note("begin")
        let completion = model.begin()
        rundown.beginRundown()
        settleSynchronously(completion)
    }

    private func beginWithCallback() {
        let probe = CallbackProbe()
        allCallbacks.append(probe)
        let completion = model.begin()
        let runsAtOnce = model.isCompleted
        note("begin with callback\(runsAtOnce ? " (runs at once)" : "")")
        if !runsAtOnce { model.registerCallback() }
        rundown.beginRundown(onCompletion: probe.callback(observing: rundown))
        if runsAtOnce {
            expect(probe.runs == 1, "the callback of a completed generation ran \(probe.runs) times at once")
            expect(probe.sawCompleted, "the callback ran before the state was completed")
        } else {
            expect(probe.runs == 0, "the callback ran before its generation completed")
            callbacks.append(probe)
        }
        settleSynchronously(completion)
    }

    /// A wait on the driver's own thread or task that must not block: zero timeout, or untimed with no holders.
    private func waitInline() async {
        let untimed = model.holders == 0
        let blocking = random.chance(50)
        note("\(blocking ? "blocking" : "async") \(untimed ? "untimed" : "zero-timeout") wait inline")
        let completion = model.begin()
        let expected = model.isCompleted
        let returned: Bool
        switch (untimed, blocking) {
        case (true, true): returned = blockingWait(rundown, timeout: nil)
        case (true, false): returned = await suspendingWait(rundown)
        case (false, true): returned = blockingWait(rundown, timeout: random.chance(50) ? .zero : .milliseconds(-1))
        case (false, false): returned = await rundown.waitForRundown(timeout: .zero)
        }
        expect(returned == expected, "the inline wait returned \(returned); the model says \(expected)")
        await settle(completion)
    }

    private func spawnWaiter() async {
        let kind = PendingWaiter.Kind.allCases[random.below(PendingWaiter.Kind.allCases.count)]
        let completion = model.begin()
        let returnsAtOnce = model.isCompleted
        note("spawn \(kind) waiter\(returnsAtOnce ? " (returns at once)" : "")")
        if !returnsAtOnce { model.registerWaiter() }
        let waiter = PendingWaiter.start(kind, on: rundown)
        if returnsAtOnce {
            await finish(waiter, expecting: true, "a waiter of a completed generation")
        } else {
            let rundown = self.rundown
            let records = model.liveRecords
            let settled = await eventually { waiter.probe.finished.isSet || liveWaiterRecords(rundown) == records }
            expect(settled, "the waiter never registered: \(liveWaiterRecords(rundown)) live records, model \(records)")
            waiters.append(waiter)
        }
        await settle(completion)
    }

    private func cancelWaiter() async {
        let cancellable = waiters.indices.filter { waiters[$0].task != nil && !waiters[$0].cancelled }
        guard !cancellable.isEmpty else { return await spawnWaiter() }
        let index = cancellable[random.below(cancellable.count)]
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

    private func reInitialize() {
        guard model.isCompleted else { return }
        note("re-initialize")
        model.reInitialize()
        rundown.reInitialize()
        generations += 1
    }

    /// Releases everything still held, then completes the run-down and checks that nothing is left over.
    private func drain() async {
        note("drain")
        while failure == nil, let holding = held.popLast() {
            switch holding {
            case .guarded(let box, _): box.release()
            case .unguarded(let count): rundown.unsafe.release(count: count)
            }
            await settle(model.release(holding.count))
        }
        if failure == nil, !model.isCompleted { begin() }
        guard failure == nil else { return }
        checkStep()
        expect(model.isCompleted && waiters.isEmpty && callbacks.isEmpty, "the drain left the model \(model.state)")
        expect(model.acquiredUnits == model.releasedUnits, "the model acquired and released different counts")
        let wrongRuns = allCallbacks.filter { $0.runs != 1 }.count
        expect(wrongRuns == 0, "\(wrongRuns) of \(allCallbacks.count) callbacks did not run exactly once")
    }

    // MARK: Checks

    /// After the step that completed a generation, without blocking: its callbacks ran on this thread.
    private func settleSynchronously(_ completion: ReferenceModel.Completion?) {
        guard let completion else { return }
        expect(completion.waiters == 0, "a synchronous step completed a generation with waiters")
        checkCallbacks(of: completion)
    }

    /// After a step that completed a generation: every waiter of it returns `true`, every callback ran once.
    private func settle(_ completion: ReferenceModel.Completion?) async {
        guard let completion else { return }
        checkCallbacks(of: completion)
        expect(completion.waiters == waiters.count, "the driver lost track of its waiters")
        let woken = waiters
        waiters = []
        for waiter in woken {
            await finish(
                waiter,
                expecting: true,
                "a \(waiter.kind) waiter of completed generation \(completion.generation)"
            )
        }
    }

    private func checkCallbacks(of completion: ReferenceModel.Completion) {
        expect(completion.callbacks == callbacks.count, "the driver lost track of its callbacks")
        for probe in callbacks {
            expect(
                probe.runs == 1,
                "a callback of completed generation \(completion.generation) ran \(probe.runs) times"
            )
            expect(probe.sawCompleted, "a callback ran before the state was completed")
        }
        callbacks = []
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

    /// The checks after every step: the state, the live waiter records, no early return and no early callback.
    private func checkStep() {
        let state = rundown.state
        expect(state == model.state, "the state is \(state); the model says \(model.state)")
        let records = liveWaiterRecords(rundown)
        expect(records == model.liveRecords, "\(records) live waiter records; the model says \(model.liveRecords)")
        for waiter in waiters where waiter.probe.finished.isSet {
            fail("a \(waiter.kind) waiter returned \(waiter.probe.result) before its generation completed")
        }
        for probe in callbacks where probe.runs != 0 {
            fail("a callback ran before its generation completed")
        }
    }

    private func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fail(message()) }
    }

    private func fail(_ message: String) {
        guard failure == nil else { return }
        failure =
            "step \(steps), generation \(model.generation): \(message); last steps: "
            + recentSteps.joined(separator: " | ")
    }

    private func note(_ step: String) {
        if recentSteps.count == 12 { recentSteps.removeFirst() }
        recentSteps.append(step)
    }
}

/// The blocking waits, which an `async` caller would otherwise not pick over the `async` ones.
private func blockingWait(_ rundown: any RundownProtection, timeout: Duration?) -> Bool {
    guard let timeout else {
        rundown.waitForRundown()
        return true
    }
    return rundown.waitForRundown(timeout: timeout)
}

private func suspendingWait(_ rundown: any RundownProtection) async -> Bool {
    await rundown.waitForRundown()
    return true
}

/// Protection the driver holds: a guard (released through its box) or an unguarded count.
private enum Holding: CustomStringConvertible {
    case guarded(GuardBox, count: Int)
    case unguarded(count: Int)

    var count: Int {
        switch self {
        case .guarded(_, let count), .unguarded(let count): count
        }
    }

    var description: String {
        switch self {
        case .guarded(_, let count): "guard of \(count)"
        case .unguarded(let count): "unsafe \(count)"
        }
    }
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

/// Counts the runs of one completion callback and what state it saw.
private final class CallbackProbe: Sendable {
    private let runCount = Counter()
    private let completedWhenRun = Atomic<Bool>(false)

    var runs: Int { runCount.value }
    var sawCompleted: Bool { completedWhenRun.load(ordering: .relaxed) }

    func callback(observing rundown: any RundownProtection) -> @Sendable () -> Void {
        { [self] in
            completedWhenRun.store(rundown.state == .completed, ordering: .relaxed)
            runCount.add()
        }
    }
}
