// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import Rundown

/// The waiter registry's state machine, deterministically, without threads: every transition of a waiter.
@Suite("Waiter registry state machine")
struct WaiterRegistryTests {
    typealias Registry = WaiterRegistry<String>

    @Test("completing a generation removes exactly its waiters and callbacks")
    func completeRemovesOnlyItsGeneration() {
        var registry = Registry()
        let blocked = registry.addBlocked(for: 7)
        let suspended = registry.addSuspending(for: 7)
        #expect(registry.suspend(suspended, with: "old") == .suspended)
        let nextGeneration = registry.addSuspending(for: 8)
        #expect(registry.suspend(nextGeneration, with: "new") == .suspended)
        let runs = Counter()
        registry.addCallback({ runs.add() }, for: 7)
        registry.addCallback({ runs.add(100) }, for: 8)
        #expect(registry.liveRecords == 5)

        let completion = registry.complete(generation: 7)
        #expect(completion.waiters.wakesBlocked)
        #expect(completion.waiters.removed.map(\.id) == [blocked, suspended])
        #expect(resumed(completion) == ["old"])
        #expect(completion.callbacks.count == 1)
        for record in completion.callbacks { record.callback() }
        #expect(runs.value == 1)
        #expect(registry.step(blocked: blocked, deadlinePassed: false) == .signalled)
        #expect(registry.waiters.records.map(\.id) == [nextGeneration])
        #expect(registry.liveRecords == 2)

        let again = registry.complete(generation: 7)
        #expect(!again.waiters.wakesBlocked && again.waiters.removed.isEmpty && again.callbacks.isEmpty)
    }

    @Test("the common completion hands the records over whole: one generation, everyone suspended or parked")
    func commonCompletionHandsOverEverything() {
        var registry = Registry()
        let first = registry.addSuspending(for: 3)
        let second = registry.addSuspending(for: 3)
        _ = registry.suspend(first, with: "a")
        _ = registry.suspend(second, with: "b")
        registry.addCallback({}, for: 3)
        let completion = registry.complete(generation: 3)
        #expect(!completion.waiters.wakesBlocked)
        #expect(resumed(completion) == ["a", "b"])
        #expect(completion.callbacks.count == 1)
        #expect(registry.liveRecords == 0)
    }

    @Test("a blocked waiter keeps waiting until completion, or times out and leaves no record")
    func blockedWaiterSteps() {
        var registry = Registry()
        let id = registry.addBlocked(for: 1)
        #expect(registry.step(blocked: id, deadlinePassed: false) == .keepWaiting)
        #expect(registry.step(blocked: id, deadlinePassed: true) == .timedOut)
        #expect(registry.liveRecords == 0)
        // A timed-out waiter is not woken by the completion that follows.
        #expect(!registry.complete(generation: 1).waiters.wakesBlocked)
    }

    @Test("a blocked waiter whose generation completed returns true even if its deadline has passed too")
    func completionWinsOverDeadline() {
        var registry = Registry()
        let id = registry.addBlocked(for: 1)
        _ = registry.complete(generation: 1)
        #expect(registry.step(blocked: id, deadlinePassed: true) == .signalled)
    }

    @Test("completion before the task suspends: it resumes at once with true")
    func completionBeforeSuspension() {
        var registry = Registry()
        let id = registry.addSuspending(for: 2)
        let completion = registry.complete(generation: 2)
        #expect(completion.waiters.removed.isEmpty, "a registered task has no continuation to resume yet")
        #expect(registry.liveRecords == 1, "the record stays, marked completed, until the task suspends")
        #expect(registry.cancel(id) == nil, "cancellation after completion changes nothing")
        #expect(registry.suspend(id, with: "late") == .resume(signalled: true))
        #expect(registry.liveRecords == 0)
    }

    @Test("cancellation before the task suspends: the record goes, and the task resumes at once with false")
    func cancellationBeforeSuspension() {
        var registry = Registry()
        let id = registry.addSuspending(for: 2)
        #expect(registry.cancel(id) == nil)
        #expect(registry.liveRecords == 0)
        #expect(registry.suspend(id, with: "late") == .resume(signalled: false))
        #expect(registry.complete(generation: 2).waiters.removed.isEmpty)
    }

    @Test("cancellation after the task suspended hands back its continuation, exactly once")
    func cancellationAfterSuspension() {
        var registry = Registry()
        let id = registry.addSuspending(for: 2)
        #expect(registry.suspend(id, with: "waiting") == .suspended)
        #expect(registry.cancel(id) == "waiting")
        #expect(registry.cancel(id) == nil)
        #expect(registry.complete(generation: 2).waiters.removed.isEmpty, "a cancelled waiter is not resumed again")
        #expect(registry.liveRecords == 0)
    }

    @Test("completion after the task suspended resumes it; a later cancellation finds nothing")
    func completionAfterSuspension() {
        var registry = Registry()
        let id = registry.addSuspending(for: 2)
        _ = registry.suspend(id, with: "waiting")
        #expect(resumed(registry.complete(generation: 2)) == ["waiting"])
        #expect(registry.cancel(id) == nil)
        #expect(registry.liveRecords == 0)
    }

    @Test("a late completer of an older generation leaves the newer generation's waiters alone")
    func lateCompleterOfOlderGeneration() {
        var registry = Registry()
        let newer = registry.addSuspending(for: 5)
        let registeredNewer = registry.addSuspending(for: 5)
        _ = registry.suspend(newer, with: "g5")
        registry.addCallback({}, for: 5)
        let completion = registry.complete(generation: 4)
        #expect(completion.waiters.removed.isEmpty && completion.callbacks.isEmpty)
        #expect(registry.liveRecords == 3)
        #expect(registry.suspend(registeredNewer, with: "still waiting") == .suspended)
    }

    @Test("identities are unique")
    func identitiesAreUnique() {
        var registry = Registry()
        let ids = (0..<100).map { _ in registry.addSuspending(for: 0) }
        #expect(Set(ids).count == 100)
    }

    /// The continuations a completion resumes.
    private func resumed(_ completion: Registry.Completion) -> [String] {
        completion.waiters.removed.compactMap { record in
            if case .suspended(let continuation) = record.waiter { continuation } else { nil }
        }
    }
}
