public import FlowDiagnostics
public import FlowSyntax
public import FlowExpr

/// What every rule sees: the composed template, its symbol tables and flow graph, what earlier
/// rules found out, and where to report.
public struct RuleContext: Sendable {
    public let template: ComposedTemplate
    /// Index of the first definition of each node, role and field id.
    public let nodeIndex: [String: Int]
    public let roleIndex: [String: Int]
    public let fieldIndex: [String: Int]
    /// For each node index: true when the node is the first definition of its id (the one
    /// `nodeIndex` names). Rules ask this for every node; a table spares hashing each id again.
    let isFirstDefinition: [Bool]
    /// The same for roles and fields.
    let isFirstRole: [Bool]
    let isFirstField: [Bool]
    public let graph: FlowGraph
    /// For each node index: true when where the node leads is not fully known, because a
    /// transition names an undefined node or a transition key could not be read. Both are
    /// reported already; graph rules treat such a node as possibly leading anywhere, so that one
    /// mistake is not reported again on every node around it.
    public let hasUnknownTransitions: [Bool]
    /// Results of the expression rule, keyed by the scalar's span start, for later rules.
    public var expressions: [ExpressionKey: ExpressionInfo] = [:]
    /// Capped (`DiagnosticCap`).
    public private(set) var diagnostics: [Diagnostic] = [] { didSet { DiagnosticCap.trim(&diagnostics) } }
    /// See `forkLayout()`.
    var forkLayoutCache: ForkLayout?

    public mutating func report(_ d: Diagnostic) { diagnostics.append(d) }

    /// The first node defined with `id`.
    public func node(_ id: String) -> NodeSyntax? { nodeIndex[id].map { template.nodes[$0] } }

    /// The start node's index: `start:` when given and defined, else the first node.
    public var startIndex: Int? { graph.start }

    /// The field whose display name (in any language) is `text`, when one field has it: an
    /// author who writes `成本` for the field `cost` (QA round 12).
    func field(displayed text: String) -> String? {
        let wanted = text.trimmingCharacters(in: .whitespaces)
        guard !wanted.isEmpty else { return nil }
        let ids = Set(template.fields.filter { f in f.name?.entries.contains { $0.text.trimmingCharacters(in: .whitespaces) == wanted } == true }.map(\.id.value))
        return ids.count == 1 ? ids.first : nil
    }

    /// Whether `name` is written in the template's files anywhere but at `declaration`, as a whole
    /// word (letters, digits, `_` and non-ASCII around it end no word). A misspelt use of a
    /// declared name is the declaration's typo only when the declared name is used nowhere as
    /// written; otherwise renaming the declaration would break those uses (review of the
    /// checker, C3). Read as text, so a use in a description counts too: the fix-it then
    /// corrects the misspelt uses, which is never wrong.
    func isWrittenElsewhere(_ name: String, besides declaration: SourceSpan) -> Bool {
        let word = Array(name.utf8)
        guard !word.isEmpty else { return false }
        func isWordByte(_ b: UInt8) -> Bool {
            b >= 0x80 || b == UInt8(ascii: "_") || (b >= 0x30 && b <= 0x39) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A)
        }
        var seen: Set<String> = []
        for file in [template.main.file] + template.files where seen.insert(file.path).inserted {
            let bytes = file.bytes
            var i = 0
            while i + word.count <= bytes.count {
                if bytes[i] == word[0], bytes[i..<(i + word.count)].elementsEqual(word),
                   i == 0 || !isWordByte(bytes[i - 1]), i + word.count == bytes.count || !isWordByte(bytes[i + word.count]),
                   !(file.path == declaration.file.path && i == declaration.start) {
                    return true
                }
                i += 1
            }
        }
        return false
    }

    /// Whether an unknown `name` may mean a definition left out for lack of a usable id (reported
    /// already): there is such a definition, and `name` is no near miss of a known one.
    public func mayBeUnnamed(_ name: String, _ unnamed: [SourceSpan], known: some Sequence<String>) -> Bool {
        !unnamed.isEmpty && Suggestions.closest(to: name, in: known) == nil
    }

    /// Reports `unknown` with a did-you-mean among `known`.
    public mutating func reportUnknown(_ spec: MessageSpec, _ ref: Located<String>, known: some Sequence<String>) {
        var d = spec.at(ref.span, ref.value)
        if let guess = Suggestions.closest(to: ref.value, in: known) {
            d = d.help(CheckMessages.Formats.didYouMean, guess).fix(ref.span, guess)
        }
        report(d)
    }

    init(template: ComposedTemplate) {
        self.template = template
        let (nodes, first) = RuleContext.firstDefinitions(template.nodes.lazy.map(\.id.value))
        let (roles, firstRoles) = RuleContext.firstDefinitions(template.roles.lazy.map(\.id.value))
        let (fields, firstFields) = RuleContext.firstDefinitions(template.fields.lazy.map(\.id.value))
        nodeIndex = nodes
        roleIndex = roles
        fieldIndex = fields
        isFirstDefinition = first
        isFirstRole = firstRoles
        isFirstField = firstFields
        (graph, hasUnknownTransitions) = RuleContext.buildGraph(template, nodes, first)
    }

    /// The index of the first of `ids` with each value, and for each position whether it is that first.
    static func firstDefinitions(_ ids: some Collection<String>) -> (index: [String: Int], isFirst: [Bool]) {
        var index: [String: Int] = [:]
        index.reserveCapacity(ids.count)
        var isFirst = [Bool](repeating: false, count: ids.count)
        for (i, id) in ids.enumerated() where index[id] == nil {
            index[id] = i
            isFirst[i] = true
        }
        return (index, isFirst)
    }

    /// The flow graph, and for each node whether where it leads is not fully known (see
    /// `hasUnknownTransitions`). One pass resolves each transition target once for both.
    static func buildGraph(_ t: ComposedTemplate, _ index: [String: Int], _ isFirst: [Bool]) -> (FlowGraph, [Bool]) {
        let transitionKeys: Set<String> = ["*", "kind", "next", "outcomes", "branches", "join"]
        var edges = [[Edge]](repeating: [], count: t.nodes.count)
        var unknown = [Bool](repeating: false, count: t.nodes.count)
        for (i, n) in t.nodes.enumerated() {
            if !n.unreadKeys.isEmpty, !n.unreadKeys.isDisjoint(with: transitionKeys) { unknown[i] = true }
            // Only first definitions have edges; every node can lead somewhere unknown.
            func add(_ target: Located<String>, _ kind: @autoclosure () -> EdgeKind, checked: Bool = true) {
                guard let j = index[target.value] else {
                    if checked { unknown[i] = true }
                    return
                }
                if isFirst[i] { edges[i].append(Edge(from: i, to: j, kind: kind())) }
            }
            switch n.next {
            case .single(let t)?: add(t, .next)
            case .conditional(let bs, _)?:
                for (k, b) in bs.enumerated() { add(b.target, b.isDefault ? .defaultBranch : .branch(k)) }
            case nil: break
            }
            for o in n.outcomes { add(o.target, .outcome(o.name.value)) }
            for b in n.branches { add(b, .forkBranch) }
            if isFirst[i] { for r in n.rework { add(r, .rework, checked: false) } }
            if let j = n.join, index[j.value] == nil { unknown[i] = true }
        }
        if let lose = t.lose, let via = lose.via.flatMap({ index[$0.value] }) {
            let from: [Int] = lose.from.map { $0.compactMap { index[$0.value] } }
                ?? t.nodes.indices.filter { isFirst[$0] && !t.nodes[$0].effectiveKind.isTerminal }
            // Nodes of the lose path itself are not sources of another lose.
            for f in from where f != via { edges[f].append(Edge(from: f, to: via, kind: .lose)) }
        }
        var start: Int?
        if let s = t.start { start = index[s.value] } else if !t.nodes.isEmpty { start = 0 }
        return (FlowGraph(nodeCount: t.nodes.count, edges: edges, start: start), unknown)
    }
}

/// Identifies an expression by where it is written.
public struct ExpressionKey: Hashable, Sendable {
    public var path: String
    public var offset: Int
    public init(_ span: SourceSpan) {
        path = span.file.path
        offset = span.start
    }
}

/// What the expression rule learned about one expression.
public struct ExpressionInfo: Sendable {
    /// The fields the expression reads.
    public var fields: [String]
    /// Its value when it reads no field and evaluates without error (`true`/`false` for conditions).
    public var constantBool: Bool?
    /// True when it parsed and type-checked cleanly.
    public var isValid: Bool
    /// The expression as checked, when it parsed (later rules read its tree rather than parse and
    /// check it again).
    public var checked: CheckedExpr?
    public init(fields: [String], constantBool: Bool?, isValid: Bool, checked: CheckedExpr? = nil) {
        self.fields = fields
        self.constantBool = constantBool
        self.isValid = isValid
        self.checked = checked
    }
}
