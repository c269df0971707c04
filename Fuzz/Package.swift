// swift-tools-version: 6.2
// SPDX-License-Identifier: Apache-2.0
import PackageDescription

// The libFuzzer target lives in its own package so that users of swift-rundown never build it. It needs the
// sanitizer flags `Scripts/fuzz.sh` passes (libFuzzer supplies `main`); build and run it with that script:
//   Scripts/fuzz.sh 60
//
// Sources/RundownFuzz/Shared links the test target's reference model and model driver, so that the tests and the
// fuzzer check the library against the same model.
let package = Package(
    name: "swift-rundown-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named, because a path dependency is otherwise known by its folder's name, which depends on the clone.
        .package(name: "swift-rundown", path: "../")
    ],
    targets: [
        .executableTarget(
            name: "RundownFuzz",
            dependencies: [.product(name: "Rundown", package: "swift-rundown")]
        )
    ],
    swiftLanguageModes: [.v6]
)
