// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown

/// `CacheAwareRundownRef` forced onto its atomic-slot path, next to the process's own path (restartable sequences
/// where they are available), so that one benchmark run compares the two. Forwards the run-down primitives to the
/// instance, so every public member is the instance's own code.
final class AtomicSlotsRundown: BenchmarkedRundown {
    typealias UnsafeProtection = _RundownUnsafeView<AtomicSlotsRundown>

    static var benchmarkName: String { "CacheAwareRundownRef[atomic slots]" }

    let base = CacheAwareRundownRef(forcingAtomicSlots: true)

    init() {}

    @inline(__always)
    func _acquire(
        units: UInt64,
        cancellable: Bool,
        fileID: StaticString,
        line: UInt,
        function: StaticString
    ) -> _RundownAcquisition? {
        base._acquire(units: units, cancellable: cancellable, fileID: fileID, line: line, function: function)
    }

    @inline(__always)
    func _release(units: UInt64, _ acquisition: _RundownAcquisition) { base._release(units: units, acquisition) }

    @inline(__always)
    func _acquireUnguarded(units: UInt64, fileID: StaticString, line: UInt, function: StaticString) -> Bool {
        base._acquireUnguarded(units: units, fileID: fileID, line: line, function: function)
    }

    @inline(__always)
    func _releaseUnguarded(units: UInt64) { base._releaseUnguarded(units: units) }

    @inline(__always)
    func _acquireGuard(units: UInt64, fileID: StaticString, line: UInt, function: StaticString) -> RundownGuard? {
        base._acquireGuard(units: units, fileID: fileID, line: line, function: function)
    }

    func _beginRundown() -> (generation: UInt32, began: Bool) { base._beginRundown() }

    func _reInitialize() { base._reInitialize() }

    var _state: RundownState { base._state }

    func _withCompletionEngine<Result>(_ body: (borrowing RundownEngine) throws -> Result) rethrows -> Result {
        try base._withCompletionEngine(body)
    }

    func _withCompletionEngineAsync<Result>(
        _ body: (borrowing RundownEngine) async throws -> Result
    ) async rethrows -> Result {
        try await base._withCompletionEngineAsync(body)
    }
}
