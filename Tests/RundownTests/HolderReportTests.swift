// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown
import Synchronization
import Testing

/// Holder reports: each acquiring form names its site, thread and task; reports empty out when holders leave; a
/// timed wait that gives up hands one back; objects that do not record say so.
@Suite("Holder reports")
struct HolderReportTests {
    static let file = "RundownTests/HolderReportTests.swift"

    @Test(
        "a guard is reported with its site, thread and count, and is gone once dropped",
        arguments: RundownFlavor.allCases
    )
    func guardIsReported(flavor: RundownFlavor) throws {
        let rundown = flavor.makeRecording()
        let acquired = Flag()
        let release = Flag()
        let line = Mutex(0)
        let thread = TestThread {
            nameCurrentThread("report-guard")
            line.withLock { $0 = #line + 1 }
            let guardValue = try! rundown.tryAcquire(count: 2)
            acquired.set()
            while !release.isSet { yieldBriefly() }
            guardValue.release()
        }
        while !acquired.isSet { yieldBriefly() }

        let report = rundown.holderReport()
        #expect(report.isRecording)
        #expect(report.holderCount == 2)
        try #require(report.holders.count == 1)
        let holder = report.holders[0]
        #expect(holder.fileID == Self.file)
        #expect(holder.line == line.withLock { $0 })
        #expect(holder.function == "guardIsReported(flavor:)")
        #expect(holder.thread.contains("report-guard"))
        #expect(!holder.inTask)
        #expect(holder.count == 2)
        #expect(!holder.isCancellable)
        #expect(report.description.contains("\(Self.file):\(holder.line) in guardIsReported(flavor:)"))

        release.set()
        thread.join()
        let after = rundown.holderReport()
        #expect(after.holders.isEmpty)
        #expect(after.holderCount == 0)
        #expect(after.description == "no run-down holders inside")
        #expect(liveHolderRecords(rundown) == 0)
    }

    @Test("withProtection (sync) is reported while its body runs", arguments: RundownFlavor.allCases)
    func synchronousProtectionIsReported(flavor: RundownFlavor) throws {
        let rundown = flavor.makeRecording()
        let line = #line + 1
        let inside = try rundown.withProtection { rundown.holderReport() }
        try #require(inside.holders.count == 1)
        #expect(inside.holders[0].site == "\(Self.file):\(line) in synchronousProtectionIsReported(flavor:)")
        #expect(inside.holders[0].count == 1)
        #expect(rundown.holderReport().holders.isEmpty)
        #expect(liveHolderRecords(rundown) == 0)
    }

    @Test("withProtection (async) in a named task is reported with the task's name", arguments: RundownFlavor.allCases)
    func asynchronousProtectionNamesTheTask(flavor: RundownFlavor) async throws {
        let rundown = flavor.makeRecording()
        let line = #line + 2
        let report = { @Sendable () async throws -> RundownHolderReport in
            try await rundown.withProtection(isolation: nil) {
                await Task.yield()
                return rundown.holderReport()
            }
        }
        let hasTaskNames = runtimeHasTaskNames()
        let inside: RundownHolderReport
        if #available(macOS 26.0, iOS 26.0, watchOS 26.0, tvOS 26.0, visionOS 26.0, *) {
            inside = try await Task(name: "request 42", operation: report).value
        } else {
            inside = try await Task(operation: report).value
        }
        try #require(inside.holders.count == 1)
        let holder = inside.holders[0]
        #expect(holder.inTask)
        #expect(holder.taskID != nil)
        #expect(holder.line == line)
        if hasTaskNames {
            #expect(holder.taskName == "request 42")
            #expect(holder.description.contains("task \"request 42\""))
        } else {
            // Where the runtime has no task names, the task is told apart by its identifier.
            #expect(holder.taskName == nil)
            #expect(holder.description.contains("(unnamed)"))
        }
        #expect(rundown.holderReport().holders.isEmpty)
        #expect(liveHolderRecords(rundown) == 0)
    }

    @Test("holders of one task share its identifier, and other tasks' holders have other ones")
    func taskIdentifiersTellTasksApart() async throws {
        final class Progress: Sendable {
            let bothInside = Atomic<Int>(0)
            let reportTaken = Atomic<Bool>(false)
        }
        let rundown = RundownRef(recordingHolders: true)
        let progress = Progress()
        let holders = (0..<2).map { _ in
            Task { @Sendable in
                try await rundown.withProtection(isolation: nil) {
                    try await rundown.withProtection(isolation: nil) {
                        progress.bothInside.add(1, ordering: .relaxed)
                        // Suspends, rather than blocking a thread of the cooperative pool.
                        while !progress.reportTaken.load(ordering: .acquiring) {
                            try await Task.sleep(for: .milliseconds(1))
                        }
                    }
                }
            }
        }
        while progress.bothInside.load(ordering: .relaxed) < 2 { try await Task.sleep(for: .milliseconds(1)) }
        let report = rundown.holderReport()
        progress.reportTaken.store(true, ordering: .releasing)
        for holder in holders { try await holder.value }
        try #require(report.holders.count == 4)
        let identifiers = report.holders.map(\.taskID)
        #expect(!identifiers.contains(nil))
        #expect(Set(identifiers).count == 2, "two tasks, two holders each: \(identifiers)")
        let unnamed = report.holders.filter { $0.taskName == nil }
        #expect(unnamed.allSatisfy { $0.description.contains("task #") })
    }

    @Test("the unguarded pair is reported, and its release forgets the right record", arguments: RundownFlavor.allCases)
    func unguardedPairIsReported(flavor: RundownFlavor) throws {
        let rundown = flavor.makeRecording()
        let firstLine = #line + 1
        #expect(rundown.unsafeTryAcquire(count: 3))
        let secondLine = #line + 1
        #expect(rundown.unsafeTryAcquire(count: 1))

        let report = rundown.holderReport()
        #expect(report.holderCount == 4)
        try #require(report.holders.count == 2)
        #expect(report.holders.map(\.line) == [firstLine, secondLine], "oldest first")
        #expect(report.holders.map(\.count) == [3, 1])

        rundown.unsafeRelease(count: 3)
        #expect(rundown.holderReport().holders.map(\.line) == [secondLine])
        rundown.unsafeRelease(count: 1)
        #expect(rundown.holderReport().holders.isEmpty)
        #expect(liveHolderRecords(rundown) == 0)
    }

    // Found by the fuzzer (Fuzz/, input 01 01 00 49 6e 3e): an unguarded release inside a scope took the scope's
    // record, so the report named the released unguarded holder, and kept it after both had left.
    @Test(
        "an unguarded release never takes the record of a guard or a scope of the same size",
        arguments: RundownFlavor.allCases
    )
    func unguardedReleaseLeavesScopedRecords(flavor: RundownFlavor) throws {
        let rundown = flavor.makeRecording()
        #expect(rundown.unsafeTryAcquire(count: 1))
        let scopeLine = #line + 1
        let inside = try rundown.withProtection { () -> RundownHolderReport in
            rundown.unsafeRelease(count: 1)
            return rundown.holderReport()
        }
        #expect(inside.holders.map(\.line) == [scopeLine], "the scope is still inside, the unguarded holder left")
        let guardLine = #line + 1
        let guardValue = try rundown.tryAcquire()
        #expect(rundown.unsafeTryAcquire(count: 1))
        rundown.unsafeRelease(count: 1)
        #expect(rundown.holderReport().holders.map(\.line) == [guardLine])
        guardValue.release()
        #expect(rundown.holderReport().holders.isEmpty)
        #expect(liveHolderRecords(rundown) == 0)
    }

    @Test("a timed-out wait hands back the report of who is inside", arguments: RundownFlavor.allCases)
    func timedOutWaitReturnsTheReport(flavor: RundownFlavor) async throws {
        let rundown = flavor.makeRecording()
        let line = #line + 1
        let box = GuardBox(try rundown.tryAcquire())

        let report = try #require(await rundown.waitForRundownReportingHolders(timeout: .milliseconds(20)))
        #expect(report.holderCount == 1)
        #expect(report.holders.map(\.line) == [line])
        #expect(report.description.hasPrefix("1 run-down holder inside: [1] \(Self.file):\(line)"))
        #expect(rundown.state == .runningDown(holders: 1))

        box.release()
        #expect(await rundown.waitForRundownReportingHolders(timeout: .seconds(60)) == nil)
        #expect(liveHolderRecords(rundown) == 0)
    }

    @Test("the blocking timed wait hands back the report too")
    func blockingTimedOutWaitReturnsTheReport() throws {
        let rundown = RundownRef(recordingHolders: true)
        let box = GuardBox(try rundown.tryAcquire())
        let report = rundown.waitForRundownReportingHolders(timeout: .milliseconds(20))
        #expect(report?.holders.count == 1)
        box.release()
        #expect(rundown.waitForRundownReportingHolders(timeout: .seconds(60)) == nil)
    }

    @Test("an object that does not record reports only the count, and says how to turn recording on")
    func recordingOffReportsTheCount() throws {
        let rundown = RundownRef()
        #expect(!rundown.isRecordingHolders)
        let box = GuardBox(try rundown.tryAcquire())
        let report = rundown.holderReport()
        #expect(!report.isRecording)
        #expect(report.holders.isEmpty)
        #expect(report.holderCount == 1)
        #expect(report.description.contains("recordingHolders: true"))
        #expect(!rundown.hasWaiterStore, "asking for a report allocates nothing")
        box.release()
    }

    @Test("an embedded engine records its holders and keeps recording across generations")
    func embeddedEngineRecords() throws {
        final class Connection: Sendable {
            let rundown = RundownEngine(recordingHolders: true)
        }
        let connection = Connection()
        let recording = connection.rundown.isRecordingHolders
        #expect(recording)
        for _ in 0..<3 {
            let line = #line + 1
            let inside = try connection.rundown.withProtection { connection.rundown.holderReport() }
            #expect(inside.holders.map(\.line) == [line])
            connection.rundown.waitForRundown()
            connection.rundown.reInitialize()
            let stillRecording = connection.rundown.isRecordingHolders
            #expect(stillRecording)
        }
        let records = connection.rundown.liveHolderRecordCount
        #expect(records == 0)
    }

    @Test("RundownProtected reports its readers")
    func protectedReportsReaders() async throws {
        let protected = RundownProtected("config v1", recordingHolders: true)
        let line = #line + 1
        let inside = try protected.withValue { _ in protected.holderReport() }
        #expect(inside.holders.map(\.site) == ["\(Self.file):\(line) in protectedReportsReaders()"])
        #expect(protected.holderReport().holders.isEmpty)
        _ = try await protected.replace(with: "config v2")
        #expect(try protected.withValue { _ in protected.holderReport().holders.count } == 1)
        #expect(protected.liveHolderRecordCount == 0)
    }

    @Test("many threads acquiring and releasing leave no record behind", arguments: RundownFlavor.allCases)
    func concurrentHoldersLeaveNoRecord(flavor: RundownFlavor) throws {
        let rundown = flavor.makeRecording()
        let rounds = iterations(quick: 2_000, long: 200_000)
        TestThread.runConcurrently(4) { index in
            for round in 0..<rounds {
                switch (index + round) % 3 {
                case 0: try! rundown.withProtection { #expect(rundown.holderReport().holderCount >= 1) }
                case 1: try! rundown.tryAcquire().release()
                default:
                    if rundown.unsafeTryAcquire(count: 2) { rundown.unsafeRelease(count: 2) }
                }
            }
        }
        #expect(rundown.state == .active(holders: 0))
        #expect(rundown.holderReport().holders.isEmpty)
        #expect(liveHolderRecords(rundown) == 0)
        rundown.waitForRundown()
        #expect(rundown.state == .completed)
    }
}

/// Whether the concurrency runtime names tasks (`Task(name:)`, `Task.name`): Linux, and Apple platforms from their
/// 26 releases on.
private func runtimeHasTaskNames() -> Bool {
    if #available(macOS 26.0, iOS 26.0, watchOS 26.0, tvOS 26.0, visionOS 26.0, *) { return true }
    return false
}
