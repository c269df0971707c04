// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown
import Synchronization

/// Drives one run-down object through operations, one at a time on the calling thread, and compares it with a
/// ``ReferenceModel`` after every step.
///
/// What it compares: the state, each operation's result, the live waiter records, the holder report and (if the
/// object records them) the holder records, that no callback runs before its generation completes, and that each
/// completion runs exactly the callbacks of its generation, each exactly once. Every operation here is synchronous
/// and never blocks: a wait is untimed only when the model says the run-down completes at once, and otherwise has a
/// zero (or negative) timeout. Misuse never happens: the driver releases only what it holds and re-initializes only
/// when the model says run-down has completed.
///
/// Which operation, and with what arguments, comes from ``choices``. The tests subclass it as ``AsyncModelDriver``
/// (releases on other threads and in other tasks, waiters that block or suspend, a seeded generator); the fuzzer
/// (`Fuzz/`, which compiles this file too) nests `withProtection` scopes and reads its choices from the input. Keep
/// it free of Swift Testing.
class ModelDriver {
    /// The object under test.
    let subject: any ModelSubject
    /// Where the decisions come from.
    var choices: any StepChoices
    /// What the object must do.
    var model = ReferenceModel()
    /// The steps so far and the first mismatch.
    var log: StepLog
    /// Protection the driver holds, acquired by earlier steps.
    var held: [Holding] = []
    /// The completion callbacks of the current generation that have not run yet.
    private var pendingCallbacks: [CallbackProbe] = []
    /// Every callback registered, each of which must have run exactly once at the end.
    private var allCallbacks: [CallbackProbe] = []
    /// The `withProtection` bodies the driver is running in.
    private var openScopes = 0
    /// The generations re-initialization opened.
    private(set) var generations = 0

    /// The most protection the driver holds at once (each acquisition is one entry).
    static let maximumHeld = 64

    init(subject: any ModelSubject, choices: any StepChoices, log: StepLog = StepLog()) {
        self.subject = subject
        self.choices = choices
        self.log = log
    }

    /// The first mismatch with the model, with the steps that led to it; `nil` while the run is clean.
    var failure: String? { log.failure }

    /// The steps taken.
    var steps: Int { log.steps }

    // MARK: Steps

    /// Acquires a guard for one or more holders (on an object without guards, the unguarded pair).
    func acquireGuard() {
        guard subject.hasGuards else { return acquireUnguarded() }
        guard held.count < Self.maximumHeld else { return }
        let count = chooseCount()
        let countForm = count > 1 || choices.chance(30)
        let expected = model.acquire(count)
        note("acquire guard \(count)\(countForm ? " (count form)" : "")")
        do {
            let box = try subject.acquireGuard(count: count, countForm: countForm)
            held.append(.guarded(box, count: count))
            expect(expected, "the acquisition succeeded; the model refuses in state \(model.state)")
            expect(box.count == count, "the guard counts \(box.count) holders, not \(count)")
        } catch {
            expect(!expected, "the acquisition was refused; the model accepts")
        }
    }

    /// Acquires one or more holders with the unguarded pair.
    func acquireUnguarded() {
        guard held.count < Self.maximumHeld else { return }
        let count = chooseCount()
        let expected = model.acquire(count)
        note("unsafe acquire \(count)")
        let acquired = subject.unguardedTryAcquire(count: count)
        if acquired { held.append(.unguarded(count: count)) }
        expect(acquired == expected, "the unguarded acquisition returned \(acquired); the model says \(expected)")
    }

    /// Releases one of the holdings, on this thread: a guard by `release()` or by dropping it, unguarded holders by
    /// the unguarded release. Nothing if the driver holds nothing (releasing then would be misuse).
    func releaseOne() {
        guard let holding = takeHolding() else { return }
        let completion = model.release(holding.count)
        switch holding {
        case .guarded(let box, _):
            let drops = choices.chance(50)
            note("\(drops ? "drop" : "release") \(holding)")
            if drops { box.drop() } else { box.release() }
        case .unguarded(let count):
            note("release \(holding)")
            subject.unguardedRelease(count: count)
        }
        settle(completion)
    }

    /// Removes a holding, chosen by ``choices``, from those the driver holds, for the caller to release.
    func takeHolding() -> Holding? {
        guard !held.isEmpty else { return nil }
        return held.remove(at: choices.below(held.count))
    }

    /// Runs `body` under the object's closure-scoped protection (either form) and checks that it runs exactly when
    /// the model accepts, sees the state the model predicts, and holds one holder while it runs; `body` may take
    /// more steps, which then run with that holder inside.
    func protect(_ what: String, _ body: () -> Void) {
        let ifAvailable = choices.chance(50)
        let expected = model.acquire(1)
        let expectedInside = model.state
        note("\(ifAvailable ? "withProtectionIfAvailable" : "withProtection")\(what)")
        var seenInside: RundownState?
        let ran = subject.protect(ifAvailable: ifAvailable) {
            seenInside = subject.state
            openScopes += 1
            body()
            openScopes -= 1
        }
        expect(ran == expected, "withProtection ran the body: \(ran); the model says \(expected)")
        guard ran, expected else { return }
        expect(
            seenInside == expectedInside,
            "inside withProtection the state was \(String(describing: seenInside)); the model says \(expectedInside)"
        )
        settle(model.release(1))
    }

    /// Begins run-down, checking that the call reports whether it began it.
    func begin() {
        note("begin")
        let wasClosed = model.closed
        let completion = model.begin()
        let began = subject.beginRundown()
        expect(began == !wasClosed, "beginRundown returned \(began); the run-down had \(wasClosed ? "" : "not ")begun")
        settle(completion)
    }

    /// Begins run-down with a completion callback, which must run at once if the generation completes here and
    /// otherwise not before the release that completes it.
    func beginWithCallback() {
        let probe = CallbackProbe()
        allCallbacks.append(probe)
        let completion = model.begin()
        let runsAtOnce = model.isCompleted
        note("begin with callback\(runsAtOnce ? " (runs at once)" : "")")
        if !runsAtOnce { model.registerCallback() }
        subject.beginRundown(onCompletion: probe.callback(observing: subject))
        if runsAtOnce {
            expect(probe.runs == 1, "the callback of a completed generation ran \(probe.runs) times at once")
            expect(probe.sawCompleted, "the callback ran before the state was completed")
        } else {
            expect(probe.runs == 0, "the callback ran before its generation completed")
            pendingCallbacks.append(probe)
        }
        settle(completion)
    }

    /// A blocking wait on this thread that cannot block (see ``startInlineWait(_:)``).
    func waitInline() {
        let wait = startInlineWait("blocking")
        let returned: Bool
        if wait.untimed {
            subject.waitForRundown()
            returned = true
        } else {
            returned = subject.waitForRundown(timeout: choices.chance(50) ? .zero : .milliseconds(-1))
        }
        finishInlineWait(wait, returned: returned)
    }

    /// The model's side of a wait on the driver's own thread or task, which must not block: it begins run-down, and
    /// the wait may be untimed only when that completes the generation (no holders); otherwise its timeout is zero.
    func startInlineWait(_ kind: String) -> InlineWait {
        let untimed = model.holders == 0
        note("\(kind) \(untimed ? "untimed" : "zero-timeout") wait inline")
        let completion = model.begin()
        return InlineWait(untimed: untimed, expected: model.isCompleted, completion: completion)
    }

    /// Checks what an inline wait returned and settles the completion it caused.
    func finishInlineWait(_ wait: InlineWait, returned: Bool) {
        expect(returned == wait.expected, "the inline wait returned \(returned); the model says \(wait.expected)")
        settle(wait.completion)
    }

    /// Opens the next generation if the model says run-down has completed; re-initializing in any other state is
    /// misuse (it traps), so the driver skips it.
    func reInitialize() {
        guard model.isCompleted else { return note("re-initialize skipped in state \(model.state)") }
        model.reInitialize()
        note("re-initialize to generation \(model.generation)")
        subject.reInitialize()
        generations += 1
    }

    /// Releases everything still held, on this thread, and completes the run-down.
    func releaseEverything() {
        note("drain")
        while failure == nil, let holding = held.popLast() {
            switch holding {
            case .guarded(let box, _): box.release()
            case .unguarded(let count): subject.unguardedRelease(count: count)
            }
            settle(model.release(holding.count))
        }
        if failure == nil, !model.isCompleted { begin() }
    }

    /// The checks at the end of a run, after ``releaseEverything()``: nothing left over, every callback ran once.
    func checkDrained(waitersLeft: Int = 0) {
        guard failure == nil else { return }
        checkStep()
        expect(
            model.isCompleted && waitersLeft == 0 && pendingCallbacks.isEmpty,
            "the drain left the model \(model.state)"
        )
        expect(model.acquiredUnits == model.releasedUnits, "the model acquired and released different counts")
        let wrongRuns = allCallbacks.filter { $0.runs != 1 }.count
        expect(wrongRuns == 0, "\(wrongRuns) of \(allCallbacks.count) callbacks did not run exactly once")
    }

    // MARK: Checks

    /// After a step that may have completed a generation (`completion` is then what it owes): its callbacks ran,
    /// each once, and its waiters are released.
    func settle(_ completion: ReferenceModel.Completion?) {
        guard let completion else { return }
        expect(completion.callbacks == pendingCallbacks.count, "the driver lost track of its callbacks")
        for probe in pendingCallbacks {
            expect(
                probe.runs == 1,
                "a callback of completed generation \(completion.generation) ran \(probe.runs) times"
            )
            expect(probe.sawCompleted, "a callback ran before the state was completed")
        }
        pendingCallbacks = []
        releaseWaiters(of: completion)
    }

    /// The waiters a completion released. This driver starts none; a subclass that does finishes them.
    func releaseWaiters(of completion: ReferenceModel.Completion) {
        expect(completion.waiters == 0, "a generation completed with \(completion.waiters) waiters nobody started")
    }

    /// The checks after every step: the state, the records and the holder report, and no early callback.
    func checkStep() {
        let state = subject.state
        expect(state == model.state, "the state is \(state); the model says \(model.state)")
        let records = subject.liveWaiterRecordCount
        expect(records == model.liveRecords, "\(records) live waiter records; the model says \(model.liveRecords)")
        let report = subject.holderReport()
        expect(report.holderCount == model.holders, "the holder report counts \(report.holderCount) holders")
        let holderRecords = subject.liveHolderRecordCount
        let acquisitions = subject.isRecordingHolders ? held.count + openScopes : 0
        expect(holderRecords == acquisitions, "\(holderRecords) holder records for \(acquisitions) acquisitions")
        if subject.isRecordingHolders {
            let recorded = report.holders.reduce(0) { $0 + $1.count }
            expect(recorded == model.holders, "the holder records count \(recorded) holders")
        }
        for probe in pendingCallbacks where probe.runs != 0 {
            fail("a callback ran before its generation completed")
        }
    }

    func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fail(message()) }
    }

    func fail(_ message: String) {
        log.fail("generation \(model.generation): \(message)")
    }

    func note(_ step: String) {
        log.note(step)
    }

    // MARK: Choices

    /// A holder count: mostly 1 or a few, sometimes many (far below any limit, since the driver holds at most
    /// ``maximumHeld`` acquisitions).
    private func chooseCount() -> Int {
        if choices.chance(50) { return 1 }
        return choices.chance(95) ? 1 + choices.below(4) : 1 + choices.below(1 << 16)
    }
}

/// What the model says about a wait on the driver's own thread or task; see ``ModelDriver/startInlineWait(_:)``.
struct InlineWait {
    /// The wait may be untimed: it returns at once.
    var untimed: Bool
    /// What the wait must return.
    var expected: Bool
    /// The completion that beginning the run-down caused.
    var completion: ReferenceModel.Completion?
}

/// Protection the driver holds: a guard (released through its box) or an unguarded count.
enum Holding: CustomStringConvertible {
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

/// Counts the runs of one completion callback and what state it saw.
private final class CallbackProbe: Sendable {
    private let runCount = Counter()
    private let completedWhenRun = Atomic<Bool>(false)

    var runs: Int { runCount.value }
    var sawCompleted: Bool { completedWhenRun.load(ordering: .relaxed) }

    func callback(observing rundown: any ModelSubject) -> @Sendable () -> Void {
        { [self] in
            completedWhenRun.store(rundown.state == .completed, ordering: .relaxed)
            runCount.add()
        }
    }
}
