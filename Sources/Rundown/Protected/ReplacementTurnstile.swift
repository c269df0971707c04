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

    /// Blocks the calling thread until it has the turn.
    func enterBlocking() {
        guard case .wait(let id) = lock.withLock({ $0.enter(blocking: true) }) else { return }
        _ = lock.withLock(waitingUntil: nil) { state, deadlinePassed -> Bool? in
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

    private func handOver(_ continuation: WaiterContinuation, of id: State.Line.ID) {
        switch lock.withLock({ $0.suspend(id, with: continuation) }) {
        case .suspended: break
        case .resume(let signalled): continuation.resume(returning: signalled)
        }
    }
}
