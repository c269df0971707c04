// SPDX-License-Identifier: Apache-2.0

/// Run-down protection for a shared object: many holders use it, one party tears it down once they have left.
///
/// A thread or task that wants to use the protected object first acquires protection, with
/// ``RundownProtecting/withProtection(fileID:line:function:_:)`` (the everyday form) or
/// ``RundownProtection/tryAcquire(fileID:line:function:)``, and releases it when done. While it holds protection the
/// object stays usable. Another party calls `waitForRundown()` (or ``RundownProtecting/beginRundown()`` and a
/// completion callback): from that moment every new acquisition fails with ``RundownError/rundownInProgress``, and the
/// wait returns once the last holder has released. The object can then be destroyed, or re-initialized with
/// ``RundownProtecting/reInitialize()`` so that acquisitions succeed again.
///
/// This is the NT kernel's `EX_RUNDOWN_REF` and the Rust `run-down` crate's `RundownRef`, with Swift-native waiting
/// (blocking, `async`, timed, cancellable), any number of concurrent waiters and completion callbacks. Its members
/// are those of ``RundownProtecting`` and ``RundownProtection``, documented there.
///
/// ```swift
/// let rundown = RundownRef()
///
/// // Any thread or task, any number of them:
/// try rundown.withProtection {
///     plugin.handle(request)
/// }
///
/// // The one that unloads the plugin:
/// rundown.waitForRundown()   // new holders fail from here on; returns when the last one has left
/// plugin.unload()
/// ```
///
/// ## RundownRef or RundownEngine?
/// `RundownRef` is a small class around a ``RundownEngine`` that adds the guard, ``RundownGuard``: a guard keeps
/// the `RundownRef` alive, so it may be stored, sent to another task and released there. When the protected
/// object is a class of your own and the closure form is all you need, embed a ``RundownEngine`` in it instead:
/// same cost, no separate allocation.
///
/// ## Cost
/// Acquire and release are one atomic read-modify-write each (a compare-and-swap and a subtract) on one 64-bit
/// word, with no lock and no allocation; the closure form adds no reference counting. An instance is an object
/// header and the engine's two words. The waiter store (a pthread mutex and condition variable and the waiter
/// records) is allocated only when a wait actually has to block or a callback has to be kept.
///
/// Under contention from several cores every acquire and release moves the same cache line; when that shows up in
/// profiles, use ``CacheAwareRundownRef`` instead.
///
/// ## Memory ordering
/// - A successful acquisition is an *acquiring* operation: everything done before the last
///   ``RundownProtecting/reInitialize()`` (or `init`) is visible to the holder.
/// - A release is a *releasing* operation: everything the holder did happens-before any wait returning and any
///   completion callback running.
/// - ``RundownProtecting/reInitialize()`` is a *releasing* operation.
public final class RundownRef: Sendable {
    /// The run-down protection itself; this class adds guards and an identity.
    @usableFromInline
    let engine: RundownEngine

    /// Creates an object in the `active(holders: 0)` state: acquisitions succeed.
    public init() {
        engine = RundownEngine()
    }

    /// Creates an object in the `active(holders: 0)` state that, if `recordingHolders` is `true`, records every
    /// outstanding holder for ``RundownProtecting/holderReport()``; see ``RundownEngine/init(recordingHolders:)`` for
    /// what it costs.
    public init(recordingHolders: Bool) {
        engine = RundownEngine(recordingHolders: recordingHolders, name: nil, kind: "RundownRef")
    }

    /// Creates a named object in the `active(holders: 0)` state, recording its holders if `recordingHolders`; see
    /// ``RundownEngine/init(name:recordingHolders:)`` for what the name is for.
    public init(name: String, recordingHolders: Bool = false) {
        engine = RundownEngine(recordingHolders: recordingHolders, name: name, kind: "RundownRef")
        MetricsSampler.register(self, metrics: engine.metrics) { $0.state.holderCount }
    }

    deinit {
        if engine.metrics != nil { MetricsSampler.unregister(UInt(bitPattern: ObjectIdentifier(self))) }
    }
}

// The primitives: the engine's, plus a guard that keeps this object alive.
extension RundownRef {
    /// A primitive of ``RundownProtecting``: adds `units` holders unless run-down has begun. Not API.
    @inlinable
    @inline(__always)
    public func _acquire(
        units: UInt64,
        cancellable: Bool,
        fileID: StaticString,
        line: UInt,
        function: StaticString
    ) -> _RundownAcquisition? {
        engine._acquire(units: units, cancellable: cancellable, fileID: fileID, line: line, function: function)
    }

    /// A primitive of ``RundownProtecting``: removes the holders `acquisition` added. Not API.
    @inlinable
    @inline(__always)
    public func _release(units: UInt64, _ acquisition: _RundownAcquisition) {
        engine._release(units: units, acquisition)
    }

    /// A primitive of ``RundownProtecting``: adds `units` holders of the unguarded pair. Not API.
    @inlinable
    @inline(__always)
    public func _acquireUnguarded(units: UInt64, fileID: StaticString, line: UInt, function: StaticString) -> Bool {
        engine._acquireUnguarded(units: units, fileID: fileID, line: line, function: function)
    }

    /// A primitive of ``RundownProtecting``: removes `units` holders of the unguarded pair. Not API.
    @inlinable
    @inline(__always)
    public func _releaseUnguarded(units: UInt64) {
        engine._releaseUnguarded(units: units)
    }

    /// A primitive of ``RundownProtection``: adds `units` holders and returns their guard. Not API.
    @inlinable
    @inline(__always)
    public func _acquireGuard(units: UInt64, fileID: StaticString, line: UInt, function: StaticString) -> RundownGuard?
    {
        guard let token = engine.acquire(units: units, site: HolderSite(fileID: fileID, line: line, function: function))
        else { return nil }
        return RundownGuard(rundown: self, units: units, token: token)
    }

    /// A primitive of ``RundownProtecting``: closes the current generation. Not API.
    public func _beginRundown() -> (generation: UInt32, began: Bool) {
        engine._beginRundown()
    }

    /// A primitive of ``RundownProtecting``: opens the next generation. Not API.
    public func _reInitialize() {
        engine._reInitialize()
    }

    /// A primitive of ``RundownProtecting``: the state. Not API.
    public var _state: RundownState { engine._state }

    /// A primitive of ``RundownProtecting``: runs `body` with the engine that completes the generations. Not API.
    public func _withCompletionEngine<Result>(_ body: (borrowing RundownEngine) throws -> Result) rethrows -> Result {
        try body(engine)
    }

    /// A primitive of ``RundownProtecting``: runs `body` with the engine that completes the generations. Not API.
    public func _withCompletionEngineAsync<Result>(
        _ body: (borrowing RundownEngine) async throws -> Result
    ) async rethrows -> Result {
        try await body(engine)
    }
}
