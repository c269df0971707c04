// swift-tools-version: 6.2
// SPDX-License-Identifier: Apache-2.0
import PackageDescription

/// The optional swift-service-lifecycle adapter (`RundownShutdownService`): its dependencies are used only when a
/// consumer enables the trait, so that the core library depends on nothing but the toolchain.
let serviceLifecycle = "ServiceLifecycleSupport"

/// Metrics through swift-metrics for named run-down objects (`Sources/Rundown/Metrics`): its dependency is used only
/// when a consumer enables the trait.
let metrics = "MetricsSupport"

let package = Package(
    name: "swift-rundown",
    // `Atomic`, `AtomicLazyReference` and `Mutex` (the Synchronization module) are available from these releases on.
    platforms: [.macOS(.v15), .iOS(.v18), .tvOS(.v18), .watchOS(.v11), .visionOS(.v2), .macCatalyst(.v18)],
    products: [
        .library(name: "Rundown", targets: ["Rundown"]),
        // The threads, pinning and naming that the package's tests and benchmarks share: not API, not for users.
        .library(name: "_RundownTestSupport", targets: ["RundownTestSupport"]),
    ],
    traits: [
        .trait(
            name: serviceLifecycle,
            description: "RundownShutdownService: run-down on graceful shutdown, for swift-service-lifecycle"
        ),
        .trait(
            name: metrics,
            description: "Named run-down objects report holders, refusals, run-down and wait times to swift-metrics"
        ),
    ],
    dependencies: [
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
    ],
    targets: [
        .target(name: "CRundownSupport"),
        .target(
            name: "Rundown",
            dependencies: [
                "CRundownSupport",
                .product(
                    name: "ServiceLifecycle",
                    package: "swift-service-lifecycle",
                    condition: .when(traits: [serviceLifecycle])
                ),
                .product(name: "Logging", package: "swift-log", condition: .when(traits: [serviceLifecycle])),
                .product(name: "Metrics", package: "swift-metrics", condition: .when(traits: [metrics])),
            ]
        ),
        .target(name: "CRundownTestSupport"),
        .target(name: "RundownTestSupport", dependencies: ["CRundownSupport", "CRundownTestSupport"]),
        .executableTarget(name: "rundown-demo", dependencies: ["Rundown"]),
        .testTarget(
            name: "RundownTests",
            dependencies: [
                "Rundown", "CRundownSupport", "RundownTestSupport",
                .product(
                    name: "ServiceLifecycle",
                    package: "swift-service-lifecycle",
                    condition: .when(traits: [serviceLifecycle])
                ),
                .product(name: "Logging", package: "swift-log", condition: .when(traits: [serviceLifecycle])),
                .product(name: "MetricsTestKit", package: "swift-metrics", condition: .when(traits: [metrics])),
            ],
            swiftSettings: [
                // Swift Testing has no exit tests where a test cannot start a child process (its own build defines
                // SWT_NO_EXIT_TESTS for these platforms); the misuse-trap tests are skipped there, with the reason.
                .define("RUNDOWN_NO_EXIT_TESTS", .when(platforms: [.iOS, .tvOS, .watchOS, .visionOS]))
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// The swift-docc-plugin only for those who ask for it (`RUNDOWN_DOCC_PLUGIN=1 swift package generate-documentation`),
// so that the package's users never fetch it. `Scripts/build-docs.sh` needs no plugin.
if Context.environment["RUNDOWN_DOCC_PLUGIN"] == "1" {
    package.dependencies.append(.package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"))
}
