// swift-tools-version: 6.1
// SPDX-License-Identifier: Apache-2.0
import PackageDescription

let package = Package(
    name: "swift-rundown",
    // `Atomic`, `AtomicLazyReference` and `Mutex` (the Synchronization module) are available from these releases on.
    platforms: [.macOS(.v15), .iOS(.v18), .tvOS(.v18), .watchOS(.v11), .visionOS(.v2), .macCatalyst(.v18)],
    products: [
        .library(name: "Rundown", targets: ["Rundown"])
    ],
    targets: [
        .target(name: "CRundownSupport"),
        .target(name: "Rundown", dependencies: ["CRundownSupport"]),
        .executableTarget(name: "rundown-demo", dependencies: ["Rundown"]),
        .testTarget(name: "RundownTests", dependencies: ["Rundown", "CRundownSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

// The swift-docc-plugin only for those who ask for it (`RUNDOWN_DOCC_PLUGIN=1 swift package generate-documentation`),
// so that the package's users never fetch it. `Scripts/build-docs.sh` needs no plugin.
if Context.environment["RUNDOWN_DOCC_PLUGIN"] == "1" {
    package.dependencies.append(.package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"))
}
