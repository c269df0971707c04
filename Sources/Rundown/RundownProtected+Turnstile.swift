/// A first-come, first-served lock for the rare writers of a ``RundownProtected``, taken by blocking threads and
/// suspending tasks alike.
///
/// A ticket lock behind a pthread mutex: each writer draws a ticket; the writer whose ticket is being served has
/// the turn, and ``leave()`` serves the next ticket. A suspended writer is resumed directly (after unlocking); a
/// blocked one wakes on the condition variable. Waiting for a turn is not cancellable: a writer that has drawn a
/// ticket must take its turn, or every later ticket would wait forever.
final class RundownProtectedTurnstile: @unchecked Sendable {
    // `@unchecked Sendable`: the stored variables are only touched with `lock` held; `lock` itself is thread-safe.
    private let lock = ConditionLock()
    private var nextTicket: UInt64 = 0
    private var nowServing: UInt64 = 0
    private var blockedWriters = 0
    private var suspendedWriters: [UInt64: CheckedContinuation<Void, Never>] = [:]

    deinit {
        lock.destroy()
    }

    /// Suspends the calling task until it has the turn.
    func enter() async {
        let immediate: Bool = lock.withLock {
            guard nextTicket == nowServing else { return false }
            nextTicket += 1
            return true
        }
        if immediate { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let hasTurn: Bool = lock.withLock {
                let ticket = nextTicket
                nextTicket += 1
                if ticket == nowServing { return true }
                suspendedWriters[ticket] = continuation
                return false
            }
            if hasTurn { continuation.resume() }
        }
    }

    /// Blocks the calling thread until it has the turn.
    func enterBlocking() {
        lock.withLock {
            let ticket = nextTicket
            nextTicket += 1
            blockedWriters += 1
            while ticket != nowServing {
                lock.wait()
            }
            blockedWriters -= 1
        }
    }

    /// Ends the caller's turn and gives it to the next writer in line, if any.
    func leave() {
        let (next, wakeBlocked): (CheckedContinuation<Void, Never>?, Bool) = lock.withLock {
            nowServing += 1
            let next = suspendedWriters.removeValue(forKey: nowServing)
            return (next, next == nil && blockedWriters > 0)
        }
        if let next { next.resume() }
        if wakeBlocked { lock.broadcast() }
    }
}
