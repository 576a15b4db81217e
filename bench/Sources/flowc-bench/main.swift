// flowc-bench: generates large templates and times `flowc check` against libyaml's raw event loop.
//
//   flowc-bench generate --nodes N --out FILE [--rework no]
//   flowc-bench raw FILE [--repeat K] [--json]
//   flowc-bench check FILE [--repeat K] [--max-file-size BYTES] [--max-yaml-nodes N] [--json]
//   flowc-bench profile FILE [--max-file-size BYTES] [--max-yaml-nodes N]
//
// Timing belongs here and in bench/run.sh, never in unit tests. See bench/README.md.
import FlowCheck
import FlowYAML
import Foundation

func usage() -> Never {
    let text = """
        usage:
          flowc-bench generate --nodes N --out FILE [--rework no]
              Writes a valid template of about N nodes (rounded up to whole blocks of 20, plus 3).
              `--rework no` leaves out `rework:` (only to measure what checking rework costs).
          flowc-bench raw FILE [--repeat K] [--json]
              libyaml's event loop over FILE from Swift (parse to STREAM_END, delete each event).
          flowc-bench check FILE [--repeat K] [--max-file-size BYTES] [--max-yaml-nodes N] [--json]
              flowc check's pipeline in-process, timed phase by phase.
          flowc-bench profile FILE [--max-file-size BYTES] [--max-yaml-nodes N]
              Only read + TemplateChecker.check, once (limits raised): for callgrind or perf.
          flowc-bench runtime [TEMPLATE] [--deals N] [--events N]
              The runner core in memory: events/s (value and in-place API) and memory per idle deal.
          flowc-bench sweep [TEMPLATE] [--deals N] [--due-percent P] [--db FILE] [--build-only] [--no-scan]
              A timer sweep over a store of N deals (default 1,000,000; built once, then reused)
              beside the bare due-timer query through the index and as a scan. The sweep changes the
              store: `--build-only` builds it and stops, so that copies of it can be swept.
          flowc-bench views [TEMPLATE] [--deals N] [--seeds K] [--repeat K] [--db FILE]
              A filtered grouped view and the funnel over N deals (default 1,000,000) beside
              hand-written SQL giving the same answer, and the whole report.
          flowc-bench durable [TEMPLATE] [--seeds K] [--events N] [--batch B] [--durability power-loss|process-crash] [--rounds R] [--only bulk|interleaved|host]
              Real deals' records appended durably to SQLite (bulk and interleaved order) and a bulk
              run end to end, beside a raw batched insert of as many rows in the same run.
          flowc-bench codec [TEMPLATE] [--repeat N] [--rounds K] [--only NAME]
              The sweep's codecs on one due deal's tick: snapshot encode/decode, effect encode,
              stable ids, StoreJSON.quoted; ns per op and bytes per op.
        Times are medians over K repetitions (default 5), CPU time and wall time.

        """
    FileHandle.standardError.write(Data(text.utf8))
    exit(2)
}

/// `--name value` options and positional arguments, by hand: the bench links no argument parser.
struct Args {
    var positional: [String] = []
    var options: [String: String] = [:]
    var flags: Set<String> = []

    init(_ argv: ArraySlice<String>) {
        var it = argv.makeIterator()
        while let a = it.next() {
            if a == "--json" || a == "--build-only" || a == "--no-scan" || a == "--keep" { flags.insert(a); continue }
            if a.hasPrefix("--") {
                guard let v = it.next() else { usage() }
                options[a] = v
            } else {
                positional.append(a)
            }
        }
    }

    func int(_ name: String, _ fallback: Int) -> Int {
        guard let s = options[name] else { return fallback }
        guard let v = Int(s.replacingOccurrences(of: "_", with: "")), v > 0 else { usage() }
        return v
    }
}

func readFile(_ path: String) -> [UInt8] {
    guard let d = FileManager.default.contents(atPath: path) else {
        FileHandle.standardError.write(Data("flowc-bench: cannot read \(path)\n".utf8))
        exit(2)
    }
    return [UInt8](d)
}

func json(_ pairs: KeyValuePairs<String, Any>) -> String {
    let body = pairs.map { k, v -> String in
        switch v {
        case let s as String: return "\"\(k)\": \"\(s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\""
        case let d as Double: return "\"\(k)\": \(d.isFinite ? String(format: "%.6f", d) : "null")"
        default: return "\"\(k)\": \(v)"
        }
    }
    return "{" + body.joined(separator: ", ") + "}"
}

let argv = CommandLine.arguments
guard argv.count >= 2 else { usage() }
let args = Args(argv.dropFirst(2))

switch argv[1] {
case "runtime":
    RuntimeBench.run(Args(argv.dropFirst(2)))
case "sweep":
    SweepBench.run(Args(argv.dropFirst(2)))
case "views":
    ViewsBench.run(Args(argv.dropFirst(2)))
case "durable":
    DurableBench.run(Args(argv.dropFirst(2)))
case "codec":
    CodecBench.run(Args(argv.dropFirst(2)))
case "generate":
    guard let out = args.options["--out"] else { usage() }
    let g = Generator(nodes: args.int("--nodes", 5_000), rework: args.options["--rework"] != "no")
    let text = g.generate()
    do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: out))
    } catch {
        FileHandle.standardError.write(Data("flowc-bench: cannot write \(out): \(error)\n".utf8))
        exit(2)
    }
    let mb = Double(text.utf8.count) / 1_048_576
    print(String(format: "%@: %d nodes, %d fields, %d roles, %.2f MiB", out, g.nodeCount, g.fieldCount, g.roleCount, mb))

case "raw":
    guard let path = args.positional.first else { usage() }
    let bytes = readFile(path)
    let reps = args.int("--repeat", 5)
    var cpu: [Double] = []
    var wall: [Double] = []
    var events = 0
    for _ in 0..<reps {
        let (r, s) = Clock.measure { RawParse.run(bytes) }
        if let e = r.error {
            FileHandle.standardError.write(Data("flowc-bench: libyaml: \(e)\n".utf8))
            exit(1)
        }
        events = r.events
        cpu.append(s.cpu)
        wall.append(s.wall)
    }
    let mb = Double(bytes.count) / 1_048_576
    if args.flags.contains("--json") {
        print(json(["bytes": bytes.count, "events": events, "reps": reps,
                    "cpu_median": cpu.median, "cpu_min": cpu.min() ?? .nan,
                    "wall_median": wall.median, "wall_min": wall.min() ?? .nan]))
    } else {
        print("swift libyaml event loop: \(events) events, \(String(format: "%.2f", mb)) MiB, \(reps) reps")
        print("  cpu  median \(ms(cpu.median)) ms  min \(ms(cpu.min() ?? .nan)) ms  (\(String(format: "%.1f", mb / cpu.median)) MiB/s)")
        print("  wall median \(ms(wall.median)) ms  min \(ms(wall.min() ?? .nan)) ms")
    }

case "check":
    guard let path = args.positional.first else { usage() }
    let reps = args.int("--repeat", 5)
    var limits = YAMLLimits.default
    limits.maxFileBytes = args.int("--max-file-size", limits.maxFileBytes)
    limits.maxExpandedNodes = args.int("--max-yaml-nodes", limits.maxExpandedNodes)
    var runs: [PhaseTimes] = []
    var facts = CheckFacts()
    for _ in 0..<reps {
        guard let (t, f) = CheckPhases.run(path: path, limits: limits) else { exit(2) }
        runs.append(t)
        facts = f
    }
    let phases: [(String, (PhaseTimes) -> Sample)] = [
        ("read", \.read), ("source", \.source), ("yaml", \.yaml), ("syntax", \.syntax),
        ("rules", \.rules), ("checker", \.checker), ("free", \.free), ("total", \.total),
    ]
    let med = phases.map { name, get in (name, runs.map { get($0).cpu }.median, runs.map { get($0).wall }.median) }
    let mb = Double(facts.bytes) / 1_048_576
    if args.flags.contains("--json") {
        var parts = ["\"bytes\": \(facts.bytes)", "\"reps\": \(reps)", "\"yaml_nodes\": \(facts.yamlNodes)",
                     "\"yaml_events\": \(facts.yamlEvents)", "\"nodes\": \(facts.templateNodes)", "\"fields\": \(facts.fields)",
                     "\"roles\": \(facts.roles)", "\"errors\": \(facts.errors)", "\"warnings\": \(facts.warnings)",
                     String(format: "\"max_rss_mib\": %.1f", Clock.maxRSSMiB())]
        for (name, c, w) in med { parts.append(String(format: "\"%@_cpu\": %.6f, \"%@_wall\": %.6f", name, c, name, w)) }
        parts.append(String(format: "\"total_cpu_min\": %.6f", runs.map { $0.total.cpu }.min() ?? .nan))
        print("{" + parts.joined(separator: ", ") + "}")
    } else {
        print("flowc check in-process: \(path): \(String(format: "%.2f", mb)) MiB, \(facts.templateNodes) nodes, "
              + "\(facts.fields) fields, \(facts.roles) roles, \(facts.yamlNodes) YAML nodes, \(facts.yamlEvents) events; "
              + "\(facts.errors) errors, \(facts.warnings) warnings; \(reps) reps (medians)")
        for (name, c, w) in med {
            print("  \(name.padding(toLength: 8, withPad: " ", startingAt: 0)) cpu \(ms(c).leftPad(9)) ms   wall \(ms(w).leftPad(9)) ms")
        }
        print(String(format: "  peak RSS %.0f MiB", Clock.maxRSSMiB()))
    }
    if facts.errors > 0 || facts.warnings > 0 {
        FileHandle.standardError.write(Data(("first diagnostics:\n" + facts.firstDiagnostics.joined()).utf8))
    }
    if facts.errors > 0 { exit(1) }

case "profile":
    // Only what `flowc check FILE` runs (read + TemplateChecker.check), once, with the limits
    // raised: the target for `valgrind --tool=callgrind` and `perf record`.
    guard let path = args.positional.first else { usage() }
    var limits = YAMLLimits.default
    limits.maxFileBytes = args.int("--max-file-size", 1 << 30)
    limits.maxExpandedNodes = args.int("--max-yaml-nodes", 1 << 40)
    let (result, s) = Clock.measure { TemplateChecker.check(path: path, fs: DiskFileSystem(), limits: limits) }
    let errors = result.diagnostics.filter { $0.severity == .error }.count
    print("checked \(path): \(result.diagnostics.count) diagnostics, \(errors) errors; cpu \(ms(s.cpu)) ms, wall \(ms(s.wall)) ms")
    if errors > 0 { exit(1) }

default:
    usage()
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
