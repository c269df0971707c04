// SPDX-License-Identifier: Apache-2.0

/// The process's timers for timed `async` waits: one thread and a ``TimerQueue`` behind a ``ConditionLock``.
///
/// A timed wait schedules an action (give up, resume `false`) and removes it as soon as the wait ends, however it
/// ends, so that nothing it allocated outlives it: a wait that completes a second into a one-hour timeout frees its
/// timer a second in, not an hour later (a `Task.sleep` child would stay queued in the concurrency runtime until its
/// deadline). Deadlines are on ``Platform/monotonicNanoseconds()``, the clock of the blocking waits too.
///
/// The thread is started by the first timed `async` wait of the process and runs for the life of the process,
/// asleep on a condition variable until the earliest deadline or until an earlier one is added. Actions run on it,
/// after unlocking, in deadline order; they are short (they resume a continuation).
final class DeadlineTimers: Sendable {
    typealias Action = @Sendable () -> Void

    /// The one instance, and its thread, started on first use.
    static let shared: DeadlineTimers = {
        let timers = DeadlineTimers()
        Platform.startDetachedThread(named: "rundown.timers") { timers.run() }
        return timers
    }()

    private let lock = ConditionLock(TimerQueue<Action>())

    /// The timers scheduled since the process started, for tests.
    private let scheduledCount = ConditionLock(0)

    private init() {}

    /// Runs `action` on the timer thread once `deadline` has passed, unless ``cancel(_:)`` removes it first.
    func schedule(at deadline: MonotonicDeadline, _ action: @escaping Action) -> TimerQueue<Action>.ID {
        let (id, isEarliest) = lock.withLock { $0.add(deadline: deadline.nanoseconds, action) }
        scheduledCount.withLock { $0 += 1 }
        if isEarliest { lock.broadcast() }
        return id
    }

    /// Removes the timer `id` with its action, at once, if it has not fired.
    func cancel(_ id: TimerQueue<Action>.ID) {
        // The action is released after unlocking.
        _ = lock.withLock { $0.remove(id) }
    }

    /// The number of pending timers, for leak checks.
    var pending: Int { lock.withLock { $0.count } }

    /// The number of timers scheduled so far, for tests.
    var scheduled: Int { scheduledCount.withLock { $0 } }

    /// The timer thread: waits for the earliest deadline (or for an earlier one to be added), runs what is due.
    private func run() -> Never {
        while true {
            let due = lock.withLockStepping { queue -> ConditionLock<TimerQueue<Action>>.Step<[Action]> in
                let due = queue.removeDue(at: Platform.monotonicNanoseconds())
                if !due.isEmpty { return .done(due) }
                return .wait(untilNanoseconds: queue.nextDeadline)
            }
            for action in due { action() }
        }
    }
}
