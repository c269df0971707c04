// SPDX-License-Identifier: Apache-2.0
import Benchmark

/// Every benchmark of swift-rundown; package-benchmark's generated `main` calls this.
///
/// Names start with the group (`Throughput`, `Latency`, `Allocations`) so that `--filter '^Throughput'` selects
/// one group; `compare.sh` and `check-mallocs.sh` rely on these prefixes.
let benchmarks: @Sendable () -> Void = {
    registerThroughputBenchmarks()
    registerLatencyBenchmarks()
    registerAllocationBenchmarks()
}
