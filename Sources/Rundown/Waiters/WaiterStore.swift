// SPDX-License-Identifier: Apache-2.0

/// The slow path of run-down: a ``WaiterRegistry`` behind a ``ConditionLock``, and the code that carries out what
/// the registry decides: parking threads, suspending and resuming tasks, running callbacks.
///
/// A ``RundownEngine`` allocates its store (in its ``RundownSideTable``) only when a wait actually has to block or a
/// callback has to be kept, and keeps it for its lifetime. The engine passes a `register` closure to each registration; it runs under the lock,
/// and returns `false` if the generation has already completed or otherwise marks the run-down word "has waiters",
/// so that the thread that completes the generation calls ``complete(generation:)``. Registration and completion
/// are exclusive because both take this lock.
///
/// Continuations are resumed, the condition variable broadcast and callbacks run after unlocking, so a callback may
/// re-enter the run-down object. The completer holds the store (a strong reference) for the whole of
/// ``complete(generation:)``, so the condition variable is still valid when it is broadcast.
final class WaiterStore: Sendable {
    typealias Registry = WaiterRegistry<WaiterContinuation>

    private let lock = ConditionLock(Registry())

    /// The number of waiter records and kept callbacks, for leak checks.
    var liveRecords: Int { lock.withLock { $0.liveRecords } }

    /// Blocks the calling thread until `generation` completes or `deadline` passes.
    ///
    /// - Parameter register: Called under the lock; `false` if the generation has already completed.
    /// - Returns: `true` once the generation completed; `false` at the deadline.
    func waitBlocking(for generation: UInt32, until deadline: MonotonicDeadline?, register: () -> Bool) -> Bool {
        var id: Registry.Waiters.ID?
        return lock.withLock(waitingUntil: deadline) { registry, deadlinePassed in
            guard let registered = id else {
                guard register() else { return true }
                id = registry.addBlocked(for: generation)
                return nil
            }
            switch registry.step(blocked: registered, deadlinePassed: deadlinePassed) {
            case .keepWaiting: return nil
            case .signalled: return true
            case .timedOut: return false
            }
        }
    }

    /// Registers a task that will suspend until `generation` completes.
    ///
    /// - Parameter register: Called under the lock; `false` if the generation has already completed.
    /// - Returns: The waiter's identity for ``suspend(_:)`` or ``suspendUnlessCancelled(_:)``; `nil` if the
    ///   generation has already completed (do not suspend).
    func registerSuspending(for generation: UInt32, register: () -> Bool) -> Registry.Waiters.ID? {
        lock.withLock { registry in
            guard register() else { return nil }
            return registry.addSuspending(for: generation)
        }
    }

    /// Suspends the registered task `id` until its generation completes; cancellation does not end the wait.
    func suspend(_ id: Registry.Waiters.ID) async {
        _ = await withWaiterContinuation { continuation in
            handOver(continuation, of: id)
        }
    }

    /// Suspends the registered task `id` until its generation completes or the task is cancelled.
    ///
    /// Resumed exactly once: by completion or by cancellation, whichever takes the lock first. A cancellation that
    /// arrives before the task suspends removes the record, and the task then resumes at once.
    /// - Returns: `true` once the generation completed; `false` if the task was cancelled first.
    func suspendUnlessCancelled(_ id: Registry.Waiters.ID) async -> Bool {
        await withTaskCancellationHandler {
            await withWaiterContinuation { continuation in
                handOver(continuation, of: id)
            }
        } onCancel: {
            giveUp(id)
        }
    }

    /// Suspends the registered task `id` until its generation completes, `deadline` passes or the task is
    /// cancelled.
    ///
    /// The deadline is a timer of ``DeadlineTimers``, removed as soon as the wait ends: a wait that ends early leaves
    /// nothing behind.
    /// - Returns: `true` once the generation completed; `false` at the deadline or on cancellation.
    func suspend(_ id: Registry.Waiters.ID, until deadline: MonotonicDeadline) async -> Bool {
        let timer = DeadlineTimers.shared.schedule(at: deadline) { self.giveUp(id) }
        defer { DeadlineTimers.shared.cancel(timer) }
        return await suspendUnlessCancelled(id)
    }

    /// The waiter `id` gives up (cancellation or deadline): its record goes, and if it had suspended, it resumes
    /// with `false`. Nothing happens if completion came first.
    private func giveUp(_ id: Registry.Waiters.ID) {
        lock.withLock { $0.cancel(id) }?.resume(returning: false)
    }

    /// Keeps `callback` until `generation` completes.
    ///
    /// - Parameter register: Called under the lock; `false` if the generation has already completed.
    /// - Returns: `false` if the generation had already completed: the caller runs the callback now.
    func addCallback(
        _ callback: @escaping @Sendable () -> Void,
        for generation: UInt32,
        register: () -> Bool
    ) -> Bool {
        lock.withLock { registry in
            guard register() else { return false }
            registry.addCallback(callback, for: generation)
            return true
        }
    }

    /// Wakes every waiter of `generation` and runs its callbacks, on the calling (completing) thread.
    func complete(generation: UInt32) {
        let completion = lock.withLock { $0.complete(generation: generation) }
        if completion.waiters.wakesBlocked { lock.broadcast() }
        for record in completion.waiters.removed {
            if case .suspended(let continuation) = record.waiter {
                continuation.resume(returning: true)
            }
        }
        for record in completion.callbacks {
            record.callback()
        }
    }

    private func handOver(_ continuation: WaiterContinuation, of id: Registry.Waiters.ID) {
        switch lock.withLock({ $0.suspend(id, with: continuation) }) {
        case .suspended: break
        case .resume(let signalled): continuation.resume(returning: signalled)
        }
    }
}
