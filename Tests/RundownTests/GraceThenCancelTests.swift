// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown
import Synchronization
import Testing

/// How the holders of one test ended: cancelled (saw `CancellationError`) or finished by themselves.
private final class Outcomes: Sendable {
    private let cancelled = Locked<Set<String>>([])
    private let finished = Locked<Set<String>>([])
    let inside = Atomic<Int>(0)

    func recordCancelled(_ name: String) { _ = cancelled.withLock { $0.insert(name) } }
    func recordFinished(_ name: String) { _ = finished.withLock { $0.insert(name) } }
    var cancelledNames: Set<String> { cancelled.withLock { $0 } }
    var finishedNames: Set<String> { finished.withLock { $0 } }
}

@Suite("Grace, then cancel")
struct GraceThenCancelTests {
    /// A holder that sleeps "forever" in a cancellable holder, and records how it ended.
    private static func cancellableSleeper(
        _ rundown: some RundownProtection,
        _ name: String,
        _ outcomes: Outcomes
    ) async {
        do {
            try await rundown.withCancellableProtection {
                outcomes.inside.add(1, ordering: .relaxed)
                try await Task.sleep(for: .seconds(3_600))
            }
            outcomes.recordFinished(name)
        } catch is CancellationError {
            outcomes.recordCancelled(name)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("after the grace period exactly the opted-in holders are cancelled", arguments: RundownFlavor.allCases)
    func cancelsExactlyTheOptedIn(flavor: RundownFlavor) async throws {
        let rundown = flavor.makeRecording()
        let outcomes = Outcomes()
        let plainRelease = Flag()
        let plainWasCancelled = Atomic<Bool>(false)

        let cancellable = (0..<3).map { index in
            Task { await Self.cancellableSleeper(rundown, "cancellable \(index)", outcomes) }
        }
        // A plain async holder that checks for cancellation: it must never see any.
        let plain = Task {
            try await rundown.withProtection(isolation: nil) {
                outcomes.inside.add(1, ordering: .relaxed)
                while !plainRelease.isSet {
                    if Task.isCancelled { plainWasCancelled.store(true, ordering: .relaxed) }
                    try? await Task.sleep(for: .milliseconds(1))
                }
            }
        }
        #expect(await eventually { outcomes.inside.load(ordering: .relaxed) == 4 })
        let report = rundown.holderReport()
        #expect(report.holders.filter(\.isCancellable).count == 3)
        #expect(report.holders.filter { !$0.isCancellable }.count == 1)

        let drained = Task { await rundown.waitForRundown(gracePeriod: .milliseconds(20), timeout: .milliseconds(300)) }
        #expect(await eventually { outcomes.cancelledNames.count == 3 })
        for task in cancellable { await task.value }
        #expect(outcomes.cancelledNames == ["cancellable 0", "cancellable 1", "cancellable 2"])
        #expect(!(await drained.value), "the plain holder is still inside at the deadline")
        #expect(rundown.state == .runningDown(holders: 1))
        #expect(rundown.holderReport().holders.map(\.isCancellable) == [false])

        plainRelease.set()
        try await plain.value
        let plainSawCancellation = plainWasCancelled.load(ordering: .relaxed)
        #expect(!plainSawCancellation, "a holder that did not opt in is never cancelled")
        await rundown.waitForRundown()
        #expect(rundown.state == .completed)
        #expect(liveHolderRecords(rundown) == 0)
    }

    @Test("holders that finish within the grace period are not cancelled", arguments: RundownFlavor.allCases)
    func gracePeriodIsHonoured(flavor: RundownFlavor) async throws {
        let rundown = flavor.make()
        let outcomes = Outcomes()
        let release = Flag()
        let holder = Task {
            do {
                try await rundown.withCancellableProtection {
                    outcomes.inside.add(1, ordering: .relaxed)
                    while !release.isSet { try await Task.sleep(for: .milliseconds(1)) }
                }
                outcomes.recordFinished("quick")
            } catch {
                outcomes.recordCancelled("quick")
            }
        }
        #expect(await eventually { outcomes.inside.load(ordering: .relaxed) == 1 })
        let drained = Task { await rundown.waitForRundown(gracePeriod: .seconds(3_600), timeout: .seconds(3_600)) }
        #expect(await eventually { rundown.state == .runningDown(holders: 1) })
        release.set()
        #expect(await drained.value)
        await holder.value
        #expect(outcomes.finishedNames == ["quick"])
        #expect(outcomes.cancelledNames.isEmpty)
    }

    @Test("the untimed grace wait returns once the cancelled holders have left", arguments: RundownFlavor.allCases)
    func untimedGraceWait(flavor: RundownFlavor) async throws {
        let rundown = flavor.make()
        let outcomes = Outcomes()
        let holders = (0..<2).map { index in Task { await Self.cancellableSleeper(rundown, "h\(index)", outcomes) } }
        #expect(await eventually { outcomes.inside.load(ordering: .relaxed) == 2 })
        await rundown.waitForRundown(gracePeriod: .milliseconds(5))
        #expect(rundown.state == .completed)
        for holder in holders { await holder.value }
        #expect(outcomes.cancelledNames == ["h0", "h1"])
        rundown.reInitialize()

        // The next generation's cancellable holders are not cancelled by the last one's request.
        let next = Task {
            try await rundown.withCancellableProtection { Task.isCancelled }
        }
        #expect(try await next.value == false)
    }

    @Test("cancelCancellableHolders cancels without beginning run-down, and later holders start cancelled")
    func cancelWithoutRundown() async throws {
        let rundown = RundownRef()
        let outcomes = Outcomes()
        let first = Task { await Self.cancellableSleeper(rundown, "first", outcomes) }
        #expect(await eventually { outcomes.inside.load(ordering: .relaxed) == 1 })
        rundown.cancelCancellableHolders()
        await first.value
        #expect(outcomes.cancelledNames == ["first"])
        #expect(rundown.state == .active(holders: 0))
        let late = try await rundown.withCancellableProtection { Task.isCancelled }
        #expect(late, "a holder of the cancelled generation starts cancelled")
    }

    @Test(
        "a holder that starts after cancellation was requested starts cancelled, generation after generation",
        arguments: RundownFlavor.allCases
    )
    func lateHoldersStartCancelledEveryTime(flavor: RundownFlavor) async throws {
        let rundown = flavor.make()
        let generations = iterations(quick: 5_000, long: 50_000)
        var startedUncancelled = 0
        var startedCancelledTooEarly = 0
        for _ in 0..<generations {
            if try await rundown.withCancellableProtection({ Task.isCancelled }) { startedCancelledTooEarly += 1 }
            rundown.cancelCancellableHolders()
            if try await !rundown.withCancellableProtection({ Task.isCancelled }) { startedUncancelled += 1 }
            await rundown.waitForRundown()
            rundown.reInitialize()
        }
        #expect(startedUncancelled == 0, "of \(generations) late holders, \(startedUncancelled) started uncancelled")
        #expect(startedCancelledTooEarly == 0, "\(startedCancelledTooEarly) holders started cancelled too early")
        #expect(liveHolderRecords(rundown) == 0)
    }

    @Test("the same, for an embedded engine")
    func lateHoldersOfAnEngineStartCancelledEveryTime() async throws {
        final class Worker: Sendable {
            let rundown = RundownEngine()
        }
        let worker = Worker()
        let generations = iterations(quick: 5_000, long: 50_000)
        var startedUncancelled = 0
        var startedCancelledTooEarly = 0
        for _ in 0..<generations {
            if try await worker.rundown.withCancellableProtection({ Task.isCancelled }) {
                startedCancelledTooEarly += 1
            }
            worker.rundown.cancelCancellableHolders()
            if try await !worker.rundown.withCancellableProtection({ Task.isCancelled }) { startedUncancelled += 1 }
            await worker.rundown.waitForRundown()
            worker.rundown.reInitialize()
        }
        #expect(startedUncancelled == 0, "of \(generations) late holders, \(startedUncancelled) started uncancelled")
        #expect(startedCancelledTooEarly == 0, "\(startedCancelledTooEarly) holders started cancelled too early")
        #expect(worker.rundown.liveHolderRecordCount == 0)
    }

    @Test("a cancellable holder is refused once run-down has begun, and its result comes back otherwise")
    func refusedAfterBegin() async throws {
        let rundown = RundownRef()
        #expect(try await rundown.withCancellableProtection { 42 } == 42)
        rundown.beginRundown()
        await #expect(throws: RundownError.rundownInProgress) {
            try await rundown.withCancellableProtection { Issue.record("must not run") }
        }
    }

    @Test("an embedded engine offers the same, and holders and waits leak nothing over many rounds")
    func engineRoundsLeakNothing() async throws {
        final class Worker: Sendable {
            let rundown = RundownEngine()
        }
        let worker = Worker()
        for _ in 0..<iterations(quick: 50, long: 2_000) {
            let holder = Task {
                try? await worker.rundown.withCancellableProtection { try await Task.sleep(for: .seconds(3_600)) }
            }
            while worker.rundown.state == .active(holders: 0) { await Task.yield() }
            let completed = await worker.rundown.waitForRundown(gracePeriod: .zero, timeout: .seconds(60))
            #expect(completed)
            await holder.value
            worker.rundown.reInitialize()
        }
        let records = (waiters: worker.rundown.liveWaiterRecordCount, holders: worker.rundown.liveHolderRecordCount)
        #expect(records == (0, 0))
    }
}
