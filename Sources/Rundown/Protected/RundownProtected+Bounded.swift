// SPDX-License-Identifier: Apache-2.0

/// Replacement and retirement with a deadline, and cancellation-aware: a shutdown or a reload that cannot wait forever
/// for a reader that does not finish.
///
/// Nothing is lost when one of them gives up. A replacement that gave up after it installed its value leaves the new
/// value published and hands the old one to the `teardown` it was given, on the thread of the old value's last
/// reader, when that reader leaves. A retirement that gave up leaves the object retired (every reader is refused) and
/// parks the last value when its last reader leaves; calling ``retire(timeout:)-48ma3`` (or ``retire()-45u9c``) again
/// continues the same wait and returns it. Until a deferred teardown or parked retirement has happened, it holds the
/// writers' turn, so later replacements and retirements wait for it (within their own deadlines): there is only one
/// idle slot to write into.
extension RundownProtected {
    /// What a replacement with a deadline did.
    public enum Replacement: Sendable {
        /// The new value is installed, and the old value's last reader has left: here it is, to tear down.
        case replaced(old: Value)
        /// The new value is installed, but readers of the old value were still inside at the deadline (or when the
        /// task was cancelled). The replacement's `teardown` receives the old value when the last of them leaves,
        /// on that reader's thread.
        case teardownDeferred
        /// Nothing changed: the writers' turn did not come before the deadline (another replacement, or one whose
        /// teardown is still deferred, held it). The new value was not installed and is still the caller's.
        case notInstalled
    }

    /// Installs `newValue` for every new reader at once, then suspends until the last reader of the old value has
    /// left, `timeout` has passed, or the task is cancelled.
    ///
    /// Like ``replace(with:)-8uqqx``, but bounded. If the old value's readers are still inside when it gives up,
    /// the new value stays published, and `teardown` receives the old value once its last reader leaves (see
    /// ``Replacement``). Costs a timer (removed as soon as the wait ends), and, when it gives up, one completion callback.
    ///
    /// - Parameters:
    ///   - newValue: The value every reader that starts from now on sees.
    ///   - timeout: How long to wait at most, for the writers' turn and for the old value's readers together.
    ///   - teardown: What to do with the old value if its readers outlast the deadline. It runs once, on the thread
    ///     of the last reader to leave (or right away, if they leave just as the replacement gives up); keep it
    ///     short or hand the value to a task.
    /// - Returns: What happened; see ``Replacement``.
    /// - Throws: ``RundownError/rundownInProgress`` if the object has been retired; `newValue` is not installed.
    public func replace(
        with newValue: Value,
        timeout: Duration,
        teardown: @escaping @Sendable (Value) -> Void
    ) async throws(RundownError) -> Replacement {
        let deadline = MonotonicDeadline(fromNow: timeout)
        guard await writers.enter(until: deadline) else { return .notInstalled }
        let old = try holdingTheTurn { () throws(RundownError) in try install(newValue) }
        let drained = await counters.perform(WaitSuspending(deadline: deadline, metrics: metrics), on: old)
        return finishReplacement(of: old, drained: drained, teardown)
    }

    /// The blocking twin of ``replace(with:timeout:teardown:)-1jltk``, for thread-based code.
    ///
    /// Blocks on pthread condition variables, never spins; `noasync`, like every blocking form.
    @available(*, noasync, message: "blocks the thread until readers leave; use the async form in async code")
    public func replace(
        with newValue: Value,
        timeout: Duration,
        teardown: @escaping @Sendable (Value) -> Void
    ) throws(RundownError) -> Replacement {
        let deadline = MonotonicDeadline(fromNow: timeout)
        guard writers.enterBlocking(until: deadline) else { return .notInstalled }
        let old = try holdingTheTurn { () throws(RundownError) in try install(newValue) }
        let drained = counters.perform(WaitBlocking(timeout: deadline.remaining, metrics: metrics), on: old)
        return finishReplacement(of: old, drained: drained, teardown)
    }

    /// Closes the object for good, then suspends until the last reader has left, `timeout` has passed, or the task
    /// is cancelled.
    ///
    /// Like ``retire()-45u9c``, but bounded. If readers are still inside when it gives up, the object stays retired
    /// (every new reader is refused), and the value is parked when the last reader leaves: calling this again (or
    /// ``retire()-45u9c``) continues the same wait and returns it.
    ///
    /// - Returns: The last value, which no reader uses any more; `nil` if the deadline came first (or the task was
    ///   cancelled): call again to continue.
    /// - Throws: ``RundownError/rundownInProgress`` if the object has already been retired and its value handed out.
    public func retire(timeout: Duration) async throws(RundownError) -> Value? {
        let deadline = MonotonicDeadline(fromNow: timeout)
        guard await writers.enter(until: deadline) else { return nil }
        if let value = takeParkedLeavingTheTurn() { return value }
        let slot = try holdingTheTurn { () throws(RundownError) in try close() }
        let drained = await counters.perform(WaitSuspending(deadline: deadline, metrics: metrics), on: slot)
        return finishRetirement(of: slot, drained: drained)
    }

    /// The blocking twin of ``retire(timeout:)-48ma3``, for thread-based code.
    @available(*, noasync, message: "blocks the thread until readers leave; use the async form in async code")
    public func retire(timeout: Duration) throws(RundownError) -> Value? {
        let deadline = MonotonicDeadline(fromNow: timeout)
        guard writers.enterBlocking(until: deadline) else { return nil }
        if let value = takeParkedLeavingTheTurn() { return value }
        let slot = try holdingTheTurn { () throws(RundownError) in try close() }
        let drained = counters.perform(WaitBlocking(timeout: deadline.remaining, metrics: metrics), on: slot)
        return finishRetirement(of: slot, drained: drained)
    }

    // MARK: The steps the bounded writers share (the caller has the writers' turn)

    /// Runs the writer's first step (installing or closing); if it throws, gives the turn back first.
    private func holdingTheTurn(_ step: () throws(RundownError) -> Int) throws(RundownError) -> Int {
        do {
            return try step()
        } catch {
            writers.leave()
            throw error
        }
    }

    /// The value a retirement that gave up parked, if there is one; taking it ends the caller's turn.
    private func takeParkedLeavingTheTurn() -> Value? {
        guard let value = takeParked() else { return nil }
        writers.leave()
        return value
    }

    /// Ends a replacement of `slot`: hands back the old value if its readers have left (and gives up the turn),
    /// otherwise keeps the turn until they have and hands the value to `teardown` then.
    private func finishReplacement(
        of slot: Int,
        drained: Bool,
        _ teardown: @escaping @Sendable (Value) -> Void
    ) -> Replacement {
        if drained {
            defer { writers.leave() }
            return .replaced(old: (values + slot).move())
        }
        counters.perform(
            WhenDrained {
                let value = (self.values + slot).move()
                self.writers.leave()
                teardown(value)
            },
            on: slot
        )
        return .teardownDeferred
    }

    /// Ends a retirement of `slot`: hands back the value if its readers have left (and gives up the turn), otherwise
    /// keeps the turn until they have and parks the value then, for the next retirement.
    private func finishRetirement(of slot: Int, drained: Bool) -> Value? {
        if drained {
            defer { writers.leave() }
            return (values + slot).move()
        }
        counters.perform(
            WhenDrained {
                self.park((self.values + slot).move())
                self.writers.leave()
            },
            on: slot
        )
        return nil
    }
}
