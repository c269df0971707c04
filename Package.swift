// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "swift-rundown",
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
