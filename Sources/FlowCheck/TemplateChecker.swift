public import FlowDiagnostics
public import FlowYAML
import FlowSyntax

/// Every rule, in the order they run. Rules that others depend on (expressions) come first.
public enum TemplateRules {
    public static let all: [any TemplateRule.Type] = [
        UniqueIDsRule.self,
        OwnerRoleRule.self,
        FieldDefinitionsRule.self,
        CustomerIdentityRule.self,
        ReferencesExistRule.self,
        RepeatedEntriesRule.self,
        NodeKindKeysRule.self,
        ExpressionsRule.self,
        DivisorRule.self,
        StartNodeRule.self,
        ReachabilityRule.self,
        EndReachableRule.self,
        ForkJoinRule.self,
        ForkBranchesApartRule.self,
        ForkEntryRule.self,
        BranchSetRule.self,
        ReworkRule.self,
        LosePathRule.self,
        OutcomeTargetsRule.self,
        TimerDurationsRule.self,
        PoolPolicyRule.self,
        EffectsRule.self,
        ReportFieldsRule.self,
    ]

    /// The rules that apply to a fragment on its own (references may point into the including template).
    static let fragment: [any TemplateRule.Type] = [
        UniqueIDsRule.self, FieldDefinitionsRule.self, RepeatedEntriesRule.self, TimerDurationsRule.self,
    ]

    /// The rules that still apply when a file named by `extends` or `include` could not be used:
    /// those that look at one definition at a time. The others would report every name and node
    /// that the missing file defines.
    static let local: [any TemplateRule.Type] = [
        UniqueIDsRule.self, FieldDefinitionsRule.self, RepeatedEntriesRule.self, NodeKindKeysRule.self, ExpressionsRule.self,
        BranchSetRule.self, OutcomeTargetsRule.self, TimerDurationsRule.self,
    ]
}

/// What checking one template produced.
public struct CheckResult: Sendable {
    /// The composed template, when the file could be read as a template at all.
    public var template: ComposedTemplate?
    /// Every diagnostic, suppressions applied, sorted and de-duplicated.
    public var diagnostics: [Diagnostic]
    /// Every file read (the template, its parents and fragments).
    public var files: [SourceFile]

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// The front end: reads a template and everything it reuses, and runs every rule.
public enum TemplateChecker {
    /// Checks the template at `path`.
    /// - Parameters:
    ///   - path: the file, as the user named it (used in diagnostics).
    ///   - fs: where files come from.
    ///   - limits: reader limits.
    public static func check(path: String, fs: any TemplateFileSystem = DiskFileSystem(), limits: YAMLLimits = .default) -> CheckResult {
        switch fs.read(path, limits: limits) {
        case .failure(let p):
            return CheckResult(template: nil, diagnostics: [diagnostic(p, path: path, limits: limits)], files: [])
        case .success(let bytes):
            return check(path: path, bytes: bytes, fs: fs, limits: limits)
        }
    }

    /// What a file that could not be read is reported as: its size against the limit (FC0108),
    /// or the reason it cannot be read (FC0001).
    public static func diagnostic(_ problem: FileProblem, path: String, limits: YAMLLimits) -> Diagnostic {
        if case .tooLarge(let size) = problem.kind, let sized = YAMLReader.sizeDiagnostic(path: path, size: size, limits: limits) {
            return sized
        }
        return DriverMessages.cannotRead.inFile(path, path, problem.kind == .notFound ? PathText.notFound("no such file or directory", path: path) : problem.detail)
    }

    /// Checks template text already in memory.
    public static func check(path: String, bytes: [UInt8], fs: any TemplateFileSystem = DiskFileSystem(), limits: YAMLLimits = .default) -> CheckResult {
        var composer = Composer(fs: fs, limits: limits)
        guard let syntax = composer.parse(path: path, bytes: bytes) else {
            return finish(nil, showingAliases(composer.diagnostics, composer.aliased), composer.files, checked: path, ran: [])
        }
        var composed = composer.compose(syntax, path: path, chain: [])
        composed.isIncomplete = composer.incomplete
        var ctx = RuleContext(template: composed)
        let rules = composed.main.isFragment ? TemplateRules.fragment
            : composed.isIncomplete ? TemplateRules.local : TemplateRules.all
        for rule in rules { rule.check(&ctx) }
        var files = composer.files
        composed.files.forEach { f in if !files.contains(where: { $0 === f }) { files.append(f) } }
        var out = composed
        out.files = files
        return finish(out, showingAliases(suggestDeclaredIDs(composer.diagnostics, composed) + ctx.diagnostics, composer.aliased),
                      files, checked: path, ran: rules)
    }

    /// A diagnostic about a value an alias repeats, or about something inside it, is said where
    /// the value is written; a label shows each alias that uses it too (at most three, and a note
    /// names the lines of them all when there are more), since the mistake may be only where an
    /// alias uses it (QA round 37, E2: `probability: *x` with `due: &x 14d` was said at `due`, the
    /// alias's line never shown; QA round 39, R4: the fourth alias, the wrong one, was not).
    static func showingAliases(_ diagnostics: [Diagnostic], _ aliased: [(node: SourceSpan, aliases: [SourceSpan])]) -> [Diagnostic] {
        guard !aliased.isEmpty else { return diagnostics }
        // Each value's labels and note made once: a value with thousands of aliases may be the
        // subject of thousands of diagnostics (each use read, before they are folded into one).
        let shown = aliased.map { entry in
            let uses = entry.aliases
            let lines = uses.prefix(Self.aliasLines).map { String($0.file.line(of: $0.start)) }.joined(separator: ", ")
            let note = uses.count > Self.aliasLabels
                ? Message(CheckMessages.Formats.usedThroughAliases, [String(uses.count), lines + (uses.count > Self.aliasLines ? ", …" : "")]) : nil
            return (node: entry.node, labels: Array(uses.prefix(Self.aliasLabels)), note: note)
        }
        return diagnostics.map { d in
            // The count of problems left out is about none of them (R6).
            guard let span = d.span, d.code != DriverMessages.tooManyProblems.code else { return d }
            var out = d
            for value in shown where value.node.file === span.file && value.node.start <= span.start && span.end <= value.node.end {
                for use in value.labels where !out.labels.contains(where: { $0.span == use }) {
                    out = out.label(use, CheckMessages.Formats.usedThroughAlias)
                }
                if let note = value.note { out.notes.append(note) }
            }
            return out
        }
    }

    /// How many aliases of a value a diagnostic about it shows, and how many lines its note names.
    static let aliasLabels = 3, aliasLines = 30

    /// An id reported as none (FC0206) gets the declared node, role or field id it was meant to
    /// be as its did-you-mean and fix-it, when there is one: its id form when that is declared
    /// (a look-alike or invisible character taken out, a case slip lowered), else the declared id
    /// closest to that form (`n400O` → `n4000`, QA round 22). Only the whole template knows what
    /// is declared.
    static func suggestDeclaredIDs(_ diagnostics: [Diagnostic], _ t: ComposedTemplate) -> [Diagnostic] {
        guard !t.lookAlikeReferences.isEmpty else { return diagnostics }
        let declared = Set(t.nodes.map(\.id.value) + t.roles.map(\.id.value) + t.fields.map(\.id.value))
        var meant: [SourceSpan: String] = [:]
        for ref in t.lookAlikeReferences {
            meant[ref.span] = declared.contains(ref.value) ? ref.value : Suggestions.closest(to: ref.value, in: declared)
        }
        guard !meant.isEmpty else { return diagnostics }
        return diagnostics.map { d in
            guard d.code == SyntaxMessages.badIdentifier.code, let span = d.span, let id = meant[span] else { return d }
            var suggested = d
            suggested.help = Message(CheckMessages.Formats.didYouMean, [id])
            suggested.fixIts = [FixIt(span: span, replacement: id)]
            return suggested
        }
    }

    /// Every code a rule of the full set may report.
    static let ruleCodes = Set(TemplateRules.all.flatMap { $0.codes.map(\.code) })

    /// Applies each file's suppressions. One that matched nothing is reported unused (FC0005) only
    /// in the file `checked`, and only when the rules that `ran` could have found its warning
    /// (review of the checker, C4): a fragment checked alone runs the rules that need no including
    /// template, and a file read through another is judged by its own check (a child template may
    /// remove the node its parent's comment is about). Otherwise `flowc check --warnings-as-errors`
    /// failed over a directory with or without the comment.
    static func finish(_ t: ComposedTemplate?, _ diags: [Diagnostic], _ files: [SourceFile], checked: String,
                       ran rules: [any TemplateRule.Type]) -> CheckResult
    {
        let unjudged = ruleCodes.subtracting(rules.flatMap { $0.codes.map(\.code) })
        let judged: (DiagnosticCode) -> Bool = { !unjudged.contains($0) }
        var kept: [Diagnostic] = []
        var byPath: [String: [Diagnostic]] = [:]
        var noSpan: [Diagnostic] = []
        for d in diags {
            if d.span != nil { byPath[d.path, default: []].append(d) } else { noSpan.append(d) }
        }
        for f in files {
            let judging: (DiagnosticCode) -> Bool = f.path == checked ? judged : { _ in false }
            guard let ds = byPath.removeValue(forKey: f.path) else {
                // A file with no diagnostics can still have unused suppressions.
                let (_, problems) = Suppressions.scan(f).apply(to: [], judged: judging)
                kept += problems
                continue
            }
            let (k, problems) = Suppressions.scan(f).apply(to: ds, judged: judging)
            kept += k + problems
        }
        for (_, ds) in byPath { kept += ds }
        var bag = DiagnosticBag()
        bag.add(contentsOf: kept + noSpan)
        return CheckResult(template: t, diagnostics: bag.sorted(), files: files)
    }
}
