/// The slow path of run-down: the lock, the condition variable and the registered waiters and callbacks.
///
/// Allocated by the owning object only when a wait actually has to block or a callback has to be kept, and then
/// kept for the owner's lifetime. The owner tells it, through the `register` closures, whether the generation has
/// completed and marks the word "has waiters"; these closures run under the lock, which is what makes
/// registration and completion exclusive.
///
/// The owner is alive for the whole of ``complete(generation:)`` (it is a method call on the owner), so the
/// condition variable is still valid when it is broadcast after unlocking.
final class RundownWaiters: @unchecked Sendable {
    // `@unchecked Sendable`: `registry` is only touched with `lock` held; `lock` itself is thread-safe.
    private let lock = ConditionLock()
    private var registry = RundownWaiterRegistry<CheckedContinuation<Bool, Never>>()

    deinit {
        lock.destroy()
    }

    /// The number of registered waiter records and callbacks, for leak checks in tests.
    var liveRecords: Int { lock.withLock { registry.liveRecords } }

    /// Blocks the calling thread until `generation` completes or `deadline` passes.
    ///
    /// - Parameter register: Called under the lock. Returns `false` if the generation has already completed;
    ///   otherwise marks the owner's word so that the completing thread calls ``complete(generation:)``.
    /// - Returns: `true` once the generation completed; `false` at the deadline.
    func waitBlocking(generation: UInt32, deadline: MonotonicDeadline?, register: () -> Bool) -> Bool {
        lock.withLock {
            guard register() else { return true }
            let id = registry.makeID()
            registry.add(.blocked, id: id, generation: generation)
            while registry.isWaiting(id) {
                if let deadline {
                    if !lock.wait(until: deadline), registry.remove(id) != nil { return false }
                } else {
                    lock.wait()
                }
            }
            return true
        }
    }

    /// Suspends the calling task until `generation` completes; cancellation does not end the wait.
    func waitSuspending(generation: UInt32, register: () -> Bool) async {
        _ = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let completed: Bool = lock.withLock {
                guard register() else { return true }
                registry.add(.suspended(continuation), id: registry.makeID(), generation: generation)
                return false
            }
            if completed { continuation.resume(returning: true) }
        }
    }

    /// Suspends the calling task until `generation` completes or the task is cancelled.
    ///
    /// A cancelled waiter's record is removed at once, and it is resumed exactly once: by completion or by
    /// cancellation, whichever takes the lock first. Cancellation that arrives before the waiter is registered is
    /// seen under the lock through `Task.isCancelled` (the flag is set before cancellation handlers run).
    /// - Returns: `true` once the generation completed; `false` if the task was cancelled first.
    func waitSuspendingUnlessCancelled(generation: UInt32, register: () -> Bool) async -> Bool {
        let id = lock.withLock { registry.makeID() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let outcome: Bool? = lock.withLock {
                    if Task.isCancelled { return false }
                    guard register() else { return true }
                    registry.add(.suspended(continuation), id: id, generation: generation)
                    return nil
                }
                if let outcome { continuation.resume(returning: outcome) }
            }
        } onCancel: {
            let waiter = lock.withLock { registry.remove(id) }
            if case .suspended(let continuation) = waiter {
                continuation.resume(returning: false)
            }
        }
    }

    /// Keeps `callback` until `generation` completes.
    /// - Returns: `false` if the generation had already completed (`register` said so): the caller runs it now.
    func addCallback(
        _ callback: @escaping @Sendable () -> Void,
        generation: UInt32,
        register: () -> Bool
    ) -> Bool {
        lock.withLock {
            guard register() else { return false }
            registry.addCallback(callback, generation: generation)
            return true
        }
    }

    /// Wakes every waiter of `generation` and runs its callbacks, on the calling (completing) thread.
    ///
    /// Bookkeeping happens under the lock; waking, resuming and the callbacks happen after unlocking, so a
    /// callback may re-enter the owner.
    func complete(generation: UInt32) {
        let completion = lock.withLock { registry.complete(generation: generation) }
        if completion.wokeBlockedWaiter { lock.broadcast() }
        for continuation in completion.continuations {
            continuation.resume(returning: true)
        }
        for callback in completion.callbacks {
            callback()
        }
    }
}
