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
    /// `checker` minus the phases it repeats: compose, rules, suppressions, sorting.
    var rules: Sample { checker - source - yaml - syntax }
    /// What `flowc check` does for one file: read it, then check it.
    var total: Sample { read + checker }
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

        let (result, checkTime) = Clock.measure { TemplateChecker.check(path: path, bytes: bytes, fs: fs, limits: limits) }
        t.checker = checkTime
        for d in result.diagnostics {
            switch d.severity {
            case .error: facts.errors += 1
            case .warning: facts.warnings += 1
            default: break
            }
        }
        let renderer = HumanRenderer(color: false)
        facts.firstDiagnostics = result.diagnostics.prefix(5).map { renderer.render($0) }
        return (t, facts)
    }
}
