// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown

/// The contract's state machine for one run-down object (shared/DESIGN.md, "States of one RundownRef"), as plain
/// values: it predicts exactly what every operation on the real object must do when one driver performs them one
/// at a time.
///
/// The random-schedule tests apply each operation to both and compare after every step: the state, the outcome,
/// how many waiter records are live, and which waiters and callbacks a completion must release.
struct ReferenceModel {
    /// The generation: bumped by every re-initialization.
    private(set) var generation = 0
    /// Holders inside the current generation.
    private(set) var holders = 0
    /// Run-down of the current generation has begun.
    private(set) var closed = false
    /// Waiters of the current generation that are registered (suspended or blocked) and not yet released.
    private(set) var pendingWaiters = 0
    /// Completion callbacks of the current generation that are kept and have not run.
    private(set) var pendingCallbacks = 0
    /// Holder units acquired and released over the model's life (they must end equal).
    private(set) var acquiredUnits = 0
    private(set) var releasedUnits = 0

    /// What a completion owes: the waiters and callbacks of the generation that just completed.
    struct Completion: Equatable {
        var generation: Int
        var waiters: Int
        var callbacks: Int
    }

    var isCompleted: Bool { closed && holders == 0 }

    /// The state the real object must report.
    var state: RundownState {
        if !closed { return .active(holders: holders) }
        return holders == 0 ? .completed : .runningDown(holders: holders)
    }

    /// The waiter records the real object must have live.
    var liveRecords: Int { pendingWaiters + pendingCallbacks }

    /// Acquires `count` holders; `false` (and no change) once run-down has begun.
    mutating func acquire(_ count: Int) -> Bool {
        precondition(count > 0)
        guard !closed else { return false }
        holders += count
        acquiredUnits += count
        return true
    }

    /// Releases `count` holders; returns the completion if this was the last holder of a running-down generation.
    mutating func release(_ count: Int) -> Completion? {
        precondition(count > 0 && count <= holders, "the driver released more than it holds")
        holders -= count
        releasedUnits += count
        return closed && holders == 0 ? complete() : nil
    }

    /// Begins run-down; returns the completion if that completed the generation (no holders).
    mutating func begin() -> Completion? {
        guard !closed else { return nil }
        closed = true
        return holders == 0 ? complete() : nil
    }

    /// Registers a waiter that the real object keeps (the generation has not completed).
    mutating func registerWaiter() {
        precondition(closed && holders > 0)
        pendingWaiters += 1
    }

    /// Removes a registered waiter that gave up (cancellation).
    mutating func abandonWaiter() {
        precondition(pendingWaiters > 0)
        pendingWaiters -= 1
    }

    /// Registers a callback that the real object keeps (the generation has not completed).
    mutating func registerCallback() {
        precondition(closed && holders > 0)
        pendingCallbacks += 1
    }

    /// Opens the next generation; only legal once completed.
    mutating func reInitialize() {
        precondition(isCompleted, "the driver re-initialized in state \(state)")
        precondition(pendingWaiters == 0 && pendingCallbacks == 0, "a completion did not release its waiters")
        generation += 1
        closed = false
    }

    private mutating func complete() -> Completion {
        defer {
            pendingWaiters = 0
            pendingCallbacks = 0
        }
        return Completion(generation: generation, waiters: pendingWaiters, callbacks: pendingCallbacks)
    }
}
