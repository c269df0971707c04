// SPDX-License-Identifier: Apache-2.0
import Benchmark
@_spi(Testing) import Rundown
import Synchronization

/// The metric of the throughput benchmarks: wall-clock picoseconds per protected no-op, aggregated over all
/// threads: `elapsed × 1000 / (threads × operationsPerThread)`. Lower is better; its inverse is the aggregate
/// throughput.
let picosecondsPerOperation = BenchmarkMetric.custom(
    "ps per op (aggregate)",
    polarity: .prefersSmaller,
    useScalingFactor: false
)

/// The floor measured inside every other throughput benchmark, alternating with the contender sample by sample,
/// so that their ratio compares the two under the same machine load.
let floorPicosecondsPerOperation = BenchmarkMetric.custom(
    "floor ps per op (aggregate)",
    polarity: .prefersSmaller,
    useScalingFactor: false
)

/// Threads (or tasks) per throughput benchmark: alone, contended, and oversubscribed on a two-core machine.
let throughputThreadCounts = [1, 2, 4]

/// Protected no-ops each thread runs per sample; the same for every contender.
let operationsPerThread = 50_000

/// Protected no-ops each task runs per sample in the asynchronous benchmarks; the same for every contender.
let operationsPerTask = 50_000

private func throughputConfiguration(pairedWithFloor: Bool) -> Benchmark.Configuration {
    let metrics = pairedWithFloor ? [picosecondsPerOperation, floorPicosecondsPerOperation] : [picosecondsPerOperation]
    return .init(
        metrics: metrics,
        units: Dictionary(uniqueKeysWithValues: metrics.map { ($0, .count) }),
        warmupIterations: 2,
        scalingFactor: .one,
        maxDuration: .seconds(1),
        maxIterations: 100
    )
}

/// Registers every throughput benchmark: the floor, the run-down types, and the hand-rolled alternatives.
///
/// Names are `Throughput sync <n>T <label>` (n pinned threads) and `Throughput async <n>T <label>` (n tasks).
/// Each run-down contender's setup first checks that it behaves as run-down protection.
func registerThroughputBenchmarks() {
    registerSync(AtomicFloor.self)
    registerSync(CheckedAtomicPair.self)
    forEachRundownType(ThroughputRegistrar())
    registerSync(
        EngineWithProtectionContender.self,
        setup: { checkRundownSemantics(of: EngineWithProtectionContender.self) }
    )
    registerMade(RecordingRundownRefMaker.self)
    registerMade(RecordingCacheAwareMaker.self)
    registerSync(WithValueContender.self)
    registerSync(PerCPUWithValueContender.self)
    registerSync(MutexReadContender.self)
    registerSync(LockedGenerationContender.self)
    registerSync(MutexRundown.self, setup: { checkRundownSemantics(of: MutexRundown.self) })
    registerSync(PthreadMutexRundown.self, setup: { checkRundownSemantics(of: PthreadMutexRundown.self) })
    registerSync(ReadWriteLockRundown.self, setup: { checkRundownSemantics(of: ReadWriteLockRundown.self) })
    registerSync(DispatchGroupRundown.self, setup: { checkRundownSemantics(of: DispatchGroupRundown.self) })

    registerAsync(AsyncAtomicFloor.self)
    registerAsync(ActorContender.self, setup: { await checkRundownSemantics(of: ActorContender.self) })
}

/// Registers `withProtection {}` on what `Maker` makes, after checking that it behaves as run-down protection.
private func registerMade<Maker: RundownMaker>(_: Maker.Type) {
    typealias Contender = MadeWithProtectionContender<Maker>
    registerSync(Contender.self, setup: { checkRundownSemantics(of: Contender.self) })
}

private struct ThroughputRegistrar: RundownTypeVisitor {
    func visit<Rundown: BenchmarkedRundown>(_: Rundown.Type) {
        typealias WithProtection = WithProtectionContender<Rundown>
        typealias Guarded = GuardContender<Rundown>
        typealias AsyncWithProtection = AsyncWithProtectionContender<Rundown>
        registerSync(WithProtection.self, setup: { checkRundownSemantics(of: WithProtection.self) })
        registerSync(Guarded.self, setup: { checkRundownSemantics(of: Guarded.self) })
        registerAsync(AsyncWithProtection.self, setup: { await checkRundownSemantics(of: AsyncWithProtection.self) })
    }
}

private func registerSync<Contender: SyncContender>(
    _: Contender.Type,
    setup: Benchmark.BenchmarkSetupHook? = nil
) {
    let isFloor = Contender.self == AtomicFloor.self
    for threads in throughputThreadCounts {
        let contender = Contender()
        let floor = AtomicFloor()
        var floorFirst = false
        Benchmark(
            "Throughput sync \(threads)T \(Contender.label)",
            configuration: throughputConfiguration(pairedWithFloor: !isFloor),
            closure: { benchmark in
                if isFloor {
                    benchmark.measurement(picosecondsPerOperation, measureThroughput(of: contender, threads: threads))
                    return
                }
                floorFirst.toggle()
                if floorFirst {
                    benchmark.measurement(floorPicosecondsPerOperation, measureThroughput(of: floor, threads: threads))
                }
                benchmark.measurement(picosecondsPerOperation, measureThroughput(of: contender, threads: threads))
                if !floorFirst {
                    benchmark.measurement(floorPicosecondsPerOperation, measureThroughput(of: floor, threads: threads))
                }
            },
            setup: setup
        )
    }
}

private func registerAsync<Contender: AsyncContender>(
    _: Contender.Type,
    setup: Benchmark.BenchmarkSetupHook? = nil
) {
    let isFloor = Contender.self == AsyncAtomicFloor.self
    for tasks in throughputThreadCounts {
        let contender = Contender()
        let floor = AsyncAtomicFloor()
        var floorFirst = false
        Benchmark(
            "Throughput async \(tasks)T \(Contender.label)",
            configuration: throughputConfiguration(pairedWithFloor: !isFloor),
            closure: { benchmark in
                if isFloor {
                    benchmark.measurement(picosecondsPerOperation, await measureThroughput(of: contender, tasks: tasks))
                    return
                }
                floorFirst.toggle()
                if floorFirst {
                    benchmark.measurement(
                        floorPicosecondsPerOperation,
                        await measureThroughput(of: floor, tasks: tasks)
                    )
                }
                benchmark.measurement(picosecondsPerOperation, await measureThroughput(of: contender, tasks: tasks))
                if !floorFirst {
                    benchmark.measurement(
                        floorPicosecondsPerOperation,
                        await measureThroughput(of: floor, tasks: tasks)
                    )
                }
            },
            setup: setup
        )
    }
}

/// A start line for the threads of one sample: each thread checks in, all wait for the start signal, and each
/// records when it finished.
private final class StartLine: Sendable {
    let ready = Atomic<Int>(0)
    let go = Atomic<Bool>(false)
    let lastFinish = Atomic<UInt64>(0)
}

/// Runs ``operationsPerThread`` protected no-ops on each of `threads` pinned threads released together, and returns
/// the aggregate picoseconds per operation from the start signal until the last thread finished its loop (thread
/// exit and join are not timed).
private func measureThroughput<Contender: SyncContender>(of contender: Contender, threads: Int) -> Int {
    let line = StartLine()
    let workers = (0..<threads).map { index in
        BenchmarkThread.start(pinnedTo: usableCPUs[index % usableCPUs.count]) {
            line.ready.add(1, ordering: .releasing)
            while !line.go.load(ordering: .acquiring) { sched_yield() }
            runProtectedNoOps(contender, count: operationsPerThread)
            line.lastFinish.max(monotonicNanoseconds(), ordering: .relaxed)
        }
    }
    while line.ready.load(ordering: .acquiring) < threads { sched_yield() }
    let start = monotonicNanoseconds()
    line.go.store(true, ordering: .releasing)
    for worker in workers { worker.join() }
    let elapsed = line.lastFinish.load(ordering: .relaxed) - start
    return Int(elapsed * 1_000 / UInt64(threads * operationsPerThread))
}

/// Runs ``operationsPerTask`` protected no-ops in each of `tasks` child tasks, and returns the aggregate
/// picoseconds per operation from the first task's creation until the last task finished its loop.
///
/// Tasks run on the concurrency runtime's thread pool, unpinned: with more than one task the kernel decides
/// whether they contend from two CPUs or take turns on one.
private func measureThroughput<Contender: AsyncContender>(of contender: Contender, tasks: Int) async -> Int {
    let start = monotonicNanoseconds()
    let lastFinish = await withTaskGroup(of: UInt64.self) { group in
        for _ in 0..<tasks {
            group.addTask {
                await runProtectedNoOps(contender, count: operationsPerTask)
                return monotonicNanoseconds()
            }
        }
        return await group.reduce(0, max)
    }
    return Int((lastFinish - start) * 1_000 / UInt64(tasks * operationsPerTask))
}
