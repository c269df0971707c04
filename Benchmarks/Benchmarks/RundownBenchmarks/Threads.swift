// SPDX-License-Identifier: Apache-2.0
import RundownTestSupport

/// A thread of the benchmarks: the package's one test-thread helper, ``RundownTestThread``.
typealias BenchmarkThread = RundownTestThread

extension RundownTestThread {
    /// Starts a thread running `body`, first pinned to `cpu` where the platform allows.
    static func start(pinnedTo cpu: Int?, _ body: @escaping @Sendable () -> Void) -> RundownTestThread {
        RundownTestThread(pinnedTo: cpu, body)
    }
}

/// The CPUs this process may run on, in ascending order; thread `i` of a throughput benchmark is pinned to
/// `usableCPUs[i % usableCPUs.count]`.
let usableCPUs: [Int] = RundownTestThread.usableCPUs
