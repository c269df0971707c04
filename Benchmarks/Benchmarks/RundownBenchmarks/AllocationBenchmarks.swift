// SPDX-License-Identifier: Apache-2.0
import Benchmark
@_spi(Testing) import Rundown

/// Operations per sample in the allocation benchmarks. Any allocation in an operation shows up as at least one
/// malloc in every sample; `check-mallocs.sh` fails on any malloc at all.
let operationsPerAllocationSample = 1_000

private var allocationConfiguration: Benchmark.Configuration {
    .init(
        metrics: [.mallocCountTotal],
        units: [.mallocCountTotal: .count],
        warmupIterations: 1,
        scalingFactor: .one,
        maxDuration: .seconds(1),
        maxIterations: 200
    )
}

/// Registers the allocation benchmarks: `Allocations <type>.<operation>`, each counting the mallocs of
/// ``operationsPerAllocationSample`` operations, and `MallocControl`, which mallocs once per operation so that
/// `check-mallocs.sh` can tell that the interposer counts at all.
func registerAllocationBenchmarks() {
    forEachRundownType(AllocationRegistrar())
    registerEngineAllocationBenchmarks()
    registerRecordingAllocationBenchmarks(RecordingRundownRefMaker.self)
    registerRecordingAllocationBenchmarks(RecordingCacheAwareMaker.self)
    registerReadAllocationBenchmarks()
    Benchmark("MallocControl one malloc per operation", configuration: allocationConfiguration) { _ in
        for _ in 0..<operationsPerAllocationSample {
            let memory = malloc(16)
            blackHole(memory)
            free(memory)
        }
    }
}

private struct AllocationRegistrar: RundownTypeVisitor {
    func visit<Rundown: BenchmarkedRundown>(_: Rundown.Type) {
        let name = "Allocations \(Rundown.benchmarkName)"

        let forProtection = Rundown()
        Benchmark("\(name).withProtection", configuration: allocationConfiguration) { _ in
            for _ in 0..<operationsPerAllocationSample {
                do {
                    try forProtection.withProtection {}
                } catch {
                    acquisitionFailed(name)
                }
            }
        }

        let forGuard = Rundown()
        Benchmark("\(name).tryAcquire+release", configuration: allocationConfiguration) { _ in
            for _ in 0..<operationsPerAllocationSample {
                do {
                    let held = try forGuard.tryAcquire()
                    held.release()
                } catch {
                    acquisitionFailed(name)
                }
            }
        }

        let forCount = Rundown()
        Benchmark("\(name).tryAcquire(count:)+release", configuration: allocationConfiguration) { _ in
            for _ in 0..<operationsPerAllocationSample {
                do {
                    let held = try forCount.tryAcquire(count: 3)
                    held.release()
                } catch {
                    acquisitionFailed(name)
                }
            }
        }

        let forUnsafe = Rundown()
        Benchmark("\(name).unsafeTryAcquire+unsafeRelease", configuration: allocationConfiguration) { _ in
            for _ in 0..<operationsPerAllocationSample {
                guard forUnsafe.unsafeTryAcquire(count: 1) else { acquisitionFailed(name) }
                forUnsafe.unsafeRelease(count: 1)
            }
        }

        let forAsync = Rundown()
        Benchmark("\(name).withProtection async", configuration: allocationConfiguration) { _ in
            for _ in 0..<operationsPerAllocationSample {
                do {
                    try await forAsync.withProtection(isolation: #isolation) {}
                } catch {
                    acquisitionFailed(name)
                }
            }
        }

        let closed = Rundown()
        closed.beginRundown()
        Benchmark("\(name).tryAcquire refused", configuration: allocationConfiguration) { _ in
            for _ in 0..<operationsPerAllocationSample {
                do {
                    let held = try closed.tryAcquire()
                    held.release()
                    preconditionFailure("\(name): acquisition succeeded after run-down")
                } catch {
                    continue
                }
            }
        }
    }
}

/// The embedded engine allocates nothing at all until a wait has to block or a callback has to be kept: acquire and
/// release in every form, a refusal, beginning run-down, waits that find it completed, re-initialization.
private func registerEngineAllocationBenchmarks() {
    let name = "Allocations RundownEngine"
    final class Owner: Sendable {
        let rundown = RundownEngine()
    }

    let forProtection = Owner()
    Benchmark("\(name).withProtection+IfAvailable", configuration: allocationConfiguration) { _ in
        for _ in 0..<operationsPerAllocationSample {
            do {
                try forProtection.rundown.withProtection {}
            } catch {
                acquisitionFailed(name)
            }
            guard forProtection.rundown.withProtectionIfAvailable({ true }) == true else { acquisitionFailed(name) }
        }
    }

    let forAsync = Owner()
    Benchmark("\(name).withProtection async", configuration: allocationConfiguration) { _ in
        for _ in 0..<operationsPerAllocationSample {
            do {
                try await forAsync.rundown.withProtection(isolation: #isolation) {}
            } catch {
                acquisitionFailed(name)
            }
        }
    }

    let forUnsafe = Owner()
    Benchmark("\(name).unsafeTryAcquire+unsafeRelease", configuration: allocationConfiguration) { _ in
        for _ in 0..<operationsPerAllocationSample {
            guard forUnsafe.rundown.unsafeTryAcquire(count: 2) else { acquisitionFailed(name) }
            forUnsafe.rundown.unsafeRelease(count: 2)
        }
    }

    let cycling = Owner()
    Benchmark("\(name).begin+wait when completed+reInitialize", configuration: allocationConfiguration) { _ in
        for _ in 0..<operationsPerAllocationSample {
            cycling.rundown.beginRundown()
            cycling.rundown.waitForRundown()
            guard cycling.rundown.waitForRundown(timeout: .seconds(1)) else { acquisitionFailed(name) }
            cycling.rundown.beginRundown {}
            guard !cycling.rundown.unsafeTryAcquire() else { preconditionFailure("\(name): acquired after run-down") }
            cycling.rundown.reInitialize()
        }
    }

    let cyclingAsync = Owner()
    Benchmark("\(name).begin+async wait when completed+reInitialize", configuration: allocationConfiguration) { _ in
        for _ in 0..<operationsPerAllocationSample {
            await cyclingAsync.rundown.waitForRundown()
            guard await cyclingAsync.rundown.waitForRundown(timeout: .seconds(1)) else { acquisitionFailed(name) }
            cyclingAsync.rundown.reInitialize()
        }
    }
}

/// Recording holders allocates nothing per acquisition either: a thread's record slab is allocated at its first
/// recorded acquisition (in the warm-up sample), and every later record is written in place.
private func registerRecordingAllocationBenchmarks<Maker: RundownMaker>(_: Maker.Type) {
    let name = "Allocations \(Maker.label)"
    let rundown = Maker.make()
    Benchmark(name, configuration: allocationConfiguration) { _ in
        for _ in 0..<operationsPerAllocationSample {
            do {
                try rundown.withProtection {}
            } catch {
                acquisitionFailed(name)
            }
        }
    }
}

/// A read of a ``RundownProtected`` allocates nothing, with readers on one word or per CPU, recorded or not.
private func registerReadAllocationBenchmarks() {
    for perCPU in [false, true] {
        for recording in [false, true] {
            let protected = RundownProtected(
                BenchmarkConfiguration(limit: 3),
                recordingHolders: recording,
                perCPUReaders: perCPU
            )
            let name =
                "Allocations RundownProtected\(perCPU ? "[per-CPU]" : "")"
                + "\(recording ? "(recordingHolders)" : "").withValue"
            Benchmark(name, configuration: allocationConfiguration) { _ in
                for _ in 0..<operationsPerAllocationSample {
                    guard (try? protected.withValue({ $0.limit })) == 3 else { acquisitionFailed(name) }
                }
            }
        }
    }
}
