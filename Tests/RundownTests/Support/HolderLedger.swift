// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown
import Synchronization

/// What each churning thread holds on a recording object, by the line of the acquiring call: the model a quiet
/// moment's holder report must match exactly.
final class HolderLedger: Sendable {
    /// One thread's holdings: guards (with the line that acquired them), and unguarded acquisitions (line, count).
    private struct Holdings {
        var guards: [(line: Int, box: GuardBox)] = []
        var unguarded: [(line: Int, count: Int)] = []
    }

    private let holdings: [Locked<Holdings>]

    init(threads: Int) {
        holdings = (0..<threads).map { _ in Locked(Holdings()) }
    }

    /// A dozen random steps of thread `thread` on `rundown`: scopes that come and go, guards and unguarded pairs kept
    /// or released. Ends with whatever the steps left held.
    func churn(_ rundown: any RundownProtecting, thread: Int, using generator: inout SeededGenerator) {
        let guarded = rundown as? any RundownProtection
        for _ in 0..<Int.random(in: 4...16, using: &generator) {
            let count = Int.random(in: 1...3, using: &generator)
            switch Int.random(in: 0..<6, using: &generator) {
            case 0:
                _ = try? rundown.withProtection { try? rundown.withProtection {} }
            case 1:
                _ = rundown.withProtectionIfAvailable { rundown.holderReport().holderCount }
            case 2:
                guard let guarded else { continue }
                let line = #line + 1
                guard let acquired = try? guarded.tryAcquire(count: count) else {
                    preconditionFailure("the object refused a holder while open")
                }
                let box = GuardBox(acquired)
                holdings[thread].withLock { $0.guards.append((line, box)) }
            case 3:
                let line = #line + 1
                let acquired = rundown.unsafeTryAcquire(count: count)
                precondition(acquired, "the object refused a holder while open")
                holdings[thread].withLock { $0.unguarded.append((line, count)) }
            case 4:
                let released = holdings[thread].withLock { $0.guards.popLast() }
                released?.box.release()
            default:
                if let released = holdings[thread].withLock({ $0.unguarded.popLast() }) {
                    rundown.unsafeRelease(count: released.count)
                }
            }
        }
    }

    /// Releases everything thread `thread` holds.
    func releaseEverything(_ rundown: any RundownProtecting, thread: Int) {
        let held = holdings[thread].withLock { holdings in
            defer { holdings = Holdings() }
            return holdings
        }
        for entry in held.guards { entry.box.release() }
        for entry in held.unguarded { rundown.unsafeRelease(count: entry.count) }
    }

    /// What every thread holds, as the report should show it: holders per acquiring line.
    func expectedCounts() -> [Int: Int] {
        var counts: [Int: Int] = [:]
        for thread in holdings {
            thread.withLock { held in
                for entry in held.guards { counts[entry.line, default: 0] += entry.box.count }
                for entry in held.unguarded { counts[entry.line, default: 0] += entry.count }
            }
        }
        return counts
    }
}

/// A reusable barrier for a fixed number of threads (and the checking task, which arrives from async code by
/// blocking briefly; it runs on a thread of its own pool and the others are plain threads).
final class RoundBarrier: Sendable {
    private let parties: Int
    private let state = Locked((arrived: 0, round: 0))

    init(parties: Int) {
        self.parties = parties
    }

    /// Waits until every party has arrived in this round.
    func arriveAndWait() {
        let round = state.withLock { state -> Int in
            state.arrived += 1
            if state.arrived == parties {
                state.arrived = 0
                state.round += 1
                return -1
            }
            return state.round
        }
        guard round >= 0 else { return }
        while state.withLock({ $0.round }) == round { yieldBriefly(microseconds: 50) }
    }
}

/// A gate tasks wait at until it opens.
final class AsyncGate: Sendable {
    private let state = Locked((open: false, waiting: [CheckedContinuation<Void, Never>]()))

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiting.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func open() {
        let waiting = state.withLock { state in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }
}

/// A ``RundownEngine`` embedded in a class of the tests, the way users embed it, for tests that take
/// `any RundownProtecting`: it forwards the primitives, so every member is the engine's own code.
final class EngineBox: RundownProtecting {
    let engine: RundownEngine

    init(_ engine: consuming RundownEngine) {
        self.engine = engine
    }

    func _acquire(
        units: UInt64,
        cancellable: Bool,
        fileID: StaticString,
        line: UInt,
        function: StaticString
    ) -> _RundownAcquisition? {
        engine._acquire(units: units, cancellable: cancellable, fileID: fileID, line: line, function: function)
    }

    func _release(units: UInt64, _ acquisition: _RundownAcquisition) { engine._release(units: units, acquisition) }

    func _acquireUnguarded(units: UInt64, fileID: StaticString, line: UInt, function: StaticString) -> Bool {
        engine._acquireUnguarded(units: units, fileID: fileID, line: line, function: function)
    }

    func _releaseUnguarded(units: UInt64) { engine._releaseUnguarded(units: units) }

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
