// SPDX-License-Identifier: Apache-2.0

/// Threads and tasks waiting for a signal, as a pure state machine: no lock, no threads, no side effects.
///
/// The shared part of the two waiting state machines of the package: ``WaiterRegistry`` (waiters of a run-down
/// generation, signalled all at once when it completes) and ``TurnstileState`` (writers of a ``RundownProtected``,
/// signalled one at a time, first come first served). Every method returns what must be done (resume a
/// continuation, wake the parked threads), and the storage that keeps the queue behind its lock does it after
/// unlocking.
///
/// Every waiter has an identity, so that a timeout or a cancellation removes exactly that waiter. A parked thread
/// looks at its record each time it wakes: gone means signalled (it was removed and the condition variable
/// broadcast). A suspending task goes through two steps, the swift-async-algorithms way: it registers, then hands
/// over its continuation; a signal or a cancellation may come in between, and the record remembers which.
///
/// Generic over the continuation type so that tests can use plain values, and over a key that says what the waiter
/// waits for (a generation; nothing).
struct WaiterQueue<Key, Continuation> {
    /// A waiter's identity, unique for the life of the queue.
    typealias ID = UInt64

    /// Where one waiter is in its wait.
    enum Waiter {
        /// A thread parked on the condition variable.
        case blocked
        /// A task that has registered but not yet handed over its continuation.
        case registered
        /// A suspended task: a signal resumes it with `true`, a cancellation with `false`.
        case suspended(Continuation)
        /// A registered task that was signalled before it suspended; it resumes at once when it does.
        case signalled
    }

    /// One waiter.
    struct Record {
        let id: ID
        let key: Key
        var waiter: Waiter
    }

    /// What a parked thread does after one look at its record.
    enum BlockedStep: Equatable {
        /// Not signalled: wait on the condition variable again.
        case keepWaiting
        /// Signalled (its record is gone): the wait succeeds.
        case signalled
        /// Its deadline passed first; its record is removed: the wait fails.
        case timedOut
    }

    /// What a registered task does with its continuation.
    enum SuspendAction: Equatable {
        /// The continuation is kept; a signal or a cancellation resumes it.
        case suspended
        /// Resume it at once, with whether it was signalled (`false`: cancelled before it suspended).
        case resume(signalled: Bool)
    }

    /// What signalling one waiter asks of the storage.
    enum Wakeup {
        /// It was a parked thread: broadcast the condition variable.
        case wakeBlocked
        /// It was a suspended task: resume it with `true`.
        case resume(Continuation)
        /// It had registered but not suspended: nothing now; it resumes when it suspends.
        case none
    }

    /// The waiters signalled together by ``signalAll(where:)``.
    struct Signalled {
        /// Whether one of them is a parked thread: broadcast the condition variable.
        var wakesBlocked = false
        /// The signalled waiters that are gone from the queue; resume every ``Waiter/suspended(_:)`` one.
        var removed: [Record] = []
    }

    private(set) var records: [Record] = []
    private var nextID: ID = 0

    /// The number of waiters in the queue.
    var count: Int { records.count }

    /// Registers a waiter for `key`: a thread about to park (`blocking`), or a task about to suspend.
    mutating func add(_ key: Key, blocking: Bool) -> ID {
        let id = nextID
        nextID += 1
        records.append(Record(id: id, key: key, waiter: blocking ? .blocked : .registered))
        return id
    }

    /// One look of the parked thread `id` at its record, after it was woken (or before it parks).
    mutating func step(blocked id: ID, deadlinePassed: Bool) -> BlockedStep {
        guard let index = index(of: id) else { return .signalled }
        guard deadlinePassed else { return .keepWaiting }
        records.remove(at: index)
        return .timedOut
    }

    /// The registered task `id` hands over its continuation.
    mutating func suspend(_ id: ID, with continuation: Continuation) -> SuspendAction {
        guard let index = index(of: id) else { return .resume(signalled: false) }
        switch records[index].waiter {
        case .registered:
            records[index].waiter = .suspended(continuation)
            return .suspended
        case .signalled:
            records.remove(at: index)
            return .resume(signalled: true)
        case .blocked, .suspended:
            preconditionFailure("waiter \(id) suspended twice")
        }
    }

    /// The task `id` gives up (cancellation or timeout): removes its record unless it has been signalled.
    ///
    /// - Returns: The continuation to resume with `false`, if the task had suspended; `nil` otherwise (it has not
    ///   suspended yet and will find its record gone, or a signal came first and resumes it).
    mutating func cancel(_ id: ID) -> Continuation? {
        guard let index = index(of: id) else { return nil }
        switch records[index].waiter {
        case .registered:
            records.remove(at: index)
            return nil
        case .suspended(let continuation):
            records.remove(at: index)
            return continuation
        case .signalled:
            return nil
        case .blocked:
            preconditionFailure("a blocked waiter cannot be cancelled")
        }
    }

    /// Signals every waiter whose key matches.
    ///
    /// Registered tasks that have not suspended yet stay, marked signalled. In the common case every record matches
    /// and has suspended or parked, and the array is handed over whole: nothing is copied or allocated.
    mutating func signalAll(where matches: (Key) -> Bool) -> Signalled {
        var signalled = Signalled()
        if records.allSatisfy({ matches($0.key) && !$0.isRegistered }) {
            swap(&signalled.removed, &records)
        } else {
            var remaining: [Record] = []
            for var record in records {
                if !matches(record.key) {
                    remaining.append(record)
                } else if record.isRegistered {
                    record.waiter = .signalled
                    remaining.append(record)
                } else {
                    signalled.removed.append(record)
                }
            }
            records = remaining
        }
        signalled.wakesBlocked = signalled.removed.contains { $0.isBlocked }
        return signalled
    }

    /// Signals the first waiter that has not been signalled yet.
    ///
    /// - Returns: What to do for it, or `nil` if every waiter in the queue has been signalled already (or there is
    ///   none).
    mutating func signalFirst() -> Wakeup? {
        guard let index = records.firstIndex(where: { !$0.isSignalled }) else { return nil }
        switch records[index].waiter {
        case .blocked:
            records.remove(at: index)
            return .wakeBlocked
        case .registered:
            records[index].waiter = .signalled
            return Wakeup.none
        case .suspended(let continuation):
            records.remove(at: index)
            return .resume(continuation)
        case .signalled:
            preconditionFailure("unreachable: signalled waiters are skipped")
        }
    }

    private func index(of id: ID) -> Int? {
        records.firstIndex { $0.id == id }
    }
}

extension WaiterQueue.Record {
    fileprivate var isRegistered: Bool {
        if case .registered = waiter { true } else { false }
    }

    fileprivate var isBlocked: Bool {
        if case .blocked = waiter { true } else { false }
    }

    fileprivate var isSignalled: Bool {
        if case .signalled = waiter { true } else { false }
    }
}

extension WaiterQueue: Sendable where Key: Sendable, Continuation: Sendable {}
extension WaiterQueue.Record: Sendable where Key: Sendable, Continuation: Sendable {}
extension WaiterQueue.Waiter: Sendable where Continuation: Sendable {}
extension WaiterQueue.Signalled: Sendable where Key: Sendable, Continuation: Sendable {}
extension WaiterQueue.Wakeup: Sendable where Continuation: Sendable {}
