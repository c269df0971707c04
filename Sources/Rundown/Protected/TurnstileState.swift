// SPDX-License-Identifier: Apache-2.0

/// The writers' turn of a ``RundownProtected``, as a pure state machine: first come, first served, for blocking
/// threads and suspending tasks alike.
///
/// ``ReplacementTurnstile`` keeps one behind its lock and carries out what it returns after unlocking. The writers in
/// line are a ``WaiterQueue``; the turn is handed directly from the writer that leaves to the first one in line
/// (``WaiterQueue/signalFirst()``), so no later arrival can overtake, and a writer that gives up (a timeout, a
/// cancellation) leaves the line without taking the turn.
struct TurnstileState<Continuation> {
    /// The writers in line.
    typealias Line = WaiterQueue<Void, Continuation>

    /// What ``enter(blocking:)`` tells the arriving writer.
    enum Entry: Equatable {
        /// The turn was free: it is the caller's now.
        case proceed
        /// Another writer has the turn: wait in line as `id` (``Line/signalled`` means "it is yours").
        case wait(Line.ID)
    }

    /// Whether some writer has the turn (or has been handed it and not taken it yet).
    private(set) var isTaken = false
    private(set) var line = Line()

    /// The number of writers in line (for tests and leak checks).
    var waitingWriters: Int { line.count }

    /// A writer arrives. Blocking writers then wait with ``step(blocked:deadlinePassed:)``, suspending ones call
    /// ``suspend(_:with:)``.
    mutating func enter(blocking: Bool) -> Entry {
        guard isTaken else {
            isTaken = true
            return .proceed
        }
        return .wait(line.add((), blocking: blocking))
    }

    /// One look of the parked writer `id` at its record.
    mutating func step(blocked id: Line.ID, deadlinePassed: Bool) -> Line.BlockedStep {
        line.step(blocked: id, deadlinePassed: deadlinePassed)
    }

    /// The registered task `id` hands over its continuation.
    mutating func suspend(_ id: Line.ID, with continuation: Continuation) -> Line.SuspendAction {
        line.suspend(id, with: continuation)
    }

    /// The writer `id` gives up waiting (cancellation or timeout) unless it has been handed the turn.
    mutating func cancel(_ id: Line.ID) -> Continuation? {
        line.cancel(id)
    }

    /// The writer with the turn leaves; the turn goes to the first writer in line, if there is one.
    mutating func leave() -> Line.Wakeup {
        precondition(isTaken, "a writer left the turnstile without having the turn")
        guard let wakeup = line.signalFirst() else {
            isTaken = false
            return .none
        }
        return wakeup
    }
}

extension TurnstileState: Sendable where Continuation: Sendable {}
