// SPDX-License-Identifier: Apache-2.0
import Synchronization
import Testing

@_spi(Testing) @testable import Rundown

/// The holder records themselves: one thread's slab as a state machine (written, read, freed, reused), reports that are
/// exact whenever the object is quiet under a churn of every acquiring form on many threads, and the process-wide view.
@Suite("Holder records")
struct HolderRecordTests {
    static let site = HolderSite(fileID: #fileID, line: 7, function: #function)

    /// A record of thread 42, outside a task, at ``site``.
    static func record(owner: UInt, units: UInt64, kind: HolderKind, at now: Int64, order: UInt64) -> NewHolderRecord {
        NewHolderRecord(
            owner: owner,
            site: site,
            thread: 42,
            task: nil,
            acquiredAt: now,
            units: units,
            kind: kind,
            order: order
        )
    }

    // MARK: One slab, one thread

    @Test("a record is read back whole, freed once, and its slot reused with a new sequence number")
    func writeReadFreeReuse() throws {
        let slab = HolderRecordSlab(ownerThread: .current)
        let owner: UInt = 0x1230
        let token = try #require(
            slab.write(
                Self.record(
                    owner: owner,
                    units: 8,
                    kind: .scoped,
                    at: 1_000,
                    order: 1
                )
            )
        )
        let records = slab.snapshot { $0 == owner }
        try #require(records.count == 1)
        let record = records[0]
        #expect(record.token == token)
        #expect(record.site.line == 7 && record.site.fileID == #fileID)
        #expect(record.thread == 42 && record.task == 0 && record.taskName == nil)
        #expect(record.units == 8 && record.kind == .scoped && record.acquiredAt == 1_000 && record.order == 1)
        #expect(slab.snapshot { $0 != owner }.isEmpty, "another owner's report sees nothing")

        HolderRecordSlab.free(token)
        #expect(slab.snapshot { _ in true }.isEmpty)
        #expect(!HolderRecordSlab.free(token, ifHeaderIs: record.header), "a stale header frees nothing")

        // The same slot is written again (the slab looks there first after a full turn) with a newer sequence.
        var reused: HolderRecord?
        for order in 2..<UInt64(2 + HolderRecordSlab.capacity) {
            let next = try #require(
                slab.write(
                    Self.record(
                        owner: owner,
                        units: 4,
                        kind: .unguarded,
                        at: 2_000,
                        order: order
                    )
                )
            )
            if next == token { reused = slab.snapshot { $0 == owner }.first { $0.token == token } }
        }
        let again = try #require(reused)
        #expect(again.header != record.header && again.header > record.header)
        #expect(again.kind == .unguarded && again.units == 4)
    }

    @Test("a full slab refuses the next record; a free one makes room")
    func fullSlab() throws {
        let slab = HolderRecordSlab(ownerThread: .current)
        var tokens: [HolderToken] = []
        for order in 0..<UInt64(HolderRecordSlab.capacity) {
            tokens.append(
                try #require(
                    slab.write(
                        Self.record(
                            owner: 1,
                            units: 4,
                            kind: .scoped,
                            at: 0,
                            order: order
                        )
                    )
                )
            )
        }
        #expect(Set(tokens.map(\.rawValue)).count == HolderRecordSlab.capacity)
        #expect(
            slab.write(Self.record(owner: 1, units: 4, kind: .scoped, at: 0, order: 99))
                == nil
        )
        HolderRecordSlab.free(tokens[17])
        #expect(
            slab.write(Self.record(owner: 1, units: 4, kind: .scoped, at: 0, order: 100))
                == tokens[17]
        )
        #expect(slab.snapshot { $0 == 1 }.count == HolderRecordSlab.capacity)
    }

    @Test("of two frees racing for one record, exactly one wins")
    func racingFrees() throws {
        let slab = HolderRecordSlab(ownerThread: .current)
        let token = try #require(
            slab.write(Self.record(owner: 1, units: 4, kind: .unguarded, at: 0, order: 0))
        )
        let header = try #require(slab.snapshot { _ in true }.first).header
        #expect(HolderRecordSlab.free(token, ifHeaderIs: header))
        #expect(!HolderRecordSlab.free(token, ifHeaderIs: header))
    }

    @Test("a task's name is kept, cut at a character boundary when it is long")
    func taskNames() async throws {
        guard runtimeHasTaskNames() else { return }
        let rundown = RundownRef(recordingHolders: true)
        let long = String(repeating: "é", count: 40)  // 80 bytes: more than a record keeps
        for name in ["short", long] {
            let report = try await namedTask(name) { try rundown.withProtection { rundown.holderReport() } }
            let kept = try #require(report.holders.first?.taskName)
            #expect(name.hasPrefix(kept) && !kept.isEmpty)
            #expect(kept.utf8.count <= HolderRecordSlab.taskNameCapacity)
            #expect(kept.unicodeScalars.allSatisfy { $0 != "\u{FFFD}" })
        }
    }

    // MARK: Exact once quiet

    @Test(
        "under a churn of every acquiring form on threads and tasks, every quiet moment's report is exactly who is inside",
        arguments: RecordingSubject.allCases
    )
    func exactWhenQuiet(subject: RecordingSubject) async throws {
        let rundown = subject.make()
        let threads = 3
        let rounds = iterations(quick: 30, long: 2_000)
        let ledger = HolderLedger(threads: threads)
        let barrier = RoundBarrier(parties: threads + 1)
        let workers = (0..<threads).map { index in
            TestThread {
                var generator = SeededGenerator(seed: 91, stream: index)
                for _ in 0..<rounds {
                    ledger.churn(rundown, thread: index, using: &generator)  // ends holding some guards and pairs
                    barrier.arriveAndWait()  // quiet: the checker compares
                    barrier.arriveAndWait()  // the checker is done
                    ledger.releaseEverything(rundown, thread: index)
                }
            }
        }
        for round in 0..<rounds {
            // Two tasks hold protection across a suspension while the threads churn.
            let gate = AsyncGate()
            let entered = Counter()
            let taskLine = #line + 3
            let tasks = (0..<2).map { _ in
                Task {
                    try await rundown.withProtection(isolation: nil) {
                        entered.add()
                        await gate.wait()
                    }
                }
            }
            while entered.value < 2 { await Task.yield() }
            barrier.arriveAndWait()
            var expected = ledger.expectedCounts()
            expected[taskLine, default: 0] += 2
            let report = rundown.holderReport()
            let reported = report.holders.reduce(into: [Int: Int]()) { $0[$1.line, default: 0] += $1.count }
            #expect(reported == expected, "round \(round): reported \(reported), expected \(expected)")
            #expect(report.holderCount == expected.values.reduce(0, +))
            #expect(report.holders.filter { $0.line == taskLine }.allSatisfy { $0.inTask && $0.taskID != nil })
            barrier.arriveAndWait()
            gate.open()
            for task in tasks { try await task.value }
        }
        for worker in workers { worker.join() }
        #expect(rundown.holderReport().holders.isEmpty)
        #expect(rundown.liveHolderRecordCount == 0)
    }

    // MARK: Process-wide

    @Test("the process-wide report lists every recording object's holders, oldest first, under each object's name")
    func processWide() throws {
        let requests = RundownRef(name: "process-wide requests", recordingHolders: true)
        let uploads = CacheAwareRundownRef(name: "process-wide uploads", recordingHolders: true)
        let unnamed = RundownRef(recordingHolders: true)
        let first = try requests.tryAcquire()
        usleep(20_000)  // more than a tick of the coarse clock, so that the order is the order of acquisition
        let second = try uploads.tryAcquire(count: 2)
        usleep(20_000)
        let unnamedLine = #line + 1
        let third = try unnamed.tryAcquire()
        let report = RundownHolderReport.everyRecordingObject()
        #expect(report.isProcessWide)
        let named = report.holders.filter { $0.objectName?.hasPrefix("process-wide") == true }
        #expect(named.map(\.objectName) == ["process-wide requests", "process-wide uploads"], "oldest first")
        #expect(named.last?.count == 2)
        let unnamedHolder = report.holders.first { $0.line == unnamedLine && $0.fileID == #fileID }
        #expect(unnamedHolder?.objectName?.hasPrefix("RundownRef #") == true)
        #expect(report.description.contains("process-wide requests: RundownTests/HolderRecordTests.swift:"))
        #expect(requests.holderReport().holders.first?.objectName == "process-wide requests")
        #expect(unnamed.holderReport().holders.first?.objectName == nil)
        first.release()
        second.release()
        third.release()
        #expect(
            !RundownHolderReport.everyRecordingObject().holders.contains {
                $0.objectName?.hasPrefix("process-wide") == true
            }
        )
    }

    @Test("recording objects register and unregister: thousands created and dropped leave the registry as it was")
    func registryLeaksNothing() throws {
        for index in 0..<iterations(quick: 20_000, long: 1_000_000) {
            let rundown = RundownRef(name: "churn \(index)", recordingHolders: true)
            try rundown.withProtection { #expect(rundown.holderReport().holders.count == 1) }
            if index % 3 == 0 { #expect(rundown.unsafeTryAcquire(count: 2)) }  // left open: its records go with it
        }
        #expect(RecordingObjects.count(namedWithPrefix: "churn ") == 0)
        #expect(
            !RundownHolderReport.everyRecordingObject().holders.contains { $0.objectName?.hasPrefix("churn ") == true }
        )
    }
}

/// The run-down types the recording tests run on.
enum RecordingSubject: String, CaseIterable, Sendable, CustomStringConvertible {
    case rundownRef, cacheAware, cacheAwareAtomic, engine

    func make() -> any RundownProtecting {
        switch self {
        case .rundownRef: RundownRef(recordingHolders: true)
        case .cacheAware: CacheAwareRundownRef(recordingHolders: true)
        case .cacheAwareAtomic:
            CacheAwareRundownRef(slotCount: 2, fastPath: .atomicSlots(reason: "test"), recordingHolders: true)
        case .engine: EngineBox(RundownEngine(recordingHolders: true))
        }
    }

    var description: String { rawValue }
}

/// Runs `body` in a task named `name` where the runtime names tasks.
private func namedTask<Result: Sendable>(
    _ name: String,
    _ body: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    if #available(macOS 26.0, iOS 26.0, watchOS 26.0, tvOS 26.0, visionOS 26.0, *) {
        return try await Task(name: name, operation: body).value
    }
    return try await Task(operation: body).value
}

/// Whether the concurrency runtime names tasks.
private func runtimeHasTaskNames() -> Bool {
    if #available(macOS 26.0, iOS 26.0, watchOS 26.0, tvOS 26.0, visionOS 26.0, *) { return true }
    return false
}
