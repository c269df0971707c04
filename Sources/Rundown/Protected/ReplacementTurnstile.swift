// SPDX-License-Identifier: Apache-2.0

/// A first-come, first-served turn for the rare writers of a ``RundownProtected``, taken by blocking threads and
/// suspending tasks alike: a ``TurnstileState`` behind a ``ConditionLock``.
///
/// A suspended writer is resumed directly (after unlocking); a parked one wakes on the condition variable.
/// Deadlines of suspended writers are timers of ``DeadlineTimers``.
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

    /// Suspends the calling task until it has the turn, `deadline` passes or the task is cancelled.
    ///
    /// A turn handed over at the same moment as the deadline or cancellation is taken, never dropped: whichever of
    /// the hand-over and the giving-up takes the lock first decides, and the task resumes with that answer. The
    /// deadline is a timer of ``DeadlineTimers``, removed as soon as the wait ends.
    /// - Returns: `true` if the caller has the turn (and must ``leave()``); `false` if it gave up first.
    func enter(until deadline: MonotonicDeadline) async -> Bool {
        guard case .wait(let id) = lock.withLock({ $0.enter(blocking: false) }) else { return true }
        let timer = DeadlineTimers.shared.schedule(at: deadline) { self.giveUp(id) }
        defer { DeadlineTimers.shared.cancel(timer) }
        return await suspendUnlessCancelled(id)
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
            giveUp(id)
        }
    }

    /// The writer `id` gives up (cancellation or deadline) unless it has been handed the turn; if it had
    /// suspended, it resumes with `false`.
    private func giveUp(_ id: State.Line.ID) {
        lock.withLock { $0.cancel(id) }?.resume(returning: false)
    }

    private func handOver(_ continuation: WaiterContinuation, of id: State.Line.ID) {
        switch lock.withLock({ $0.suspend(id, with: continuation) }) {
        case .suspended: break
        case .resume(let signalled): continuation.resume(returning: signalled)
        }
    }
}
