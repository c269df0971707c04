// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown

/// `withProtection {}` on a run-down type under benchmark: the everyday form.
final class WithProtectionContender<Rundown: BenchmarkedRundown>: SyncRundownContender {
    static var label: String { "\(Rundown.benchmarkName).withProtection" }

    let rundown = Rundown()

    init() {}

    @inline(__always)
    func protectedNoOp() {
        do {
            try rundown.withProtection {}
        } catch {
            acquisitionFailed(Self.label)
        }
    }

    func runDown() {
        rundown.waitForRundown()
    }

    func canAcquire() -> Bool {
        (try? rundown.withProtection {}) != nil
    }
}

/// `tryAcquire()` and an explicit `release()` of the guard on a run-down type under benchmark.
final class GuardContender<Rundown: BenchmarkedRundown>: SyncRundownContender {
    static var label: String { "\(Rundown.benchmarkName).tryAcquire+release" }

    let rundown = Rundown()

    init() {}

    @inline(__always)
    func protectedNoOp() {
        do {
            let held = try rundown.tryAcquire()
            held.release()
        } catch {
            acquisitionFailed(Self.label)
        }
    }

    func runDown() {
        rundown.waitForRundown()
    }

    func canAcquire() -> Bool {
        (try? rundown.withProtection {}) != nil
    }
}

/// The asynchronous `withProtection {}` on a run-down type under benchmark, called from a task.
final class AsyncWithProtectionContender<Rundown: BenchmarkedRundown>: AsyncRundownContender {
    static var label: String { "\(Rundown.benchmarkName).withProtection async" }

    let rundown = Rundown()

    init() {}

    @inline(__always)
    func protectedNoOp() async {
        do {
            try await rundown.withProtection(isolation: #isolation) {}
        } catch {
            acquisitionFailed(Self.label)
        }
    }

    func runDown() async {
        await rundown.waitForRundown()
    }

    func canAcquire() async -> Bool {
        (try? rundown.withProtection {}) != nil
    }
}
