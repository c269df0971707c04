// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown
import Synchronization
import Testing

/// Holders and waiters that go away abnormally: threads that exit holding, tasks cancelled or throwing inside,
/// waiters abandoned by cancellation or timeout, guards that end their life on another thread or task. In each
/// case the protection is released exactly once, the run-down completes, the waiters still waiting return, and
/// no waiter record is left behind.
@Suite("Faults")
struct FaultTests {
    struct HolderFailed: Error {}

    /// How a holder holds its protection.
    enum HolderForm: String, CaseIterable, Codable, Sendable, CustomStringConvertible {
        case guardValue
        case scope

        var description: String { rawValue }
    }

    // MARK: Threads that exit holding

    @Test(
        "a thread that exits holding a guard in thread-specific storage releases it on teardown",
        arguments: RundownFlavor.allCases
    )
    func threadSpecificGuardReleasedAtExit(flavor: RundownFlavor) async throws {
        let rundown = flavor.make()
        let holding = Flag()
        let exit = Flag()
        let stillHeldAtReturn = Flag()
        let holder = TestThread {
            guard let guardValue = try? rundown.tryAcquire() else { return }
            let box = GuardBox(guardValue)
            ThreadExitAction.atThreadExit { box.release() }
            holding.set()
            while !exit.isSet { yieldBriefly() }
            if rundown.state != .completed { stillHeldAtReturn.set() }
            // Returns without releasing: the key's destructor releases the guard as the thread is torn down.
        }
        #expect(await eventually { holding.isSet })
        await expectWaiterReleased(on: rundown, byEnding: holder, after: exit)
        #expect(stillHeldAtReturn.isSet, "the guard was released before the thread exited")
    }

    @Test("a thread that exits owning a box with a guard releases it on teardown", arguments: RundownFlavor.allCases)
    func boxedGuardReleasedAtExit(flavor: RundownFlavor) async throws {
        let rundown = flavor.make()
        let exit = Flag()
        let holder = try Self.threadOwningBoxedGuard(rundown, until: exit)
        await expectWaiterReleased(on: rundown, byEnding: holder, after: exit)
    }

    /// Starts a thread that owns a box holding a guard of `rundown`; nobody else refers to the box, so it (and the
    /// guard in it) goes away with the thread's closure context when the thread ends.
    private static func threadOwningBoxedGuard(
        _ rundown: any RundownProtection,
        until exit: Flag
    ) throws -> TestThread {
        let box = GuardBox(try rundown.tryAcquire())
        return TestThread {
            withExtendedLifetime(box) {
                while !exit.isSet { yieldBriefly() }
            }
        }
    }

    /// Begins run-down of `rundown` (one holder, the thread `holder`), registers a blocking waiter, lets the
    /// holder end by setting `exit`, and checks that the waiter returns only then.
    private func expectWaiterReleased(
        on rundown: any RundownProtection,
        byEnding holder: TestThread,
        after exit: Flag
    ) async {
        rundown.beginRundown()
        #expect(rundown.state == .runningDown(holders: 1))
        let waiterReturned = Flag()
        let waiter = TestThread {
            rundown.waitForRundown()
            waiterReturned.set()
        }
        #expect(
            await eventually { liveWaiterRecords(rundown) == 1 },
            "live waiter records: \(liveWaiterRecords(rundown))"
        )
        #expect(!waiterReturned.isSet)
        exit.set()
        holder.join()
        #expect(rundown.state == .completed)
        guard await eventually({ waiterReturned.isSet }) else {
            Issue.record("the waiter did not return after its generation's last holder left")
            return
        }
        waiter.join()
        #expect(liveWaiterRecords(rundown) == 0)
    }

    // MARK: Tasks cancelled inside

    @Test("a task cancelled inside async withProtection releases", arguments: RundownFlavor.allCases)
    func cancelledInsideAsyncScope(flavor: RundownFlavor) async throws {
        let rundown = flavor.make()
        let entered = Flag()
        let holder = Task {
            try await rundown.withProtection(isolation: nil) {
                entered.set()
                try await Task.sleep(for: .seconds(3_600))
            }
        }
        #expect(await eventually { entered.isSet })
        rundown.beginRundown()
        let waiter = Task { await rundown.waitForRundown() }
        #expect(
            await eventually { liveWaiterRecords(rundown) == 1 },
            "live waiter records: \(liveWaiterRecords(rundown))"
        )
        #expect(rundown.state == .runningDown(holders: 1))
        holder.cancel()
        await #expect(throws: CancellationError.self) { try await holder.value }
        #expect(await value(of: waiter) != nil, "the waiter did not return")
        #expect(rundown.state == .completed)
        #expect(liveWaiterRecords(rundown) == 0)
    }

    @Test("a child task cancelled by a failing sibling releases its protection", arguments: RundownFlavor.allCases)
    func childCancelledBySibling(flavor: RundownFlavor) async throws {
        let rundown = flavor.make()
        let entered = Flag()
        await #expect(throws: HolderFailed.self) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await rundown.withProtection(isolation: nil) {
                        entered.set()
                        try await Task.sleep(for: .seconds(3_600))
                    }
                }
                group.addTask {
                    _ = await eventually { entered.isSet }
                    rundown.beginRundown()
                    throw HolderFailed()
                }
                // The first failure ends the group's body, and the group cancels the holder.
                while try await group.next() != nil {}
            }
        }
        #expect(rundown.state == .completed)
        #expect(await rundown.waitForRundown(timeout: .zero))
    }

    @Test("a cancelled task holding a guard across suspension releases when it ends", arguments: RundownFlavor.allCases)
    func cancelledWhileHoldingGuard(flavor: RundownFlavor) async throws {
        let rundown = flavor.make()
        let entered = Flag()
        let holder = Task {
            let guardValue = try rundown.tryAcquire()
            entered.set()
            // Throws on cancellation; the guard's scope ends either way.
            try await Task.sleep(for: .seconds(3_600))
            guardValue.release()
        }
        #expect(await eventually { entered.isSet })
        let waiter = Task { await rundown.waitForRundown(timeout: .seconds(3_600)) }
        #expect(
            await eventually { liveWaiterRecords(rundown) == 1 },
            "live waiter records: \(liveWaiterRecords(rundown))"
        )
        holder.cancel()
        await #expect(throws: CancellationError.self) { try await holder.value }
        #expect(await value(of: waiter) == true)
        #expect(liveWaiterRecords(rundown) == 0)
    }

    // MARK: Holders that throw

    @Test(
        "a holder thread that throws releases during run-down",
        arguments: RundownFlavor.allCases,
        HolderForm.allCases
    )
    func throwingHolderThread(flavor: RundownFlavor, form: HolderForm) async throws {
        let rundown = flavor.make()
        let entered = Flag()
        let proceed = Flag()
        let threw = Flag()
        let holder = TestThread {
            do {
                try Self.holdThenThrow(rundown, form: form) {
                    entered.set()
                    while !proceed.isSet { yieldBriefly() }
                }
            } catch {
                if error is HolderFailed { threw.set() }
            }
        }
        #expect(await eventually { entered.isSet })
        let waiterReturned = Flag()
        let waiter = TestThread {
            rundown.waitForRundown()
            waiterReturned.set()
        }
        #expect(
            await eventually { liveWaiterRecords(rundown) == 1 },
            "live waiter records: \(liveWaiterRecords(rundown))"
        )
        #expect(rundown.state == .runningDown(holders: 1))
        proceed.set()
        holder.join()
        #expect(threw.isSet)
        guard await eventually({ waiterReturned.isSet }) else {
            Issue.record("the waiter did not return after its generation's last holder left")
            return
        }
        waiter.join()
        #expect(rundown.state == .completed)
        #expect(liveWaiterRecords(rundown) == 0)
    }

    private static func holdThenThrow(
        _ rundown: any RundownProtection,
        form: HolderForm,
        while body: () -> Void
    ) throws {
        switch form {
        case .guardValue:
            let guardValue = try rundown.tryAcquire()
            body()
            if guardValue.count > 0 { throw HolderFailed() }
        case .scope:
            try rundown.withProtection {
                body()
                throw HolderFailed()
            }
        }
    }

    @Test(
        "a holder task that throws releases during run-down",
        arguments: RundownFlavor.allCases,
        HolderForm.allCases
    )
    func throwingHolderTask(flavor: RundownFlavor, form: HolderForm) async throws {
        let rundown = flavor.make()
        let entered = Flag()
        let proceed = Flag()
        let holder = Task {
            switch form {
            case .guardValue:
                let guardValue = try rundown.tryAcquire()
                entered.set()
                _ = await eventually { proceed.isSet }
                if guardValue.count > 0 { throw HolderFailed() }
            case .scope:
                try await rundown.withProtection(isolation: nil) {
                    entered.set()
                    _ = await eventually { proceed.isSet }
                    throw HolderFailed()
                }
            }
        }
        #expect(await eventually { entered.isSet })
        let waiter = Task { await rundown.waitForRundown() }
        #expect(
            await eventually { liveWaiterRecords(rundown) == 1 },
            "live waiter records: \(liveWaiterRecords(rundown))"
        )
        #expect(rundown.state == .runningDown(holders: 1))
        proceed.set()
        await #expect(throws: HolderFailed.self) { try await holder.value }
        #expect(await value(of: waiter) != nil, "the waiter did not return")
        #expect(rundown.state == .completed)
        #expect(liveWaiterRecords(rundown) == 0)
    }

    // MARK: Waiters that give up

    @Test(
        "abandoned waiters are not resumed later and leak nothing; the others still return",
        arguments: RundownFlavor.allCases
    )
    func abandonedAmongStayingWaiters(flavor: RundownFlavor) async throws {
        let rundown = flavor.make()
        let holder = try rundown.tryAcquire()
        let abandoned = (0..<8).map { _ in Task { await rundown.waitForRundown(timeout: .seconds(3_600)) } }
        let staying = (0..<3).map { _ in Task { await rundown.waitForRundown(timeout: .seconds(3_600)) } }
        let untimed = Task { await rundown.waitForRundown() }
        let callbackRuns = Counter()
        rundown.beginRundown { callbackRuns.add() }
        let blockingReturned = Flag()
        let blocking = TestThread {
            rundown.waitForRundown()
            blockingReturned.set()
        }
        // 8 abandoned + 3 staying + 1 untimed async + 1 callback + 1 blocking.
        #expect(
            await eventually { liveWaiterRecords(rundown) == 14 },
            "live waiter records: \(liveWaiterRecords(rundown))"
        )
        for waiter in abandoned { waiter.cancel() }
        for waiter in abandoned { #expect(await value(of: waiter) == false) }
        #expect(liveWaiterRecords(rundown) == 6)
        // Cancelling the untimed wait does not abandon it.
        untimed.cancel()
        #expect(liveWaiterRecords(rundown) == 6)

        holder.release()
        for waiter in staying { #expect(await value(of: waiter) == true) }
        #expect(await value(of: untimed) != nil, "the untimed waiter did not return")
        guard await eventually({ blockingReturned.isSet }) else {
            Issue.record("the blocking waiter did not return after the last holder left")
            return
        }
        blocking.join()
        #expect(callbackRuns.value == 1)
        #expect(liveWaiterRecords(rundown) == 0)

        // Another generation with a waiter of its own: the abandoned waiters' continuations are gone (a second
        // resume of a checked continuation would trap), and nothing is registered afterwards.
        rundown.reInitialize()
        let secondHolder = try rundown.tryAcquire()
        let secondWaiter = Task { await rundown.waitForRundown(timeout: .seconds(3_600)) }
        #expect(
            await eventually { liveWaiterRecords(rundown) == 1 },
            "live waiter records: \(liveWaiterRecords(rundown))"
        )
        secondHolder.release()
        #expect(await value(of: secondWaiter) == true)
        #expect(liveWaiterRecords(rundown) == 0)
        #expect(callbackRuns.value == 1)
    }

    @Test(
        "cancellation racing the completing release resumes the waiter once and leaks nothing",
        arguments: RundownFlavor.allCases
    )
    func cancellationRacingCompletion(flavor: RundownFlavor) async throws {
        let rundown = flavor.make()
        let seed = StressSeed.current()
        var random = SeededGenerator(seed: seed)
        for round in 0..<iterations(quick: 200, long: 20_000) {
            let holder = GuardBox(try rundown.tryAcquire())
            let waiter = Task { await rundown.waitForRundown(timeout: .seconds(3_600)) }
            if random.chance(70) {
                let registered = await eventually { liveWaiterRecords(rundown) == 1 }
                #expect(registered, "seed \(seed), round \(round)")
            }
            let go = Flag()
            let releaser = TestThread {
                while !go.isSet {}
                holder.release()
            }
            let cancelFirst = random.chance(50)
            go.set()
            if cancelFirst { waiter.cancel() }
            for _ in 0..<random.below(3) { await Task.yield() }
            if !cancelFirst { waiter.cancel() }
            guard await value(of: waiter) != nil else {
                Issue.record("seed \(seed), round \(round): the waiter did not return")
                return
            }
            releaser.join()
            #expect(rundown.state == .completed, "seed \(seed), round \(round)")
            #expect(liveWaiterRecords(rundown) == 0, "seed \(seed), round \(round): a waiter record leaked")
            rundown.reInitialize()
        }
        #expect(liveWaiterRecords(rundown) == 0)
    }

    @Test("waits that time out leave nothing behind and are not woken later", arguments: RundownFlavor.allCases)
    func timedOutWaitersLeakNothing(flavor: RundownFlavor) async throws {
        let rundown = flavor.make()
        let holder = try rundown.tryAcquire()
        let callbackRuns = Counter()
        rundown.beginRundown { callbackRuns.add() }
        let blockingResult = Atomic<Int>(-1)
        let blocking = TestThread {
            blockingResult.store(rundown.waitForRundown(timeout: .milliseconds(2)) ? 1 : 0, ordering: .relaxed)
        }
        let suspending = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<4 { group.addTask { await rundown.waitForRundown(timeout: .milliseconds(2)) } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        blocking.join()
        let blockingCompleted = blockingResult.load(ordering: .relaxed)
        #expect(blockingCompleted == 0)
        #expect(suspending == [false, false, false, false])
        // Only the callback is still registered.
        #expect(liveWaiterRecords(rundown) == 1)
        #expect(rundown.state == .runningDown(holders: 1))
        // Waiting again continues the same run-down.
        #expect(await rundown.waitForRundown(timeout: .zero) == false)
        holder.release()
        #expect(rundown.state == .completed)
        #expect(callbackRuns.value == 1)
        #expect(liveWaiterRecords(rundown) == 0)
    }

    // MARK: Guards that end their life elsewhere

    @Test(
        "a guard sent to another thread completes the run-down there: callbacks run on that thread",
        arguments: RundownFlavor.allCases
    )
    func guardReleasedOnAnotherThread(flavor: RundownFlavor) async throws {
        let rundown = flavor.make()
        let box = GuardBox(try rundown.tryAcquire())
        let callbackThread = Mutex<UInt64?>(nil)
        rundown.beginRundown { callbackThread.withLock { $0 = TestThread.currentThreadID } }
        let waiter = Task { await rundown.waitForRundown() }
        #expect(
            await eventually { liveWaiterRecords(rundown) == 2 },
            "live waiter records: \(liveWaiterRecords(rundown))"
        )
        let releasingThread = Mutex<UInt64?>(nil)
        TestThread {
            releasingThread.withLock { $0 = TestThread.currentThreadID }
            box.release()
        }
        .join()
        #expect(await value(of: waiter) != nil, "the waiter did not return")
        #expect(rundown.state == .completed)
        let ranOn = callbackThread.withLock { $0 }
        let releasedOn = releasingThread.withLock { $0 }
        #expect(ranOn != nil && ranOn == releasedOn)
        #expect(liveWaiterRecords(rundown) == 0)
    }

    @Test("a guard sent to an actor is released there", arguments: RundownFlavor.allCases)
    func guardReleasedOnActor(flavor: RundownFlavor) async throws {
        let rundown = flavor.make()
        let sink = GuardSink()
        let guardValue = try rundown.tryAcquire(count: 3)
        rundown.beginRundown()
        let waiter = Task { await rundown.waitForRundown(timeout: .seconds(3_600)) }
        #expect(
            await eventually { liveWaiterRecords(rundown) == 1 },
            "live waiter records: \(liveWaiterRecords(rundown))"
        )
        await sink.keep(guardValue)
        #expect(rundown.state == .runningDown(holders: 3))
        #expect(await sink.releaseAll() == 3)
        #expect(await value(of: waiter) == true)
        #expect(rundown.state == .completed)
        #expect(liveWaiterRecords(rundown) == 0)
    }

    @Test("guards sent to many tasks and released there all count", arguments: RundownFlavor.allCases)
    func guardsReleasedInManyTasks(flavor: RundownFlavor) async throws {
        let rundown = flavor.make()
        let boxes = try (0..<16).map { _ in GuardBox(try rundown.tryAcquire()) }
        rundown.beginRundown()
        #expect(rundown.state == .runningDown(holders: 16))
        let waiterReturned = Flag()
        let waiter = TestThread {
            rundown.waitForRundown()
            waiterReturned.set()
        }
        await withTaskGroup(of: Void.self) { group in
            for box in boxes {
                group.addTask {
                    await Task.yield()
                    box.release()
                }
            }
        }
        guard await eventually({ waiterReturned.isSet }) else {
            Issue.record("the waiter did not return after its generation's last holder left")
            return
        }
        waiter.join()
        #expect(rundown.state == .completed)
        #expect(liveWaiterRecords(rundown) == 0)
    }
}

/// An actor that takes guards sent to it and releases them on its own executor.
private actor GuardSink {
    private var boxes: [GuardBox] = []
    private var counts: [Int] = []

    func keep(_ guardValue: consuming RundownGuard) {
        counts.append(guardValue.count)
        boxes.append(GuardBox(guardValue))
    }

    /// Releases every kept guard; returns the holders released.
    func releaseAll() -> Int {
        for box in boxes { box.release() }
        boxes = []
        defer { counts = [] }
        return counts.reduce(0, +)
    }
}
