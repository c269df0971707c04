// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown
import Synchronization
import Testing

/// Every value handed out for teardown, by whichever route: a replacement's return, its deferred `teardown`, a
/// retirement. A value handed out twice, or never, fails the test.
private final class TeardownLedger: Sendable {
    private let handedOut = Locked<[Int]>([])

    func tearDown(_ value: Int) {
        handedOut.withLock { $0.append(value) }
    }

    var values: [Int] { handedOut.withLock { $0 } }
}

/// The value a reader saw.
private final class SeenValue: Sendable {
    private let seen = Atomic<Int>(-1)
    func store(_ value: Int) { seen.store(value, ordering: .releasing) }
    var value: Int { seen.load(ordering: .acquiring) }
}

/// A reader that stays inside `withValue` on a thread of its own until told to leave.
private final class StuckReader: Sendable {
    private let inside = Flag()
    private let leave = Flag()
    private let thread: TestThread
    private let seen: SeenValue

    init(_ protected: RundownProtected<Int>) {
        let inside = inside
        let leave = leave
        let seen = SeenValue()
        self.seen = seen
        thread = TestThread {
            try? protected.withValue { value in
                seen.store(value)
                inside.set()
                while !leave.isSet { yieldBriefly() }
            }
        }
        while !inside.isSet { yieldBriefly() }
    }

    /// The value the reader read.
    var value: Int { seen.value }

    /// Lets the reader leave and waits until it has.
    func finish() {
        leave.set()
        thread.join()
    }
}

@Suite("Bounded replacement and retirement")
struct BoundedReplacementTests {
    @Test("a bounded replacement without readers inside hands the old value back", arguments: ReaderKind.allCases)
    func replacesAtOnce(readers: ReaderKind) async throws {
        let protected = readers.make(1)
        let result = try await protected.replace(with: 2, timeout: .seconds(60)) { _ in Issue.record("no teardown") }
        guard case .replaced(let old) = result else {
            Issue.record("expected .replaced, got \(result)")
            return
        }
        #expect(old == 1)
        #expect(try protected.withValue { $0 } == 2)
    }

    @Test(
        "a replacement that times out keeps the new value published and tears the old one down exactly once",
        arguments: ReaderKind.allCases
    )
    func timedOutReplacementDefersTeardown(readers: ReaderKind) async throws {
        let protected = readers.make(1)
        let ledger = TeardownLedger()
        let reader = StuckReader(protected)

        let result = try await protected.replace(with: 2, timeout: .milliseconds(20)) { ledger.tearDown($0) }
        guard case .teardownDeferred = result else {
            Issue.record("expected .teardownDeferred, got \(result)")
            return
        }
        #expect(try protected.withValue { $0 } == 2, "the new value is published")
        #expect(ledger.values.isEmpty, "the old value is still read")
        #expect(reader.value == 1)

        reader.finish()
        #expect(ledger.values == [1], "torn down once, when its last reader left")
        #expect(protected.liveWaiterRecordCount == 0)

        // The writers' turn was handed back with the teardown: the next replacement goes through.
        let next = try await protected.replace(with: 3, timeout: .seconds(60)) { ledger.tearDown($0) }
        guard case .replaced(let old) = next else {
            Issue.record("expected .replaced, got \(next)")
            return
        }
        #expect(old == 2)
        #expect(ledger.values == [1])
    }

    @Test("a cancelled replacement defers the teardown the same way", arguments: ReaderKind.allCases)
    func cancelledReplacementDefersTeardown(readers: ReaderKind) async throws {
        let protected = readers.make(1)
        let ledger = TeardownLedger()
        let reader = StuckReader(protected)

        let task = Task {
            try await protected.replace(with: 2, timeout: .seconds(3_600)) { ledger.tearDown($0) }
        }
        #expect(await eventually { (try? protected.withValue { $0 }) == 2 })
        task.cancel()
        let result = try await task.value
        guard case .teardownDeferred = result else {
            Issue.record("expected .teardownDeferred, got \(result)")
            return
        }
        reader.finish()
        #expect(ledger.values == [1])
        #expect(protected.liveWaiterRecordCount == 0)
    }

    @Test(
        "while a teardown is deferred, the next replacement waits for its turn and installs nothing if it times out",
        arguments: ReaderKind.allCases
    )
    func replacementBehindDeferredTeardown(readers: ReaderKind) async throws {
        let protected = readers.make(1)
        let ledger = TeardownLedger()
        let reader = StuckReader(protected)
        _ = try await protected.replace(with: 2, timeout: .milliseconds(10)) { ledger.tearDown($0) }

        let blocked = try await protected.replace(with: 3, timeout: .milliseconds(20)) { ledger.tearDown($0) }
        guard case .notInstalled = blocked else {
            Issue.record("expected .notInstalled, got \(blocked)")
            return
        }
        #expect(try protected.withValue { $0 } == 2, "3 was not installed")

        // Calling again continues: once the old value's reader leaves, the turn comes.
        let waiting = Task { try await protected.replace(with: 3, timeout: .seconds(60)) { ledger.tearDown($0) } }
        reader.finish()
        let result = try await waiting.value
        guard case .replaced(let old) = result else {
            Issue.record("expected .replaced, got \(result)")
            return
        }
        #expect(old == 2)
        #expect(ledger.values == [1])
        #expect(protected.liveWaiterRecordCount == 0)
    }

    @Test(
        "a retirement that times out stays retired, and calling again returns the value once",
        arguments: ReaderKind.allCases
    )
    func timedOutRetirementContinues(readers: ReaderKind) async throws {
        let protected = readers.make(1)
        let reader = StuckReader(protected)

        #expect(try await protected.retire(timeout: .milliseconds(20)) == nil)
        #expect(throws: RundownError.rundownInProgress) { try protected.withValue { $0 } }
        #expect(try await protected.retire(timeout: .milliseconds(5)) == nil, "the reader is still inside")

        reader.finish()
        #expect(try await protected.retire(timeout: .seconds(60)) == 1)
        await #expect(throws: RundownError.rundownInProgress) { try await protected.retire(timeout: .seconds(1)) }
        await #expect(throws: RundownError.rundownInProgress) { try await protected.retire() }
        #expect(protected.liveWaiterRecordCount == 0)
    }

    @Test("the untimed retirement picks up what a timed-out one left parked", arguments: ReaderKind.allCases)
    func untimedRetirementAfterTimeout(readers: ReaderKind) async throws {
        let protected = readers.make(7)
        let reader = StuckReader(protected)
        #expect(try await protected.retire(timeout: .milliseconds(10)) == nil)
        let retirement = Task { try await protected.retire() }
        reader.finish()
        #expect(try await retirement.value == 7)
    }

    @Test("a cancelled retirement returns nil and loses nothing", arguments: ReaderKind.allCases)
    func cancelledRetirement(readers: ReaderKind) async throws {
        let protected = readers.make(5)
        let reader = StuckReader(protected)
        let task = Task { try await protected.retire(timeout: .seconds(3_600)) }
        #expect(await eventually { (try? protected.withValue { $0 }) == nil })
        task.cancel()
        #expect(try await task.value == nil)
        reader.finish()
        #expect(try await protected.retire(timeout: .seconds(60)) == 5)
    }

    @Test("the blocking twins time out and hand back the same way", arguments: ReaderKind.allCases)
    func blockingTwins(readers: ReaderKind) throws {
        let protected = readers.make(1)
        let ledger = TeardownLedger()
        let reader = StuckReader(protected)
        let result = try protected.replace(with: 2, timeout: .milliseconds(20)) { ledger.tearDown($0) }
        guard case .teardownDeferred = result else {
            Issue.record("expected .teardownDeferred, got \(result)")
            return
        }
        reader.finish()
        #expect(ledger.values == [1])

        let second = StuckReader(protected)
        #expect(try protected.retire(timeout: .milliseconds(20)) == nil)
        second.finish()
        #expect(try protected.retire(timeout: .seconds(60)) == 2)
    }

    @Test(
        "racing bounded replacements with short deadlines hand every value out exactly once",
        arguments: ReaderKind.allCases
    )
    func racingBoundedReplacementsLoseNothing(readers: ReaderKind) async throws {
        let protected = readers.make(0)
        let ledger = TeardownLedger()
        let stop = Flag()
        let readers = (0..<2).map { _ in
            TestThread {
                while !stop.isSet {
                    try? protected.withValue { _ in if Int.random(in: 0..<8) == 0 { yieldBriefly(microseconds: 50) } }
                }
            }
        }
        let perTask = iterations(quick: 150, long: 5_000)
        let installed = try await withThrowingTaskGroup(of: [Int].self) { group in
            for writer in 0..<3 {
                group.addTask {
                    var mine: [Int] = []
                    for step in 0..<perTask {
                        let value = 1 + writer * perTask + step
                        let timeout = Duration.microseconds(Int.random(in: 0..<300))
                        switch try await protected.replace(with: value, timeout: timeout, teardown: ledger.tearDown) {
                        case .replaced(let old):
                            ledger.tearDown(old)
                            mine.append(value)
                        case .teardownDeferred: mine.append(value)
                        case .notInstalled: break
                        }
                    }
                    return mine
                }
            }
            return try await group.reduce(into: [Int]()) { $0 += $1 }
        }
        stop.set()
        for reader in readers { reader.join() }
        let last = try #require(try await protected.retire(timeout: .seconds(60)))
        let everyValue = ([0] + installed).sorted()
        #expect((ledger.values + [last]).sorted() == everyValue, "each installed value handed out exactly once")
        #expect(protected.liveWaiterRecordCount == 0)
    }
}
