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

    @Test("a named RundownProtected counts readers refused after retirement, and samples its readers")
    func namedProtectedReports() async throws {
        let metrics = testMetrics
        let protected = RundownProtected(7, name: "metrics protected")
        let dimensions = [("object", "metrics protected"), ("kind", "RundownProtected")]
        try protected.withValue { _ in
            MetricsSampler.sampleNow()
            do {
                let metric = try metrics.expectGauge("rundown.holders", dimensions)
                #expect(metric.lastValue == 1)
            }
        }
        #expect(try await protected.retire() == 7)
        #expect(throws: RundownError.rundownInProgress) { try protected.withValue { _ in } }
        do {
            let metric = try metrics.expectCounter("rundown.refused", dimensions)
            #expect(metric.totalValue == 1)
        }
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
