public import FlowExpr
public import FlowStore

/// A `--where` filter, checked against a view's keys and translated to a store predicate.
///
/// The translation covers what maps exactly onto the store's comparisons: `and`, `or`, `not`,
/// `== != < <= > >=` and `in [constants]` between keys and constants (any sub-expression without
/// a key, such as `today() - 30d` or `100000 CNY`, is evaluated first), and boolean fields as
/// conditions. Anything else (arithmetic on fields, functions of fields, comparing two keys of
/// different representations) is not translated: the predicate is then a superset (`and` keeps
/// its translatable parts) and every row the store returns is evaluated in Swift with the
/// expression language's own evaluator. ``isExact`` tells which.
///
/// `node` and `blocked` hold a deal's open (blocked) nodes, comma-separated. Compared with a
/// text written in the filter, each is read as a list: `node == "legal_review"` is true for a
/// deal at the two nodes of a fork, one of them `legal_review` (`!=`: none of them is; `in
/// [...]`: one of them is one of those), as grouping by `node` counts it (QA round 24: the
/// comparison of the whole text found no deal at the fork). The store reads it so
/// (``FlowStore/ViewPredicate/hasElement(_:_:)``), and so does the evaluation in Swift
/// (``evaluated``).
public struct ViewFilter: Sendable {
    public let checked: CheckedExpr
    /// What the store evaluates.
    public let predicate: ViewPredicate
    /// Whether `predicate` is the whole filter (no evaluation in Swift needed).
    public let isExact: Bool
    /// The filter as evaluated in Swift: `checked`, its comparisons of `node` and `blocked` with
    /// written texts made tests of membership (``elementwise(_:schema:)``).
    let evaluated: CheckedExpr
    let keys: [String]

    /// Translates a checked filter (which must have no errors).
    public init(_ checked: CheckedExpr, schema: DealViewSchema, clock: ExprClock) {
        self.checked = checked
        evaluated = Self.elementwise(checked, schema: schema) ?? checked
        var translator = Translator(checked: checked, schema: schema, clock: clock)
        if let root = checked.root {
            let (p, exact) = translator.condition(root)
            predicate = p
            isExact = exact
        } else {
            predicate = .always
            isExact = true
        }
        keys = checked.referencedFields
    }

    /// Whether a row passes the whole filter (null counts as false; an evaluation error as false).
    public func matches(_ row: DealViewRow, schema: DealViewSchema, clock: ExprClock) -> Bool {
        let values = keys.map { name in schema.key(name).map { row.value($0, schema, now: clock.now) } ?? .null }
        switch ExprEvaluator.evaluate(evaluated, fieldValues: values, clock: clock) {
        case .success(.boolean(let b)): return b
        default: return false
        }
    }

    private struct Translator {
        let checked: CheckedExpr
        let schema: DealViewSchema
        let clock: ExprClock
        var tree: ExprTree { checked.tree }

        /// (predicate, exact): exact false means the predicate is a superset of the node's rows.
        mutating func condition(_ id: ExprID) -> (ViewPredicate, Bool) {
            if let constant = constantValue(id) {
                if case .boolean(true) = constant { return (.always, true) }
                return (.or([]), true)
            }
            switch tree[id] {
            case .field(let path):
                if let key = schema.key(path), let (operand, representation) = schema.operand(key, now: clock.now),
                   representation == .number, schema.type(of: key) == .boolean
                {
                    return (.isTrue(operand), true)
                }
                return (.always, false)
            case .unary(.not, let inner):
                let (p, exact) = condition(inner)
                return exact ? (.not(p), true) : (.always, false)
            case .binary(.and, let a, let b, _):
                let (pa, ea) = condition(a)
                let (pb, eb) = condition(b)
                return (.and([pa, pb].filter { $0 != .always }), ea && eb)
            case .binary(.or, let a, let b, _):
                let (pa, ea) = condition(a)
                let (pb, eb) = condition(b)
                if pa == .always || pb == .always { return (.always, false) }
                return (.or([pa, pb]), ea && eb)
            case .binary(.in, let a, let b, _) where ViewFilter.listKey(a, tree) != nil:
                // One of the open (blocked) nodes is one of the texts written.
                guard let (operand, _) = keyOperand(a), let items = ViewFilter.writtenTexts(b, tree) else { return (.always, false) }
                return (.hasElement(operand, items), true)
            case .binary(let op, let a, let b, _) where (op == .equal || op == .notEqual)
                && (ViewFilter.listKey(a, tree) != nil && ViewFilter.writtenText(b, tree) != nil
                    || ViewFilter.listKey(b, tree) != nil && ViewFilter.writtenText(a, tree) != nil):
                let (key, text) = ViewFilter.listKey(a, tree) != nil ? (a, b) : (b, a)
                guard let (operand, _) = keyOperand(key), let element = ViewFilter.writtenText(text, tree) else { return (.always, false) }
                return (op == .equal ? .hasElement(operand, [element]) : .not(.hasElement(operand, [element])), true)
            case .binary(.in, let a, let b, _):
                guard let (operand, representation) = keyOperand(a), let list = constantValue(b), case .list(let items) = list else {
                    return (.always, false)
                }
                var values: [ViewValue] = []
                for item in items {
                    guard item != .null, let v = DealViewSchema.storeValue(item, representation) else { return (.always, false) }
                    values.append(v)
                }
                return (.oneOf(operand, values), true)
            case .binary(let op, let a, let b, _) where op.isComparison:
                guard let comparison = Self.comparison(op) else { return (.always, false) }
                if let (left, representation) = keyOperand(a) {
                    if let right = constantOperand(b, representation) { return (.compare(left, comparison, right), true) }
                    if let (right, r2) = keyOperand(b), r2 == representation { return (.compare(left, comparison, right), true) }
                } else if let (right, representation) = keyOperand(b), let left = constantOperand(a, representation) {
                    return (.compare(left, comparison, right), true)
                }
                return (.always, false)
            default:
                return (.always, false)
            }
        }

        static func comparison(_ op: ExprBinaryOperator) -> ViewComparison? {
            switch op {
            case .equal: .equal
            case .notEqual: .notEqual
            case .less: .less
            case .lessOrEqual: .lessOrEqual
            case .greater: .greater
            case .greaterOrEqual: .greaterOrEqual
            default: nil
            }
        }

        func keyOperand(_ id: ExprID) -> (ViewOperand, DealViewSchema.Representation)? {
            guard case .field(let path) = tree[id], let key = schema.key(path) else { return nil }
            return schema.operand(key, now: clock.now)
        }

        mutating func constantOperand(_ id: ExprID, _ representation: DealViewSchema.Representation) -> ViewOperand? {
            guard let value = constantValue(id), let v = DealViewSchema.storeValue(value, representation) else { return nil }
            return .value(v)
        }

        /// The value of a sub-expression that reads no key, evaluated on its own (its text is
        /// checked again: the tree's ranges are byte ranges of the filter text).
        mutating func constantValue(_ id: ExprID) -> ExprValue? {
            if !readsNoKey(id) { return nil }
            let bytes = Array(checked.parsed.text.utf8)
            let range = tree.range(of: id)
            guard range.lowerBound >= 0, range.upperBound <= bytes.count else { return nil }
            let text = String(decoding: bytes[range], as: UTF8.self)
            let sub = ExprChecker.check(text, in: schema)
            guard !sub.hasErrors, case .success(let value) = ExprEvaluator.evaluate(sub, fieldValues: [], clock: clock) else {
                return nil
            }
            return value
        }

        func readsNoKey(_ id: ExprID) -> Bool {
            switch tree[id] {
            case .field: return false
            case .literal: return true
            case .unary(_, let a): return readsNoKey(a)
            case .binary(_, let a, let b, _): return readsNoKey(a) && readsNoKey(b)
            case .list(let items): return items.allSatisfy(readsNoKey)
            case .call(_, let arguments, _): return arguments.allSatisfy(readsNoKey)
            }
        }
    }
}

extension ViewFilter {
    /// `node` or `blocked` (a list of nodes, comma-separated), when `id` reads one of them.
    static func listKey(_ id: ExprID, _ tree: ExprTree) -> String? {
        guard case .field(let path) = tree[id],
              path == DealViewSchema.Builtin.node.rawValue || path == DealViewSchema.Builtin.blocked.rawValue else { return nil }
        return path
    }

    /// The text written at `id` (a text literal).
    static func writtenText(_ id: ExprID, _ tree: ExprTree) -> String? {
        if case .literal(.text(let t)) = tree[id] { return t }
        return nil
    }

    /// The texts of a list written at `id`, each a text literal.
    static func writtenTexts(_ id: ExprID, _ tree: ExprTree) -> [String]? {
        guard case .list(let items) = tree[id] else { return nil }
        let texts = items.compactMap { writtenText($0, tree) }
        return texts.count == items.count ? texts : nil
    }

    /// `checked` with each comparison of `node` or `blocked` with written texts made a test of
    /// membership in the comma-separated list, as the store reads it: `node == "x"` is
    /// `contains("," + node + ",", "," + "x" + ",")`, `!=` its negation, and `node in ["x",
    /// "y"]` one such test per text, joined by `or`. Each text is kept as written (its own
    /// quotes and escapes). Nil when there is none (or, which cannot be, the text written so
    /// does not check).
    static func elementwise(_ checked: CheckedExpr, schema: DealViewSchema) -> CheckedExpr? {
        let tree = checked.parsed.tree
        let bytes = Array(checked.parsed.text.utf8)
        func source(_ id: ExprID) -> String {
            let r = tree.range(of: id)
            return String(decoding: bytes[max(0, r.lowerBound)..<min(bytes.count, r.upperBound)], as: UTF8.self)
        }
        /// The test that `key` holds the text at `text`: one `contains` for a node, one per
        /// part, joined by `and`, for a text of several (`legal,finance`: a deal at both).
        func has(_ key: String, _ text: ExprID) -> String {
            guard let written = writtenText(text, tree), written.contains(",") else {
                return "contains(\",\" + \(key) + \",\", \",\" + \(source(text)) + \",\")"
            }
            let parts = ViewPredicate.parts(of: written).map { part in
                "contains(\",\" + \(key) + \",\", \"," + part.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + ",\")"
            }
            return "(" + parts.joined(separator: " and ") + ")"
        }
        var replacements: [(range: Range<Int>, text: String)] = []
        for id in tree.ids {
            guard case .binary(let op, let a, let b, _) = tree[id] else { continue }
            switch op {
            case .in:
                guard let key = listKey(a, tree), case .list(let items) = tree[b], !items.isEmpty, writtenTexts(b, tree) != nil else { continue }
                replacements.append((tree.range(of: id), "(" + items.map { has(key, $0) }.joined(separator: " or ") + ")"))
            case .equal, .notEqual:
                let side: (key: String, text: ExprID)? =
                    if let key = listKey(a, tree), writtenText(b, tree) != nil { (key, b) }
                    else if let key = listKey(b, tree), writtenText(a, tree) != nil { (key, a) }
                    else { nil }
                guard let side else { continue }
                replacements.append((tree.range(of: id), op == .equal ? has(side.key, side.text) : "(not " + has(side.key, side.text) + ")"))
            default:
                continue
            }
        }
        guard !replacements.isEmpty else { return nil }
        var text = bytes
        for r in replacements.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            text.replaceSubrange(r.range, with: Array(r.text.utf8))
        }
        let rewritten = ExprChecker.check(String(decoding: text, as: UTF8.self), in: schema, expecting: .boolean, limits: .init(maxLength: Int.max, maxDepth: ExprLimits.default.maxDepth + 4))
        return rewritten.hasErrors ? nil : rewritten
    }

    /// The texts the filter compares `node` or `blocked` with (`node == "x"`, `blocked != "x"`,
    /// `node in ["x", "y"]`), each once, in the order written; the empty text (no node) is
    /// left out. A view checks them against the store's nodes: a misspelt or retired node id
    /// matches no deal, which reads as "no deal there" (QA round 16).
    public var comparedNodeIDs: [String] { comparedNodes.map(\.id) }

    /// The texts the filter compares `template` with (`template == "x"`, `template in ["x"]`),
    /// each once, in the order written. A view checks them against the store's template ids: a
    /// misspelt id (`standard-sale` for `standard_sale`) matches no deal (review V8).
    public var comparedTemplateIDs: [String] {
        let tree = checked.parsed.tree
        func isTemplate(_ id: ExprID) -> Bool {
            if case .field(let path) = tree[id] { return path == DealViewSchema.Builtin.template.rawValue }
            return false
        }
        var out: [String] = []
        for (t, _) in comparedTexts(key: isTemplate) where !out.contains(t) { out.append(t) }
        return out
    }

    /// `comparedNodeIDs`, each with the range in the filter's text of the literal that names it
    /// first (a text of several nodes, `"legal,finance"`, gives each of them its whole range).
    public var comparedNodes: [(id: String, range: Range<Int>)] {
        let tree = checked.parsed.tree
        var out: [(id: String, range: Range<Int>)] = []
        // A text of several nodes (`legal,finance`: a deal at both) names each.
        for (text, range) in comparedTexts(key: { Self.listKey($0, tree) != nil }) {
            for t in ViewPredicate.parts(of: text) where !t.isEmpty && !out.contains(where: { $0.id == t }) { out.append((t, range)) }
        }
        return out
    }

    /// The text literals the filter compares a key with (`KEY == "x"`, `"x" != KEY`, `KEY in
    /// ["x", "y"]`), in the order written, each with its range in the filter's text; `key` says
    /// which nodes of the tree are the key.
    private func comparedTexts(key isKey: (ExprID) -> Bool) -> [(String, Range<Int>)] {
        let tree = checked.parsed.tree
        func texts(_ id: ExprID) -> [(String, Range<Int>)] {
            switch tree[id] {
            case .literal(.text(let t)): return [(t, tree.range(of: id))]
            case .list(let items): return items.flatMap(texts)
            default: return []
            }
        }
        var out: [(String, Range<Int>)] = []
        for id in tree.ids {
            guard case .binary(let op, let l, let r, _) = tree[id] else { continue }
            switch op {
            case .equal, .notEqual: out += isKey(l) ? texts(r) : isKey(r) ? texts(l) : []
            case .in where isKey(l): out += texts(r)
            default: break
            }
        }
        return out
    }
}
