// SPDX-License-Identifier: Apache-2.0

// Grace, then cancel, on the engine that completes an object's generations: the cancellable holders and the requests
// to cancel them live in its side table. The public surface is `RundownProtecting+Cancellation.swift`.
extension RundownEngine {
    /// Runs `body` as a cancellable holder of the current generation. The caller holds protection, so the generation
    /// cannot complete and cannot change while `body` runs.
    borrowing func runCancellable<Result: Sendable>(
        _ body: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        let generation = RundownWord(rawValue: word.load(ordering: .relaxed)).generation
        return try await slowPath.cancellableHolders.run(generation: generation, body)
    }

    /// Asks the cancellable holders of the current generation to cancel.
    borrowing func requestCancellationOfCurrentGeneration() {
        requestCancellation(generation: RundownWord(rawValue: word.load(ordering: .acquiring)).generation)
    }

    /// Asks the cancellable holders of `generation` to cancel.
    borrowing func requestCancellation(generation: UInt32) {
        slowPath.cancellableHolders.requestCancellation(generation: generation)
    }

    /// Waits up to `gracePeriod` for `generation` to complete, cancels its cancellable holders, and waits on.
    borrowing func waitSuspending(for generation: UInt32, gracePeriod: Duration) async {
        if await waitSuspending(for: generation, timeout: gracePeriod) { return }
        requestCancellation(generation: generation)
        await waitSuspending(for: generation)
    }

    /// As ``waitSuspending(for:gracePeriod:)``, giving up when `timeout` (from now) passes or the task is cancelled.
    borrowing func waitSuspending(for generation: UInt32, gracePeriod: Duration, timeout: Duration) async -> Bool {
        let deadline = MonotonicDeadline(fromNow: timeout)
        if await waitSuspending(for: generation, until: MonotonicDeadline(fromNow: min(gracePeriod, timeout))) {
            return true
        }
        requestCancellation(generation: generation)
        return await waitSuspending(for: generation, until: deadline)
    }

    /// The cancellable holders waiting for a cancellation request, for leak checks.
    var waitingCancellableHolders: Int { sideTable.load()?.existingCancellableHolders?.waitingHolders ?? 0 }
}
