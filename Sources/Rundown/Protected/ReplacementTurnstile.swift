// SPDX-License-Identifier: Apache-2.0

/// A first-come, first-served turn for the rare writers of a ``RundownProtected``, taken by blocking threads and
/// suspending tasks alike: a ``TurnstileState`` behind a ``ConditionLock``.
///
/// A suspended writer is resumed directly (after unlocking); a parked one wakes on the condition variable.
final class ReplacementTurnstile: Sendable {
    typealias State = TurnstileState<WaiterContinuation>

    private let lock = ConditionLock(State())

    /// Suspends the calling task until it has the turn; cancellation does not end the wait.
    func enter() async {
        guard case .wait(let id) = lock.withLock({ $0.enter(blocking: false) }) else { return }
        _ = await withWaiterContinuation { continuation in
            handOver(continuation, of: id)
        }
    }

    /// Suspends the calling task until it has the turn, `timeout` passes or the task is cancelled. Costs a child
    /// task for the timer.
    ///
    /// A turn handed over at the same moment as the timeout or cancellation is taken, never dropped: the waiting
    /// child's own answer decides, after both children have finished.
    /// - Returns: `true` if the caller has the turn (and must ``leave()``); `false` if it gave up first.
    func enter(timeout: Duration) async -> Bool {
        guard case .wait(let id) = lock.withLock({ $0.enter(blocking: false) }) else { return true }
        return await withTaskGroup(of: (isWaiter: Bool, granted: Bool).self) { group in
            group.addTask { (true, await self.suspendUnlessCancelled(id)) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return (false, false)
            }
            // Whichever child finishes first, the other is cancelled; both answers are collected, and only the
            // waiter's says whether the turn came.
            var granted = false
            while let answer = await group.next() {
                if answer.isWaiter { granted = answer.granted }
                group.cancelAll()
            }
            return granted
        }
    }

    /// Blocks the calling thread until it has the turn.
    func enterBlocking() {
        _ = enterBlocking(until: nil)
    }

    /// Blocks the calling thread until it has the turn or `deadline` passes.
    /// - Returns: `true` if the caller has the turn (and must ``leave()``); `false` at the deadline.
    func enterBlocking(until deadline: MonotonicDeadline?) -> Bool {
        guard case .wait(let id) = lock.withLock({ $0.enter(blocking: true) }) else { return true }
        return lock.withLock(waitingUntil: deadline) { state, deadlinePassed -> Bool? in
            switch state.step(blocked: id, deadlinePassed: deadlinePassed) {
            case .keepWaiting: nil
            case .signalled: true
            case .timedOut: false
            }
        }
    }

    /// Ends the caller's turn and gives it to the next writer in line, if any.
    func leave() {
        switch lock.withLock({ $0.leave() }) {
        case .none: break
        case .wakeBlocked: lock.broadcast()
        case .resume(let continuation): continuation.resume(returning: true)
        }
    }

    /// The number of writers waiting for the turn, for tests.
    var waitingWriters: Int { lock.withLock { $0.waitingWriters } }

    /// Suspends the registered writer `id` until it has the turn or its task is cancelled.
    private func suspendUnlessCancelled(_ id: State.Line.ID) async -> Bool {
        await withTaskCancellationHandler {
            await withWaiterContinuation { continuation in
                handOver(continuation, of: id)
            }
        } onCancel: {
            lock.withLock { $0.cancel(id) }?.resume(returning: false)
        }
    }

    private func handOver(_ continuation: WaiterContinuation, of id: State.Line.ID) {
        switch lock.withLock({ $0.suspend(id, with: continuation) }) {
        case .suspended: break
        case .resume(let signalled): continuation.resume(returning: signalled)
        }
    }
}
