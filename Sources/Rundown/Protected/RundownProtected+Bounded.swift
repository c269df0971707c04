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
    /// ``Replacement``). Costs a child task for the timer, and, when it gives up, one completion callback.
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
        let deadline = ContinuousClock.now.advanced(by: timeout)
        guard await writers.enter(timeout: timeout) else { return .notInstalled }
        let old: Int
        do {
            old = try install(newValue)
        } catch {
            writers.leave()
            throw error
        }
        if await waitForRundown(slot: old, timeout: ContinuousClock.now.duration(to: deadline)) {
            defer { writers.leave() }
            return .replaced(old: (values + old).move())
        }
        deferTeardown(of: old, teardown)
        return .teardownDeferred
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
        let old: Int
        do {
            old = try install(newValue)
        } catch {
            writers.leave()
            throw error
        }
        if waitForRundownBlocking(slot: old, timeout: deadline.remaining) {
            defer { writers.leave() }
            return .replaced(old: (values + old).move())
        }
        deferTeardown(of: old, teardown)
        return .teardownDeferred
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
        let deadline = ContinuousClock.now.advanced(by: timeout)
        guard await writers.enter(timeout: timeout) else { return nil }
        if let value = takeParked() {
            writers.leave()
            return value
        }
        let slot: Int
        do {
            slot = try close()
        } catch {
            writers.leave()
            throw error
        }
        if await waitForRundown(slot: slot, timeout: ContinuousClock.now.duration(to: deadline)) {
            defer { writers.leave() }
            return (values + slot).move()
        }
        deferParking(of: slot)
        return nil
    }

    /// The blocking twin of ``retire(timeout:)-48ma3``, for thread-based code.
    @available(*, noasync, message: "blocks the thread until readers leave; use the async form in async code")
    public func retire(timeout: Duration) throws(RundownError) -> Value? {
        let deadline = MonotonicDeadline(fromNow: timeout)
        guard writers.enterBlocking(until: deadline) else { return nil }
        if let value = takeParked() {
            writers.leave()
            return value
        }
        let slot: Int
        do {
            slot = try close()
        } catch {
            writers.leave()
            throw error
        }
        if waitForRundownBlocking(slot: slot, timeout: deadline.remaining) {
            defer { writers.leave() }
            return (values + slot).move()
        }
        deferParking(of: slot)
        return nil
    }

    // MARK: Giving up without losing anything (the caller has the writers' turn; these keep it)

    /// Hands the turn to `slot`'s completion: when its last reader leaves, the old value goes to `teardown` and the
    /// turn to the next writer.
    private func deferTeardown(of slot: Int, _ teardown: @escaping @Sendable (Value) -> Void) {
        keepCallback(slot: slot) {
            let value = (self.values + slot).move()
            self.writers.leave()
            teardown(value)
        }
    }

    /// Hands the turn to `slot`'s completion: when its last reader leaves, the value is parked for the next
    /// retirement and the turn goes to the next writer.
    private func deferParking(of slot: Int) {
        keepCallback(slot: slot) {
            self.park((self.values + slot).move())
            self.writers.leave()
        }
    }
}
