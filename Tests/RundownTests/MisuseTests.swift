// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown
import Testing

// Exit tests need a platform that can start a child process; `RUNDOWN_NO_EXIT_TESTS` is defined (Package.swift) where
// Swift Testing has none: iOS, tvOS, watchOS and visionOS. `ExitTestsUnavailable.swift` reports them skipped there.
#if !RUNDOWN_NO_EXIT_TESTS

/// Every misuse the contract names traps, in optimized builds too, with a message that names the mistake.
///
/// Each test runs the misuse in a child process (an exit test) and checks its standard error. The two seed-crate
/// re-initialization traps (active with no holders, running down with one) are in ``SeedCrateTests``.
@Suite("Misuse traps")
struct MisuseTests {
    // MARK: Releasing what was not acquired

    /// What an over-release traps with: at the release, or (restartable-sequence slots hold net counts) when
    /// run-down begins and the fold finds `net` holders.
    static func overReleaseMessage(_ flavor: RundownFlavor, atRelease: String, net: Int) -> String {
        flavor.checksEveryRelease
            ? "run-down protection released without a matching acquire: \(atRelease)"
            : "run-down protection released without a matching acquire: the per-CPU slots of a CacheAwareRundownRef "
                + "hold \(net) holders when its run-down begins"
    }

    @Test("unsafe release without any acquire", arguments: RundownFlavor.allCases)
    func releaseWithoutAcquire(flavor: RundownFlavor) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [flavor] in
            let rundown = flavor.make()
            rundown.unsafeRelease(count: 1)
            rundown.beginRundown()
        }
        expectMessage(result, contains: Self.overReleaseMessage(flavor, atRelease: "releasing 1 while 0", net: -1))
    }

    @Test("unsafe release of more than was acquired", arguments: RundownFlavor.allCases)
    func releaseMoreThanAcquired(flavor: RundownFlavor) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [flavor] in
            let rundown = flavor.make()
            _ = rundown.unsafeTryAcquire(count: 2)
            rundown.unsafeRelease(count: 3)
            rundown.beginRundown()
        }
        expectMessage(
            result,
            contains: Self.overReleaseMessage(flavor, atRelease: "releasing 3 while 2 holders are inside", net: -1)
        )
    }

    @Test("unsafe release of more than was acquired, while running down", arguments: RundownFlavor.allCases)
    func releaseMoreThanAcquiredWhileRunningDown(flavor: RundownFlavor) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [flavor] in
            let rundown = flavor.make()
            _ = rundown.unsafeTryAcquire(count: 1)
            rundown.beginRundown()
            rundown.unsafeRelease(count: 2)
        }
        expectMessage(result, contains: "released without a matching acquire: releasing 2 while 1 holders are inside")
    }

    @Test("unsafe release once more after a guard released everything", arguments: RundownFlavor.allCases)
    func releaseAfterGuardReleased(flavor: RundownFlavor) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [flavor] in
            let rundown = flavor.make()
            let guardValue = try? rundown.tryAcquire(count: 2)
            guardValue?.release()
            rundown.unsafeRelease(count: 1)
            rundown.beginRundown()
        }
        expectMessage(result, contains: "run-down protection released without a matching acquire")
    }

    // MARK: Count overflow

    /// A fresh object of `flavor` and the most holders one acquisition path can count: the whole word of
    /// ``RundownRef``; one slot of ``CacheAwareRundownRef``, built with a single slot so that every acquisition
    /// lands in it whichever CPU runs it. The atomic-slot path checks at every acquisition; the restartable-sequence
    /// path (net counts) checks the total when run-down begins, see ``foldCountsAtMostItsLimit(_:)``.
    static func overflowSubject(_ flavor: RundownFlavor) -> (rundown: any RundownProtection, limit: Int) {
        switch flavor {
        case .plain: (RundownRef(), Int(UInt32.max))
        case .cacheAware, .cacheAwareAtomic:
            (
                CacheAwareRundownRef(slotCount: 1, forcingAtomicSlots: true),
                CacheAwareRundownRef.maximumHoldersPerSlot
            )
        }
    }

    @Test("tryAcquire(count:) beyond what the holder count can hold", arguments: RundownFlavor.allCases)
    func countBeyondWord(flavor: RundownFlavor) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [flavor] in
            _ = try? flavor.make().tryAcquire(count: Int(UInt32.max) + 1)
        }
        expectMessage(result, contains: "count 4294967296 would overflow the holder count (at most 4294967295 holders)")
    }

    @Test("tryAcquire(count:) one beyond the most holders", arguments: RundownFlavor.allCases)
    func countOneBeyondLimit(flavor: RundownFlavor) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [flavor] in
            let (rundown, limit) = Self.overflowSubject(flavor)
            _ = try? rundown.tryAcquire(count: limit + 1)
        }
        expectMessage(result, contains: "would overflow the holder count")
        expectMessage(result, contains: "\(Self.overflowSubject(flavor).limit)")
    }

    @Test("unsafe.tryAcquire(count: .max)", arguments: RundownFlavor.allCases)
    func unsafeCountIntMax(flavor: RundownFlavor) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [flavor] in
            _ = flavor.make().unsafeTryAcquire(count: .max)
        }
        expectMessage(result, contains: "would overflow the holder count")
    }

    @Test("one more holder when the count is at its maximum", arguments: RundownFlavor.allCases)
    func oneMoreAtMaximum(flavor: RundownFlavor) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [flavor] in
            let (rundown, limit) = Self.overflowSubject(flavor)
            guard rundown.unsafeTryAcquire(count: limit) else { return }
            _ = try? rundown.tryAcquire()
        }
        expectMessage(result, contains: "acquiring 1 more run-down holders would overflow the holder count")
        expectMessage(result, contains: "(\(Self.overflowSubject(flavor).limit) inside")
    }

    @Test("a count that fits alone but not on top of the holders inside", arguments: RundownFlavor.allCases)
    func countOnTopOfHolders(flavor: RundownFlavor) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [flavor] in
            let (rundown, limit) = Self.overflowSubject(flavor)
            guard rundown.unsafeTryAcquire(count: limit - 1) else { return }
            _ = try? rundown.tryAcquire(count: 2)
        }
        expectMessage(result, contains: "acquiring 2 more run-down holders would overflow the holder count")
        expectMessage(result, contains: "(\(Self.overflowSubject(flavor).limit - 1) inside")
    }

    @Test("filling the count exactly is allowed and releases back to zero", arguments: RundownFlavor.allCases)
    func fillingTheCountExactly(flavor: RundownFlavor) throws {
        let (rundown, limit) = Self.overflowSubject(flavor)
        #expect(rundown.unsafeTryAcquire(count: limit - 1))
        let last = try rundown.tryAcquire()
        #expect(rundown.state == .active(holders: limit))
        rundown.beginRundown()
        #expect(rundown.state == .runningDown(holders: limit))
        last.release()
        rundown.unsafeRelease(count: limit - 1)
        #expect(rundown.state == .completed)
    }

    @Test(
        "restartable-sequence slots: more holders than a fold can count trap when run-down begins",
        .enabled(
            if: CacheAwareRundownRef.processFastPath == .restartableSequences,
            "this process uses the atomic-slot path"
        )
    )
    func foldCountsAtMostItsLimit() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let rundown = CacheAwareRundownRef(slotCount: 1)
            _ = rundown.unsafeTryAcquire(count: 1 << 30)
            rundown.beginRundown()
        }
        expectMessage(result, contains: "holds 1073741824 holders when its run-down begins, more than the 1073741823")
    }

    // MARK: Counts that are not positive

    @Test(
        "tryAcquire(count:) with a count that is not positive",
        arguments: RundownFlavor.allCases,
        [0, -1, Int.min]
    )
    func acquireNonPositiveCount(flavor: RundownFlavor, count: Int) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            [flavor, count] in
            _ = try? flavor.make().tryAcquire(count: count)
        }
        expectMessage(result, contains: "acquired or released with a count of \(count); the count must be positive")
    }

    @Test("unsafe.tryAcquire(count:) with a count that is not positive", arguments: RundownFlavor.allCases, [0, -3])
    func unsafeAcquireNonPositiveCount(flavor: RundownFlavor, count: Int) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            [flavor, count] in
            _ = flavor.make().unsafeTryAcquire(count: count)
        }
        expectMessage(result, contains: "acquired or released with a count of \(count); the count must be positive")
    }

    @Test("unsafe.release(count:) with a count that is not positive", arguments: RundownFlavor.allCases, [0, -3])
    func unsafeReleaseNonPositiveCount(flavor: RundownFlavor, count: Int) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            [flavor, count] in
            let rundown = flavor.make()
            _ = rundown.unsafeTryAcquire(count: 1)
            rundown.unsafeRelease(count: count)
        }
        expectMessage(result, contains: "acquired or released with a count of \(count); the count must be positive")
    }

    // MARK: Re-initialization in the wrong state

    @Test("re-initialize while active with holders", arguments: RundownFlavor.allCases)
    func reInitializeActiveWithHolders(flavor: RundownFlavor) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [flavor] in
            let rundown = flavor.make()
            let guardValue = try? rundown.tryAcquire(count: 2)
            rundown.reInitialize()
            _ = consume guardValue
        }
        expectMessage(result, contains: "re-initialized while active (2 holders) before run-down began: run down first")
    }

    @Test("re-initialize twice after one run-down", arguments: RundownFlavor.allCases)
    func reInitializeTwice(flavor: RundownFlavor) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [flavor] in
            let rundown = flavor.make()
            await rundown.waitForRundown()
            rundown.reInitialize()
            rundown.reInitialize()
        }
        expectMessage(result, contains: "re-initialized while active (0 holders) before run-down began")
    }

    @Test("re-initialize after a timed wait gave up", arguments: RundownFlavor.allCases)
    func reInitializeAfterTimeout(flavor: RundownFlavor) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [flavor] in
            let rundown = flavor.make()
            let guardValue = try? rundown.tryAcquire()
            if await !rundown.waitForRundown(timeout: .milliseconds(1)) {
                rundown.reInitialize()
            }
            _ = consume guardValue
        }
        expectMessage(result, contains: "re-initialized while 1 holders remain: wait for run-down to complete first")
    }

    @Test("re-initialize while running down names the holders left", arguments: RundownFlavor.allCases)
    func reInitializeRunningDownWithCounts(flavor: RundownFlavor) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [flavor] in
            let rundown = flavor.make()
            _ = rundown.unsafeTryAcquire(count: 5)
            rundown.unsafeRelease(count: 1)
            rundown.beginRundown()
            rundown.reInitialize()
        }
        expectMessage(result, contains: "re-initialized while 4 holders remain")
    }
}

#endif
