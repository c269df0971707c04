// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown
import Testing

/// Cancellation of the asynchronous waits.
@Suite("Cancellation")
struct CancellationTests {
    @Test("cancelling a timed async wait returns false at once and frees its waiter record")
    func cancelTimedAsyncWait() async throws {
        let rundown = RundownRef()
        let holder = try rundown.tryAcquire()
        let waiter = Task { await rundown.waitForRundown(timeout: .seconds(3_600)) }
        while rundown.liveWaiterRecordCount == 0 { await Task.yield() }
        waiter.cancel()
        #expect(await waiter.value == false)
        #expect(rundown.liveWaiterRecordCount == 0)
        #expect(rundown.state == .runningDown(holders: 1))
        holder.release()
        #expect(rundown.state == .completed)
        #expect(rundown.liveWaiterRecordCount == 0)
    }

    @Test("a timed async wait in an already cancelled task returns false, or true if already completed")
    func timedWaitInCancelledTask() async throws {
        let rundown = RundownRef()
        let holder = try rundown.tryAcquire()
        let cancelledWaiter = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await rundown.waitForRundown(timeout: .seconds(3_600))
        }
        #expect(await cancelledWaiter.value == false)
        holder.release()
        let completedWaiter = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await rundown.waitForRundown(timeout: .seconds(3_600))
        }
        #expect(await completedWaiter.value == true)
        #expect(rundown.liveWaiterRecordCount == 0)
    }

    @Test("the untimed async wait does not end early on cancellation")
    func untimedAsyncWaitIgnoresCancellation() async throws {
        let rundown = RundownRef()
        let holder = try rundown.tryAcquire()
        let finished = Counter()
        let waiter = Task {
            await rundown.waitForRundown()
            finished.add()
        }
        while rundown.liveWaiterRecordCount == 0 { await Task.yield() }
        waiter.cancel()
        try await Task.sleep(for: .milliseconds(20))
        #expect(finished.value == 0)
        #expect(rundown.liveWaiterRecordCount == 1)
        holder.release()
        await waiter.value
        #expect(finished.value == 1)
        #expect(rundown.liveWaiterRecordCount == 0)
    }

    @Test("many cancelled waiters leave no record behind and are never resumed later")
    func manyCancelledWaiters() async throws {
        let rundown = RundownRef()
        let holder = try rundown.tryAcquire()
        let waiters = (0..<50).map { _ in Task { await rundown.waitForRundown(timeout: .seconds(3_600)) } }
        for waiter in waiters { waiter.cancel() }
        for waiter in waiters { #expect(await waiter.value == false) }
        #expect(rundown.liveWaiterRecordCount == 0)
        // Completing now must not resume any of them again (a checked continuation, as debug builds use, would trap).
        holder.release()
        #expect(rundown.liveWaiterRecordCount == 0)
    }

    @Test(
        "timeouts and cancellations racing the waiter's own registration and hand-over: false, once, no leak",
        arguments: RundownFlavor.allCases
    )
    func giveUpRacingRegistration(flavor: RundownFlavor) async throws {
        let rundown = flavor.make()
        let holder = GuardBox(try rundown.tryAcquire())
        let rounds = iterations(quick: 400, long: 20_000)
        var returnedTrue = 0
        for round in 0..<rounds {
            // Microsecond timeouts fire around the time the waiting child task hands over its continuation; a
            // cancellation of the outer task arrives anywhere from before registration to after suspension.
            let timeout = Duration.microseconds(round % 40)
            let waiter = Task { await rundown.waitForRundown(timeout: round % 3 == 0 ? .seconds(60) : timeout) }
            if round % 3 == 0 {
                if round % 2 == 0 { await Task.yield() }
                waiter.cancel()
            }
            if await waiter.value { returnedTrue += 1 }
        }
        #expect(returnedTrue == 0, "a wait that gave up reported completion while a holder was inside")
        #expect(liveWaiterRecords(rundown) == 0)
        #expect(rundown.state == .runningDown(holders: 1))
        holder.release()
        #expect(rundown.state == .completed)
    }

    @Test("a blocking timed wait that times out frees its record")
    func blockingTimeoutFreesRecord() throws {
        let rundown = RundownRef()
        let holder = try rundown.tryAcquire()
        #expect(rundown.waitForRundown(timeout: .milliseconds(5)) == false)
        #expect(rundown.liveWaiterRecordCount == 0)
        holder.release()
    }
}
