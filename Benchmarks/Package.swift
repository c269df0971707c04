// swift-tools-version: 6.2
// SPDX-License-Identifier: Apache-2.0
import PackageDescription

// The benchmarks live in their own package so that users of swift-rundown never fetch the harness.
//
// Run them from the repository root, for example:
//   swift package --package-path Benchmarks benchmark
//   Benchmarks/compare.sh          (the comparison table of the README's "Performance" section)
//   Benchmarks/check-mallocs.sh    (the CI gate: zero mallocs per acquire/release/withProtection)
//   Benchmarks/check-leaks.sh      (the CI gate: no allocation left behind by waits, callbacks, cancellations, timeouts)
let package = Package(
    name: "swift-rundown-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named, because a path dependency is otherwise known by its folder's name, which depends on the clone.
        .package(name: "swift-rundown", path: "../"),
        // Only the malloc interposer: the default traits also ask for a runtime interposer package.
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "RundownBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Rundown", package: "swift-rundown"),
                .product(name: "_RundownTestSupport", package: "swift-rundown"),
                "CThreadState",
            ],
            path: "Benchmarks/RundownBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark")
            ]
        ),
        .target(name: "CThreadState"),
    ],
    swiftLanguageModes: [.v6]
)
