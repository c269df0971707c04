// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown
import Synchronization
import Testing

/// The tests of the Rust `run-down` 0.1.1 crate, ported, for every run-down type.
@Suite("Seed crate behaviour")
struct SeedCrateTests {
    @Test("acquisition succeeds when not run down", arguments: RundownFlavor.allCases)
    func acquireWhenNotRunDown(flavor: RundownFlavor) throws {
        let rundown = flavor.make()
        let guardValue = try rundown.tryAcquire()
        #expect(rundown.state == .active(holders: 1))
        guardValue.release()
        #expect(rundown.state == .active(holders: 0))
    }

    @Test("acquisition fails with rundownInProgress after run-down", arguments: RundownFlavor.allCases)
    func acquireAfterRundownFails(flavor: RundownFlavor) {
        let rundown = flavor.make()
        rundown.waitForRundown()
        #expect(throws: RundownError.rundownInProgress) { _ = try rundown.tryAcquire() }
        #expect(rundown.state == .completed)
    }

    @Test("ten successive waits all return", arguments: RundownFlavor.allCases)
    func tenSuccessiveWaits(flavor: RundownFlavor) {
        let rundown = flavor.make()
        for _ in 0..<10 {
            rundown.waitForRundown()
            #expect(rundown.state == .completed)
        }
    }

    @Test("re-init after run-down, then run down again", arguments: RundownFlavor.allCases)
    func reInitThenRunDownAgain(flavor: RundownFlavor) throws {
        let rundown = flavor.make()
        rundown.waitForRundown()
        rundown.reInitialize()
        #expect(rundown.state == .active(holders: 0))
        let guardValue = try rundown.tryAcquire()
        guardValue.release()
        rundown.waitForRundown()
        #expect(rundown.state == .completed)
        #expect(throws: RundownError.rundownInProgress) { _ = try rundown.tryAcquire() }
    }

    #if !RUNDOWN_NO_EXIT_TESTS
    @Test("re-init traps without run-down", arguments: RundownFlavor.allCases)
    func reInitWithoutRundownTraps(flavor: RundownFlavor) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [flavor] in
            flavor.make().reInitialize()
        }
        expectMessage(result, contains: "re-initialized while active (0 holders)")
    }

    @Test("re-init traps with a holder", arguments: RundownFlavor.allCases)
    func reInitWithHolderTraps(flavor: RundownFlavor) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [flavor] in
            let rundown = flavor.make()
            let guardValue = try? rundown.tryAcquire()
            rundown.beginRundown()
            rundown.reInitialize()
            _ = consume guardValue
        }
        expectMessage(result, contains: "re-initialized while 1 holders remain")
    }
    #endif

    @Test("20 threads acquire while the main thread runs down", arguments: RundownFlavor.allCases)
    func threadsAcquireWhileRunningDown(flavor: RundownFlavor) {
        let rundown = flavor.make()
        let inside = Atomic<Int>(0)
        let acquired = Atomic<Int>(0)
        let refused = Atomic<Int>(0)
        let workers = (0..<20).map { _ in
            TestThread {
                do {
                    let guardValue = try rundown.tryAcquire()
                    acquired.add(1, ordering: .relaxed)
                    inside.add(1, ordering: .relaxed)
                    yieldBriefly(microseconds: 1_000)
                    inside.subtract(1, ordering: .relaxed)
                    guardValue.release()
                } catch {
                    refused.add(1, ordering: .relaxed)
                }
            }
        }
        yieldBriefly(microseconds: 500)
        rundown.waitForRundown()
        // The wait returned: nobody may still be inside.
        #expect(inside.load(ordering: .relaxed) == 0)
        #expect(rundown.state == .completed)
        for worker in workers { worker.join() }
        #expect(acquired.load(ordering: .relaxed) + refused.load(ordering: .relaxed) == 20)
        #expect(inside.load(ordering: .relaxed) == 0)
    }

    @Test(
        "stress: 25 threads acquire and release while one loops run-down and re-init",
        arguments: RundownFlavor.allCases
    )
    func stressRundownReInitLoop(flavor: RundownFlavor) {
        let rundown = flavor.make()
        let rounds = iterations(quick: 300, long: 20_000)
        let stop = Atomic<Bool>(false)
        let inside = Atomic<Int>(0)
        let violations = Atomic<Int>(0)
        let workers = (0..<25).map { _ in
            TestThread {
                while !stop.load(ordering: .relaxed) {
                    guard let guardValue = try? rundown.tryAcquire() else { continue }
                    inside.add(1, ordering: .relaxed)
                    inside.subtract(1, ordering: .relaxed)
                    guardValue.release()
                }
            }
        }
        for _ in 0..<rounds {
            rundown.waitForRundown()
            if inside.load(ordering: .relaxed) != 0 { violations.add(1, ordering: .relaxed) }
            rundown.reInitialize()
        }
        stop.store(true, ordering: .relaxed)
        for worker in workers { worker.join() }
        #expect(violations.load(ordering: .relaxed) == 0)
        #expect(rundown.state == .active(holders: 0))
    }
}
