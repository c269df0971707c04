// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown
import Synchronization
import Testing

/// What is specific to ``CacheAwareRundownRef``: slots, folding, cross-slot releases. The contract itself runs
/// against it through ``RundownFlavor``.
@Suite("Cache-aware slots")
struct CacheAwareScalingTests {
    /// The processors this machine has; pinning beyond them fails.
    static let processorCount = RundownTestThread.processorCount

    /// Whether the tests that put threads on two distinct CPUs can run here.
    static let canPinTwoThreads = canPinThreads && processorCount >= 2

    @Test("the default slot count is a power of two covering every CPU")
    func defaultSlotCount() {
        let rundown = CacheAwareRundownRef()
        #expect(rundown.slotCount >= min(Self.processorCount, CacheAwareRundownRef.maximumSlotCount))
        #expect(rundown.slotCount & (rundown.slotCount - 1) == 0)
        #expect(rundown.memoryFootprint >= (rundown.slotCount + 2) * 128 + (rundown.slotCount + 1) * 256)
        print(
            "\(rundown), \(rundown.memoryFootprint) bytes; process fast path: \(CacheAwareRundownRef.processFastPath)"
        )
    }

    @Test("explicit slot counts work end to end, on both fast paths", arguments: [1, 2, 64], [false, true])
    func explicitSlotCounts(slotCount: Int, forcingAtomicSlots: Bool) throws {
        let rundown = CacheAwareRundownRef(slotCount: slotCount, forcingAtomicSlots: forcingAtomicSlots)
        #expect(rundown.slotCount == slotCount)
        for _ in 0..<3 {
            let one = try rundown.tryAcquire()
            let many = try rundown.tryAcquire(count: 5)
            #expect(rundown.state == .active(holders: 6))
            rundown.beginRundown()
            #expect(rundown.state == .runningDown(holders: 6))
            #expect(throws: RundownError.rundownInProgress) { _ = try rundown.tryAcquire() }
            many.release()
            #expect(rundown.state == .runningDown(holders: 1))
            one.release()
            #expect(rundown.state == .completed)
            if rundown.fastPath != .restartableSequences {
                // Atomic slots: every slot closed and empty. (Restartable sequences keep net sums in the slots.)
                for index in 0..<slotCount {
                    #expect(rundown.slotSnapshot(index) == (holders: 0, isClosed: true))
                }
            }
            rundown.reInitialize()
            #expect(rundown.state == .active(holders: 0))
        }
    }

    #if !RUNDOWN_NO_EXIT_TESTS
    @Test("a slot count that is not a power of two traps")
    func invalidSlotCountTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = CacheAwareRundownRef(slotCount: 3)
        }
        expectMessage(result, contains: "needs a power-of-two slot count from 1 to 128, got 3")
    }
    #endif

    @Test(
        "atomic slots: a guard acquired on one CPU is released into its slot from another, before and after run-down",
        .enabled(if: canPinTwoThreads, "needs two CPUs and thread pinning (Apple platforms cannot pin threads)")
    )
    func guardReleasedOnAnotherSlot() {
        let rundown = CacheAwareRundownRef(slotCount: 2, forcingAtomicSlots: true)
        let boxes = Mutex<[GuardBox]>([])
        // Acquire two guards on CPU 0, so both count in slot 0.
        TestThread {
            #expect(RundownTestThread.pinCurrentThread(to: 0))
            for _ in 0..<2 {
                if let guardValue = try? rundown.tryAcquire() {
                    let box = GuardBox(guardValue)
                    boxes.withLock { $0.append(box) }
                }
            }
        }.join()
        #expect(rundown.slotSnapshot(0).holders == 2)
        // Release one on CPU 1 while active: it must come off slot 0, not slot 1.
        TestThread {
            #expect(RundownTestThread.pinCurrentThread(to: 1))
            boxes.withLock { $0[0].release() }
        }.join()
        #expect(rundown.slotSnapshot(0).holders == 1)
        #expect(rundown.slotSnapshot(1).holders == 0)
        rundown.beginRundown()
        #expect(rundown.state == .runningDown(holders: 1))
        // Release the other on CPU 1 after its slot was folded: that completes the run-down.
        TestThread {
            #expect(RundownTestThread.pinCurrentThread(to: 1))
            boxes.withLock { $0[1].release() }
        }.join()
        #expect(rundown.state == .completed)
    }

    @Test(
        "run-down that starts while every slot has holders waits for all of them",
        .enabled(if: canPinTwoThreads, "needs two CPUs and thread pinning (Apple platforms cannot pin threads)"),
        arguments: [false, true]
    )
    func rundownWithHoldersOnEverySlot(forcingAtomicSlots: Bool) {
        let cpus = 2
        let rundown = CacheAwareRundownRef(slotCount: 2, forcingAtomicSlots: forcingAtomicSlots)
        let acquired = Counter()
        let inside = Counter()
        let mayLeave = Atomic<Bool>(false)
        let holders = (0..<4).map { index in
            TestThread {
                #expect(RundownTestThread.pinCurrentThread(to: index % cpus))
                let guardValue = try? rundown.tryAcquire()
                inside.add()
                acquired.add()
                while !mayLeave.load(ordering: .relaxed) { yieldBriefly(microseconds: 100) }
                inside.add(-1)
                _ = consume guardValue
            }
        }
        waitUntil { acquired.value == 4 }
        #expect(rundown.slotSnapshot(0).holders == 2)
        #expect(rundown.slotSnapshot(1).holders == 2)
        rundown.beginRundown()
        #expect(rundown.state == .runningDown(holders: 4))
        #expect(rundown.waitForRundown(timeout: .milliseconds(5)) == false)
        mayLeave.store(true, ordering: .relaxed)
        rundown.waitForRundown()
        #expect(inside.value == 0)
        for holder in holders { holder.join() }
    }

    @Test(
        "run-down and re-initialization loop with holders on every slot, on both fast paths",
        arguments: [1, 2, 64],
        [false, true]
    )
    func rundownLoopWithHoldersOnAllSlots(slotCount: Int, forcingAtomicSlots: Bool) {
        let cpus = min(Self.processorCount, 2)
        let rounds = iterations(quick: 300, long: 50_000)
        let rundown = CacheAwareRundownRef(slotCount: slotCount, forcingAtomicSlots: forcingAtomicSlots)
        let stop = Atomic<Bool>(false)
        let inside = Counter()
        let acquisitions = Counter()
        let releases = Counter()
        let holders = (0..<4).map { index in
            TestThread {
                RundownTestThread.pinCurrentThread(to: index % cpus)
                while !stop.load(ordering: .relaxed) {
                    guard let guardValue = try? rundown.tryAcquire(count: 1 + index % 2) else { continue }
                    acquisitions.add(guardValue.count)
                    inside.add()
                    inside.add(-1)
                    releases.add(guardValue.count)
                    guardValue.release()
                }
            }
        }
        var violations = 0
        for _ in 0..<rounds {
            rundown.waitForRundown()
            if inside.value != 0 { violations += 1 }
            if rundown.state != .completed { violations += 1 }
            rundown.reInitialize()
        }
        stop.store(true, ordering: .relaxed)
        for holder in holders { holder.join() }
        #expect(violations == 0)
        #expect(acquisitions.value == releases.value)
        #expect(rundown.state == .active(holders: 0))
    }

    @Test(
        "restartable sequences: a guard acquired on one CPU and released on another leaves net counts that add up",
        .enabled(if: canPinTwoThreads, "needs two CPUs and thread pinning (Apple platforms cannot pin threads)"),
        .enabled(
            if: CacheAwareRundownRef.processFastPath == .restartableSequences,
            "this process uses the atomic-slot path"
        )
    )
    func netCountsAcrossCPUs() {
        let rundown = CacheAwareRundownRef(slotCount: 2)
        let boxes = Mutex<[GuardBox]>([])
        TestThread(pinnedTo: 0) {
            for _ in 0..<2 {
                if let guardValue = try? rundown.tryAcquire() {
                    let box = GuardBox(guardValue)
                    boxes.withLock { $0.append(box) }
                }
            }
        }.join()
        #expect(rundown.state == .active(holders: 2))
        TestThread(pinnedTo: 1) { boxes.withLock { $0[0].release() } }.join()
        // Slot 0 still counts two acquisitions and slot 1 one release: only the sum means anything.
        #expect(Self.netUnits(rundown, 0) == 2 && Self.netUnits(rundown, 1) == -1)
        #expect(rundown.state == .active(holders: 1))
        rundown.beginRundown()
        #expect(rundown.state == .runningDown(holders: 1))
        TestThread(pinnedTo: 1) { boxes.withLock { $0[1].release() } }.join()
        #expect(rundown.state == .completed)
        // The slots are not reset; the next generation counts from their sums.
        rundown.reInitialize()
        #expect(rundown.state == .active(holders: 0))
        let third = TestThread(pinnedTo: 1) { _ = rundown.unsafeTryAcquire(count: 3) }
        third.join()
        #expect(rundown.state == .active(holders: 3))
        rundown.unsafeRelease(count: 3)
        #expect(rundown.waitForRundown(timeout: .zero))
    }

    @Test(
        "restartable sequences: a CPU beyond the slot count counts in the overflow word, and its holders are folded",
        .enabled(if: canPinTwoThreads, "needs two CPUs and thread pinning (Apple platforms cannot pin threads)"),
        .enabled(
            if: CacheAwareRundownRef.processFastPath == .restartableSequences,
            "this process uses the atomic-slot path"
        )
    )
    func overflowForCPUsWithoutSlot() {
        // One slot: CPU 0 has it, CPU 1 has none and takes the overflow word.
        let rundown = CacheAwareRundownRef(slotCount: 1)
        let boxes = Mutex<[GuardBox]>([])
        TestThread(pinnedTo: 1) {
            if let guardValue = try? rundown.tryAcquire(count: 2) {
                let box = GuardBox(guardValue)
                boxes.withLock { $0.append(box) }
            }
        }.join()
        #expect(rundown.slotSnapshot(rundown.slotCount).holders == 2, "the overflow word counts the CPU without slot")
        #expect(rundown.state == .active(holders: 2))
        // Released on CPU 0, which has a slot: net counts, so it may land there.
        TestThread(pinnedTo: 0) { boxes.withLock { $0[0].release() } }.join()
        #expect(rundown.state == .active(holders: 0))
        TestThread(pinnedTo: 1) {
            if let guardValue = try? rundown.tryAcquire() {
                let box = GuardBox(guardValue)
                boxes.withLock { $0.append(box) }
            }
        }.join()
        rundown.beginRundown()
        #expect(rundown.state == .runningDown(holders: 1))
        #expect(rundown.slotSnapshot(rundown.slotCount).isClosed, "the fold closed the overflow word")
        TestThread(pinnedTo: 1) {
            #expect(throws: RundownError.rundownInProgress) { _ = try rundown.tryAcquire() }
            boxes.withLock { $0[1].release() }
        }.join()
        #expect(rundown.state == .completed)
        rundown.reInitialize()
        #expect(rundown.state == .active(holders: 0))
    }

    /// Slot `index`'s raw net count, in holders.
    static func netUnits(_ rundown: CacheAwareRundownRef, _ index: Int) -> Int {
        let snapshot = rundown.slotSnapshot(index)
        // `holders` reads the count bits unsigned; a negative net count wraps around the 32-bit field.
        return snapshot.holders > Int(Int32.max) ? snapshot.holders - (1 << 32) : snapshot.holders
    }
}
