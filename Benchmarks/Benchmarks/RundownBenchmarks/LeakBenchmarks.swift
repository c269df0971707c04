// SPDX-License-Identifier: Apache-2.0
import Benchmark
import Rundown

// The leak benchmarks: a million waits, callbacks, cancellations and timeouts on every run-down type, with the
// allocations the process has outstanding after each sample counted by the malloc interposer (`mallocFreeDelta`:
// mallocs minus frees in the sample, counted across all threads). `check-leaks.sh` is the gate.
//
// Each type has a small and a large batch of rounds per sample; a leak grows with the rounds, so the gate compares
// the two. What does not grow is the runtimes' own caching (the concurrency runtime's task allocator, libdispatch's
// continuation cache), bounded however many rounds run; the gate's tolerance covers that bound.

/// The measured operations each type runs in its large batches: at least this many, over ``leakLargeSamples``
/// samples.
let leakOperationsPerType = 1_000_000

/// The samples of each large batch. No warm-up sample, which would run another batch: whatever is allocated once
/// (the waiter store, runtime threads) shows in the first sample only, and the gate takes the smallest.
let leakLargeSamples = 3

/// The rounds of a small batch, and its samples (after one warm-up sample).
let leakSmallBatch = (rounds: 200, samples: 3)

/// The control leaks this many allocations every round, on purpose, in batches of these many rounds: one per 33
/// operations, which the gate must see as a leak.
let leakControl = (leakedPerRound: 4, smallRounds: 50, largeRounds: 1_500, samples: 2)

private func leakConfiguration(samples: Int, warmup: Int) -> Benchmark.Configuration {
    .init(
        metrics: [.mallocCountTotal, .mallocFreeDelta, .wallClock],
        units: [.mallocCountTotal: .count, .mallocFreeDelta: .count],
        warmupIterations: warmup,
        scalingFactor: .one,
        maxDuration: .seconds(600),
        maxIterations: samples
    )
}

/// Registers the leak benchmarks, named `<group> <type>.<small|large> <rounds> rounds: <operations of a round>` (which
/// `check-leaks.sh` parses, see ``LeakOperations``): group `Leaks` for every ``LeakRounds`` kind, and group
/// `LeakControl`, which runs ``RundownRef``'s rounds and leaks ``leakControl`` allocations every round, so that the
/// gate can tell that the counters see a leak at all.
func registerLeakBenchmarks() {
    register(RundownLeakRounds<RundownRef>.self)
    register(RundownLeakRounds<CacheAwareRundownRef>.self)
    register(RundownLeakRounds<EmbeddedEngine>.self)
    register(ProtectedLeakRounds<OneWordReaderCounting>.self)
    register(ProtectedLeakRounds<PerCPUReaderCounting>.self)
    register(EarlyEndedWaitRounds.self)
    register(RecordingRegistryRounds.self)

    let control = RundownLeakRounds<RundownRef>.self
    for (batch, rounds, warmup) in [("small", leakControl.smallRounds, 1), ("large", leakControl.largeRounds, 0)] {
        register(control, "LeakControl", batch: batch, rounds, samples: leakControl.samples, warmup: warmup) {
            for _ in 0..<leakControl.leakedPerRound { blackHole(malloc(16)) }
        }
    }
}

/// Registers the small and the large batch of `Rounds`.
private func register<Rounds: LeakRounds>(_ kind: Rounds.Type) {
    let perSample = leakLargeSamples * Rounds.operationsPerRound.total
    let largeRounds = (leakOperationsPerType + perSample - 1) / perSample
    register(kind, "Leaks", batch: "small", leakSmallBatch.rounds, samples: leakSmallBatch.samples, warmup: 1)
    register(kind, "Leaks", batch: "large", largeRounds, samples: leakLargeSamples, warmup: 0)
}

/// Registers one batch: each sample runs `rounds` rounds on one object (`after` runs after each).
private func register<Rounds: LeakRounds>(
    _: Rounds.Type,
    _ group: String,
    batch: String,
    _ rounds: Int,
    samples: Int,
    warmup: Int,
    after: @escaping @Sendable () -> Void = {}
) {
    let leak = Rounds()
    let name = "\(group) \(Rounds.name).\(batch) \(rounds) rounds: \(Rounds.operationsPerRound)"
    Benchmark(name, configuration: leakConfiguration(samples: samples, warmup: warmup)) { _ in
        for _ in 0..<rounds {
            await leak.round()
            after()
        }
    }
}
