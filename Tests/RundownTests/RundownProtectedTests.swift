// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown
import Synchronization
import Testing

/// A protected value that checks its own use: how many readers are inside, whether it was torn down, and whether
/// anyone used it after that.
private final class TrackedValue: Sendable {
    let generation: Int
    private let readers = Atomic<Int>(0)
    private let tornDown = Atomic<Bool>(false)
    private let lateUses = Atomic<Int>(0)

    init(_ generation: Int) {
        self.generation = generation
    }

    /// Readers inside right now.
    var readersInside: Int { readers.load(ordering: .relaxed) }

    /// Uses of the value that started after its teardown; must stay 0.
    var usesAfterTeardown: Int { lateUses.load(ordering: .relaxed) }

    /// Marks one use; call from inside `withValue`.
    func use(_ work: () -> Void = {}) {
        readers.add(1, ordering: .relaxed)
        if tornDown.load(ordering: .relaxed) { lateUses.add(1, ordering: .relaxed) }
        work()
        readers.subtract(1, ordering: .relaxed)
    }

    /// Tears the value down and returns whether this was the first teardown and no reader was inside.
    func tearDown() -> Bool {
        let idle = readers.load(ordering: .relaxed) == 0
        let first = !tornDown.exchange(true, ordering: .relaxed)
        return idle && first
    }
}

/// Everything `withValue` saw, collected by many readers.
private final class ReadLog: Sendable {
    let reads = Atomic<Int>(0)
    let refusals = Atomic<Int>(0)
    let wentBackwards = Atomic<Int>(0)
    let sawStaleValue = Atomic<Int>(0)
}

/// The (installed, returned) pairs of one replacer's replacements; written by that replacer only, read after it
/// has finished (a join or a task's return orders the two).
///
/// Not a `Mutex`: ThreadSanitizer reports false races on a contended `Synchronization.Mutex`, and one box per
/// replacer needs no lock at all.
private final class ReplacementHistory: @unchecked Sendable {
    private(set) var entries: [(installed: Int, returned: Int)] = []

    func record(installed: Int, returned: Int) {
        entries.append((installed, returned))
    }
}

@Suite("RundownProtected")
struct RundownProtectedTests {
    // MARK: Basics

    @Test("withValue runs the body with the current value and returns its result", arguments: ReaderKind.allCases)
    func readsCurrentValue(readers: ReaderKind) throws {
        let protected = readers.make([1, 2, 3])
        let sum = try protected.withValue { numbers in numbers.reduce(0, +) }
        #expect(sum == 6)
        let first = try protected.withValue { numbers in numbers.first }
        #expect(first == 1)
    }

    @Test("withValue rethrows what the body throws and stays usable", arguments: ReaderKind.allCases)
    func bodyErrorsPassThrough(readers: ReaderKind) throws {
        struct Failure: Error {}
        let protected = readers.make(7)
        #expect(throws: Failure.self) { try protected.withValue { _ in throw Failure() } }
        #expect(try protected.withValue { $0 } == 7)
        let retired = try protected.retire()
        #expect(retired == 7)
    }

    @Test("blocking replace returns the old value, and new readers see the new one", arguments: ReaderKind.allCases)
    func blockingReplace(readers: ReaderKind) throws {
        let protected = readers.make("first")
        let old = try protected.replace(with: "second")
        #expect(old == "first")
        #expect(try protected.withValue { copy $0 } == "second")
        let older = try protected.replace(with: "third")
        #expect(older == "second")
        #expect(try protected.withValue { copy $0 } == "third")
    }

    @Test(
        "blocking retire returns the value, then every operation throws rundownInProgress",
        arguments: ReaderKind.allCases
    )
    func blockingRetire(readers: ReaderKind) throws {
        let protected = readers.make("only")
        #expect(try protected.retire() == "only")
        #expect(throws: RundownError.rundownInProgress) { try protected.withValue { _ in () } }
        #expect(throws: RundownError.rundownInProgress) { _ = try protected.replace(with: "late") }
        #expect(throws: RundownError.rundownInProgress) { _ = try protected.retire() }
    }

    @Test("async replace and retire hand values back in order", arguments: ReaderKind.allCases)
    func asyncReplaceAndRetire(readers: ReaderKind) async throws {
        let protected = readers.make(1)
        #expect(try await protected.replace(with: 2) == 1)
        let seen = try await protected.withValue { value in
            await Task.yield()
            return copy value
        }
        #expect(seen == 2)
        #expect(try await protected.retire() == 2)
        await #expect(throws: RundownError.rundownInProgress) {
            try await protected.withValue { _ in await Task.yield() }
        }
        await #expect(throws: RundownError.rundownInProgress) { _ = try await protected.replace(with: 3) }
        await #expect(throws: RundownError.rundownInProgress) { _ = try await protected.retire() }
    }

    @Test("async withValue runs its body on the caller's actor", arguments: ReaderKind.allCases)
    func asyncWithValueKeepsIsolation(readers: ReaderKind) async throws {
        actor Tally {
            var total = 0
            func add(from protected: RundownProtected<Int>) async throws {
                // The body is isolated to this actor: it mutates `total` without `await`.
                try await protected.withValue { value in
                    total += value
                    await Task.yield()
                    total += value
                }
            }
        }
        let tally = Tally()
        try await tally.add(from: readers.make(21))
        #expect(await tally.total == 42)
    }

    @Test("an object dropped without retire releases its value", arguments: ReaderKind.allCases)
    func deinitReleasesValue(readers: ReaderKind) throws {
        final class Payload: Sendable {}
        weak var weakFirst: Payload?
        weak var weakSecond: Payload?
        do {
            let first = Payload()
            let second = Payload()
            weakFirst = first
            weakSecond = second
            let protected = readers.make(first)
            _ = try protected.replace(with: second)
        }
        #expect(weakFirst == nil)
        #expect(weakSecond == nil)
    }

    // MARK: Waiting for the last reader

    @Test(
        "replace switches new readers at once and returns only after the old value's last reader left",
        arguments: ReaderKind.allCases
    )
    func replaceWaitsForLastReader(readers: ReaderKind) throws {
        let protected = readers.make(TrackedValue(0))
        let oldReaderInside = Atomic<Bool>(false)
        let newReaderSawNewValue = Atomic<Bool>(false)
        let replaceReturned = Atomic<Bool>(false)
        let returnedWhileOldReaderInside = Atomic<Bool>(false)
        let oldValueClean = Atomic<Bool>(false)

        let reader = TestThread {
            try? protected.withValue { value in
                value.use {
                    oldReaderInside.store(true, ordering: .releasing)
                    while !newReaderSawNewValue.load(ordering: .acquiring) { yieldBriefly() }
                    // A new reader already has the new value, and this one still has the old: replace must wait.
                    for _ in 0..<20 {
                        if replaceReturned.load(ordering: .acquiring) {
                            returnedWhileOldReaderInside.store(true, ordering: .relaxed)
                        }
                        yieldBriefly()
                    }
                }
            }
        }
        while !oldReaderInside.load(ordering: .acquiring) { yieldBriefly() }
        let replacer = TestThread {
            let old = try? protected.replace(with: TrackedValue(1))
            replaceReturned.store(true, ordering: .releasing)
            oldValueClean.store(old?.tearDown() == true, ordering: .relaxed)
        }
        // New readers are never refused while the replacement waits; they get the new value once it is installed.
        var newGeneration = 0
        while newGeneration != 1 {
            newGeneration = try protected.withValue { $0.generation }
        }
        newReaderSawNewValue.store(true, ordering: .releasing)
        reader.join()
        replacer.join()
        let returnedEarly = returnedWhileOldReaderInside.load(ordering: .relaxed)
        let cleanTeardown = oldValueClean.load(ordering: .relaxed)
        #expect(!returnedEarly)
        #expect(cleanTeardown)
    }

    @Test(
        "retire refuses new readers at once and returns only after the last reader left",
        arguments: ReaderKind.allCases
    )
    func retireWaitsForLastReader(readers: ReaderKind) async throws {
        let protected = readers.make(TrackedValue(0))
        let readerInside = Atomic<Bool>(false)
        let mayLeave = Atomic<Bool>(false)
        let reader = TestThread {
            try? protected.withValue { value in
                value.use {
                    readerInside.store(true, ordering: .releasing)
                    while !mayLeave.load(ordering: .acquiring) { yieldBriefly() }
                }
            }
        }
        while !readerInside.load(ordering: .acquiring) { await Task.yield() }
        let retiring = Task { try await protected.retire() }
        // Once retirement has begun, new readers are refused even though a reader is still inside.
        while (try? protected.withValue { _ in () }) != nil { await Task.yield() }
        mayLeave.store(true, ordering: .releasing)
        let value = try await retiring.value
        reader.join()
        #expect(value.tearDown())
        #expect(value.usesAfterTeardown == 0)
    }

    // MARK: Stress

    @Test(
        "replacements under concurrent readers: no reader refused, teardown only after the last reader",
        arguments: ReaderKind.allCases
    )
    func replacementsUnderConcurrentReaders(readers: ReaderKind) throws {
        let protected = readers.make(TrackedValue(0))
        // The replacer's loop (one replacement a round), handed over for its summary once the replacer is done.
        let finishedLoop = Mutex<StressLoop?>(nil)
        let log = ReadLog()
        let installed = Atomic<Int>(0)
        let retiring = Atomic<Bool>(false)
        let badTeardowns = Atomic<Int>(0)
        let oldValues = Mutex<[TrackedValue]>([])
        let readersStarted = Atomic<Int>(0)

        TestThread.runConcurrently(5) { index in
            if index == 0 {
                while readersStarted.load(ordering: .acquiring) < 4 { yieldBriefly() }
                var loop = StressLoop("replacements-under-readers", readers: readers, quick: 300, long: 5_000)
                defer { finishedLoop.withLock { $0 = loop } }
                while loop.nextRound() {
                    let generation = loop.rounds
                    // Let the readers in between replacements, so that every replacement races with reads.
                    let readsBefore = log.reads.load(ordering: .relaxed)
                    while log.reads.load(ordering: .relaxed) < readsBefore + 2 { yieldBriefly(microseconds: 10) }
                    guard let old = try? protected.replace(with: TrackedValue(generation)) else { break }
                    installed.store(generation, ordering: .releasing)
                    if !old.tearDown() { badTeardowns.add(1, ordering: .relaxed) }
                    oldValues.withLock { $0.append(old) }
                }
                retiring.store(true, ordering: .releasing)
                if let last = try? protected.retire(), !last.tearDown() { badTeardowns.add(1, ordering: .relaxed) }
                return
            }
            readersStarted.add(1, ordering: .releasing)
            var lastSeen = 0
            while true {
                let atLeast = installed.load(ordering: .acquiring)
                do {
                    let generation = try protected.withValue { value in
                        value.use()
                        return value.generation
                    }
                    log.reads.add(1, ordering: .relaxed)
                    if generation < lastSeen { log.wentBackwards.add(1, ordering: .relaxed) }
                    if generation < atLeast { log.sawStaleValue.add(1, ordering: .relaxed) }
                    lastSeen = generation
                } catch {
                    if !retiring.load(ordering: .acquiring) { log.refusals.add(1, ordering: .relaxed) }
                    return
                }
            }
        }

        let loop = try #require(finishedLoop.withLock { $0 })
        let replacements = loop.rounds
        let reads = log.reads.load(ordering: .relaxed)
        // Operations: the reads, plus one wait (in a replacement) per round.
        loop.report(operations: reads + replacements)
        #expect(log.refusals.load(ordering: .relaxed) == 0)
        #expect(log.wentBackwards.load(ordering: .relaxed) == 0)
        #expect(log.sawStaleValue.load(ordering: .relaxed) == 0)
        #expect(badTeardowns.load(ordering: .relaxed) == 0)
        #expect(reads >= 2 * replacements)
        let values = oldValues.withLock { $0 }
        #expect(values.map(\.generation) == Array(0..<replacements))
        #expect(values.allSatisfy { $0.usesAfterTeardown == 0 })
    }

    @Test(
        "concurrent replacements from tasks and threads are serialized into one chain",
        arguments: ReaderKind.allCases
    )
    func concurrentReplacementsSerialize(readers: ReaderKind) async throws {
        let perReplacer = iterations(quick: 40, long: 2_000)
        let taskReplacers = 4
        let threadReplacers = 2
        let protected = readers.make(TrackedValue(0))
        // Each replacement records (installed, returned); a serialized history is one chain from 0.
        let threadHistories = (0..<threadReplacers).map { _ in ReplacementHistory() }
        let badTeardowns = Counter()
        let refusals = Counter()
        let stop = Counter()

        let threads = (0..<threadReplacers).map { replacer in
            let history = threadHistories[replacer]
            return TestThread {
                for step in 0..<perReplacer {
                    let generation = 1 + (taskReplacers + replacer) * perReplacer + step
                    guard let old = try? protected.replace(with: TrackedValue(generation)) else { return }
                    if !old.tearDown() { badTeardowns.add() }
                    history.record(installed: generation, returned: old.generation)
                }
            }
        }
        // Readers run throughout; the task replacers hand their histories back when they finish.
        let readers = Task {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        while stop.value == 0 {
                            do {
                                try await protected.withValue { value in
                                    value.use()
                                    await Task.yield()
                                    value.use()
                                }
                            } catch {
                                refusals.add()
                            }
                            await Task.yield()
                        }
                    }
                }
            }
        }
        var entries = try await withThrowingTaskGroup(of: [(installed: Int, returned: Int)].self) { replacers in
            for replacer in 0..<taskReplacers {
                replacers.addTask {
                    let history = ReplacementHistory()
                    for step in 0..<perReplacer {
                        let generation = 1 + replacer * perReplacer + step
                        let old = try await protected.replace(with: TrackedValue(generation))
                        if !old.tearDown() { badTeardowns.add() }
                        history.record(installed: generation, returned: old.generation)
                    }
                    return history.entries
                }
            }
            var all: [(installed: Int, returned: Int)] = []
            for try await entries in replacers { all += entries }
            return all
        }
        for thread in threads { thread.join() }
        for history in threadHistories { entries += history.entries }
        stop.add()
        await readers.value
        let last = try await protected.retire()
        #expect(last.tearDown())

        #expect(refusals.value == 0)
        #expect(badTeardowns.value == 0)
        #expect(entries.count == (taskReplacers + threadReplacers) * perReplacer)
        // Follow the chain: every value is handed back by the replacement that came right after it.
        let returnedBy = Dictionary(uniqueKeysWithValues: entries.map { ($0.returned, $0.installed) })
        #expect(returnedBy.count == entries.count)
        var current = 0
        var length = 0
        while let next = returnedBy[current] {
            current = next
            length += 1
        }
        #expect(length == entries.count)
        #expect(current == last.generation)
    }

    @Test("readers racing a retirement either run before it completes or are refused", arguments: ReaderKind.allCases)
    func readersRacingRetirement(readers: ReaderKind) throws {
        for _ in 0..<iterations(quick: 50, long: 2_000) {
            let protected = readers.make(TrackedValue(0))
            let lateUses = Atomic<Int>(0)
            let torn = Mutex<TrackedValue?>(nil)
            TestThread.runConcurrently(4) { index in
                if index == 0 {
                    let value = try? protected.retire()
                    if let value, !value.tearDown() { lateUses.add(1, ordering: .relaxed) }
                    torn.withLock { $0 = value }
                    return
                }
                for _ in 0..<50 {
                    guard (try? protected.withValue({ value in value.use() })) != nil else { return }
                }
            }
            let value = torn.withLock { $0 }
            #expect(lateUses.load(ordering: .relaxed) == 0)
            #expect(value?.usesAfterTeardown == 0)
        }
    }
}
