// swift-tools-version: 6.0
//
// libFuzzer entry points for flowc's parsers. A separate package: the main package does not
// depend on it and CI does not build it. See README.md for how to build and run.
import PackageDescription

// No `main`: libFuzzer's runtime provides it and calls `LLVMFuzzerTestOneInput`.
let fuzzer: [SwiftSetting] = [
    .unsafeFlags(["-parse-as-library"]),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "flowc-fuzz",
    dependencies: [
        .package(name: "flowc", path: ".."),
    ],
    targets: [
        // The main package exports only `FlowCLI` as a library; its dependencies FlowYAML,
        // FlowExpr and FlowDiagnostics come with it and are imported directly.
        .executableTarget(
            name: "FuzzYAML",
            dependencies: [.product(name: "FlowCLI", package: "flowc")],
            swiftSettings: fuzzer
        ),
        .executableTarget(
            name: "FuzzExpr",
            dependencies: [.product(name: "FlowCLI", package: "flowc")],
            swiftSettings: fuzzer
        ),
    ]
)
