// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown

/// A run-down protection type under benchmark: every type listed in ``forEachRundownType(_:)`` gets the
/// throughput, latency and allocation benchmarks.
protocol BenchmarkedRundown: RundownProtection {
    /// The type's name in benchmark names and in the comparison table.
    static var benchmarkName: String { get }

    /// Creates an object in the `active(holders: 0)` state.
    init()
}

/// Something done once for every run-down type under benchmark, with the type known at compile time.
///
/// A visitor rather than an array of metatypes: each `visit` call is specialized for its concrete type, so the
/// measured loops call the type's inlinable fast path directly instead of through a witness table.
protocol RundownTypeVisitor {
    func visit<Rundown: BenchmarkedRundown>(_ type: Rundown.Type)
}

/// The run-down types under benchmark. To add one: conform it to ``BenchmarkedRundown`` in a file of its own
/// (see `RundownRef+Benchmarked.swift`) and add one line here.
func forEachRundownType(_ visitor: some RundownTypeVisitor) {
    visitor.visit(RundownRef.self)
    visitor.visit(CacheAwareRundownRef.self)
    visitor.visit(AtomicSlotsRundown.self)
}
