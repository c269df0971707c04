// SPDX-License-Identifier: Apache-2.0
import Testing

@_spi(Testing) @testable import Rundown

/// The pending deadlines of the timer thread, as a state machine, without a clock or threads.
@Suite("Timer queue state machine")
struct TimerQueueTests {
    typealias Queue = TimerQueue<String>

    @Test("entries fire earliest first, equal deadlines in the order they were added")
    func earliestFirst() {
        var queue = Queue()
        for (deadline, name) in [(30, "c"), (10, "a"), (20, "b1"), (20, "b2"), (40, "d")] {
            _ = queue.add(deadline: Int64(deadline), name)
        }
        #expect(queue.nextDeadline == 10)
        #expect(queue.removeDue(at: 9).isEmpty)
        #expect(queue.removeDue(at: 20) == ["a", "b1", "b2"])
        #expect(queue.nextDeadline == 30)
        #expect(queue.removeDue(at: .max) == ["c", "d"])
        #expect(queue.count == 0 && queue.nextDeadline == nil)
    }

    @Test("adding an entry says whether it is now the earliest, so that the timer thread wakes earlier")
    func earliestIsReported() {
        var queue = Queue()
        #expect(queue.add(deadline: 100, "first").isEarliest)
        #expect(!queue.add(deadline: 200, "later").isEarliest)
        #expect(queue.add(deadline: 50, "earlier").isEarliest)
    }

    @Test("a removed entry is gone at once with its action; removing it again, or after it fired, finds nothing")
    func removal() {
        var queue = Queue()
        let (kept, _) = queue.add(deadline: 10, "kept")
        let (removed, _) = queue.add(deadline: 5, "removed")
        #expect(queue.remove(removed) == "removed")
        #expect(queue.remove(removed) == nil)
        #expect(queue.count == 1 && queue.nextDeadline == 10)
        #expect(queue.removeDue(at: 10) == ["kept"])
        #expect(queue.remove(kept) == nil, "it fired already")
    }

    @Test("removals anywhere keep the order: a thousand entries, half removed at random, fire sorted")
    func randomRemovalsKeepTheOrder() {
        var queue = Queue()
        var generator = SeededGenerator(seed: 7)
        var entries: [(id: Queue.ID, deadline: Int64)] = []
        for index in 0..<1_000 {
            let deadline = Int64.random(in: 0..<500, using: &generator)
            entries.append((queue.add(deadline: deadline, "\(index)").id, deadline))
        }
        entries.shuffle(using: &generator)
        let removed = entries.prefix(500)
        for entry in removed { #expect(queue.remove(entry.id) != nil) }
        let expected = entries.dropFirst(500).sorted { ($0.deadline, $0.id) < ($1.deadline, $1.id) }
        let fired = queue.removeDue(at: .max)
        #expect(fired == expected.map { "\($0.id)" })
        #expect(queue.count == 0)
    }
}

/// The process's timer thread with real waits: a wait that ends early removes its timer at once.
@Suite("Deadline timers")
struct DeadlineTimersTests {
    @Test("a thousand waits that end long before their one-hour deadline leave no timer behind")
    func earlyEndedWaitsLeaveNoTimers() async throws {
        let before = DeadlineTimers.shared.pending
        let scheduledBefore = DeadlineTimers.shared.scheduled
        for _ in 0..<1_000 {
            let rundown = RundownRef()
            let holder = try rundown.tryAcquire()
            let waiter = Task { await rundown.waitForRundown(timeout: .seconds(3_600)) }
            // Registered: from here the wait schedules its timer, whenever the release comes.
            while rundown.liveWaiterRecordCount == 0 { await Task.yield() }
            holder.release()
            #expect(await waiter.value)
        }
        let scheduled = DeadlineTimers.shared.scheduled - scheduledBefore
        #expect(scheduled >= 1_000, "every registered wait scheduled a timer: \(scheduled)")
        // Other tests may have a few timed waits pending right now; a leak would leave a thousand.
        let after = DeadlineTimers.shared.pending
        #expect(after - before < 100, "\(after - before) timers left behind by 1,000 completed waits")
    }

    @Test("a cancelled timed wait removes its timer; a timed-out one fires it")
    func cancelledAndTimedOutWaits() async throws {
        let rundown = RundownRef()
        let holder = try rundown.tryAcquire()
        let waiter = Task { await rundown.waitForRundown(timeout: .seconds(3_600)) }
        #expect(await eventually { rundown.liveWaiterRecordCount == 1 })
        waiter.cancel()
        #expect(await waiter.value == false)
        #expect(rundown.liveWaiterRecordCount == 0)
        let started = ContinuousClock.now
        #expect(await rundown.waitForRundown(timeout: .milliseconds(20)) == false)
        #expect(started.duration(to: .now) >= .milliseconds(20))
        holder.release()
        #expect(await rundown.waitForRundown(timeout: .seconds(1)))
    }
}
