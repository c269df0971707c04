import Testing

@testable import Rundown

/// The waiter registry's state machine, deterministically, without threads.
@Suite("Waiter registry")
struct WaiterRegistryTests {
    typealias Registry = RundownWaiterRegistry<String>

    @Test("completing a generation removes exactly its waiters and callbacks")
    func completeRemovesOnlyItsGeneration() {
        var registry = Registry()
        let blocked = registry.makeID()
        let suspended = registry.makeID()
        let nextGeneration = registry.makeID()
        registry.add(.blocked, id: blocked, generation: 7)
        registry.add(.suspended("old"), id: suspended, generation: 7)
        registry.add(.suspended("new"), id: nextGeneration, generation: 8)
        let runs = Counter()
        registry.addCallback({ runs.add() }, generation: 7)
        registry.addCallback({ runs.add(100) }, generation: 8)
        #expect(registry.liveRecords == 5)

        let completion = registry.complete(generation: 7)
        #expect(completion.wokeBlockedWaiter)
        #expect(completion.continuations == ["old"])
        #expect(completion.callbacks.count == 1)
        for callback in completion.callbacks { callback() }
        #expect(runs.value == 1)
        #expect(!registry.isWaiting(blocked))
        #expect(!registry.isWaiting(suspended))
        #expect(registry.isWaiting(nextGeneration))
        #expect(registry.liveRecords == 2)

        let again = registry.complete(generation: 7)
        #expect(!again.wokeBlockedWaiter && again.continuations.isEmpty && again.callbacks.isEmpty)
    }

    @Test("a removed waiter is not completed later")
    func removedWaiterIsNotCompleted() {
        var registry = Registry()
        let id = registry.makeID()
        registry.add(.suspended("cancelled"), id: id, generation: 1)
        guard case .suspended(let continuation) = registry.remove(id) else {
            Issue.record("the waiter was not registered")
            return
        }
        #expect(continuation == "cancelled")
        #expect(registry.remove(id) == nil)
        #expect(registry.complete(generation: 1).continuations.isEmpty)
        #expect(registry.liveRecords == 0)
    }

    @Test("identities are unique")
    func identitiesAreUnique() {
        var registry = Registry()
        let ids = (0..<100).map { _ in registry.makeID() }
        #expect(Set(ids).count == 100)
    }
}
