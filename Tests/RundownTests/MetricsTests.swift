// SPDX-License-Identifier: Apache-2.0
#if MetricsSupport
import Metrics
import MetricsTestKit
import Testing

@_spi(Testing) @testable import Rundown

/// The test metrics backend, bootstrapped once for the test process (swift-metrics allows one bootstrap).
private let testMetrics: TestMetrics = {
    let metrics = TestMetrics()
    MetricsSystem.bootstrap(metrics)
    return metrics
}()

/// With the `MetricsSupport` trait, a named object reports its holders, refusals, run-down and wait times and stuck
/// holders to swift-metrics; an unnamed one reports nothing.
@Suite("Metrics", .serialized)
struct MetricsTests {
    @Test("a named RundownRef reports each of its metrics", arguments: ["RundownRef", "CacheAwareRundownRef"])
    func namedObjectReports(kind: String) async throws {
        let metrics = testMetrics
        let name = "metrics \(kind)"
        let rundown: any RundownProtection =
            kind == "RundownRef" ? RundownRef(name: name) : CacheAwareRundownRef(name: name)
        let dimensions = [("object", name), ("kind", kind)]

        let first = try rundown.tryAcquire()
        let second = try rundown.tryAcquire()
        MetricsSampler.sampleNow()
        do {
            let metric = try metrics.expectGauge("rundown.holders", dimensions)
            #expect(metric.lastValue == 2)
        }

        let completed = await rundown.waitForRundown(timeout: .milliseconds(5))  // begins run-down, gives up
        #expect(!completed)
        do {
            let metric = try metrics.expectCounter("rundown.stuck.holders", dimensions)
            #expect(metric.totalValue == 2)
        }
        #expect(throws: RundownError.rundownInProgress) { try rundown.withProtection {} }
        #expect(rundown.unsafeTryAcquire() == false)
        do {
            let metric = try metrics.expectCounter("rundown.refused", dimensions)
            #expect(metric.totalValue == 2)
        }

        first.release()
        second.release()  // completes the run-down
        let rundownTimer = try metrics.expectTimer("rundown.rundown.duration", dimensions)
        #expect(rundownTimer.values.count == 1)
        #expect((rundownTimer.lastValue ?? 0) >= 5_000_000, "from the begin, through the 5 ms wait, to completion")

        await rundown.waitForRundown()  // returns at once: a second wait
        let waitTimer = try metrics.expectTimer("rundown.wait.duration", dimensions)
        #expect(waitTimer.values.count == 2)
        MetricsSampler.sampleNow()
        do {
            let metric = try metrics.expectGauge("rundown.holders", dimensions)
            #expect(metric.lastValue == 0)
        }
    }

    @Test(
        "a named RundownProtected reports its readers, refusals, replacement run-downs, waits and stuck readers",
        arguments: ReaderKind.allCases
    )
    func namedProtectedReports(readers: ReaderKind) async throws {
        let metrics = testMetrics
        let name = "metrics protected \(readers)"
        let protected = readers.make(7, name: name)
        let dimensions = [("object", name), ("kind", "RundownProtected")]
        try protected.withValue { _ in
            MetricsSampler.sampleNow()
            let metric = try metrics.expectGauge("rundown.holders", dimensions)
            #expect(metric.lastValue == 1)
        }

        // A replacement with nobody inside: one run-down and one wait, no stuck reader.
        #expect(try await protected.replace(with: 8) == 7)
        let rundownTimer = try metrics.expectTimer("rundown.rundown.duration", dimensions)
        #expect(rundownTimer.values.count == 1)
        #expect(try metrics.expectTimer("rundown.wait.duration", dimensions).values.count == 1)

        // A bounded replacement that gives up on a reader inside: a wait and a stuck reader; the run-down completes
        // when the reader leaves.
        let outcome = try protected.withValue { _ in
            try protected.replace(with: 9, timeout: .milliseconds(5)) { _ in }
        }
        guard case .teardownDeferred = outcome else {
            Issue.record("the replacement did not give up with a reader inside: \(outcome)")
            return
        }
        #expect(try metrics.expectTimer("rundown.wait.duration", dimensions).values.count == 2)
        #expect(try metrics.expectCounter("rundown.stuck.holders", dimensions).totalValue == 1)
        #expect(rundownTimer.values.count == 2, "the reader left, completing the old slot's run-down")
        #expect((rundownTimer.lastValue ?? 0) >= 5_000_000, "from the close, through the 5 ms wait, to the leave")

        #expect(try await protected.retire() == 9)
        #expect(throws: RundownError.rundownInProgress) { try protected.withValue { _ in } }
        #expect(try metrics.expectCounter("rundown.refused", dimensions).totalValue == 1)
    }

    @Test("an unnamed object reports nothing, and a named object that goes away stops being sampled")
    func unnamedObjectsAreSilent() throws {
        let metrics = testMetrics
        let before = metrics.counters.count + metrics.timers.count
        let rundown = RundownRef()
        rundown.beginRundown()
        #expect(throws: RundownError.rundownInProgress) { try rundown.withProtection {} }
        #expect(metrics.counters.count + metrics.timers.count == before)

        var named: RundownRef? = RundownRef(name: "metrics short-lived")
        weak let gone = named
        named = nil
        #expect(gone == nil)
        MetricsSampler.sampleNow()  // must not touch the object that went away
    }
}
#endif
