import Testing

@testable import Rundown

/// Cancellation of the asynchronous waits.
@Suite("Cancellation")
struct CancellationTests {
    @Test("cancelling a timed async wait returns false at once and frees its waiter record")
    func cancelTimedAsyncWait() async throws {
        let rundown = RundownRef()
        let holder = try rundown.tryAcquire()
        let waiter = Task { await rundown.waitForRundown(timeout: .seconds(3_600)) }
        while rundown.liveWaiterRecords == 0 { await Task.yield() }
        waiter.cancel()
        #expect(await waiter.value == false)
        #expect(rundown.liveWaiterRecords == 0)
        #expect(rundown.state == .runningDown(holders: 1))
        holder.release()
        #expect(rundown.state == .completed)
        #expect(rundown.liveWaiterRecords == 0)
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
        #expect(rundown.liveWaiterRecords == 0)
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
        while rundown.liveWaiterRecords == 0 { await Task.yield() }
        waiter.cancel()
        try await Task.sleep(for: .milliseconds(20))
        #expect(finished.value == 0)
        #expect(rundown.liveWaiterRecords == 1)
        holder.release()
        await waiter.value
        #expect(finished.value == 1)
        #expect(rundown.liveWaiterRecords == 0)
    }

    @Test("many cancelled waiters leave no record behind and are never resumed later")
    func manyCancelledWaiters() async throws {
        let rundown = RundownRef()
        let holder = try rundown.tryAcquire()
        let waiters = (0..<50).map { _ in Task { await rundown.waitForRundown(timeout: .seconds(3_600)) } }
        for waiter in waiters { waiter.cancel() }
        for waiter in waiters { #expect(await waiter.value == false) }
        #expect(rundown.liveWaiterRecords == 0)
        // Completing now must not resume any of them again (a checked continuation would trap).
        holder.release()
        #expect(rundown.liveWaiterRecords == 0)
    }

    @Test("a blocking timed wait that times out frees its record")
    func blockingTimeoutFreesRecord() throws {
        let rundown = RundownRef()
        let holder = try rundown.tryAcquire()
        #expect(rundown.waitForRundown(timeout: .milliseconds(5)) == false)
        #expect(rundown.liveWaiterRecords == 0)
        holder.release()
    }
}
