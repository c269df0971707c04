// SPDX-License-Identifier: Apache-2.0
// EXPECT-ERROR: type 'HandMadeProtection' does not conform to protocol 'RundownProtecting'
// EXPECT-NOTE: protocol requires function '_release(units:_:)'
// A type of another module that conforms to RundownProtecting but omits one primitive (`_release`) does not
// compile: no primitive has a default.
import Rundown

struct HandMadeProtection: RundownProtecting {
    func _acquire(
        units: UInt64,
        cancellable: Bool,
        fileID: StaticString,
        line: UInt,
        function: StaticString
    ) -> _RundownAcquisition? { nil }

    func _acquireUnguarded(units: UInt64, fileID: StaticString, line: UInt, function: StaticString) -> Bool { false }

    func _releaseUnguarded(units: UInt64) {}

    func _beginRundown() -> (generation: UInt32, began: Bool) { (0, false) }

    func _reInitialize() {}

    var _state: RundownState { .completed }

    func _withCompletionEngine<Result>(_ body: (borrowing RundownEngine) throws -> Result) rethrows -> Result {
        try body(RundownEngine())
    }

    func _withCompletionEngineAsync<Result>(
        _ body: (borrowing RundownEngine) async throws -> Result
    ) async rethrows -> Result {
        try await body(RundownEngine())
    }
}
