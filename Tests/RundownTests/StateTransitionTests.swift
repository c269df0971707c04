// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown
import Testing

/// One test per state transition of the contract's operations table (../shared/DESIGN.md), for every type.
@Suite("State transitions")
struct StateTransitionTests {
    @Test("acquire adds holders while active; a guard releases what it acquired", arguments: RundownFlavor.allCases)
    func acquireAndReleaseCounts(flavor: RundownFlavor) throws {
        let rundown = flavor.make()
        let one = try rundown.tryAcquire()
        let three = try rundown.tryAcquire(count: 3)
        #expect(three.count == 3)
        #expect(rundown.state == .active(holders: 4))
        three.release()
        #expect(rundown.state == .active(holders: 1))
        one.release()
        #expect(rundown.state == .active(holders: 0))
    }

    @Test("a guard releases when its scope ends", arguments: RundownFlavor.allCases)
    func guardReleasesAtEndOfScope(flavor: RundownFlavor) throws {
        let rundown = flavor.make()
        do {
            let guardValue = try rundown.tryAcquire(count: 2)
            #expect(guardValue.count == 2)
            #expect(rundown.state == .active(holders: 2))
        }
        #expect(rundown.state == .active(holders: 0))
    }

    @Test("begin run-down with holders: running down; the last release completes", arguments: RundownFlavor.allCases)
    func beginWithHoldersThenLastReleaseCompletes(flavor: RundownFlavor) throws {
        let rundown = flavor.make()
        let first = try rundown.tryAcquire()
        let second = try rundown.tryAcquire(count: 2)
        rundown.beginRundown()
        #expect(rundown.state == .runningDown(holders: 3))
        second.release()
        #expect(rundown.state == .runningDown(holders: 1))
        first.release()
        #expect(rundown.state == .completed)
    }

    @Test("begin run-down without holders completes at once", arguments: RundownFlavor.allCases)
    func beginWithoutHoldersCompletes(flavor: RundownFlavor) {
        let rundown = flavor.make()
        rundown.beginRundown()
        #expect(rundown.state == .completed)
    }

    @Test("begin run-down is idempotent and a no-op in later states", arguments: RundownFlavor.allCases)
    func beginIsIdempotent(flavor: RundownFlavor) throws {
        let rundown = flavor.make()
        let guardValue = try rundown.tryAcquire()
        rundown.beginRundown()
        rundown.beginRundown()
        #expect(rundown.state == .runningDown(holders: 1))
        guardValue.release()
        rundown.beginRundown()
        #expect(rundown.state == .completed)
    }

    @Test("acquisition fails while running down and leaves the count alone", arguments: RundownFlavor.allCases)
    func acquireFailsWhileRunningDown(flavor: RundownFlavor) throws {
        let rundown = flavor.make()
        let guardValue = try rundown.tryAcquire()
        rundown.beginRundown()
        #expect(throws: RundownError.rundownInProgress) { _ = try rundown.tryAcquire() }
        #expect(throws: RundownError.rundownInProgress) { _ = try rundown.tryAcquire(count: 5) }
        #expect(rundown.unsafeTryAcquire(count: 2) == false)
        #expect(rundown.state == .runningDown(holders: 1))
        guardValue.release()
        #expect(rundown.state == .completed)
    }

    @Test("withProtection runs the body while active and refuses while running down", arguments: RundownFlavor.allCases)
    func withProtectionRunsOrRefuses(flavor: RundownFlavor) throws {
        let rundown = flavor.make()
        let seen = try rundown.withProtection { rundown.state }
        #expect(seen == .active(holders: 1))
        #expect(rundown.state == .active(holders: 0))
        rundown.beginRundown()
        var ran = false
        #expect(throws: RundownError.rundownInProgress) { try rundown.withProtection { ran = true } }
        #expect(!ran)
    }

    @Test("withProtection releases when the body throws", arguments: RundownFlavor.allCases)
    func withProtectionReleasesOnThrow(flavor: RundownFlavor) {
        struct BodyFailed: Error, Equatable {}
        let rundown = flavor.make()
        #expect(throws: BodyFailed()) { try rundown.withProtection { throw BodyFailed() } }
        #expect(rundown.state == .active(holders: 0))
    }

    @Test("async withProtection holds across suspension and releases after", arguments: RundownFlavor.allCases)
    func asyncWithProtection(flavor: RundownFlavor) async throws {
        let rundown = flavor.make()
        let seen = try await rundown.withProtection(isolation: #isolation) { () async -> RundownState in
            await Task.yield()
            return rundown.state
        }
        #expect(seen == .active(holders: 1))
        #expect(rundown.state == .active(holders: 0))
        rundown.beginRundown()
        await #expect(throws: RundownError.rundownInProgress) {
            try await rundown.withProtection(isolation: #isolation) { await Task.yield() }
        }
    }

    @Test("the unsafe pair acquires and releases counts", arguments: RundownFlavor.allCases)
    func unsafePair(flavor: RundownFlavor) {
        let rundown = flavor.make()
        #expect(rundown.unsafeTryAcquire(count: 2))
        #expect(rundown.unsafeTryAcquire(count: 1))
        #expect(rundown.state == .active(holders: 3))
        rundown.beginRundown()
        rundown.unsafeRelease(count: 2)
        #expect(rundown.state == .runningDown(holders: 1))
        rundown.unsafeRelease(count: 1)
        #expect(rundown.state == .completed)
    }

    @Test("re-initialize opens a new generation", arguments: RundownFlavor.allCases)
    func reInitializeOpens(flavor: RundownFlavor) throws {
        let rundown = flavor.make()
        for _ in 0..<3 {
            rundown.waitForRundown()
            #expect(rundown.state == .completed)
            rundown.reInitialize()
            #expect(rundown.state == .active(holders: 0))
            let guardValue = try rundown.tryAcquire()
            #expect(rundown.state == .active(holders: 1))
            guardValue.release()
        }
    }

    #if !RUNDOWN_NO_EXIT_TESTS
    @Test("re-initialize traps while running down", arguments: RundownFlavor.allCases)
    func reInitializeWhileRunningDownTraps(flavor: RundownFlavor) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [flavor] in
            let rundown = flavor.make()
            _ = rundown.unsafeTryAcquire(count: 3)
            rundown.beginRundown()
            rundown.reInitialize()
        }
        expectMessage(result, contains: "re-initialized while 3 holders remain")
    }
    #endif

    @Test("state descriptions name the state")
    func stateDescriptions() {
        #expect(RundownState.active(holders: 2).description == "active (2 holders)")
        #expect(RundownState.runningDown(holders: 1).description == "running down (1 holders)")
        #expect(RundownState.completed.description == "completed")
    }
}
