import FlowDiagnostics
public import FlowExpr
public import FlowSyntax

/// Every expression parses and is well-typed against the deal schema.
///
/// Rejects syntax and type errors in `when`, `if` and `compute` (reported at the exact column
/// inside the YAML scalar, quoted and block scalars included), conditions that are not boolean,
/// computed fields whose type differs from their declared type, and computed fields that depend
/// on themselves. An expression that is too long is reported over its whole text. A field that
/// is declared but has no usable type is not reported again in expressions. Records, for later
/// rules, which fields each expression reads and whether it is constant. Language reference: "expressions"; grammar: `grammar/expression.ebnf`.
enum ExpressionsRule: TemplateRule {
    static let name = "ExpressionsRule"
    static let summary = "expressions parse, type-check against the fields, and computed fields do not depend on themselves"
    static let codes = ExprMessages.all.filter { $0.code.number < 432 } + [CheckMessages.computedCycle]

    static func check(_ ctx: inout RuleContext) {
        let t = ctx.template
        let env = FieldEnvironment(t.fields)
        // Every expression, parsed once: the field names they use are counted (for FC0415's
        // help) before any is checked. A computed field's carries its id and declared type.
        var all: [(text: ExpressionText, parsed: ParsedExpr, expecting: ExprType?, field: String?)] = []
        for f in t.fields {
            guard let e = f.compute else { continue }
            all.append((e, ExprParser.parse(e.text), f.type.flatMap { FieldEnvironment.type(of: f, $0.value) }, f.id.value))
        }
        for n in t.nodes {
            if let w = n.when { all.append((w, ExprParser.parse(w.text), .boolean, nil)) }
            if case .conditional(let bs, _)? = n.next {
                for b in bs { if let c = b.condition { all.append((c, ExprParser.parse(c.text), .boolean, nil)) } }
            }
        }
        let uses = fieldUses(t, all.map(\.parsed))
        var dependencies: [String: [String]] = [:]
        for e in all {
            let info = checkOne(&ctx, e.text, e.parsed, env: env, expecting: e.expecting, uses: uses)
            if let field = e.field, let info { dependencies[field] = info.fields }
        }
        reportCycles(&ctx, dependencies)
    }

    /// How often each field name is used: in the expressions, `requires` and bot cards' `fields`.
    static func fieldUses(_ t: ComposedTemplate, _ expressions: [ParsedExpr]) -> [String: Int] {
        var uses: [String: Int] = [:]
        for parsed in expressions {
            for id in parsed.tree.ids { if case .field(let path) = parsed.tree[id] { uses[path, default: 0] += 1 } }
        }
        for n in t.nodes {
            for r in n.requires { uses[r.value, default: 0] += 1 }
            for e in n.onEnter + n.onComplete { for f in e.fields { uses[f.value, default: 0] += 1 } }
        }
        return uses
    }

    /// The run of text from byte `start` that is not ASCII (a name in Chinese, say), with its
    /// byte range: what an author wrote where an id belongs.
    static func displayNameRun(_ text: String, from start: Int) -> (String, Range<Int>)? {
        let bytes = Array(text.utf8)
        guard start < bytes.count, bytes[start] >= 0x80 else { return nil }
        var end = start
        while end < bytes.count, bytes[end] >= 0x80 { end += 1 }
        return (String(decoding: bytes[start..<end], as: UTF8.self), start..<end)
    }

    static func checkOne(_ ctx: inout RuleContext, _ e: ExpressionText, _ parsed: ParsedExpr, env: FieldEnvironment, expecting: ExprType?,
                         uses: [String: Int]) -> ExpressionInfo? {
        let map: (Range<Int>) -> SourceSpan = { e.span(of: $0) }
        if !parsed.diagnostics.isEmpty {
            for d in parsed.diagnostics {
                var diag = d.diagnostic(mapping: map)
                // A field's display name written for its id (`quote < 成本`), rather than a
                // text without its quotes, which the lexer takes such words for.
                if d.code == ExprMessages.unexpectedCharacter.code, diag.help == nil || diag.help?.format == ExprMessages.Help.quoteText,
                   let (name, range) = displayNameRun(e.text, from: d.range.lowerBound), let id = ctx.field(displayed: name) {
                    diag.span = map(range)
                    diag = diag.help(CheckMessages.Formats.displayNameForID, name, id).fix(map(range), id)
                }
                // The whole expression is too long, not the byte where the limit falls.
                if d.code == ExprMessages.expressionTooLong.code { diag.span = e.span(of: 0..<e.text.utf8.count) }
                ctx.report(diag)
            }
            ctx.expressions[ExpressionKey(e.span)] = ExpressionInfo(fields: [], constantBool: nil, isValid: false)
            return nil
        }
        let checked = ExprChecker.check(parsed, in: env, expecting: expecting)
        for d in checked.diagnostics {
            // A declared field without a usable type (`type: mony`, `currency: cny`) is reported
            // at its definition; when a file could not be loaded, the field may be defined there.
            if d.code == ExprMessages.unknownField.code, let name = d.arguments.first,
               ctx.template.isIncomplete || ctx.fieldIndex[name] != nil
                || ctx.mayBeUnnamed(name, ctx.template.unnamedFields, known: env.knownNames) { continue }
            var diag = d.diagnostic(mapping: map)
            if d.code == ExprMessages.unknownField.code, diag.help == nil, let name = d.arguments.first, !name.contains(".") {
                diag.help = ExpressionHints.unknownNameHelp(name, env)
            }
            // A name used more than once whose near miss is declared: likely the declaration's
            // typo, so the declaration is labelled and the fix-it renames it (QA round 23, as
            // FC0304 does for the other uses).
            if d.code == ExprMessages.unknownField.code, let name = d.arguments.first, (uses[name] ?? 0) > 1,
               let guess = Suggestions.closest(to: name, in: env.knownNames), let i = ctx.fieldIndex[guess],
               !ctx.isWrittenElsewhere(guess, besides: ctx.template.fields[i].id.span) {
                let declared = ctx.template.fields[i].id.span
                diag = diag.label(declared, CheckMessages.Formats.declaredHere, guess)
                diag.help = Message(CheckMessages.Formats.didYouMeanOrRename, [guess, name])
                diag.fixIts = [FixIt(span: declared, replacement: name)]
            }
            ctx.report(diag)
        }
        let fields = checked.referencedFields
        var constant: Bool?
        if checked.isConstant, case .boolean(let b)? = ExprEvaluator.constantValue(of: checked) {
            constant = b
        }
        let info = ExpressionInfo(fields: fields, constantBool: constant, isValid: checked.diagnostics.isEmpty, checked: checked)
        ctx.expressions[ExpressionKey(e.span)] = info
        return info
    }

    /// Reports each cycle among computed fields once, at its first field in source order.
    static func reportCycles(_ ctx: inout RuleContext, _ deps: [String: [String]]) {
        var state: [String: Int] = [:] // 1 visiting, 2 done
        var reported = Set<String>()
        let order = ctx.template.fields.map(\.id.value).filter { deps[$0] != nil }
        for root in order where state[root] == nil {
            var path: [String] = []
            var stack: [(String, Int)] = [(root, 0)]
            state[root] = 1
            path.append(root)
            while let (v, i) = stack.last {
                let next = deps[v] ?? []
                if i < next.count {
                    stack[stack.count - 1].1 += 1
                    let w = next[i]
                    guard deps[w] != nil else { continue }
                    if state[w] == 1, let at = path.firstIndex(of: w) {
                        let cycle = Array(path[at...]) + [w]
                        if let first = cycle.first, reported.insert(first).inserted,
                           let f = ctx.template.fields.first(where: { $0.id.value == first }) {
                            ctx.report(CheckMessages.computedCycle.at(f.compute?.span ?? f.id.span, first,
                                                                      cycle.map { "`\($0)`" }.joined(separator: " → ")))
                        }
                    } else if state[w] == nil {
                        state[w] = 1
                        path.append(w)
                        stack.append((w, 0))
                    }
                } else {
                    state[v] = 2
                    path.removeLast()
                    stack.removeLast()
                }
            }
        }
    }
}

/// The deal schema as the expression checker sees it.
public struct FieldEnvironment: ExprEnvironment {
    let types: [String: ExprType]
    public let knownNames: [String]

    public init(_ fields: [FieldSyntax]) {
        var t: [String: ExprType] = [:]
        var names: [String] = []
        for f in fields where t[f.id.value] == nil {
            guard let type = f.type?.value, let et = FieldEnvironment.type(of: f, type) else { continue }
            t[f.id.value] = et
            names.append(f.id.value)
        }
        types = t
        knownNames = names
    }

    public func lookup(_ path: String) -> ExprType? { types[path] }

    /// The expression type of a field declared with `type`, nil when the declaration is incomplete.
    public static func type(of f: FieldSyntax, _ type: FieldTypeName) -> ExprType? {
        switch type {
        case .text: return .text
        case .integer: return .integer
        case .decimal: return .decimal
        case .money: return f.currency.map { .money(currency: $0.value) }
        case .boolean: return .boolean
        case .date: return .date
        case .datetime: return .datetime
        case .enum: return .enumeration(values: f.values.map(\.value))
        case .list:
            guard let of = f.of?.value, of != .list, let element = Self.type(of: f, of) else { return nil }
            return .list(element)
        }
    }
}

/// Helps for names an expression uses that no field has.
enum ExpressionHints {
    /// The help for a name that is no declared field, with nothing close by spelling: the word
    /// another language uses for a literal (`yes`, `None`), an enum value written without its
    /// quotes (`industry == automotive`), the one field that has the name as a word of its id
    /// (`customer` → `customer_name`), or else a field the template has yet to declare.
    static func unknownNameHelp(_ name: String, _ env: some ExprEnvironment) -> Message {
        switch name.lowercased() {
        case "yes", "on", "y": return Message(CheckMessages.Formats.literalWord, [name, "true"])
        case "no", "off", "n": return Message(CheckMessages.Formats.literalWord, [name, "false"])
        case "nil", "none", "undefined", "empty": return Message(CheckMessages.Formats.literalWord, [name, "null"])
        case "true", "false", "null": return Message(CheckMessages.Formats.literalWord, [name, name.lowercased()])
        default: break
        }
        let enums = env.knownNames.filter { field in
            if case .enumeration(let values)? = env.lookup(field) { return values.contains(name) }
            return false
        }
        if let field = enums.first {
            return Message(CheckMessages.Formats.unquotedEnumValue, [name, enums.count == 1 ? field : enums.joined(separator: "`, `")])
        }
        // What a deal has besides its fields, which expressions do not read.
        if ["owner", "status", "pool", "stage", "node", "id", "deal", "probability"].contains(name) {
            return Message(CheckMessages.Formats.dealProperty, [name])
        }
        // A short word (`id`, `no`) is a word of too many ids to mean one of them.
        if name.count >= 3, let g = Suggestions.onlyContainingWord(name, in: env.knownNames) {
            return Message(CheckMessages.Formats.didYouMean, [g])
        }
        // No declared field is close: most likely one the template has yet to declare.
        return Message(CheckMessages.Formats.declareField, [name])
    }
}
