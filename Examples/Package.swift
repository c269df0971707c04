// swift-tools-version: 6.2
// SPDX-License-Identifier: Apache-2.0
import PackageDescription

// The examples live in their own package so that the Rundown library itself stays free of dependencies.
let package = Package(
    name: "swift-rundown-examples",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "reloading-server", targets: ["reloading-server"]),
        .executable(name: "plugin-host", targets: ["plugin-host"]),
        // The plugin host's two plugins: real shared libraries, loaded with dlopen and unloaded with dlclose.
        .library(name: "PluginAlpha", type: .dynamic, targets: ["PluginAlpha"]),
        .library(name: "PluginBeta", type: .dynamic, targets: ["PluginBeta"]),
    ],
    dependencies: [
        // The graceful-shutdown adapter (RundownShutdownService) comes with the trait ServiceLifecycleSupport.
        .package(name: "swift-rundown", path: "../", traits: ["ServiceLifecycleSupport"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        .executableTarget(
            name: "reloading-server",
            dependencies: [
                .product(name: "Rundown", package: "swift-rundown"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "plugin-host",
            dependencies: [.product(name: "Rundown", package: "swift-rundown")]
        ),
        // Both plugins compile Plugins/plugin-body.inc with their own identity.
        .target(name: "PluginAlpha"),
        .target(name: "PluginBeta"),
        .testTarget(
            name: "PluginHostTests",
            dependencies: ["plugin-host"]
        ),
        .testTarget(
            name: "ReloadingServerTests",
            dependencies: [
                "reloading-server",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
