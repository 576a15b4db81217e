public import FlowCheck
public import FlowDiagnostics
import FlowExpr
import FlowSyntax
import Foundation

/// Why a template could not be compiled.
///
/// `flowc check` reports everything the compiler refuses, so a checked template never gets here;
/// a template compiled without its check's verdict gets the diagnostic check would have given,
/// with its code and place.
public struct CompileError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The problem as a located, coded diagnostic; nil when the template had errors already
    /// (`message` then says how many, and `diagnostics` holds them).
    public var diagnostic: Diagnostic?
    /// The check's errors, in order, when the template did not check (a file that cannot be read
    /// is FC0001 among them): what `flowc check` prints, for a host to show with
    /// `HumanRenderer` (QA round 26: a library user was told to run the CLI).
    public var diagnostics: [Diagnostic] = []
    public var description: String { message }

    init(message: String) {
        self.message = message
    }

    /// The errors of a template that did not check; the message names how many and the first.
    init(errors: [Diagnostic]) {
        diagnostics = errors
        let n = errors.count
        var text = "the template has \(n) error\(n == 1 ? "" : "s")"
        if let first = errors.first {
            let at = first.location.map { "\(first.path):\($0.line):\($0.column)" } ?? first.path
            text += n == 1 ? ": " : "; the first: "
            text += "\(at): error[\(first.code)]: \(first.message.text)"
        }
        message = text
    }

    init(_ diagnostic: Diagnostic) {
        self.diagnostic = diagnostic
        message = diagnostic.message.text
    }
}

/// Turns a checked template into a `Machine`.
public enum IRCompiler {
    /// Compiles a template that checked without errors.
    /// - Throws: `CompileError` when the check found errors (compile only what checks).
    public static func compile(_ result: CheckResult) throws(CompileError) -> Machine {
        guard !result.hasErrors, let t = result.template else {
            throw CompileError(errors: result.diagnostics.filter { $0.severity == .error })
        }
        var b = Builder(t: t, files: result.files)
        return try b.build()
    }

    /// The canonical JSON of a machine (sorted keys, no extra whitespace), as hashed and written.
    public static func canonicalJSON(_ m: Machine, pretty: Bool = false) -> [UInt8] {
        let enc = JSONEncoder()
        enc.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(enc.encode(m))) ?? []
    }

    /// The content hash: SHA-256 of the canonical JSON with `template.hash` empty.
    public static func contentHash(_ m: Machine) -> String {
        contentHash(ofHashed: hashedJSON(m))
    }

    /// The JSON the content hash is taken of: the canonical JSON with `template.hash` empty.
    static func hashedJSON(_ m: Machine) -> [UInt8] {
        var copy = m
        copy.template.hash = ""
        return canonicalJSON(copy)
    }

    static func contentHash(ofHashed bytes: [UInt8]) -> String { "sha256:" + SHA256.hex(bytes) }

    /// The source table's file names: each relative to the directory of the first (the
    /// template), so that a machine's hash is the same however its path was spelled (`t.yaml`,
    /// `./dir/t.yaml`, an absolute path) and wherever the template directory lies. A path that
    /// cannot be made relative without knowing the working directory (it climbs above a relative
    /// template's directory) is kept, tidied; a name that is not a path (`<stdin>`) is kept as is.
    public static func portablePaths(_ paths: [String]) -> [String] {
        guard let template = paths.first, let base = tidy(template)?.dropLast() else { return paths }
        return paths.map { path in
            guard let parts = tidy(path) else { return path }
            // The template's directory is a prefix of the path: the rest is the relative name.
            var common = 0
            while common < base.count, common < parts.count - 1, base[common] == parts[common] { common += 1 }
            let up = base.count - common
            if up > 0 && base[common...].contains("..") { return parts.joined(separator: "/") }
            return (Array(repeating: "..", count: up) + parts[common...]).joined(separator: "/")
        }
    }

    /// A path's components with `.`, empty components and `dir/..` pairs removed (an absolute
    /// path keeps a leading empty component); nil for a name that is not a path.
    private static func tidy(_ path: String) -> [String]? {
        if path.isEmpty || path.hasPrefix("<") { return nil }
        var out: [String] = path.hasPrefix("/") ? [""] : []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) where part != "." {
            if part == "..", let last = out.last, last != "..", last != "" {
                out.removeLast()
            } else if part == "..", out == [""] {
                continue  // `/..` is `/`
            } else {
                out.append(String(part))
            }
        }
        return out.isEmpty ? nil : out
    }

    struct Builder {
        let t: ComposedTemplate
        let files: [SourceFile]
        var nodeIndex: [String: Int] = [:]
        var roleIndex: [String: Int] = [:]
        var fieldIndex: [String: Int] = [:]
        var expressions: [ExpressionDef] = []
        var expressionSources: [SourceRef] = []
        var effects: [EffectDef] = []
        let env: FieldEnvironment

        init(t: ComposedTemplate, files: [SourceFile]) {
            self.t = t
            self.files = files
            env = FieldEnvironment(t.fields)
            for (i, n) in t.nodes.enumerated() where nodeIndex[n.id.value] == nil { nodeIndex[n.id.value] = i }
            for (i, r) in t.roles.enumerated() where roleIndex[r.id.value] == nil { roleIndex[r.id.value] = i }
            for (i, f) in t.fields.enumerated() where fieldIndex[f.id.value] == nil { fieldIndex[f.id.value] = i }
        }

        func ref(_ span: SourceSpan) -> SourceRef {
            let file = files.firstIndex { $0.path == span.file.path } ?? 0
            let loc = span.file.location(of: span.start)
            return SourceRef(file: file, line: loc.line, column: loc.column)
        }

        func names(_ n: LocalizedName?) -> [String: String] {
            var out: [String: String] = [:]
            for e in n?.entries ?? [] { out[e.language] = e.text }
            return out
        }

        func node(_ s: Located<String>) throws(CompileError) -> Int {
            guard let i = nodeIndex[s.value] else { throw CompileError(CheckMessages.unknownNode.at(s.span, s.value)) }
            return i
        }

        func role(_ s: Located<String>) throws(CompileError) -> Int {
            guard let i = roleIndex[s.value] else { throw CompileError(CheckMessages.unknownRole.at(s.span, s.value)) }
            return i
        }

        func field(_ s: Located<String>) throws(CompileError) -> Int {
            guard let i = fieldIndex[s.value] else { throw CompileError(CheckMessages.unknownField.at(s.span, s.value)) }
            return i
        }

        func recipient(_ s: Located<String>) throws(CompileError) -> Recipient {
            switch s.value {
            case "owner": return .owner
            case "contacts": return .contacts
            case "added": return .added
            default: return .role(try role(s))
            }
        }

        mutating func expression(_ e: ExpressionText, expecting: ExprType?, typeName: String) throws(CompileError) -> Int {
            let checked = ExprChecker.check(ExprParser.parse(e.text), in: env, expecting: expecting)
            if let d = checked.diagnostics.first { throw CompileError(d.diagnostic(mapping: { e.span(of: $0) })) }
            var reads: [Int] = []
            for f in checked.referencedFields {
                guard let i = fieldIndex[f] else { throw CompileError(CheckMessages.unknownField.at(e.span, f)) }
                reads.append(i)
            }
            expressions.append(ExpressionDef(source: e.text, reads: reads, type: typeName))
            expressionSources.append(ref(e.span))
            return expressions.count - 1
        }

        mutating func effectList(_ list: [EffectSyntax]) throws(CompileError) -> [Int] {
            var out: [Int] = []
            for e in list {
                let kind: EffectKindIR = switch e.kind.value {
                case .notify: .notify
                case .botCard: .botCard
                case .groupChat: .groupChat
                case .requirement: .requirement
                case .webhook: .webhook
                }
                var recipients: [Recipient] = []
                for r in e.recipients { recipients.append(try recipient(r)) }
                var fields: [Int] = []
                for f in e.fields { fields.append(try field(f)) }
                effects.append(EffectDef(kind: kind, recipients: recipients, text: e.localizedText, fields: fields,
                                         team: e.team?.value, assigneeRole: try e.assigneeRole.map { (r) throws(CompileError) in try role(r) },
                                         url: e.url?.value, event: e.event?.value))
                out.append(effects.count - 1)
            }
            return out
        }

        mutating func build() throws(CompileError) -> Machine {
            guard let header = t.main.header else { throw CompileError(SyntaxMessages.missingKey.at(t.main.span, "template", "the file")) }
            var fields: [FieldDef] = []
            for f in t.fields {
                let type = f.type?.value.rawValue ?? "text"
                // The text the runner reads the default from: the one the checker read.
                let defaultText = f.defaultValue.flatMap { FieldDefaults.storedText($0.value, source: f.defaultSource) }
                fields.append(FieldDef(id: f.id.value, name: names(f.name), type: type, of: f.of?.value.rawValue,
                                       currency: f.currency?.value, values: f.values.isEmpty ? nil : f.values.map(\.value),
                                       required: f.required?.value ?? false, defaultValue: defaultText, compute: nil,
                                       min: f.min?.value, max: f.max?.value))
            }
            for (i, f) in t.fields.enumerated() {
                guard let c = f.compute, let type = f.type?.value else { continue }
                fields[i].compute = try expression(c, expecting: FieldEnvironment.type(of: f, type), typeName: type.rawValue)
            }
            var nodes: [NodeDef] = []
            for n in t.nodes {
                let transition: Transition
                switch n.effectiveKind {
                case .won, .lost:
                    transition = .end
                case .approval:
                    var os: [OutcomeTarget] = []
                    for o in n.outcomes { os.append(OutcomeTarget(name: o.name.value, to: try node(o.target))) }
                    transition = .outcomes(os)
                case .fork:
                    var bs: [Int] = []
                    for b in n.branches { bs.append(try node(b)) }
                    guard let j = n.join else { throw CompileError(CheckMessages.keyNeededForKind.at(n.id.span, "fork", "join")) }
                    transition = .fork(branches: bs, join: try node(j))
                case .task, .join:
                    switch n.next {
                    case .single(let s)?: transition = .goto(try node(s))
                    case .conditional(let bs, let span)?:
                        var guarded: [GuardedTarget] = []
                        var otherwise: Int?
                        for b in bs {
                            if let c = b.condition {
                                guarded.append(GuardedTarget(condition: try expression(c, expecting: .boolean, typeName: "boolean"), to: try node(b.target)))
                            } else {
                                otherwise = try node(b.target)
                                break
                            }
                        }
                        guard let otherwise else { throw CompileError(CheckMessages.noDefault.at(span.onFirstLine)) }
                        transition = .branch(guarded, otherwise: otherwise)
                    case nil: throw CompileError(CheckMessages.keyNeededForKind.at(n.id.span, n.effectiveKind.rawValue, "next"))
                    }
                }
                let when = try n.when.map { (w) throws(CompileError) in try expression(w, expecting: .boolean, typeName: "boolean") }
                var participants: [Int] = []
                for p in n.participants { participants.append(try role(p)) }
                var requires: [Int] = []
                for f in n.requires { requires.append(try field(f)) }
                var rework: [Int] = []
                for r in n.rework { rework.append(try node(r)) }
                var escalate: EscalationDef?
                if let e = n.escalate, let to = e.to { escalate = EscalationDef(after: e.after?.value.seconds ?? 0, to: try role(to)) }
                let onEnter = try effectList(n.onEnter)
                let onComplete = try effectList(n.onComplete)
                nodes.append(NodeDef(id: n.id.value, name: names(n.name), kind: NodeKindIR(rawValue: n.effectiveKind.rawValue) ?? .task,
                                     owner: try n.owner.map { (o) throws(CompileError) in try role(o) }, participants: participants,
                                     estimate: n.estimate?.value.seconds, due: n.due?.value.seconds, escalate: escalate,
                                     probability: n.probability?.value, requires: requires, deliverables: n.deliverables.map(\.id.value),
                                     when: when, onEnter: onEnter, onComplete: onComplete, transition: transition, rework: rework))
            }
            let start = try t.start.map { (s) throws(CompileError) in try node(s) } ?? 0
            var lose: LoseDef?
            if let l = t.lose, let via = l.via {
                var from: [Int]?
                if let f = l.from {
                    var list: [Int] = []
                    for x in f { list.append(try node(x)) }
                    from = list
                }
                lose = LoseDef(reasons: l.reasons.map(\.value), via: try node(via), from: from,
                               reasonField: try l.reasonField.map { (f) throws(CompileError) in try field(f) })
            }
            var pool = PoolDef(lostToPublic: t.pool?.lostToPublic?.value ?? true, idleAfter: t.pool?.idle?.after?.value.seconds,
                               idleWarn: t.pool?.idle?.warn?.value.seconds, idleNotify: [], quota: t.pool?.claim?.quota?.value,
                               cooldown: t.pool?.claim?.cooldown?.value.seconds, assignBy: nil)
            for r in t.pool?.idle?.notify ?? [] { pool.idleNotify.append(try recipient(r)) }
            if let a = t.pool?.assignBy { pool.assignBy = try role(a) }
            if let u = t.pool?.idle?.until { pool.idleUntil = try node(u) }
            var triggers: [String: [Int]] = [:]
            for (trigger, list) in t.effects { triggers[trigger.value.rawValue, default: []] += try effectList(list) }
            var identity: [Int] = []
            for f in t.customer?.identity ?? [] { identity.append(try field(f)) }
            var profile: [Int] = []
            for f in t.customer?.profile ?? [] { profile.append(try field(f)) }
            let sources = SourceTable(files: IRCompiler.portablePaths(files.map(\.path)), nodes: t.nodes.map { ref($0.id.span) },
                                      fields: t.fields.map { ref($0.id.span) }, expressions: expressionSources)
            var m = Machine(template: TemplateInfo(id: header.id?.value ?? "", version: header.version?.value ?? "",
                                                   name: names(header.name), hash: ""),
                            fields: fields, customer: CustomerDef(identity: identity, normalize: t.customer?.normalize.map(\.value) ?? [], profile: profile, group: t.customer?.group.flatMap { $0.value == "default" ? nil : $0.value }),
                            roles: t.roles.map { RoleDef(id: $0.id.value, name: names($0.name), owner: $0.owner, manager: $0.manager, external: $0.external) },
                            nodes: nodes, start: start, lose: lose, pool: pool, effects: effects, triggers: triggers,
                            expressions: expressions, sources: sources)
            m.template.hash = IRCompiler.contentHash(m)
            return m
        }
    }
}
