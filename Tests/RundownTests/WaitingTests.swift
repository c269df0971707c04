// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown
import Synchronization
import Testing

/// The contract's "wait for run-down" and "wait with timeout" rows, for every type.
@Suite("Waiting for run-down")
struct WaitingTests {
    @Test("blocking waits return at once when already completed", arguments: RundownFlavor.allCases)
    func blockingWaitsReturnAtOnceWhenCompleted(flavor: RundownFlavor) {
        let rundown = flavor.make()
        rundown.waitForRundown()
        rundown.waitForRundown()
        #expect(rundown.waitForRundown(timeout: .zero))
        #expect(rundown.waitForRundown(timeout: .seconds(-1)))
    }

    @Test("async waits return at once when already completed", arguments: RundownFlavor.allCases)
    func asyncWaitsReturnAtOnceWhenCompleted(flavor: RundownFlavor) async {
        let rundown = flavor.make()
        await rundown.waitForRundown()
        await rundown.waitForRundown()
        #expect(await rundown.waitForRundown(timeout: .zero))
    }

    @Test("a blocking wait returns only after the last holder released", arguments: RundownFlavor.allCases)
    func blockingWaitReturnsAfterLastRelease(flavor: RundownFlavor) throws {
        let rundown = flavor.make()
        let released = Atomic<Bool>(false)
        let holder = try rundown.tryAcquire()
        let waiter = TestThread {
            rundown.waitForRundown()
            let holderReleased = released.load(ordering: .relaxed)
            #expect(holderReleased, "the wait returned while a holder was inside")
        }
        waitUntil { rundown.state == .runningDown(holders: 1) }
        yieldBriefly()
        released.store(true, ordering: .relaxed)
        holder.release()
        waiter.join()
        #expect(rundown.state == .completed)
    }

    @Test("many waiters of both kinds all return", arguments: RundownFlavor.allCases)
    func manyMixedWaitersAllReturn(flavor: RundownFlavor) async {
        let rundown = flavor.make()
        #expect(rundown.unsafeTryAcquire(count: 2))
        let returned = Counter()
        let blockingWaiters = (0..<6).map { index in
            TestThread {
                if index.isMultiple(of: 2) {
                    rundown.waitForRundown()
                    returned.add()
                } else if rundown.waitForRundown(timeout: .seconds(60)) {
                    returned.add()
                }
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<6 {
                group.addTask {
                    if index.isMultiple(of: 2) {
                        await rundown.waitForRundown()
                        returned.add()
                    } else if await rundown.waitForRundown(timeout: .seconds(60)) {
                        returned.add()
                    }
                }
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(20))
                let returnedEarly = returned.value
                #expect(returnedEarly == 0)
                rundown.unsafeRelease(count: 2)
            }
        }
        for waiter in blockingWaiters { waiter.join() }
        #expect(returned.value == 12)
    }

    @Test("a waiter of an older generation returns after re-initialization", arguments: RundownFlavor.allCases)
    func olderGenerationWaiterReturnsAfterReInit(flavor: RundownFlavor) throws {
        let rundown = flavor.make()
        let holder = try rundown.tryAcquire()
        let waiterResult = Mutex<Bool?>(nil)
        let waiter = TestThread {
            let completed = rundown.waitForRundown(timeout: .seconds(60))
            waiterResult.withLock { $0 = completed }
        }
        waitUntil { rundown.state == .runningDown(holders: 1) }
        yieldBriefly()
        // Complete the waiter's generation, then at once open the next one and run it down with a holder that
        // never leaves while the old waiter may not have run yet.
        holder.release()
        rundown.reInitialize()
        let nextHolder = try rundown.tryAcquire()
        rundown.beginRundown()
        waiter.join()
        #expect(waiterResult.withLock { $0 } == true)
        #expect(rundown.state == .runningDown(holders: 1))
        nextHolder.release()
    }

    @Test("an async waiter of an older generation returns after re-initialization", arguments: RundownFlavor.allCases)
    func olderGenerationAsyncWaiterReturnsAfterReInit(flavor: RundownFlavor) async throws {
        let rundown = flavor.make()
        let holder = try rundown.tryAcquire()
        let waiter = Task { await rundown.waitForRundown(timeout: .seconds(60)) }
        while rundown.state != .runningDown(holders: 1) { await Task.yield() }
        try await Task.sleep(for: .milliseconds(5))
        holder.release()
        rundown.reInitialize()
        let nextHolder = try rundown.tryAcquire()
        rundown.beginRundown()
        #expect(await waiter.value)
        nextHolder.release()
    }

    @Test("a blocking timeout returns false and leaves the run-down begun", arguments: RundownFlavor.allCases)
    func blockingTimeoutLeavesRundownBegun(flavor: RundownFlavor) throws {
        let rundown = flavor.make()
        let holder = try rundown.tryAcquire()
        #expect(rundown.waitForRundown(timeout: .milliseconds(10)) == false)
        #expect(rundown.state == .runningDown(holders: 1))
        #expect(throws: RundownError.rundownInProgress) { _ = try rundown.tryAcquire() }
        #expect(rundown.waitForRundown(timeout: .zero) == false)
        holder.release()
        #expect(rundown.waitForRundown(timeout: .milliseconds(10)))
    }

    @Test("an async timeout returns false and leaves the run-down begun", arguments: RundownFlavor.allCases)
    func asyncTimeoutLeavesRundownBegun(flavor: RundownFlavor) async throws {
        let rundown = flavor.make()
        let holder = try rundown.tryAcquire()
        #expect(await rundown.waitForRundown(timeout: .milliseconds(10)) == false)
        #expect(rundown.state == .runningDown(holders: 1))
        holder.release()
        #expect(await rundown.waitForRundown(timeout: .milliseconds(10)))
    }

    @Test("a timed wait that gives up does not disturb a waiter that keeps waiting", arguments: RundownFlavor.allCases)
    func timeoutDoesNotDisturbOtherWaiters(flavor: RundownFlavor) throws {
        let rundown = flavor.make()
        let holder = try rundown.tryAcquire()
        let patient = TestThread { #expect(rundown.waitForRundown(timeout: .seconds(60))) }
        #expect(rundown.waitForRundown(timeout: .milliseconds(5)) == false)
        holder.release()
        patient.join()
    }

    @Test("holders' writes are visible once the wait returns", arguments: RundownFlavor.allCases)
    func holdersWritesVisibleAfterWait(flavor: RundownFlavor) {
        // Each holder writes its own plain (non-atomic) cell after acquiring; only the run-down's release/acquire
        // ordering makes the waiter's reads safe, and ThreadSanitizer reports a race if that edge is missing.
        let rundown = flavor.make()
        let cells = PlainCells(count: 8)
        let acquired = Atomic<Int>(0)
        let holders = (0..<8).map { index in
            TestThread {
                let guardValue = try? rundown.tryAcquire()
                acquired.add(1, ordering: .relaxed)
                yieldBriefly(microseconds: 500)
                cells[index] = index + 1
                _ = consume guardValue
            }
        }
        waitUntil { acquired.load(ordering: .relaxed) == 8 }
        rundown.waitForRundown()
        let snapshot = (0..<8).map { cells[$0] }
        #expect(snapshot == Array(1...8))
        for holder in holders { holder.join() }
    }
}

/// Spins (with short sleeps) until `condition` holds; for setting up a scenario, never for asserting timing.
func waitUntil(_ condition: () -> Bool) {
    while !condition() { yieldBriefly(microseconds: 50) }
}

/// Plain, unsynchronized integer cells: the synchronization under test must order accesses to them.
final class PlainCells: @unchecked Sendable {
    // `@unchecked Sendable` on purpose: accesses are ordered only by the run-down protection under test, and
    // ThreadSanitizer checks that they are.
    private let storage: UnsafeMutableBufferPointer<Int>

    init(count: Int) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: 0)
    }

    deinit { storage.deallocate() }

    subscript(index: Int) -> Int {
        get { storage[index] }
        set { storage[index] = newValue }
    }
}
