import FlowCheck
import FlowDiagnostics
import FlowSyntax
import FlowYAML

/// One in-process run of `flowc check`'s pipeline, phase by phase.
///
/// `TemplateChecker.check(path:bytes:fs:limits:)` runs source, YAML, syntax, compose, rules and
/// finish in one call, and the compose/rule context types are not public. So the phases before the
/// rules are run on their own first (read, line table, YAML arena, syntax), then the whole checker
/// is run; the rules' share (compose + 18 rules + suppressions and sorting) is the difference.
struct PhaseTimes {
    var read = Sample(cpu: 0, wall: 0)
    var source = Sample(cpu: 0, wall: 0)
    var yaml = Sample(cpu: 0, wall: 0)
    var syntax = Sample(cpu: 0, wall: 0)
    var checker = Sample(cpu: 0, wall: 0)
    /// Dropping the `CheckResult`: the template, its syntax and YAML arena (the CLI pays this too).
    var free = Sample(cpu: 0, wall: 0)
    /// `checker` minus the phases it repeats: compose, rules, suppressions, sorting.
    var rules: Sample { checker - source - yaml - syntax }
    /// What `flowc check` does for one file: read it, check it, release what was built.
    var total: Sample { read + checker + free }
}

struct CheckFacts {
    var bytes = 0
    var yamlNodes = 0
    var yamlEvents = 0
    var templateNodes = 0
    var fields = 0
    var roles = 0
    var errors = 0
    var warnings = 0
    var firstDiagnostics: [String] = []
}

enum CheckPhases {
    static func run(path: String, limits: YAMLLimits) -> (PhaseTimes, CheckFacts)? {
        var t = PhaseTimes()
        var facts = CheckFacts()
        let fs = DiskFileSystem()
        let (readResult, readTime) = Clock.measure { fs.read(path, limits: limits) }
        t.read = readTime
        guard case .success(let bytes) = readResult else {
            if case .failure(let p) = readResult { print("flowc-bench: cannot read \(path): \(p.kind) \(p.detail)") }
            return nil
        }
        facts.bytes = bytes.count

        do {
            // The phases the checker runs before its rules, each on its own. What they build is
            // released at the end of this block, outside any measurement.
            let (file, sourceTime) = Clock.measure { SourceFile(path: path, bytes: bytes) }
            t.source = sourceTime
            let (read, yamlTime) = Clock.measure { YAMLReader.read(file, limits: limits) }
            t.yaml = yamlTime
            facts.yamlNodes = read.work.nodes
            facts.yamlEvents = read.work.events
            if let doc = read.document {
                let (parsed, syntaxTime) = Clock.measure { TemplateParser.parse(doc) }
                t.syntax = syntaxTime
                facts.templateNodes = parsed.0.nodes.count
                facts.fields = parsed.0.fields.count
                facts.roles = parsed.0.roles.count
            }
        }

        var kept: CheckResult?
        let (_, checkTime) = Clock.measure { kept = TemplateChecker.check(path: path, bytes: bytes, fs: fs, limits: limits) }
        t.checker = checkTime
        do {
            guard let result = kept else { return nil }
            facts.count(result)
        }
        // Release the result (template, syntax, YAML arena) under the clock, as the CLI does.
        let (_, freeTime) = Clock.measure { kept = nil }
        t.free = freeTime
        return (t, facts)
    }
}

extension CheckFacts {
    mutating func count(_ result: CheckResult) {
        for d in result.diagnostics {
            switch d.severity {
            case .error: errors += 1
            case .warning: warnings += 1
            default: break
            }
        }
        let renderer = HumanRenderer(color: false)
        firstDiagnostics = result.diagnostics.prefix(5).map { renderer.render($0) }
    }
}
