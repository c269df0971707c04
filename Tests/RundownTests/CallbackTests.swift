// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown
import Synchronization
import Testing

/// The contract's "completion callback" row, for every type.
@Suite("Completion callbacks")
struct CallbackTests {
    @Test("a callback runs once, on the thread of the last release", arguments: RundownFlavor.allCases)
    func callbackRunsOnceOnCompletingThread(flavor: RundownFlavor) throws {
        let rundown = flavor.make()
        let runs = Counter()
        let ranOn = Mutex<UInt64?>(nil)
        let holder = GuardBox(try rundown.tryAcquire())
        rundown.beginRundown {
            runs.add()
            ranOn.withLock { $0 = TestThread.currentThreadID }
        }
        #expect(runs.value == 0)
        #expect(rundown.state == .runningDown(holders: 1))
        let releaser = Mutex<UInt64?>(nil)
        let releasingThread = TestThread {
            releaser.withLock { $0 = TestThread.currentThreadID }
            holder.release()
        }
        releasingThread.join()
        #expect(runs.value == 1)
        let sameThread = ranOn.withLock { ran in releaser.withLock { ran != nil && ran == $0 } }
        #expect(sameThread)
        rundown.waitForRundown()
        rundown.beginRundown()
        #expect(runs.value == 1)
    }

    @Test("a callback registered after completion runs at once", arguments: RundownFlavor.allCases)
    func callbackAfterCompletionRunsAtOnce(flavor: RundownFlavor) {
        let rundown = flavor.make()
        rundown.waitForRundown()
        let runs = Counter()
        rundown.beginRundown { runs.add() }
        #expect(runs.value == 1)
    }

    @Test("a callback on an object without holders runs at once", arguments: RundownFlavor.allCases)
    func callbackWithoutHoldersRunsAtOnce(flavor: RundownFlavor) {
        let rundown = flavor.make()
        let runs = Counter()
        rundown.beginRundown { runs.add() }
        #expect(runs.value == 1)
        #expect(rundown.state == .completed)
    }

    @Test("every callback of a generation runs exactly once, none of the next", arguments: RundownFlavor.allCases)
    func callbacksBelongToTheirGeneration(flavor: RundownFlavor) throws {
        let rundown = flavor.make()
        let first = Counter()
        let second = Counter()
        var holder = try rundown.tryAcquire()
        for _ in 0..<5 { rundown.beginRundown { first.add() } }
        holder.release()
        #expect(first.value == 5)
        rundown.reInitialize()
        holder = try rundown.tryAcquire()
        rundown.beginRundown { second.add() }
        #expect(second.value == 0)
        holder.release()
        #expect(first.value == 5)
        #expect(second.value == 1)
    }

    @Test("a callback may re-enter the object and re-initialize it", arguments: RundownFlavor.allCases)
    func callbackMayReInitialize(flavor: RundownFlavor) throws {
        let rundown = flavor.make()
        let holder = try rundown.tryAcquire()
        rundown.beginRundown {
            #expect(rundown.state == .completed)
            rundown.reInitialize()
        }
        holder.release()
        #expect(rundown.state == .active(holders: 0))
        let again = try rundown.tryAcquire()
        again.release()
    }

    @Test("holders' writes happen-before the callback", arguments: RundownFlavor.allCases)
    func holdersWritesVisibleInCallback(flavor: RundownFlavor) {
        let rundown = flavor.make()
        let cells = PlainCells(count: 4)
        let acquired = Counter()
        let seen = Mutex<[Int]>([])
        let holders = (0..<4).map { index in
            TestThread {
                let guardValue = try? rundown.tryAcquire()
                acquired.add()
                yieldBriefly(microseconds: 300)
                cells[index] = index + 10
                _ = consume guardValue
            }
        }
        waitUntil { acquired.value == 4 }
        rundown.beginRundown {
            let values = (0..<4).map { cells[$0] }
            seen.withLock { $0 = values }
        }
        for holder in holders { holder.join() }
        #expect(seen.withLock { $0 } == [10, 11, 12, 13])
    }
}
