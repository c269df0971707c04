// SPDX-License-Identifier: Apache-2.0

// The primitives: holders count in the per-CPU slots (see `PerCPUStorage`); beginning run-down folds them into the
// shared engine, which completes the generations, so waits, callbacks and cancellation are that engine's.
extension CacheAwareRundownRef {
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
        storage.acquire(
            units: units,
            site: HolderSite(fileID: fileID, line: line, function: function),
            path: pathFields,
            kind: cancellable ? .cancellable : .scoped
        )
    }

    /// A primitive of ``RundownProtecting``: removes the holders `acquisition` added. Not API.
    @inlinable
    @inline(__always)
    public func _release(units: UInt64, _ acquisition: _RundownAcquisition) {
        storage.release(units: units, acquisition: acquisition, path: pathFields)
    }

    /// A primitive of ``RundownProtecting``: adds `units` holders of the unguarded pair. Not API.
    @inlinable
    @inline(__always)
    public func _acquireUnguarded(units: UInt64, fileID: StaticString, line: UInt, function: StaticString) -> Bool {
        storage.acquireUnguarded(units: units, site: HolderSite(fileID: fileID, line: line, function: function))
    }

    /// A primitive of ``RundownProtecting``: removes `units` holders of the unguarded pair. Not API.
    @inlinable
    @inline(__always)
    public func _releaseUnguarded(units: UInt64) {
        storage.releaseUnguarded(units: units)
    }

    /// A guard retains the anchor of the slot it acquired in, not this object, so guards on different cores do not
    /// share a reference count.
    @inlinable
    @inline(__always)
    public func _acquireGuard(units: UInt64, fileID: StaticString, line: UInt, function: StaticString) -> RundownGuard?
    {
        let site = HolderSite(fileID: fileID, line: line, function: function)
        guard let acquisition = storage.acquire(units: units, site: site, path: pathFields, forGuard: true) else {
            return nil
        }
        return RundownGuard(
            anchor: storage.anchorPointer(acquisition.slot).pointee,
            units: units,
            token: acquisition.token
        )
    }

    /// A primitive of ``RundownProtecting``: closes the current generation. Not API.
    public func _beginRundown() -> (generation: UInt32, began: Bool) {
        storage.close()
    }

    /// A primitive of ``RundownProtecting``: opens the next generation. Not API.
    public func _reInitialize() {
        storage.reInitialize { _state }
    }

    /// A primitive of ``RundownProtecting``: the state. Not API.
    public var _state: RundownState { storage.state }

    /// A primitive of ``RundownProtecting``: runs `body` with the engine that completes the generations. Not API.
    public func _withCompletionEngine<Result>(_ body: (borrowing RundownEngine) throws -> Result) rethrows -> Result {
        try body(storage.shared)
    }

    /// A primitive of ``RundownProtecting``: runs `body` with the engine that completes the generations. Not API.
    public func _withCompletionEngineAsync<Result>(
        _ body: (borrowing RundownEngine) async throws -> Result
    ) async rethrows -> Result {
        try await body(storage.shared)
    }
}
