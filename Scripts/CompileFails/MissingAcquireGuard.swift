// SPDX-License-Identifier: Apache-2.0
// EXPECT-ERROR: type 'HandMadeRef' does not conform to protocol 'RundownProtection'
// EXPECT-NOTE: protocol requires function '_acquireGuard(units:fileID:line:function:)'
// A class of another module that conforms to RundownProtection with every primitive of RundownProtecting but
// without `_acquireGuard` does not compile: the guards have nothing to be written on.
import Rundown

final class HandMadeRef: RundownProtection {
    typealias UnsafeProtection = _RundownUnsafeView<HandMadeRef>

    let engine = RundownEngine()

    func _acquire(
        units: UInt64,
        cancellable: Bool,
        fileID: StaticString,
        line: UInt,
        function: StaticString
    ) -> _RundownAcquisition? {
        engine._acquire(units: units, cancellable: cancellable, fileID: fileID, line: line, function: function)
    }

    func _release(units: UInt64, _ acquisition: _RundownAcquisition) {
        engine._release(units: units, acquisition)
    }

    func _acquireUnguarded(units: UInt64, fileID: StaticString, line: UInt, function: StaticString) -> Bool {
        engine._acquireUnguarded(units: units, fileID: fileID, line: line, function: function)
    }

    func _releaseUnguarded(units: UInt64) {
        engine._releaseUnguarded(units: units)
    }

    func _beginRundown() -> (generation: UInt32, began: Bool) { engine._beginRundown() }

    func _reInitialize() { engine._reInitialize() }

    var _state: RundownState { engine._state }

    func _withCompletionEngine<Result>(_ body: (borrowing RundownEngine) throws -> Result) rethrows -> Result {
        try body(engine)
    }

    func _withCompletionEngineAsync<Result>(
        _ body: (borrowing RundownEngine) async throws -> Result
    ) async rethrows -> Result {
        try await body(engine)
    }
}
