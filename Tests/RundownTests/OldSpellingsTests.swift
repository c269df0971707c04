// SPDX-License-Identifier: Apache-2.0
import Rundown
import Testing

// Every public spelling of the last landed surface (the commit in Scripts/api-baseline), called on every type that
// had it: with its default arguments left out and with every argument written out, and each result checked. The
// surface has since been written once in protocol extensions (`RundownProtecting`, `RundownProtection`); these calls
// must keep compiling and behaving as they did. Scripts/check-api.sh checks the same surface from the API dumps.
//
// A plain `import Rundown`, not `@_spi(Testing)`: the calls must compile for a client that sees only the public API.
// The functions that use deprecated spellings say so with `@available(*, deprecated, ...)`, so that the build with
// warnings as errors accepts them.

/// The engine the way its documentation embeds it: a `let` in a final class.
private final class EngineOwner: Sendable {
    let engine: RundownEngine

    init() {
        engine = RundownEngine()
    }

    init(recordingHolders: Bool) {
        engine = RundownEngine(recordingHolders: recordingHolders)
    }
}

/// Where a holder acquired, from its fields (`site` and `description` are for people; their text is not API).
private func siteOf(_ holder: RundownHolderReport.Holder) -> String {
    "\(holder.fileID):\(holder.line) in \(holder.function)"
}

/// The site of the only holder a report lists, or `nil` if it lists none or several.
private func onlySite(_ report: RundownHolderReport) -> String? {
    report.holders.count == 1 ? siteOf(report.holders[0]) : nil
}

/// A holder that opts in to cancellation and sleeps until it is cancelled; `true` once it was.
private func sleepUntilCancelled() async -> Bool {
    do {
        try await Task.sleep(for: .seconds(60))
        return false
    } catch {
        return true
    }
}

@Suite("The spellings of the previous public surface still compile and behave")
struct OldSpellingsTests {
    // MARK: RundownEngine

    @Test("RundownEngine: the synchronous spellings")
    func engineSynchronous() throws {
        let owner = EngineOwner()
        let recorded = EngineOwner(recordingHolders: true)
        let recording = [owner.engine.isRecordingHolders, recorded.engine.isRecordingHolders]
        #expect(recording == [false, true])
        let initial = owner.engine.state
        #expect(initial == .active(holders: 0))

        let inside = try owner.engine.withProtection { owner.engine.state }
        let site = try recorded.engine.withProtection(fileID: "Old/Engine.swift", line: 1, function: "scope()") {
            onlySite(recorded.engine.holderReport())
        }
        #expect(inside == .active(holders: 1))
        #expect(site == "Old/Engine.swift:1 in scope()")
        let available = owner.engine.withProtectionIfAvailable { 7 }
        let availableSite = recorded.engine.withProtectionIfAvailable(
            fileID: "Old/Engine.swift",
            line: 2,
            function: "ifAvailable()"
        ) { onlySite(recorded.engine.holderReport()) }
        #expect(available == 7)
        #expect(availableSite == "Old/Engine.swift:2 in ifAvailable()")

        let acquired = [
            owner.engine.unsafeTryAcquire(),
            owner.engine.unsafeTryAcquire(count: 2),
            owner.engine.unsafeTryAcquire(count: 3, fileID: #fileID, line: #line, function: #function),
        ]
        let held = owner.engine.state
        owner.engine.unsafeRelease()
        owner.engine.unsafeRelease(count: 5)
        let released = owner.engine.state
        #expect(acquired == [true, true, true])
        #expect(held == .active(holders: 6))
        #expect(released == .active(holders: 0))

        let completions = Counter()
        let holding = owner.engine.unsafeTryAcquire()
        owner.engine.beginRundown()  // @discardableResult
        let beganAgain = owner.engine.beginRundown()
        owner.engine.beginRundown(onCompletion: { completions.add() })
        let runningDown = owner.engine.state
        let timedOut = owner.engine.waitForRundown(timeout: .zero)
        let report = owner.engine.waitForRundownReportingHolders(timeout: .zero)
        #expect(holding && !beganAgain && !timedOut)
        #expect(runningDown == .runningDown(holders: 1))
        #expect(report?.holderCount == 1 && report?.isRecording == false)
        #expect(completions.value == 0)
        owner.engine.unsafeRelease()
        owner.engine.waitForRundown()
        let drained = owner.engine.waitForRundown(timeout: .seconds(5))
        let noReport = owner.engine.waitForRundownReportingHolders(timeout: .seconds(5))
        let completed = owner.engine.state
        #expect(drained && noReport == nil && completed == .completed)
        #expect(completions.value == 1)
        owner.engine.reInitialize()
        owner.engine.cancelCancellableHolders()
        let reopened = owner.engine.state
        #expect(reopened == .active(holders: 0))
        #expect(throws: RundownError.rundownInProgress) {
            recorded.engine.beginRundown()
            try recorded.engine.withProtection {}
        }
    }

    @Test("RundownEngine: the asynchronous spellings")
    func engineAsynchronous() async throws {
        let owner = EngineOwner()
        let recorded = EngineOwner(recordingHolders: true)

        let inside = try await owner.engine.withProtection {
            await Task.yield()
            return owner.engine.state
        }
        let site = try await recorded.engine.withProtection(
            isolation: nil,
            fileID: "Old/Engine.swift",
            line: 3,
            function: "asyncScope()"
        ) {
            await Task.yield()
            return onlySite(recorded.engine.holderReport())
        }
        let available = await owner.engine.withProtectionIfAvailable {
            await Task.yield()
            return 8
        }
        let availableSite = await recorded.engine.withProtectionIfAvailable(
            isolation: #isolation,
            fileID: "Old/Engine.swift",
            line: 4,
            function: "asyncIfAvailable()"
        ) {
            await Task.yield()
            return onlySite(recorded.engine.holderReport())
        }
        #expect(inside == .active(holders: 1))
        #expect(site == "Old/Engine.swift:3 in asyncScope()")
        #expect(available == 8)
        #expect(availableSite == "Old/Engine.swift:4 in asyncIfAvailable()")

        let cancellable = try await owner.engine.withCancellableProtection { 9 }
        let cancellableHolder = try await recorded.engine.withCancellableProtection(
            fileID: "Old/Engine.swift",
            line: 5,
            function: "cancellable()"
        ) { recorded.engine.holderReport().holders.first }
        #expect(cancellable == 9)
        #expect(cancellableHolder.map(siteOf) == "Old/Engine.swift:5 in cancellable()")
        #expect(cancellableHolder?.isCancellable == true)

        // A cancellable holder, cancelled by cancelCancellableHolders() without beginning run-down.
        let sleeper = Task { try await owner.engine.withCancellableProtection { await sleepUntilCancelled() } }
        #expect(await eventually { owner.engine.state == .active(holders: 1) })
        owner.engine.cancelCancellableHolders()
        let sleeperWasCancelled = try await sleeper.value
        #expect(sleeperWasCancelled)
        let afterCancel = owner.engine.state
        #expect(afterCancel == .active(holders: 0))

        let holding = owner.engine.unsafeTryAcquire()
        let timedOut = await owner.engine.waitForRundown(timeout: .milliseconds(1))
        let graceTimedOut = await owner.engine.waitForRundown(gracePeriod: .zero, timeout: .milliseconds(1))
        let report = await owner.engine.waitForRundownReportingHolders(timeout: .milliseconds(1))
        #expect(holding && !timedOut && !graceTimedOut)
        #expect(report?.holderCount == 1)
        owner.engine.unsafeRelease()
        await owner.engine.waitForRundown()
        let drained = await owner.engine.waitForRundown(timeout: .seconds(5))
        let noReport = await owner.engine.waitForRundownReportingHolders(timeout: .seconds(5))
        #expect(drained && noReport == nil)
        owner.engine.reInitialize()
        await owner.engine.waitForRundown(gracePeriod: .zero)
        let afterGrace = owner.engine.state
        owner.engine.reInitialize()
        let graceDrained = await owner.engine.waitForRundown(gracePeriod: .zero, timeout: .seconds(5))
        let completed = owner.engine.state
        #expect(afterGrace == .completed && graceDrained && completed == .completed)
    }

    // MARK: RundownRef

    @Test("RundownRef: the synchronous spellings")
    func refSynchronous() throws {
        let rundown = RundownRef()
        let recorded = RundownRef(recordingHolders: true)
        #expect(!rundown.isRecordingHolders && recorded.isRecordingHolders)
        #expect(rundown.state == .active(holders: 0))

        let one = try rundown.tryAcquire()
        let two = try rundown.tryAcquire(count: 2)
        let explicitOne = try recorded.tryAcquire(fileID: "Old/Ref.swift", line: 1, function: "guardOne()")
        let explicitTwo = try recorded.tryAcquire(count: 2, fileID: "Old/Ref.swift", line: 2, function: "guardTwo()")
        let counts = [one.count, two.count, explicitOne.count, explicitTwo.count]
        #expect(counts == [1, 2, 1, 2])
        #expect(rundown.state == .active(holders: 3))
        let guards = recorded.holderReport()
        let sites = guards.holders.map(siteOf).sorted()
        #expect(guards.holderCount == 3)
        #expect(sites == ["Old/Ref.swift:1 in guardOne()", "Old/Ref.swift:2 in guardTwo()"])
        one.release()
        two.release()
        explicitOne.release()
        explicitTwo.release()
        #expect(rundown.state == .active(holders: 0) && recorded.state == .active(holders: 0))

        let inside = try rundown.withProtection { rundown.state }
        let site = try recorded.withProtection(fileID: "Old/Ref.swift", line: 3, function: "scope()") {
            onlySite(recorded.holderReport())
        }
        let available = rundown.withProtectionIfAvailable { 7 }
        let availableSite = recorded.withProtectionIfAvailable(
            fileID: "Old/Ref.swift",
            line: 4,
            function: "ifAvailable()"
        ) { onlySite(recorded.holderReport()) }
        #expect(inside == .active(holders: 1))
        #expect(site == "Old/Ref.swift:3 in scope()")
        #expect(available == 7)
        #expect(availableSite == "Old/Ref.swift:4 in ifAvailable()")

        let completions = Counter()
        let held = try rundown.tryAcquire()
        rundown.beginRundown()  // @discardableResult
        let beganAgain = rundown.beginRundown()
        rundown.beginRundown(onCompletion: { completions.add() })
        #expect(!beganAgain && rundown.state == .runningDown(holders: 1))
        #expect(!rundown.waitForRundown(timeout: .zero))
        let report = rundown.waitForRundownReportingHolders(timeout: .zero)
        #expect(report?.holderCount == 1 && completions.value == 0)
        held.release()
        rundown.waitForRundown()
        #expect(rundown.waitForRundown(timeout: .seconds(5)))
        #expect(rundown.waitForRundownReportingHolders(timeout: .seconds(5)) == nil)
        #expect(rundown.state == .completed && completions.value == 1)
        #expect(throws: RundownError.rundownInProgress) { _ = try rundown.tryAcquire() }
        rundown.reInitialize()
        rundown.cancelCancellableHolders()
        #expect(rundown.state == .active(holders: 0))
    }

    @Test("RundownRef: the asynchronous spellings")
    func refAsynchronous() async throws {
        let rundown = RundownRef()
        let recorded = RundownRef(recordingHolders: true)

        let inside = try await rundown.withProtection {
            await Task.yield()
            return rundown.state
        }
        let site = try await recorded.withProtection(
            isolation: nil,
            fileID: "Old/Ref.swift",
            line: 5,
            function: "asyncScope()"
        ) {
            await Task.yield()
            return onlySite(recorded.holderReport())
        }
        let available = await rundown.withProtectionIfAvailable {
            await Task.yield()
            return 8
        }
        let availableSite = await recorded.withProtectionIfAvailable(
            isolation: #isolation,
            fileID: "Old/Ref.swift",
            line: 6,
            function: "asyncIfAvailable()"
        ) {
            await Task.yield()
            return onlySite(recorded.holderReport())
        }
        #expect(inside == .active(holders: 1))
        #expect(site == "Old/Ref.swift:5 in asyncScope()")
        #expect(available == 8)
        #expect(availableSite == "Old/Ref.swift:6 in asyncIfAvailable()")

        let cancellable = try await rundown.withCancellableProtection { 9 }
        let cancellableHolder = try await recorded.withCancellableProtection(
            fileID: "Old/Ref.swift",
            line: 7,
            function: "cancellable()"
        ) { recorded.holderReport().holders.first }
        #expect(cancellable == 9)
        #expect(cancellableHolder.map(siteOf) == "Old/Ref.swift:7 in cancellable()")
        #expect(cancellableHolder?.isCancellable == true)

        // A cancellable holder, cancelled once the grace period of waitForRundown(gracePeriod:) is over.
        let sleeper = Task { try await rundown.withCancellableProtection { await sleepUntilCancelled() } }
        #expect(await eventually { rundown.state == .active(holders: 1) })
        await rundown.waitForRundown(gracePeriod: .zero)
        let sleeperWasCancelled = try await sleeper.value
        #expect(sleeperWasCancelled && rundown.state == .completed)
        rundown.reInitialize()

        let held = try rundown.tryAcquire()
        let timedOut = await rundown.waitForRundown(timeout: .milliseconds(1))
        let graceTimedOut = await rundown.waitForRundown(gracePeriod: .zero, timeout: .milliseconds(1))
        let report = await rundown.waitForRundownReportingHolders(timeout: .milliseconds(1))
        #expect(!timedOut && !graceTimedOut && report?.holderCount == 1)
        held.release()
        await rundown.waitForRundown()
        let drained = await rundown.waitForRundown(timeout: .seconds(5))
        let noReport = await rundown.waitForRundownReportingHolders(timeout: .seconds(5))
        #expect(drained && noReport == nil)
        rundown.reInitialize()
        let graceDrained = await rundown.waitForRundown(gracePeriod: .zero, timeout: .seconds(5))
        #expect(graceDrained && rundown.state == .completed)
    }

    // MARK: CacheAwareRundownRef

    @Test("CacheAwareRundownRef: its own members")
    func cacheAwareOwnMembers() {
        let rundown = CacheAwareRundownRef()
        let twoSlots = CacheAwareRundownRef(slotCount: 2)
        #expect(CacheAwareRundownRef.maximumSlotCount >= rundown.slotCount && rundown.slotCount >= 1)
        #expect(CacheAwareRundownRef.maximumHoldersPerSlot > 0)
        #expect(twoSlots.slotCount == 2)
        #expect(twoSlots.memoryFootprint > 0 && rundown.memoryFootprint > 0)
        #expect(rundown.fastPath == CacheAwareRundownRef.processFastPath)
        let recordingFastPath = CacheAwareRundownRef(recordingHolders: true).fastPath
        let onAtomicSlots = if case .atomicSlots = recordingFastPath { true } else { false }
        #expect(onAtomicSlots || recordingFastPath == CacheAwareRundownRef.processFastPath)
        let fastPaths: [CacheAwareRundownRef.FastPath] = [.restartableSequences, .atomicSlots(reason: "why")]
        #expect(fastPaths[0] != fastPaths[1] && fastPaths[1].description.contains("why"))
        #expect(!fastPaths[0].description.isEmpty)
        if case .atomicSlots(let reason) = fastPaths[1] {
            #expect(reason == "why")
        } else {
            Issue.record("the atomic-slot case did not match")
        }
        #expect(!twoSlots.description.isEmpty)
    }

    @Test("CacheAwareRundownRef: the synchronous spellings")
    func cacheAwareSynchronous() throws {
        let rundown = CacheAwareRundownRef()
        let recorded = CacheAwareRundownRef(recordingHolders: true)
        #expect(!rundown.isRecordingHolders && recorded.isRecordingHolders)
        #expect(rundown.state == .active(holders: 0))

        let one = try rundown.tryAcquire()
        let two = try rundown.tryAcquire(count: 2)
        let explicitOne = try recorded.tryAcquire(fileID: "Old/Cache.swift", line: 1, function: "guardOne()")
        let explicitTwo = try recorded.tryAcquire(
            count: 2,
            fileID: "Old/Cache.swift",
            line: 2,
            function: "guardTwo()"
        )
        let counts = [one.count, two.count, explicitOne.count, explicitTwo.count]
        #expect(counts == [1, 2, 1, 2])
        #expect(rundown.state == .active(holders: 3))
        let guards = recorded.holderReport()
        let sites = guards.holders.map(siteOf).sorted()
        #expect(guards.holderCount == 3)
        #expect(sites == ["Old/Cache.swift:1 in guardOne()", "Old/Cache.swift:2 in guardTwo()"])
        one.release()
        two.release()
        explicitOne.release()
        explicitTwo.release()
        #expect(rundown.state == .active(holders: 0) && recorded.state == .active(holders: 0))

        let inside = try rundown.withProtection { rundown.state }
        let site = try recorded.withProtection(fileID: "Old/Cache.swift", line: 3, function: "scope()") {
            onlySite(recorded.holderReport())
        }
        let available = rundown.withProtectionIfAvailable { 7 }
        let availableSite = recorded.withProtectionIfAvailable(
            fileID: "Old/Cache.swift",
            line: 4,
            function: "ifAvailable()"
        ) { onlySite(recorded.holderReport()) }
        #expect(inside == .active(holders: 1))
        #expect(site == "Old/Cache.swift:3 in scope()")
        #expect(available == 7)
        #expect(availableSite == "Old/Cache.swift:4 in ifAvailable()")

        let completions = Counter()
        let held = try rundown.tryAcquire()
        rundown.beginRundown()  // @discardableResult
        let beganAgain = rundown.beginRundown()
        rundown.beginRundown(onCompletion: { completions.add() })
        #expect(!beganAgain && rundown.state == .runningDown(holders: 1))
        #expect(!rundown.waitForRundown(timeout: .zero))
        let report = rundown.waitForRundownReportingHolders(timeout: .zero)
        #expect(report?.holderCount == 1 && completions.value == 0)
        held.release()
        rundown.waitForRundown()
        #expect(rundown.waitForRundown(timeout: .seconds(5)))
        #expect(rundown.waitForRundownReportingHolders(timeout: .seconds(5)) == nil)
        #expect(rundown.state == .completed && completions.value == 1)
        #expect(throws: RundownError.rundownInProgress) { _ = try rundown.tryAcquire(count: 2) }
        rundown.reInitialize()
        rundown.cancelCancellableHolders()
        #expect(rundown.state == .active(holders: 0))
    }

    @Test("CacheAwareRundownRef: the asynchronous spellings")
    func cacheAwareAsynchronous() async throws {
        let rundown = CacheAwareRundownRef()
        let recorded = CacheAwareRundownRef(recordingHolders: true)

        let inside = try await rundown.withProtection {
            await Task.yield()
            return rundown.state
        }
        let site = try await recorded.withProtection(
            isolation: nil,
            fileID: "Old/Cache.swift",
            line: 5,
            function: "asyncScope()"
        ) {
            await Task.yield()
            return onlySite(recorded.holderReport())
        }
        let available = await rundown.withProtectionIfAvailable {
            await Task.yield()
            return 8
        }
        let availableSite = await recorded.withProtectionIfAvailable(
            isolation: #isolation,
            fileID: "Old/Cache.swift",
            line: 6,
            function: "asyncIfAvailable()"
        ) {
            await Task.yield()
            return onlySite(recorded.holderReport())
        }
        #expect(inside == .active(holders: 1))
        #expect(site == "Old/Cache.swift:5 in asyncScope()")
        #expect(available == 8)
        #expect(availableSite == "Old/Cache.swift:6 in asyncIfAvailable()")

        let cancellable = try await rundown.withCancellableProtection { 9 }
        let cancellableHolder = try await recorded.withCancellableProtection(
            fileID: "Old/Cache.swift",
            line: 7,
            function: "cancellable()"
        ) { recorded.holderReport().holders.first }
        #expect(cancellable == 9)
        #expect(cancellableHolder.map(siteOf) == "Old/Cache.swift:7 in cancellable()")
        #expect(cancellableHolder?.isCancellable == true)

        // A cancellable holder, cancelled once the grace period of waitForRundown(gracePeriod:timeout:) is over.
        let sleeper = Task { try await rundown.withCancellableProtection { await sleepUntilCancelled() } }
        #expect(await eventually { rundown.state == .active(holders: 1) })
        let graceDrained = await rundown.waitForRundown(gracePeriod: .zero, timeout: .seconds(60))
        let sleeperWasCancelled = try await sleeper.value
        #expect(graceDrained && sleeperWasCancelled && rundown.state == .completed)
        rundown.reInitialize()

        let held = try rundown.tryAcquire()
        let timedOut = await rundown.waitForRundown(timeout: .milliseconds(1))
        let graceTimedOut = await rundown.waitForRundown(gracePeriod: .zero, timeout: .milliseconds(1))
        let report = await rundown.waitForRundownReportingHolders(timeout: .milliseconds(1))
        #expect(!timedOut && !graceTimedOut && report?.holderCount == 1)
        held.release()
        await rundown.waitForRundown()
        let drained = await rundown.waitForRundown(timeout: .seconds(5))
        let noReport = await rundown.waitForRundownReportingHolders(timeout: .seconds(5))
        #expect(drained && noReport == nil)
        rundown.reInitialize()
        await rundown.waitForRundown(gracePeriod: .zero)
        #expect(rundown.state == .completed)
    }

    // MARK: Generic code

    @Test("generic code through some RundownProtection and any RundownProtection", arguments: [false, true])
    func genericCode(cacheAware: Bool) async throws {
        let rundown: any RundownProtection = cacheAware ? CacheAwareRundownRef() : RundownRef()
        let recorded: any RundownProtection =
            cacheAware ? CacheAwareRundownRef(recordingHolders: true) : RundownRef(recordingHolders: true)
        try synchronousGeneric(rundown, recorded: recorded)
        try await asynchronousGeneric(rundown, recorded: recorded)
        try existential(rundown, recorded: recorded)
        try await asynchronousExistential(rundown, recorded: recorded)
    }

    /// The synchronous members of the old protocol, on a type parameter.
    private func synchronousGeneric(_ rundown: some RundownProtection, recorded: some RundownProtection) throws {
        let one = try rundown.tryAcquire()
        let two = try rundown.tryAcquire(count: 2)
        let explicitOne = try recorded.tryAcquire(fileID: "Old/Generic.swift", line: 1, function: "one()")
        let explicitTwo = try recorded.tryAcquire(count: 2, fileID: "Old/Generic.swift", line: 2, function: "two()")
        let counts = [one.count, two.count, explicitOne.count, explicitTwo.count]
        #expect(counts == [1, 2, 1, 2])
        #expect(rundown.state == .active(holders: 3) && recorded.holderReport().holderCount == 3)
        one.release()
        two.release()
        explicitOne.release()
        explicitTwo.release()

        let inside = try rundown.withProtection { rundown.state }
        let site = try recorded.withProtection(fileID: "Old/Generic.swift", line: 3, function: "scope()") {
            onlySite(recorded.holderReport())
        }
        let available = rundown.withProtectionIfAvailable { 7 }
        let availableSite = recorded.withProtectionIfAvailable(
            fileID: "Old/Generic.swift",
            line: 4,
            function: "ifAvailable()"
        ) { onlySite(recorded.holderReport()) }
        #expect(inside == .active(holders: 1) && available == 7)
        #expect(site == "Old/Generic.swift:3 in scope()")
        #expect(availableSite == "Old/Generic.swift:4 in ifAvailable()")

        let completions = Counter()
        let held = try rundown.tryAcquire()
        rundown.beginRundown()  // @discardableResult
        let beganAgain = rundown.beginRundown()
        rundown.beginRundown(onCompletion: { completions.add() })
        #expect(!beganAgain && rundown.state == .runningDown(holders: 1))
        #expect(!rundown.waitForRundown(timeout: .zero))
        #expect(rundown.waitForRundownReportingHolders(timeout: .zero)?.holderCount == 1)
        held.release()
        rundown.waitForRundown()
        #expect(rundown.waitForRundown(timeout: .seconds(5)))
        #expect(rundown.waitForRundownReportingHolders(timeout: .seconds(5)) == nil)
        #expect(rundown.state == .completed && completions.value == 1)
        rundown.reInitialize()
        rundown.cancelCancellableHolders()
        #expect(rundown.state == .active(holders: 0))
    }

    /// The asynchronous members of the old protocol, on a type parameter. The old protocol extension had no default
    /// for `isolation:`, so the shortest old spelling passes it.
    private func asynchronousGeneric(_ rundown: some RundownProtection, recorded: some RundownProtection) async throws {
        let inside = try await rundown.withProtection(isolation: #isolation) {
            await Task.yield()
            return rundown.state
        }
        let site = try await recorded.withProtection(
            isolation: nil,
            fileID: "Old/Generic.swift",
            line: 5,
            function: "asyncScope()"
        ) {
            await Task.yield()
            return onlySite(recorded.holderReport())
        }
        let available = await rundown.withProtectionIfAvailable(isolation: #isolation) {
            await Task.yield()
            return 8
        }
        let availableSite = await recorded.withProtectionIfAvailable(
            isolation: nil,
            fileID: "Old/Generic.swift",
            line: 6,
            function: "asyncIfAvailable()"
        ) {
            await Task.yield()
            return onlySite(recorded.holderReport())
        }
        let shortest = try await rundown.withProtection {
            await Task.yield()
            return 10
        }
        #expect(inside == .active(holders: 1) && available == 8 && shortest == 10)
        #expect(site == "Old/Generic.swift:5 in asyncScope()")
        #expect(availableSite == "Old/Generic.swift:6 in asyncIfAvailable()")

        let cancellable = try await rundown.withCancellableProtection { 9 }
        let cancellableSite = try await recorded.withCancellableProtection(
            fileID: "Old/Generic.swift",
            line: 7,
            function: "cancellable()"
        ) { onlySite(recorded.holderReport()) }
        #expect(cancellable == 9 && cancellableSite == "Old/Generic.swift:7 in cancellable()")

        let held = try rundown.tryAcquire()
        let timedOut = await rundown.waitForRundown(timeout: .milliseconds(1))
        let graceTimedOut = await rundown.waitForRundown(gracePeriod: .zero, timeout: .milliseconds(1))
        let report = await rundown.waitForRundownReportingHolders(timeout: .milliseconds(1))
        #expect(!timedOut && !graceTimedOut && report?.holderCount == 1)
        held.release()
        await rundown.waitForRundown()
        let drained = await rundown.waitForRundown(timeout: .seconds(5))
        let noReport = await rundown.waitForRundownReportingHolders(timeout: .seconds(5))
        #expect(drained && noReport == nil)
        rundown.reInitialize()
        await rundown.waitForRundown(gracePeriod: .zero)
        #expect(rundown.state == .completed)
        rundown.reInitialize()
    }

    /// The same members called on the existential itself, as the old protocol allowed.
    private func existential(_ rundown: any RundownProtection, recorded: any RundownProtection) throws {
        let held = try rundown.tryAcquire(count: 2)
        let heldCount = held.count
        let site = try recorded.withProtection(fileID: "Old/Any.swift", line: 1, function: "scope()") {
            onlySite(recorded.holderReport())
        }
        #expect(heldCount == 2 && rundown.state == .active(holders: 2))
        #expect(site == "Old/Any.swift:1 in scope()")
        held.release()
        #expect(rundown.beginRundown() && rundown.waitForRundown(timeout: .seconds(5)))
        #expect(rundown.holderReport().holderCount == 0 && rundown.state == .completed)
        rundown.reInitialize()
    }

    /// The asynchronous members called on the existential itself.
    private func asynchronousExistential(
        _ rundown: any RundownProtection,
        recorded: any RundownProtection
    ) async throws {
        let inside = try await rundown.withProtection(isolation: #isolation) {
            await Task.yield()
            return rundown.state
        }
        let available = await recorded.withProtectionIfAvailable(
            isolation: nil,
            fileID: "Old/Any.swift",
            line: 2,
            function: "asyncIfAvailable()"
        ) {
            await Task.yield()
            return onlySite(recorded.holderReport())
        }
        let cancellable = try await rundown.withCancellableProtection { 9 }
        #expect(inside == .active(holders: 1) && cancellable == 9)
        #expect(available == "Old/Any.swift:2 in asyncIfAvailable()")
        let held = try rundown.tryAcquire()
        let timedOut = await rundown.waitForRundown(gracePeriod: .zero, timeout: .milliseconds(1))
        let report = await rundown.waitForRundownReportingHolders(timeout: .milliseconds(1))
        #expect(!timedOut && report?.holderCount == 1)
        held.release()
        await rundown.waitForRundown()
        #expect(rundown.state == .completed)
        rundown.reInitialize()
    }

    // MARK: Deprecated spellings

    @available(*, deprecated, message: "calls the deprecated spellings on purpose")
    @Test("the deprecated unsafe view, on each class, generic and existential")
    func deprecatedUnsafeView() {
        let rundown = RundownRef()
        let view: RundownRef.UnsafeProtection = rundown.unsafe
        let acquired = [
            view.tryAcquire(),
            view.tryAcquire(count: 2),
            view.tryAcquire(count: 3, fileID: #fileID, line: #line, function: #function),
        ]
        #expect(acquired == [true, true, true] && rundown.state == .active(holders: 6))
        view.release()
        view.release(count: 5)
        #expect(rundown.state == .active(holders: 0))

        let cacheAware = CacheAwareRundownRef()
        let cacheAwareView: CacheAwareRundownRef.UnsafeProtection = cacheAware.unsafe
        #expect(cacheAwareView.tryAcquire() && cacheAwareView.tryAcquire(count: 2))
        #expect(cacheAwareView.tryAcquire(count: 1, fileID: #fileID, line: #line, function: #function))
        #expect(cacheAware.state == .active(holders: 4))
        cacheAwareView.release()
        cacheAwareView.release(count: 3)
        #expect(cacheAware.state == .active(holders: 0))

        for object in [RundownRef(), CacheAwareRundownRef()] as [any RundownProtection] {
            #expect(genericView(of: object) == .active(holders: 0))
            let existentialView = object.unsafe
            #expect(existentialView.tryAcquire(count: 2))
            #expect(existentialView.tryAcquire(count: 1, fileID: #fileID, line: #line, function: #function))
            #expect(object.state == .active(holders: 3))
            existentialView.release(count: 3)
            #expect(object.state == .active(holders: 0))
            object.beginRundown()
            #expect(!object.unsafe.tryAcquire(count: 1), "the view refuses once run-down has begun")
        }
    }

    /// The view through the associated type, and RundownUnsafeProtection's members on a type parameter (whose
    /// `tryAcquire(count:fileID:line:function:)` had no default for `count:`).
    @available(*, deprecated, message: "calls the deprecated spellings on purpose")
    private func genericView<Protected: RundownProtection>(of rundown: Protected) -> RundownState {
        let view: Protected.UnsafeProtection = rundown.unsafe
        return useView(view, on: rundown)
    }

    private func useView(_ view: some RundownUnsafeProtection, on rundown: some RundownProtection) -> RundownState {
        let acquired = [
            view.tryAcquire(count: 1),
            view.tryAcquire(count: 2, fileID: #fileID, line: #line, function: #function),
        ]
        #expect(acquired == [true, true] && rundown.state == .active(holders: 3))
        view.release(count: 3)
        return rundown.state
    }

    @available(*, deprecated, message: "calls the deprecated spellings on purpose")
    @Test("the deprecated restartedSequenceCount")
    func deprecatedRestartedSequenceCount() throws {
        let before = CacheAwareRundownRef.restartedSequenceCount
        let rundown = CacheAwareRundownRef()
        try rundown.withProtection {}
        #expect(CacheAwareRundownRef.restartedSequenceCount >= before, "a count of aborts only grows")
    }

    // MARK: RundownProtected

    @Test("RundownProtected: the synchronous spellings")
    func protectedSynchronous() throws {
        let value = RundownProtected(1)
        let recorded = RundownProtected(10, recordingHolders: true)
        #expect(!value.isRecordingHolders && recorded.isRecordingHolders)

        let read = try value.withValue { $0 + 1 }
        let site = try recorded.withValue(fileID: "Old/Value.swift", line: 1, function: "read()") { _ in
            onlySite(recorded.holderReport())
        }
        let available = value.withValueIfAvailable { $0 + 2 }
        let availableSite = recorded.withValueIfAvailable(
            fileID: "Old/Value.swift",
            line: 2,
            function: "readIfAvailable()"
        ) { _ in onlySite(recorded.holderReport()) }
        #expect(read == 2 && available == 3)
        #expect(site == "Old/Value.swift:1 in read()")
        #expect(availableSite == "Old/Value.swift:2 in readIfAvailable()")
        #expect(value.holderReport().holderCount == 0)

        let old = try value.replace(with: 2)
        let torndown = Counter()
        let bounded = try value.replace(with: 3, timeout: .seconds(5), teardown: { torndown.add($0) })
        guard case .replaced(old: let replacedValue) = bounded else {
            Issue.record("the bounded replace did not replace: \(bounded)")
            return
        }
        #expect(old == 1 && replacedValue == 2 && torndown.value == 0)
        let retired = try value.retire(timeout: .seconds(5))
        #expect(retired == 3)
        #expect(throws: RundownError.rundownInProgress) { try value.withValue { _ in } }

        let other = RundownProtected(20)
        #expect(try other.retire() == 20)
        let cases: [RundownProtected<Int>.Replacement] = [.replaced(old: 1), .teardownDeferred, .notInstalled]
        #expect(cases.count == 3)
    }

    @Test("RundownProtected: the asynchronous spellings")
    func protectedAsynchronous() async throws {
        let value = RundownProtected(1)
        let recorded = RundownProtected(10, recordingHolders: true)

        let read = try await value.withValue { current in
            await Task.yield()
            return current + 1
        }
        let site = try await recorded.withValue(
            isolation: nil,
            fileID: "Old/Value.swift",
            line: 3,
            function: "asyncRead()"
        ) { _ in
            await Task.yield()
            return onlySite(recorded.holderReport())
        }
        let available = await value.withValueIfAvailable { current in
            await Task.yield()
            return current + 2
        }
        let availableSite = await recorded.withValueIfAvailable(
            isolation: #isolation,
            fileID: "Old/Value.swift",
            line: 4,
            function: "asyncReadIfAvailable()"
        ) { _ in
            await Task.yield()
            return onlySite(recorded.holderReport())
        }
        #expect(read == 2 && available == 3)
        #expect(site == "Old/Value.swift:3 in asyncRead()")
        #expect(availableSite == "Old/Value.swift:4 in asyncReadIfAvailable()")

        let old = try await value.replace(with: 2)
        let bounded = try await value.replace(with: 3, timeout: .seconds(5), teardown: { _ in })
        guard case .replaced(old: let replacedValue) = bounded else {
            Issue.record("the bounded replace did not replace: \(bounded)")
            return
        }
        #expect(old == 1 && replacedValue == 2)
        let retired = try await value.retire(timeout: .seconds(5))
        #expect(retired == 3)
        let other = RundownProtected(20)
        let retiredOther = try await other.retire()
        #expect(retiredOther == 20)
    }

    // MARK: The value types

    @Test("RundownState, RundownError, RundownGuard and RundownHolderReport")
    func valueTypes() throws {
        let states: [RundownState] = [.active(holders: 2), .runningDown(holders: 1), .completed]
        #expect(Set(states.map(\.description)).count == 3, "three states, three descriptions")
        #expect(states[0] != states[1] && states[2] == .completed)

        let error = RundownError.rundownInProgress
        var hasher = Hasher()
        error.hash(into: &hasher)
        #expect(error == .rundownInProgress && error.hashValue == RundownError.rundownInProgress.hashValue)
        #expect(Set([error, .rundownInProgress]).count == 1)

        let rundown = RundownRef(recordingHolders: true)
        let held = try rundown.tryAcquire(count: 3, fileID: "Old/Report.swift", line: 9, function: "report()")
        let heldCount = held.count
        let report = rundown.holderReport()
        held.release()
        #expect(heldCount == 3)
        #expect(report.isRecording && report.holderCount == 3 && report.takenAt <= .now)
        #expect(!report.description.isEmpty)
        let holder = try #require(report.holders.first)
        #expect(holder.fileID == "Old/Report.swift" && holder.line == 9 && holder.function == "report()")
        #expect(!holder.site.isEmpty && holder.count == 3 && !holder.isCancellable)
        let inTask = withUnsafeCurrentTask { $0 != nil }
        #expect(holder.inTask == inTask && (holder.taskName == nil || inTask) && !holder.thread.isEmpty)
        #expect(holder.acquiredAt <= report.takenAt && !holder.description.isEmpty)
        #expect(rundown.holderReport().holders.isEmpty)
    }
}
