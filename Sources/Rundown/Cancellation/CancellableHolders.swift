// SPDX-License-Identifier: Apache-2.0

/// The cancellable holders of a run-down object (`withCancellableProtection`): a ``CancellationSignals`` behind a
/// ``ConditionLock``, and the task-group code that runs a holder's body so that a run-down can cancel it.
///
/// Allocated by a ``RundownEngine`` (in its ``RundownSideTable``) the first time a cancellable holder runs or a
/// cancellation is requested. Continuations are resumed after unlocking.
final class CancellableHolders: Sendable {
    typealias Signals = CancellationSignals<WaiterContinuation>

    private let lock = ConditionLock(Signals())

    /// Runs `body` in a child task that a cancellation request for `generation` cancels.
    func run<Result: Sendable>(
        generation: UInt32,
        _ body: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        let registration = lock.withLock { $0.register(generation: generation) }
        let startsCancelled = registration == .cancelNow
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                // Cancellation of this generation was requested before the holder arrived: the body's task cancels
                // itself before `body` runs, so `body` starts cancelled. (Cancelling the group after `addTask` would
                // race with the child, which may already be running `body` on another thread.)
                if startsCancelled { withUnsafeCurrentTask { $0?.cancel() } }
                return try await body()
            }
            if case .wait(let id) = registration {
                group.addTask {
                    await self.waitForCancellationRequest(id)
                    return nil
                }
            }
            // The body's result (or error) decides; whichever child finishes first, the other is cancelled: the
            // waiting child when the body is done, the body when cancellation was requested.
            var result: Result?
            while let next = try await group.next() {
                if let value = next { result = value }
                group.cancelAll()
            }
            guard let result else { preconditionFailure("the cancellable body's child task returned nothing") }
            return result
        }
    }

    /// Asks every cancellable holder of `generation` to cancel; later ones of it start cancelled.
    func requestCancellation(generation: UInt32) {
        let signalled = lock.withLock { $0.request(generation: generation) }
        for record in signalled.removed {
            if case .suspended(let continuation) = record.waiter {
                continuation.resume(returning: true)
            }
        }
    }

    /// The cancellable holders waiting for a request, for leak checks.
    var waitingHolders: Int { lock.withLock { $0.holders.count } }

    /// Suspends until cancellation is requested for the holder `id`, or until the calling (waiting) child task is
    /// cancelled because the holder's body finished.
    private func waitForCancellationRequest(_ id: Signals.Holders.ID) async {
        _ = await withTaskCancellationHandler {
            await withWaiterContinuation { continuation in
                switch lock.withLock({ $0.suspend(id, with: continuation) }) {
                case .suspended: break
                case .resume(let signalled): continuation.resume(returning: signalled)
                }
            }
        } onCancel: {
            lock.withLock { $0.withdraw(id) }?.resume(returning: false)
        }
    }
}
