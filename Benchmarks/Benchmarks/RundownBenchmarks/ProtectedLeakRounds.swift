// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown
import Synchronization

/// The value of the ``RundownProtected`` under the leak benchmarks: an object that counts its live instances, so that
/// a round can check that every value it replaced was handed back and torn down.
final class LeakPayload: Sendable {
    /// The instances alive in the process.
    static let live = Atomic<Int>(0)

    init() { Self.live.add(1, ordering: .relaxed) }

    deinit { Self.live.subtract(1, ordering: .relaxed) }
}

/// How the readers of the ``RundownProtected`` under ``ProtectedLeakRounds`` count.
protocol ProtectedReaderCounting {
    /// The object's name in benchmark names.
    static var name: String { get }
    /// Whether readers count per CPU.
    static var perCPU: Bool { get }
}

/// Readers counted on one word.
enum OneWordReaderCounting: ProtectedReaderCounting {
    static var name: String { "RundownProtected" }
    static var perCPU: Bool { false }
}

/// Readers counted per CPU: replacements run down a per-CPU counter.
enum PerCPUReaderCounting: ProtectedReaderCounting {
    static var name: String { "RundownProtected[per-CPU]" }
    static var perCPU: Bool { true }
}

/// The leak rounds of ``RundownProtected`` (with its readers counted as `Readers` says): its waits are replacements waiting for readers and writers waiting for
/// their turn, its callbacks the deferred teardowns of replacements that gave up.
///
/// One round: with a reader inside, a blocking replacement with a deadline gives up waiting for it (its teardown
/// deferred, a callback); ``leakFanOut`` writers with a deadline give up waiting for the turn that deferred teardown
/// holds, and ``leakFanOut`` more are cancelled while they wait; the reader leaves, which runs the teardown. Then a
/// blocking and an async replacement each wait for a reader, released when it leaves; last, a replacement waiting for
/// a reader is cancelled, and the reader leaving runs its deferred teardown. Only the current value is alive
/// afterwards.
final class ProtectedLeakRounds<Readers: ProtectedReaderCounting>: LeakRounds {
    static var name: String { Readers.name }

    static var operationsPerRound: LeakOperations {
        LeakOperations(timeouts: leakFanOut + 1, callbacks: 2, cancellations: leakFanOut + 1, waits: 2)
    }

    let protected = RundownProtected(LeakPayload(), perCPUReaders: Readers.perCPU)
    private let teardowns = Atomic<Int>(0)
    private let rounds = Atomic<Int>(0)
    private let gaveUp = Atomic<Bool>(false)

    init() {}

    func round() async {
        let round = rounds.add(1, ordering: .relaxed).newValue
        let valuesBefore = LeakPayload.live.load(ordering: .relaxed)

        await whileReading {
            // A timeout and a callback: the replacement installs its value, gives up waiting for this reader, and
            // defers the old value's teardown to this reader leaving.
            gaveUp.store(false, ordering: .relaxed)
            leakWorker.run { self.replaceGivingUp() }
            await suspendUntil { gaveUp.load(ordering: .acquiring) }
            leakWorker.waitUntilIdle()
            expectRecords(1, "with a teardown deferred")

            // Timeouts: writers waiting for the turn, which the deferred teardown holds.
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<leakFanOut {
                    group.addTask { await self.replaceNotInstalled(timeout: leakTimeout) }
                }
            }
            expectRecords(1, "after the writers' timeouts")

            // Cancellations: writers waiting for the turn, cancelled once every one has registered.
            let cancelled = (0..<leakFanOut).map { _ in
                Task { await self.replaceNotInstalled(timeout: leakCancelledTimeout) }
            }
            await suspendUntil { protected.liveWaiterRecordCount == 1 + leakFanOut }
            for task in cancelled { task.cancel() }
            for task in cancelled { await task.value }
            expectRecords(1, "after the writers' cancellations")
        }
        expectTeardowns(2 * round - 1, "after a deferred teardown")
        expectRecords(0, "after the deferred teardown ran")

        // A blocking replacement waits for the reader, released when it leaves.
        await whileReading {
            leakWorker.run { self.replaceBlocking() }
            await suspendUntil { protected.liveWaiterRecordCount == 1 }
        }
        leakWorker.waitUntilIdle()

        // An async replacement, likewise.
        await replaceWhileReading()
        expectRecords(0, "after two replacements")

        // A cancellation: a replacement waiting for the reader is cancelled and defers the old value's teardown.
        await whileReading {
            let task = Task { await self.replaceGivingUp(timeout: leakCancelledTimeout) }
            await suspendUntil { protected.liveWaiterRecordCount == 1 }
            task.cancel()
            await task.value
            expectRecords(1, "with a cancelled replacement's teardown deferred")
        }
        expectTeardowns(2 * round, "after a cancelled replacement")
        expectRecords(0, "at the end of a round")
        // Four values were installed and four handed back (two of them to deferred teardowns): as many alive as before.
        let valuesAfter = LeakPayload.live.load(ordering: .relaxed)
        leakCheck(
            valuesAfter == valuesBefore,
            "\(Self.name): \(valuesAfter - valuesBefore) more values alive after a round"
        )
    }

    /// Runs `body` as a reader of the current value.
    private func whileReading<Result>(_ body: () async -> Result) async -> Result {
        do {
            return try await protected.withValue { _ in await body() }
        } catch {
            leakFailure("\(Self.name): a reader was refused: \(error)")
        }
    }

    /// An async replacement that waits for a reader, released when it leaves.
    private func replaceWhileReading() async {
        let replacement = await whileReading {
            let task = Task { await self.replaceSuspending() }
            await suspendUntil { protected.liveWaiterRecordCount == 1 }
            return task
        }
        await replacement.value
    }

    /// An async replacement with no deadline. It drops the old value itself: a task's result lives as long as the
    /// task, which may outlast the `await` of its value by a moment.
    private func replaceSuspending() async {
        do {
            _ = try await protected.replace(with: LeakPayload())
        } catch {
            leakFailure("\(Self.name): a replacement failed: \(error)")
        }
    }

    /// A blocking replacement with a deadline that must give up waiting for a reader.
    private func replaceGivingUp() {
        let outcome: RundownProtected<LeakPayload>.Replacement
        do {
            outcome = try protected.replace(with: LeakPayload(), timeout: leakReplacementTimeout) { _ in
                self.teardowns.add(1, ordering: .relaxed)
            }
        } catch {
            leakFailure("\(Self.name): a replacement failed: \(error)")
        }
        guard case .teardownDeferred = outcome else {
            leakFailure("\(Self.name): a replacement did not give up with a reader inside: \(outcome)")
        }
        gaveUp.store(true, ordering: .releasing)
    }

    /// An async replacement with a deadline that must give up waiting for a reader (by timeout or cancellation).
    private func replaceGivingUp(timeout: Duration) async {
        let outcome: RundownProtected<LeakPayload>.Replacement
        do {
            outcome = try await protected.replace(with: LeakPayload(), timeout: timeout) { _ in
                self.teardowns.add(1, ordering: .relaxed)
            }
        } catch {
            leakFailure("\(Self.name): a replacement failed: \(error)")
        }
        guard case .teardownDeferred = outcome else {
            leakFailure("\(Self.name): a replacement did not give up with a reader inside: \(outcome)")
        }
    }

    /// A replacement with a deadline that must give up waiting for the writers' turn (by timeout or cancellation).
    private func replaceNotInstalled(timeout: Duration) async {
        let outcome: RundownProtected<LeakPayload>.Replacement
        do {
            outcome = try await protected.replace(with: LeakPayload(), timeout: timeout) { _ in
                leakFailure("\(Self.name): a replacement that was not installed tore a value down")
            }
        } catch {
            leakFailure("\(Self.name): a replacement failed: \(error)")
        }
        guard case .notInstalled = outcome else {
            leakFailure("\(Self.name): a writer got the turn while a teardown was deferred: \(outcome)")
        }
    }

    /// A blocking replacement with no deadline.
    private func replaceBlocking() {
        do {
            _ = try protected.replace(with: LeakPayload())
        } catch {
            leakFailure("\(Self.name): a replacement failed: \(error)")
        }
    }

    private func expectRecords(_ expected: Int, _ when: String) {
        let live = protected.liveWaiterRecordCount
        leakCheck(live == expected, "\(Self.name): \(live) live waiter records \(when), expected \(expected)")
    }

    private func expectTeardowns(_ expected: Int, _ when: String) {
        let done = teardowns.load(ordering: .relaxed)
        leakCheck(done == expected, "\(Self.name): \(done) teardowns \(when), expected \(expected)")
    }
}
