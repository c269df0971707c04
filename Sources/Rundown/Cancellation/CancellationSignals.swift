// SPDX-License-Identifier: Apache-2.0

/// The cancellable holders of a run-down object and the run-downs that asked to cancel them, as pure state.
///
/// A holder that opted in (`withCancellableProtection`) waits in the queue, keyed by its generation, for a
/// cancellation request; a run-down that asks (``RundownProtecting/cancelCancellableHolders()``, or a wait with a grace
/// period) signals every waiter of its generation, and marks the generation so that a holder of it that registers
/// late is cancelled at once. Holders that did not opt in are not here, and are never cancelled.
struct CancellationSignals<Continuation> {
    typealias Holders = WaiterQueue<UInt32, Continuation>

    /// What a cancellable holder does when it registers.
    enum Registration: Equatable {
        /// Wait as `id` for a cancellation request.
        case wait(Holders.ID)
        /// Cancellation of its generation has been requested already: cancel it now.
        case cancelNow
    }

    private(set) var holders = Holders()

    /// The last generation whose cancellation was requested. Only the current generation can have holders inside,
    /// so one is enough.
    private(set) var requestedGeneration: UInt32?

    /// Registers a cancellable holder of `generation`.
    mutating func register(generation: UInt32) -> Registration {
        if requestedGeneration == generation { return .cancelNow }
        return .wait(holders.add(generation, blocking: false))
    }

    /// Requests cancellation of every cancellable holder of `generation`.
    /// - Returns: The holders to resume (their continuations), as ``WaiterQueue/signalAll(where:)`` hands them over.
    mutating func request(generation: UInt32) -> Holders.Signalled {
        requestedGeneration = generation
        return holders.signalAll { $0 == generation }
    }

    /// The registered holder `id` hands over the continuation it waits with.
    mutating func suspend(_ id: Holders.ID, with continuation: Continuation) -> Holders.SuspendAction {
        holders.suspend(id, with: continuation)
    }

    /// The holder `id` left before any request (its body finished): it stops waiting.
    mutating func withdraw(_ id: Holders.ID) -> Continuation? {
        holders.cancel(id)
    }
}

extension CancellationSignals: Sendable where Continuation: Sendable {}
