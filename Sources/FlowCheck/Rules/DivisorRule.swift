import FlowDiagnostics
import FlowExpr
import FlowSyntax

/// A condition does not turn false on its own when a divisor is zero.
///
/// A division by a field that may hold zero (a number or money without a `min` above zero) has
/// no value on a deal where it does, and a condition then counts as false (FC0430 at run time):
/// a low-margin audit written `margin / quote < 0.15` is skipped for a quote of zero, the deal
/// that most needs it (QA round 22). Warns at such a divisor in a `when` or an `if`, and at a
/// computed field read there whose `compute` divides so, unless the condition tests the divisor
/// against zero or the computed field with `has`. Language reference: "expressions".
enum DivisorRule: TemplateRule {
    static let name = "DivisorRule"
    static let summary = "a condition does not silently turn false when a divisor is zero"
    static let codes = [CheckMessages.divisorMayBeZero]

    static func check(_ ctx: inout RuleContext) {
        let t = ctx.template
        // Computed fields whose `compute` divides by a field that may be zero: field → (divisor, division as written).
        var dividing: [String: (divisor: String, division: String)] = [:]
        var computed: [(id: String, checked: CheckedExpr, root: ExprID)] = []
        for f in t.fields {
            guard let e = f.compute, let checked = checkedExpression(e, ctx), let root = checked.root else { continue }
            computed.append((f.id.value, checked, root))
            if let (divisor, division) = unguardedDivisions(checked, root, ctx).first { dividing[f.id.value] = (divisor.path, division) }
        }
        // A computed field that reads one of those without `has` is unset with it
        // (`margin_pct = margin_rate * 100`, QA round 23); as far as such chains go.
        var grew = true
        while grew {
            grew = false
            for c in computed where dividing[c.id] == nil {
                let tested = calledHas(c.checked)
                if let read = c.checked.references.first(where: { dividing[$0.path] != nil && !tested.contains($0.path) }),
                   let source = dividing[read.path] {
                    dividing[c.id] = source
                    grew = true
                }
            }
        }
        func condition(_ e: ExpressionText) {
            guard ctx.expressions[ExpressionKey(e.span)]?.isValid == true, let checked = checkedExpression(e, ctx), let root = checked.root else { return }
            for (divisor, _) in unguardedDivisions(checked, root, ctx) {
                ctx.report(CheckMessages.divisorMayBeZero.at(e.span(of: checked.tree.range(of: divisor.node)), divisor.path)
                    .help(CheckMessages.Formats.testDivisorFirst, divisor.path, zero(divisor.path, ctx)))
            }
            let tested = calledHas(checked)
            for ref in checked.references {
                guard let (divisor, division) = dividing[ref.path], !tested.contains(ref.path),
                      !comparesWithZero(checked, divisor, root) else { continue }
                ctx.report(CheckMessages.divisorMayBeZero.at(e.span(of: ref.range), format: CheckMessages.Formats.computedDividesByZero,
                                                             ref.path, divisor, division)
                    .help(CheckMessages.Formats.testComputedFirst, ref.path, divisor))
            }
        }
        for n in t.nodes {
            if let w = n.when { condition(w) }
            if case .conditional(let bs, _)? = n.next { for b in bs { if let c = b.condition { condition(c) } } }
        }
    }

    /// The expression as `ExpressionsRule` checked it, when its only errors, if any, are about the
    /// type its place wants (a computed field's declared type): its tree is sound.
    static func checkedExpression(_ e: ExpressionText, _ ctx: RuleContext) -> CheckedExpr? {
        guard let checked = ctx.expressions[ExpressionKey(e.span)]?.checked else { return nil }
        let placeCodes = [ExprMessages.resultType.code, ExprMessages.conditionNotBoolean.code]
        return checked.diagnostics.allSatisfy { $0.severity != .error || placeCodes.contains($0.code) } ? checked : nil
    }

    /// The divisions of `checked` by a field that may be zero and that the expression does not
    /// compare with zero: the divisor's reference, and the division as written.
    static func unguardedDivisions(_ checked: CheckedExpr, _ root: ExprID, _ ctx: RuleContext) -> [(ExprFieldReference, String)] {
        let tree = checked.tree
        var out: [(ExprFieldReference, String)] = []
        for id in tree.ids {
            guard case .binary(let op, _, let rhs, _) = tree[id], op == .divide || op == .remainder,
                  case .field(let path) = tree[rhs], mayBeZero(path, ctx), !isGuarded(tree, id, by: path, under: root),
                  let ref = checked.references.first(where: { $0.node == rhs }) else { continue }
            out.append((ref, text(checked, tree.range(of: id))))
        }
        return out
    }

    /// A number or money field without a `min` above zero; a computed one too.
    static func mayBeZero(_ path: String, _ ctx: RuleContext) -> Bool {
        guard let i = ctx.fieldIndex[path] else { return false }
        let f = ctx.template.fields[i]
        guard let type = f.type?.value, [.integer, .decimal, .money].contains(type) else { return false }
        return (f.min?.value ?? 0) <= 0
    }

    /// Whether the expression compares field `path` with zero anywhere (`quote > 0 CNY`,
    /// `0 != headcount`, `quote >= 1 CNY`): the author has thought of it.
    static func comparesWithZero(_ checked: CheckedExpr, _ path: String, _ root: ExprID) -> Bool {
        let tree = checked.tree
        for id in tree.ids {
            guard case .binary(let op, let l, let r, _) = tree[id], op.isComparison else { continue }
            if case .field(let p) = tree[l], p == path, isNumberLiteral(tree[r]) { return true }
            if case .field(let p) = tree[r], p == path, isNumberLiteral(tree[l]) { return true }
        }
        return false
    }

    /// Whether the division `division` is evaluated only when `path` is not zero: it is on the
    /// right of an `and` whose left side has, as one of its conjuncts, a test of `path` against a
    /// number that is false at zero (`quote > 0 CNY and …`), or on the right of an `or` whose left
    /// side has a disjunct that is true at zero (`quote <= 0 CNY or …`). A test written after the
    /// division does not guard it: the division fails the whole condition first (review of the
    /// checker, C7: `x / quote < 0.15 or quote <= 0 CNY` skipped the audit of a zero quote).
    static func isGuarded(_ tree: ExprTree, _ division: ExprID, by path: String, under root: ExprID) -> Bool {
        func parts(_ id: ExprID, _ op: ExprBinaryOperator) -> [ExprID] {
            if case .binary(let o, let l, let r, _) = tree[id], o == op { return parts(l, op) + parts(r, op) }
            return [id]
        }
        // Searches for the division below `id`, `guarded` by the sides already passed.
        func search(_ id: ExprID, _ guarded: Bool) -> Bool? {
            if id == division { return guarded }
            switch tree[id] {
            case .binary(let op, let l, let r, _) where op == .and || op == .or:
                if let found = search(l, guarded) { return found }
                let guards = parts(l, op).contains { valueAtZero(tree, $0, path) == (op == .or) }
                return search(r, guarded || guards)
            case .binary(_, let l, let r, _): return search(l, guarded) ?? search(r, guarded)
            case .unary(_, let x): return search(x, guarded)
            case .list(let items), .call(_, let items, _):
                for item in items { if let found = search(item, guarded) { return found } }
                return nil
            case .literal, .field: return nil
            }
        }
        return search(root, false) ?? false
    }

    /// What a test of field `path` against a number (`quote > 0 CNY`, `0 != headcount`,
    /// `not (quote == 0 CNY)`) gives when the field is zero; nil for any other expression.
    static func valueAtZero(_ tree: ExprTree, _ id: ExprID, _ path: String) -> Bool? {
        func sign(_ id: ExprID) -> Int? {
            switch tree[id] {
            case .literal(.integer(let n)): Int(n.signum())
            case .literal(.decimal(let d)), .literal(.money(let d, _)): Int(d.significand.signum())
            case .unary(.negate, let x): sign(x).map { -$0 }
            default: nil
            }
        }
        func holds(_ op: ExprBinaryOperator, _ a: Int, _ b: Int) -> Bool? {
            switch op {
            case .equal: a == b
            case .notEqual: a != b
            case .less: a < b
            case .lessOrEqual: a <= b
            case .greater: a > b
            case .greaterOrEqual: a >= b
            default: nil
            }
        }
        switch tree[id] {
        case .unary(.not, let x): return valueAtZero(tree, x, path).map { !$0 }
        case .binary(let op, let l, let r, _) where op.isComparison:
            if case .field(let p) = tree[l], p == path, let s = sign(r) { return holds(op, 0, s) }
            if case .field(let p) = tree[r], p == path, let s = sign(l) { return holds(op, s, 0) }
            return nil
        default: return nil
        }
    }

    static func isNumberLiteral(_ node: ExprNode) -> Bool {
        switch node {
        case .literal(.integer), .literal(.decimal), .literal(.money): true
        default: false
        }
    }

    /// The fields the expression tests with `has(…)`.
    static func calledHas(_ checked: CheckedExpr) -> Set<String> {
        var out: Set<String> = []
        for id in checked.tree.ids {
            if case .call(let name, let args, _) = checked.tree[id], name == "has", let a = args.first, case .field(let p) = checked.tree[a] { out.insert(p) }
        }
        return out
    }

    /// Zero as field `path` compares with it: `0 CNY` for money, `0` otherwise.
    static func zero(_ path: String, _ ctx: RuleContext) -> String {
        guard let i = ctx.fieldIndex[path], ctx.template.fields[i].type?.value == .money else { return "0" }
        return "0 " + (ctx.template.fields[i].currency?.value ?? "CNY")
    }

    static func text(_ checked: CheckedExpr, _ range: Range<Int>) -> String {
        let bytes = Array(checked.parsed.text.utf8)
        return String(decoding: bytes[max(0, range.lowerBound)..<min(range.upperBound, bytes.count)], as: UTF8.self)
    }
}
