// swift-tools-version: 6.0
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "flowc",
    products: [
        .executable(name: "flowc", targets: ["flowc"]),
        .library(name: "FlowCLI", targets: ["FlowCLI"]),
        // For a program that embeds the runner (docs/embedding.md): checking and compiling
        // templates, the pure core, and the host over the SQLite store.
        .library(name: "FlowCheck", targets: ["FlowCheck"]),
        .library(name: "FlowIR", targets: ["FlowIR"]),
        .library(name: "FlowRuntime", targets: ["FlowRuntime"]),
        .library(name: "FlowStore", targets: ["FlowStore"]),
        .library(name: "FlowHost", targets: ["FlowHost"]),
        // The values a deal holds (`ExprValue`) and the expression language; diagnostics and
        // their rendering (`Diagnostic`, `HumanRenderer`). Embedders need both (QA round 26);
        // the fuzz package (fuzz/) reads the parsers on their own.
        .library(name: "FlowExpr", targets: ["FlowExpr"]),
        .library(name: "FlowDiagnostics", targets: ["FlowDiagnostics"]),
        .library(name: "FlowYAML", targets: ["FlowYAML"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // The system libyaml (Debian `libyaml-dev`), read through its event API.
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // SQLite's variadic `sqlite3_config`, wrapped for Swift (the system SQLite GRDB uses).
        .systemLibrary(name: "CSQLiteTuning"),
        // Source files, spans, line tables, diagnostics and their rendering.
        .target(name: "FlowDiagnostics", swiftSettings: strict),
        // bytes -> flat YAML node arena with byte spans (libyaml hidden inside).
        .target(name: "FlowYAML", dependencies: ["CYAML", "FlowDiagnostics"], swiftSettings: strict),
        // The expression language: lexer, parser, type checker, evaluator.
        .target(name: "FlowExpr", dependencies: ["FlowDiagnostics"], swiftSettings: strict),
        // YAML node tree -> typed template syntax (spans kept).
        .target(name: "FlowSyntax", dependencies: ["FlowYAML", "FlowExpr", "FlowDiagnostics"], swiftSettings: strict),
        // Template syntax -> checked template: names, types, graph, timers, pools, effects.
        .target(name: "FlowCheck", dependencies: ["FlowSyntax", "FlowExpr", "FlowYAML", "FlowDiagnostics"], swiftSettings: strict),
        // Checked template -> versioned IR (JSON), and the loader that verifies it.
        .target(name: "FlowIR", dependencies: ["FlowCheck", "FlowSyntax", "FlowExpr", "FlowDiagnostics"], swiftSettings: strict),
        // The pure runner core: step(machine, snapshot, event) -> (snapshot, effects) | refusal.
        .target(name: "FlowRuntime", dependencies: ["FlowIR", "FlowExpr", "FlowDiagnostics", "FlowSyntax"], swiftSettings: strict),
        // The host: runs deals through the runner against a store (bulk import, timers, pools).
        // (FlowYAML for the node-mapping files of `flowc migrate`.)
        .target(name: "FlowHost", dependencies: ["FlowRuntime", "FlowStore", "FlowIR", "FlowCheck", "FlowExpr", "FlowYAML", "FlowDiagnostics"], swiftSettings: strict),
        // What managers and participants look at: flow diagrams (DOT, Mermaid, SVG), deal views and
        // reports over the store (terminal, CSV, JSON, HTML).
        .target(
            name: "FlowViews",
            dependencies: ["FlowHost", "FlowStore", "FlowRuntime", "FlowIR", "FlowCheck", "FlowExpr", "FlowDiagnostics"],
            swiftSettings: strict
        ),
        // The commands, testable in-process.
        .target(
            name: "FlowCLI",
            dependencies: [
                "FlowViews", "FlowHost", "FlowRuntime", "FlowStore", "FlowIR", "FlowCheck", "FlowSyntax", "FlowExpr", "FlowYAML", "FlowDiagnostics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // The durable store: deals, event log, snapshots, outbox, timer index (SQLite via GRDB).
        // The append path prepares and steps its statements through SQLite's C API (GRDBSQLite:
        // the same system SQLite GRDB uses), without GRDB's per-row and per-argument machinery.
        .target(
            name: "FlowStore",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"), "CSQLiteTuning",
            ],
            swiftSettings: strict),
        .executableTarget(name: "flowc", dependencies: ["FlowCLI"], swiftSettings: strict),
        // A bench helper: libyaml's raw event loop, the floor `flowc check` is compared with.
        .executableTarget(name: "flowc-bench", dependencies: ["FlowCLI", "FlowHost", "FlowStore", "FlowYAML", "CYAML", "FlowCheck", "FlowIR", "FlowRuntime", "FlowExpr"], path: "bench/Sources/flowc-bench", swiftSettings: strict),

        .testTarget(name: "FlowDiagnosticsTests", dependencies: ["FlowDiagnostics"], swiftSettings: strict),
        .testTarget(name: "FlowYAMLTests", dependencies: ["FlowYAML", "FlowDiagnostics"], swiftSettings: strict),
        .testTarget(name: "FlowExprTests", dependencies: ["FlowExpr", "FlowDiagnostics"], swiftSettings: strict),
        .testTarget(
            name: "FlowCheckTests",
            dependencies: ["FlowCheck", "FlowCLI", "FlowSyntax", "FlowYAML", "FlowDiagnostics"],
            swiftSettings: strict
        ),
        .testTarget(name: "FlowIRTests", dependencies: ["FlowIR", "FlowCheck", "FlowDiagnostics"], swiftSettings: strict),
        .testTarget(name: "FlowRuntimeTests", dependencies: ["FlowRuntime", "FlowIR", "FlowCheck", "FlowExpr"], swiftSettings: strict),
        .testTarget(name: "FlowCLITests", dependencies: [
            "FlowCLI", "FlowHost", "FlowDiagnostics", "FlowStore", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),
        .testTarget(name: "FlowStoreTests", dependencies: ["FlowStore"], swiftSettings: strict),
        .testTarget(name: "FlowViewsTests", dependencies: ["FlowViews", "FlowHost", "FlowRuntime", "FlowStore", "FlowIR", "FlowCheck"], swiftSettings: strict),
        .testTarget(name: "FlowHostTests", dependencies: ["FlowHost", "FlowRuntime", "FlowStore", "FlowIR", "FlowCheck", "FlowExpr", "FlowDiagnostics"], swiftSettings: strict),
    ]
)
