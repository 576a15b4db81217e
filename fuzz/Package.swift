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
        // Each fuzzer depends on the `FlowCLI` product; the modules it is built from (FlowYAML,
        // FlowExpr, FlowDiagnostics, FlowCheck, FlowIR, FlowRuntime, FlowStore, FlowHost, …)
        // come with it and are imported directly.
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
        // The deals-file readers of FlowHost (JSON Lines and CSV) and the bulk run over them.
        .executableTarget(
            name: "FuzzRecords",
            dependencies: [.product(name: "FlowCLI", package: "flowc")],
            swiftSettings: fuzzer
        ),
        // The machine-file loader, and the runner on the machines it verifies.
        .executableTarget(
            name: "FuzzIR",
            dependencies: [.product(name: "FlowCLI", package: "flowc")],
            swiftSettings: fuzzer
        ),
        // A whole template through the checker, then the compiler and the loader.
        .executableTarget(
            name: "FuzzTemplate",
            dependencies: [.product(name: "FlowCLI", package: "flowc")],
            swiftSettings: fuzzer
        ),
        // A scenario file through `flowc test`, in-process, against a bundled template.
        .executableTarget(
            name: "FuzzScenario",
            dependencies: [.product(name: "FlowCLI", package: "flowc")],
            swiftSettings: fuzzer
        ),
    ]
)
