// SPDX-License-Identifier: Apache-2.0
import Benchmark

/// Every benchmark of swift-rundown; package-benchmark's generated `main` calls this.
///
/// Names start with the group (`Throughput`, `Latency`, `Allocations`, `Leaks`) so that `--filter '^Throughput'`
/// selects one group; `compare.sh`, `check-mallocs.sh` and `check-leaks.sh` rely on these prefixes.
let benchmarks: @Sendable () -> Void = {
    registerThroughputBenchmarks()
    registerLatencyBenchmarks()
    registerAllocationBenchmarks()
    registerLeakBenchmarks()
}
