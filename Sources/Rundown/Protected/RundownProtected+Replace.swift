// SPDX-License-Identifier: Apache-2.0
extension RundownProtected {
    /// Installs `newValue` for every new reader at once, then suspends until the last reader of the old value has
    /// left, and returns the old value for teardown.
    ///
    /// No reader is refused during a replacement: a ``withValue(fileID:line:function:_:)`` that starts after the switch
    /// sees `newValue` (or a later value); one that got in before it keeps the old value until its body returns.
    /// Concurrent replacements (and a concurrent ``retire()-45u9c``) are serialized in arrival order: each one
    /// installs its value only after the previous one has returned its old value. The replacement is not cancelled
    /// with its task: once called, it runs to the end, because abandoning it would leave the old value with no owner.
    ///
    /// Costs one lock, a suspension while the turn of an earlier replacement lasts or readers of the old value
    /// remain, and nothing on the readers' fast path.
    ///
    /// - Parameter newValue: The value every reader that starts from now on sees.
    /// - Returns: The value that was current until now. No reader is using it, and none can reach it again.
    /// - Throws: ``RundownError/rundownInProgress`` if the object has been retired; `newValue` is not installed
    ///   then, and stays the caller's to dispose of. Throwing (rather than trapping) lets a reload that races
    ///   with shutdown fail softly.
    public func replace(with newValue: Value) async throws(RundownError) -> Value {
        await writers.enter()
        defer { writers.leave() }
        let old = try install(newValue)
        _ = await counters.perform(WaitSuspending(deadline: nil, metrics: metrics), on: old)
        return (values + old).move()
    }

    /// Closes the object for good, suspends until the last reader has left, and returns the value for teardown.
    ///
    /// From the moment it begins, every ``withValue(fileID:line:function:_:)`` throws ``RundownError/rundownInProgress``;
    /// readers already inside finish first. Serialized with replacements in arrival order, and not cancelled with
    /// its task, for the same reasons as ``replace(with:)-8uqqx``.
    ///
    /// - Returns: The last value. No reader is using it, and none can reach it again.
    /// - Throws: ``RundownError/rundownInProgress`` if the object has already been retired (the value was handed
    ///   out then, exactly once).
    public func retire() async throws(RundownError) -> Value {
        await writers.enter()
        defer { writers.leave() }
        if let value = takeParked() { return value }
        let slot = try close()
        _ = await counters.perform(WaitSuspending(deadline: nil, metrics: metrics), on: slot)
        return (values + slot).move()
    }

    /// Installs `newValue` for every new reader at once, then blocks the calling thread until the last reader of
    /// the old value has left, and returns the old value for teardown.
    ///
    /// The blocking twin of ``replace(with:)-8uqqx``, with the same guarantees, for thread-based code. It has
    /// the same name, as the blocking `waitForRundown()` does: in `async` code the compiler picks the
    /// suspending form, and this one is marked `noasync` so that it cannot be picked there by accident; it would
    /// block a thread of the cooperative pool. Blocks on a pthread condition variable, never spins.
    ///
    /// - Parameter newValue: The value every reader that starts from now on sees.
    /// - Returns: The value that was current until now. No reader is using it, and none can reach it again.
    /// - Throws: ``RundownError/rundownInProgress`` if the object has been retired; `newValue` is not installed.
    @available(*, noasync, message: "blocks the thread until readers leave; use the async form in async code")
    public func replace(with newValue: Value) throws(RundownError) -> Value {
        writers.enterBlocking()
        defer { writers.leave() }
        let old = try install(newValue)
        _ = counters.perform(WaitBlocking(timeout: nil, metrics: metrics), on: old)
        return (values + old).move()
    }

    /// Closes the object for good, blocks the calling thread until the last reader has left, and returns the value
    /// for teardown.
    ///
    /// The blocking twin of ``retire()-45u9c``, with the same guarantees, named and fenced off like
    /// ``replace(with:)-c25p``.
    ///
    /// - Returns: The last value. No reader is using it, and none can reach it again.
    /// - Throws: ``RundownError/rundownInProgress`` if the object has already been retired.
    @available(*, noasync, message: "blocks the thread until readers leave; use the async form in async code")
    public func retire() throws(RundownError) -> Value {
        writers.enterBlocking()
        defer { writers.leave() }
        if let value = takeParked() { return value }
        let slot = try close()
        _ = counters.perform(WaitBlocking(timeout: nil, metrics: metrics), on: slot)
        return (values + slot).move()
    }

    // MARK: Writer steps (the caller has the writers' turn)

    /// Writes `newValue` into the idle slot, opens it, switches readers to it and begins the old slot's run-down.
    /// - Returns: The old slot.
    func install(_ newValue: Value) throws(RundownError) -> Int {
        let word = published.load(ordering: .relaxed)
        guard word & Self.retiredBit == 0 else { throw .rundownInProgress }
        let old = word & 1
        let new = old ^ 1
        // The idle slot completed its run-down before the previous writer moved its value out, so no holder
        // exists and every acquisition fails until the re-initialization below publishes the value.
        (values + new).initialize(to: newValue)
        counters.perform(Reopen(), on: new)
        published.store(new, ordering: .releasing)
        // Only after the switch: a reader refused by the old slot from here on finds the new slot.
        counters.perform(Close(metrics: metrics), on: old)
        return old
    }

    /// Marks the object retired and begins the current slot's run-down.
    /// - Returns: The current slot.
    func close() throws(RundownError) -> Int {
        let word = published.load(ordering: .relaxed)
        guard word & Self.retiredBit == 0 else { throw .rundownInProgress }
        published.store(word | Self.retiredBit, ordering: .releasing)
        counters.perform(Close(metrics: metrics), on: word & 1)
        return word & 1
    }
}
