// SPDX-License-Identifier: Apache-2.0
import Benchmark
import CThreadState
import Dispatch
@_spi(Testing) import Rundown
import Synchronization

/// The metric of the latency benchmarks: nanoseconds from just before the waking call (the last release) to the
/// waiter running again, one sample per benchmark iteration.
let wakeLatency = BenchmarkMetric.custom("wake latency (ns)", polarity: .prefersSmaller, useScalingFactor: false)

/// The bare condition variable measured inside every run-down latency benchmark, alternating with it sample by
/// sample, so that their ratio compares the two under the same machine load.
let condvarWakeLatency = BenchmarkMetric.custom(
    "condvar wake latency (ns)",
    polarity: .prefersSmaller,
    useScalingFactor: false
)

/// The bare continuation resume measured inside every async run-down latency benchmark, like
/// ``condvarWakeLatency``.
let continuationWakeLatency = BenchmarkMetric.custom(
    "continuation wake latency (ns)",
    polarity: .prefersSmaller,
    useScalingFactor: false
)

/// How long the waker sleeps once the waiter's thread is asleep (or, where that cannot be seen, once the waiter has
/// begun waiting), before it wakes the waiter.
let parkingDelayMicroseconds = 500

/// The waker runs pinned to the first usable CPU, a blocking waiter to the second (where there is one). An async
/// waiter runs wherever the concurrency runtime's thread pool runs it.
private let waker = PinnedWorker(cpu: usableCPUs[0])
private let blockingWaiter = PinnedWorker(cpu: usableCPUs[1 % usableCPUs.count])

private func latencyConfiguration(_ metrics: [BenchmarkMetric]) -> Benchmark.Configuration {
    .init(
        metrics: metrics,
        units: Dictionary(uniqueKeysWithValues: metrics.map { ($0, .count) }),
        warmupIterations: 5,
        scalingFactor: .one,
        maxDuration: .seconds(2),
        maxIterations: 400
    )
}

/// Registers the run-down latency benchmarks and their references.
///
/// Names are `Latency blocking <label>` and `Latency async <label>`. The references, the bare condition variable
/// and the bare continuation resume, have benchmarks of their own and are also measured inside each run-down
/// benchmark, alternating sample by sample.
func registerLatencyBenchmarks() {
    Benchmark("Latency blocking \(ConditionVariableProbe.label)", configuration: latencyConfiguration([wakeLatency])) {
        benchmark in
        benchmark.measurement(wakeLatency, measureWake(ConditionVariableProbe.self))
    }
    Benchmark("Latency async \(ContinuationProbe.label)", configuration: latencyConfiguration([wakeLatency])) {
        benchmark in
        benchmark.measurement(wakeLatency, measureWake(ContinuationProbe.self))
    }
    forEachRundownType(LatencyRegistrar())
    forEachRundownType(BeginRundownRegistrar())
    registerReplaceBenchmarks()
}

/// The metric of the begin-rundown benchmarks: nanoseconds one `beginRundown()` takes (close, fold; on the
/// restartable-sequence path also the membarrier) while another CPU is acquiring and releasing the same object.
let beginRundownLatency = BenchmarkMetric.custom(
    "begin-rundown latency (ns)",
    polarity: .prefersSmaller,
    useScalingFactor: false
)

/// Registers `Latency begin-rundown <type>`: one `beginRundown()` per sample, timed on the waker's CPU, while the
/// blocking waiter's CPU runs `withProtection {}` on the same object in a loop (so a membarrier must interrupt it).
private struct BeginRundownRegistrar: RundownTypeVisitor {
    func visit<Rundown: BenchmarkedRundown>(_: Rundown.Type) {
        Benchmark(
            "Latency begin-rundown \(Rundown.benchmarkName) (holders on another CPU)",
            configuration: latencyConfiguration([beginRundownLatency])
        ) { benchmark in
            benchmark.measurement(beginRundownLatency, measureBeginRundown(Rundown.self))
        }
    }
}

/// One sample of ``beginRundownLatency``.
private func measureBeginRundown<Rundown: BenchmarkedRundown>(_: Rundown.Type) -> Int {
    let rundown = Rundown()
    return measureWhileAnotherCPUSpins(
        spin: { (try? rundown.withProtection {}) != nil },
        operation: { rundown.beginRundown() },
        then: { rundown.waitForRundown() }
    )
}

/// The metric of the replacement benchmarks: nanoseconds one `replace(with:)` of a ``RundownProtected`` takes, from
/// the call to its return with the old value, while another CPU reads the value in a loop: publishing the new value,
/// running down the old value's readers (on the per-CPU path a membarrier), waiting for the reader inside, and
/// re-opening the slot.
let replaceLatency = BenchmarkMetric.custom(
    "replace latency (ns)",
    polarity: .prefersSmaller,
    useScalingFactor: false
)

/// Registers `Latency replace <type> (readers on another CPU)` for ``RundownProtected`` with its readers on one word
/// and per CPU: one replacement per sample, timed on the waker's CPU while the blocking waiter's CPU reads in a loop.
private func registerReplaceBenchmarks() {
    for perCPU in [false, true] {
        let label = perCPU ? "RundownProtected[per-CPU]" : "RundownProtected"
        Benchmark(
            "Latency replace \(label) (readers on another CPU)",
            configuration: latencyConfiguration([replaceLatency])
        ) { benchmark in
            let protected = RundownProtected(BenchmarkConfiguration(limit: 3), perCPUReaders: perCPU)
            let elapsed = measureWhileAnotherCPUSpins(
                spin: { (try? protected.withValue { $0.limit }) != nil },
                operation: {
                    guard (try? protected.replace(with: BenchmarkConfiguration(limit: 3))) != nil else {
                        acquisitionFailed(label)
                    }
                },
                then: { _ = try? protected.retire() }
            )
            benchmark.measurement(replaceLatency, elapsed)
        }
    }
}

/// The spinner's state in one sample of ``measureWhileAnotherCPUSpins(spin:operation:then:)``.
private final class SpinnerState: Sendable {
    let running = Atomic<Bool>(false)
    let elapsed = Atomic<Int>(0)
}

/// Times `operation` on the waker's CPU while the blocking waiter's CPU runs `spin` in a loop (so that a membarrier
/// must interrupt it), then runs `then`, which must make `spin` return `false`; returns the nanoseconds.
private func measureWhileAnotherCPUSpins(
    spin: @escaping @Sendable () -> Bool,
    operation: @escaping @Sendable () -> Void,
    then finish: @escaping @Sendable () -> Void
) -> Int {
    let spinner = SpinnerState()
    blockingWaiter.run {
        spinner.running.store(true, ordering: .releasing)
        while spin() {}
    }
    waker.run {
        while !spinner.running.load(ordering: .acquiring) { sched_yield() }
        sleepMicroseconds(200)  // let the spinner run on its CPU for a while
        let start = monotonicNanoseconds()
        operation()
        spinner.elapsed.store(Int(monotonicNanoseconds() - start), ordering: .releasing)
        finish()
    }
    waker.waitUntilIdle()
    blockingWaiter.waitUntilIdle()
    return spinner.elapsed.load(ordering: .acquiring)
}

private struct LatencyRegistrar: RundownTypeVisitor {
    func visit<Rundown: BenchmarkedRundown>(_: Rundown.Type) {
        typealias Blocking = RundownBlockingProbe<Rundown>
        typealias Suspending = RundownAsyncProbe<Rundown>
        var blockingRound = 0
        Benchmark(
            "Latency blocking \(Blocking.label)",
            configuration: latencyConfiguration([wakeLatency, condvarWakeLatency])
        ) { benchmark in
            blockingRound += 1
            for step in 0..<2 {
                if (blockingRound + step) % 2 == 0 {
                    benchmark.measurement(wakeLatency, measureWake(Blocking.self))
                } else {
                    benchmark.measurement(condvarWakeLatency, measureWake(ConditionVariableProbe.self))
                }
            }
        }
        var asyncRound = 0
        Benchmark(
            "Latency async \(Suspending.label)",
            configuration: latencyConfiguration([wakeLatency, condvarWakeLatency, continuationWakeLatency])
        ) { benchmark in
            asyncRound += 1
            for step in 0..<3 {
                switch (asyncRound + step) % 3 {
                case 0: benchmark.measurement(wakeLatency, measureWake(Suspending.self))
                case 1: benchmark.measurement(condvarWakeLatency, measureWake(ConditionVariableProbe.self))
                default: benchmark.measurement(continuationWakeLatency, measureWake(ContinuationProbe.self))
                }
            }
        }
    }
}

/// When the waker called `wake()` and when the waiter ran again, and the thread the waiter waits on.
private final class WakeTimes: Sendable {
    let wakeCalled = Atomic<UInt64>(0)
    let waiterRan = Atomic<UInt64>(0)
    /// The kernel's id of the waiter's thread; -1 until the waiter records it.
    let waiterThread = Atomic<Int>(-1)

    var latency: Int {
        Int(waiterRan.load(ordering: .acquiring)) - Int(wakeCalled.load(ordering: .acquiring))
    }

    /// Called by the waiter right before it waits.
    func waiterIsAboutToWait() {
        waiterThread.store(rundown_benchmarks_current_thread_id(), ordering: .releasing)
    }

    /// Waits until the waiter has begun waiting and its thread is asleep (a blocked thread is parked in the kernel;
    /// a suspended task's thread has gone idle), then records the time and wakes it.
    ///
    /// Waiting for the sleeping thread, not just a delay, matters on a loaded machine: a waiter that was preempted
    /// before it parked would be measured as a scheduling delay instead of a wake.
    func wake(_ waiterHasStarted: () -> Bool, _ wake: () -> Void) {
        while !waiterHasStarted() || waiterThread.load(ordering: .acquiring) == -1 { sched_yield() }
        let thread = waiterThread.load(ordering: .acquiring)
        while rundown_benchmarks_thread_is_sleeping(thread) == 0 { sleepMicroseconds(20) }
        sleepMicroseconds(parkingDelayMicroseconds)
        wakeCalled.store(monotonicNanoseconds(), ordering: .releasing)
        wake()
    }
}

/// One sample: a pinned thread blocks in `wait()`, another pinned thread wakes it once it is parked.
private func measureWake<Probe: BlockingWakeProbe>(_: Probe.Type) -> Int {
    let probe = Probe()
    let times = WakeTimes()
    blockingWaiter.run {
        times.waiterIsAboutToWait()
        probe.wait()
        times.waiterRan.store(monotonicNanoseconds(), ordering: .releasing)
    }
    waker.run {
        times.wake({ probe.waiterHasStarted }, { probe.wake() })
    }
    waker.waitUntilIdle()
    blockingWaiter.waitUntilIdle()
    return times.latency
}

/// One sample: a task suspends in `wait()`, a pinned thread resumes it once it is suspended.
private func measureWake<Probe: AsyncWakeProbe>(_: Probe.Type) -> Int {
    let probe = Probe()
    let times = WakeTimes()
    let finished = DispatchSemaphore(value: 0)
    Task.detached {
        times.waiterIsAboutToWait()
        await probe.wait()
        times.waiterRan.store(monotonicNanoseconds(), ordering: .releasing)
        finished.signal()
    }
    waker.run {
        times.wake({ probe.waiterHasStarted }, { probe.wake() })
    }
    waker.waitUntilIdle()
    finished.wait()
    return times.latency
}
