// SPDX-License-Identifier: Apache-2.0
#if MetricsSupport
import Metrics
#endif

/// What a named run-down object reports to swift-metrics (with the package trait `MetricsSupport`; without it, nothing
/// and no dependency), every metric with the dimensions `object` (the name) and `kind` (`RundownRef`, ...):
///
/// | metric | type | when |
/// | --- | --- | --- |
/// | `rundown.holders` | gauge | sampled once a second by the process's timer thread; never on a fast path |
/// | `rundown.refused` | counter | an acquisition refused because run-down has begun (its slow path) |
/// | `rundown.rundown.duration` | timer | from the call that begins a run-down to its completion |
/// | `rundown.wait.duration` | timer | every wait for run-down, from its start to its return |
/// | `rundown.stuck.holders` | counter | holders still inside when a timed wait gives up |
///
/// Only objects created with a name report (``RundownRef/init(name:recordingHolders:)`` and the like): an unnamed
/// object's fast and slow paths are exactly those of a build without the trait. For a named object the fast paths do
/// not change either; the metrics are updated on slow paths only (a refusal, beginning and completing a run-down, a
/// wait).
final class ObjectMetrics: Sendable {
    #if MetricsSupport
    private let refusedCounter: Counter
    private let stuckCounter: Counter
    private let rundownTimer: Metrics.Timer
    private let waitTimer: Metrics.Timer
    private let holdersGauge: Gauge
    #endif

    /// When the current run-down began (``Platform/monotonicNanoseconds()``), zero if none is timed.
    private let rundownBegan = ConditionLock<Int64>(0)

    /// The metrics of the object `name` of kind `kind`; `nil` without the trait.
    static func make(name: String, kind: String) -> ObjectMetrics? {
        #if MetricsSupport
        ObjectMetrics(name: name, kind: kind)
        #else
        nil
        #endif
    }

    #if MetricsSupport
    private init(name: String, kind: String) {
        let dimensions = [("object", name), ("kind", kind)]
        refusedCounter = Counter(label: "rundown.refused", dimensions: dimensions)
        stuckCounter = Counter(label: "rundown.stuck.holders", dimensions: dimensions)
        rundownTimer = Metrics.Timer(label: "rundown.rundown.duration", dimensions: dimensions)
        waitTimer = Metrics.Timer(label: "rundown.wait.duration", dimensions: dimensions)
        holdersGauge = Gauge(label: "rundown.holders", dimensions: dimensions)
    }
    #endif

    /// An acquisition was refused.
    func refused() {
        #if MetricsSupport
        refusedCounter.increment()
        #endif
    }

    /// This call began a run-down.
    func rundownBegan(at now: Int64) {
        rundownBegan.withLock { $0 = now }
    }

    /// The run-down completed.
    func rundownCompleted(at now: Int64) {
        let began = rundownBegan.withLock { began in
            defer { began = 0 }
            return began
        }
        guard began != 0 else { return }
        #if MetricsSupport
        rundownTimer.recordNanoseconds(now - began)
        #endif
    }

    /// A wait that started at `start` returned.
    func waited(since start: Int64) {
        #if MetricsSupport
        waitTimer.recordNanoseconds(Platform.monotonicNanoseconds() - start)
        #endif
    }

    /// A wait that started at `start` returned, `drained` or not; if not, `holdersInside` says how many holders it
    /// gave up on.
    func waited(since start: Int64, drained: Bool, holdersInside: () -> Int) {
        waited(since: start)
        if !drained { gaveUp(holders: holdersInside()) }
    }

    /// A timed wait gave up with `holders` inside.
    func gaveUp(holders: Int) {
        #if MetricsSupport
        if holders > 0 { stuckCounter.increment(by: Int64(holders)) }
        #endif
    }

    /// The sampler read `holders` inside.
    func sampled(holders: Int) {
        #if MetricsSupport
        holdersGauge.record(holders)
        #endif
    }
}
