// SPDX-License-Identifier: Apache-2.0

// The engine's primitives: its own word counts the holders and completes the generations.
extension RundownEngine: RundownProtecting {
    /// A primitive of ``RundownProtecting``: adds `units` holders unless run-down has begun. Not API.
    @inlinable
    @inline(__always)
    public borrowing func _acquire(
        units: UInt64,
        cancellable: Bool,
        fileID: StaticString,
        line: UInt,
        function: StaticString
    ) -> _RundownAcquisition? {
        let site = HolderSite(fileID: fileID, line: line, function: function)
        return acquire(units: units, site: site, kind: cancellable ? .cancellable : .scoped).map {
            _RundownAcquisition(token: $0)
        }
    }

    /// A primitive of ``RundownProtecting``: removes the holders `acquisition` added. Not API.
    @inlinable
    @inline(__always)
    public borrowing func _release(units: UInt64, _ acquisition: _RundownAcquisition) {
        release(units: units, token: acquisition.token)
    }

    /// A primitive of ``RundownProtecting``: adds `units` holders of the unguarded pair. Not API.
    @inlinable
    @inline(__always)
    public borrowing func _acquireUnguarded(
        units: UInt64,
        fileID: StaticString,
        line: UInt,
        function: StaticString
    ) -> Bool {
        acquire(units: units, site: HolderSite(fileID: fileID, line: line, function: function), kind: .unguarded) != nil
    }

    /// A primitive of ``RundownProtecting``: removes `units` holders of the unguarded pair. Not API.
    @inlinable
    @inline(__always)
    public borrowing func _releaseUnguarded(units: UInt64) {
        releaseUnguarded(units: units)
    }

    /// A primitive of ``RundownProtecting``: closes the current generation. Not API.
    public borrowing func _beginRundown() -> (generation: UInt32, began: Bool) {
        close()
    }

    /// A primitive of ``RundownProtecting``: opens the next generation. Not API.
    public borrowing func _reInitialize() {
        let current = word.load(ordering: .relaxed)
        let completed = RundownWord(rawValue: current)
        if completed.isCompleted {
            let next = RundownWord.opened(generation: completed.generation &+ 1, recording: completed.isRecording)
            let (exchanged, _) = word.compareExchange(
                expected: current,
                desired: next.rawValue,
                successOrdering: .releasing,
                failureOrdering: .relaxed
            )
            if exchanged { return }
        }
        RundownMisuse.reInitialized(in: _state)
    }

    /// A primitive of ``RundownProtecting``: the state. Not API.
    public var _state: RundownState {
        RundownWord(rawValue: word.load(ordering: .relaxed)).state
    }

    /// A primitive of ``RundownProtecting``: runs `body` with the engine that completes the generations. Not API.
    public borrowing func _withCompletionEngine<Result>(
        _ body: (borrowing RundownEngine) throws -> Result
    ) rethrows -> Result {
        try body(self)
    }

    /// A primitive of ``RundownProtecting``: runs `body` with the engine that completes the generations. Not API.
    public borrowing func _withCompletionEngineAsync<Result>(
        _ body: (borrowing RundownEngine) async throws -> Result
    ) async rethrows -> Result {
        try await body(self)
    }
}
