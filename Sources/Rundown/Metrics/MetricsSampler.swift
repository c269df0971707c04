// SPDX-License-Identifier: Apache-2.0

/// Samples the holders of every named object into its `rundown.holders` gauge, once a second, on the process's timer
/// thread (``DeadlineTimers``): the fast paths never touch the gauge.
///
/// An object registers a probe when it is created with a name and unregisters it in its `deinit`, under the same lock
/// the sampler reads the probes with, so a probe never runs for an object that is gone. Without the `MetricsSupport`
/// trait there are no metrics, nothing registers and the sampler never starts.
enum MetricsSampler {
    /// What the sampler reads for one object.
    struct Probe: Sendable {
        let metrics: ObjectMetrics
        let holders: @Sendable () -> Int
    }

    private static let probes = ConditionLock<[UInt: Probe]>([:])

    /// The sampling period.
    static let period = Duration.seconds(1)

    /// Whether the periodic timer has been started.
    private static let started = ConditionLock(false)

    /// Registers `holders` (read under the sampler's lock) for the object `identity`.
    static func register(_ identity: UInt, metrics: ObjectMetrics, holders: @escaping @Sendable () -> Int) {
        probes.withLock { $0[identity] = Probe(metrics: metrics, holders: holders) }
        let first = started.withLock { started in
            defer { started = true }
            return !started
        }
        if first { scheduleNextSample() }
    }

    /// Registers `object`'s holders (`holders`, called with the object under the sampler's lock and without retaining
    /// it) if it has `metrics`; the object calls ``unregister(_:)`` in its `deinit`.
    static func register<Object: AnyObject & Sendable>(
        _ object: Object,
        metrics: ObjectMetrics?,
        holders: @escaping @Sendable (Object) -> Int
    ) {
        guard let metrics else { return }
        let unretained = UnretainedObject(Unmanaged.passUnretained(object))
        register(UInt(bitPattern: ObjectIdentifier(object)), metrics: metrics) {
            unretained.reference._withUnsafeGuaranteedRef(holders)
        }
    }

    /// Unregisters the object `identity`; once this returns, its probe does not run again.
    static func unregister(_ identity: UInt) {
        probes.withLock { _ = $0.removeValue(forKey: identity) }
    }

    /// Samples every registered object now.
    static func sampleNow() {
        probes.withLock { probes in
            for probe in probes.values { probe.metrics.sampled(holders: probe.holders()) }
        }
    }

    private static func scheduleNextSample() {
        _ = DeadlineTimers.shared.schedule(at: MonotonicDeadline(fromNow: period)) {
            sampleNow()
            scheduleNextSample()
        }
    }
}

/// An object's reference that does not keep it alive, for a probe that runs only while the object is registered.
private struct UnretainedObject<Object: AnyObject & Sendable>: @unchecked Sendable {
    // `@unchecked Sendable`: the object is Sendable; the reference is used only under the sampler's lock, while the
    // object is registered, and it unregisters (under the same lock) before it is freed.
    let reference: Unmanaged<Object>

    init(_ reference: Unmanaged<Object>) {
        self.reference = reference
    }
}
