public import FlowDiagnostics
public import FlowExpr
import FlowIR
public import FlowStore

/// A deal view as written (by `flowc deals` options or a saved view): the filter, the grouping,
/// the sort keys and the columns, each as text.
public struct DealViewSpec: Sendable, Hashable {
    public var filter: String?
    public var groupBy: String?
    public var sort: [String]
    public var columns: [String]?
    public var limit: Int?

    public init(filter: String? = nil, groupBy: String? = nil, sort: [String] = [], columns: [String]? = nil, limit: Int? = nil) {
        self.filter = filter
        self.groupBy = groupBy
        self.sort = sort
        self.columns = columns
        self.limit = limit
    }

    /// Whether the view names a key that is not a built-in (a template field), so that it needs
    /// one template's fields.
    public func usesFields(_ schema: DealViewSchema) -> Bool {
        var names = [groupBy].compactMap { $0 } + sort.map { Self.sortParts($0).key } + (columns ?? [])
        if let filter {
            let parsed = ExprParser.parse(filter)
            for id in parsed.tree.ids { if case .field(let path) = parsed.tree[id] { names.append(path) } }
        }
        return names.contains { DealViewSchema.Builtin(rawValue: $0) == nil && $0 != "count" }
    }

    /// `KEY`, `KEY:desc`, `KEY:asc` → (key, descending); nil descending when the suffix is wrong.
    static func sortParts(_ text: String) -> (key: String, descending: Bool?) {
        guard let colon = text.lastIndex(of: ":") else { return (text, false) }
        let key = String(text[..<colon])
        switch text[text.index(after: colon)...] {
        case "desc": return (key, true)
        case "asc": return (key, false)
        default: return (key, nil)
        }
    }
}

/// Where the parts of a view were written, so that diagnostics point at them: the filter's text
/// positions map into a file (the `--where` option, or a scalar of a saved view), each key to a
/// span.
public struct DealViewLocator: Sendable {
    public var filter: @Sendable (Range<Int>) -> SourceSpan
    public var groupBy: @Sendable () -> SourceSpan
    public var sort: @Sendable (Int) -> SourceSpan
    public var column: @Sendable (Int) -> SourceSpan

    public init(filter: @escaping @Sendable (Range<Int>) -> SourceSpan, groupBy: @escaping @Sendable () -> SourceSpan,
                sort: @escaping @Sendable (Int) -> SourceSpan, column: @escaping @Sendable (Int) -> SourceSpan) {
        self.filter = filter
        self.groupBy = groupBy
        self.sort = sort
        self.column = column
    }

    /// Each option as its own one-line "file" named after it (`--where:1:9`), as `flowc deals`
    /// reports them.
    public static func options(_ spec: DealViewSpec) -> DealViewLocator {
        let filterFile = SourceFile(path: "--where", text: spec.filter ?? "")
        let groupFile = SourceFile(path: "--group-by", text: spec.groupBy ?? "")
        let sortFiles = spec.sort.map { SourceFile(path: "--sort", text: $0) }
        let columnsText = (spec.columns ?? []).joined(separator: ",")
        let columnsFile = SourceFile(path: "--columns", text: columnsText)
        var startList: [Int] = []
        var offset = 0
        for c in spec.columns ?? [] { startList.append(offset); offset += c.utf8.count + 1 }
        let starts = startList
        let columns = spec.columns ?? []
        return DealViewLocator(
            filter: { SourceSpan(file: filterFile, start: $0.lowerBound, end: $0.upperBound) },
            groupBy: { SourceSpan(file: groupFile, start: 0, end: groupFile.bytes.count) },
            sort: { i in
                let f = sortFiles.indices.contains(i) ? sortFiles[i] : SourceFile(path: "--sort", text: "")
                return SourceSpan(file: f, start: 0, end: f.bytes.count)
            },
            column: { i in
                guard starts.indices.contains(i) else { return SourceSpan(file: columnsFile, start: 0, end: 0) }
                return SourceSpan(file: columnsFile, start: starts[i], end: starts[i] + columns[i].utf8.count)
            })
    }
}

/// The problems found checking a view.
public struct ViewProblems: Error, Sendable {
    public var diagnostics: [Diagnostic]
}

/// A view checked against a schema: ready to run.
public struct CompiledDealView: Sendable {
    public let schema: DealViewSchema
    public let filter: ViewFilter?
    public let group: DealViewSchema.Key?
    /// Sort keys of a row view (keys), or of a grouped view (`count`, the group key, a sum).
    public let sort: [(name: String, descending: Bool)]
    public let columns: [DealViewSchema.Key]
    /// The columns summed per group (money and number fields among the columns).
    public let sums: [String]
    public let limit: Int?
    public let clock: ExprClock

    /// Checks a view; every problem is reported, located by `locator`.
    public static func compile(_ spec: DealViewSpec, schema: DealViewSchema, defaultColumns: [String], clock: ExprClock,
                               locator: DealViewLocator) -> Result<CompiledDealView, ViewProblems> {
        var diagnostics: [Diagnostic] = []
        var filter: ViewFilter?
        if let text = spec.filter {
            let checked = ExprChecker.check(text, in: schema, expecting: .boolean)
            if checked.hasErrors {
                diagnostics += checked.diagnostics.map { $0.diagnostic(mapping: locator.filter) }
            } else {
                filter = ViewFilter(checked, schema: schema, clock: clock)
            }
        }
        func unknown(_ name: String, _ place: String, _ span: SourceSpan) -> Diagnostic {
            var d = ViewMessages.unknownKey.at(span, name, place)
            if let guess = Suggestions.closest(to: name, in: schema.knownNames) { d = d.help("did you mean `{0}`?", guess) }
            return d
        }
        var group: DealViewSchema.Key?
        if let name = spec.groupBy {
            if let key = schema.key(name) {
                if case .list = schema.type(of: key) {
                    diagnostics.append(ViewMessages.notGroupable.at(locator.groupBy(), name))
                } else {
                    group = key
                }
            } else {
                diagnostics.append(unknown(name, "the grouping", locator.groupBy()))
            }
        }
        var columns: [DealViewSchema.Key] = []
        let columnNames = spec.columns ?? defaultColumns.filter { schema.key($0) != nil }
        for (i, name) in columnNames.enumerated() {
            if let key = schema.key(name) { columns.append(key) } else if spec.columns != nil {
                diagnostics.append(unknown(name, "the columns", locator.column(i)))
            }
        }
        let sums = columns.compactMap { key -> String? in
            guard case .field(let f) = key, let type = schema.fields[f] else { return nil }
            switch type {
            case .money, .integer, .decimal: return f
            default: return nil
            }
        }
        var sort: [(String, Bool)] = []
        for (i, text) in spec.sort.enumerated() {
            let (name, descending) = DealViewSpec.sortParts(text)
            guard let descending else {
                diagnostics.append(ViewMessages.badSort.at(locator.sort(i), text))
                continue
            }
            if group != nil {
                if name == "count" || name == group?.name || sums.contains(name) { sort.append((name, descending)); continue }
                var d = ViewMessages.unknownKey.at(locator.sort(i), name, "the sort keys of a grouped view")
                d = d.help("a grouped view sorts by `count`, `{0}` or a summed column ({1})", group?.name ?? "", sums.joined(separator: ", "))
                diagnostics.append(d)
                continue
            }
            guard let key = schema.key(name) else {
                diagnostics.append(unknown(name, "the sort keys", locator.sort(i)))
                continue
            }
            if schema.operand(key, now: clock.now) == nil {
                diagnostics.append(ViewMessages.notGroupable.at(locator.sort(i), name))
                continue
            }
            sort.append((name, descending))
        }
        if !diagnostics.isEmpty { return .failure(ViewProblems(diagnostics: diagnostics)) }
        return .success(CompiledDealView(
            schema: schema, filter: filter, group: group, sort: sort, columns: columns, sums: sums, limit: spec.limit, clock: clock))
    }
}

/// What a view shows: rows of deals, or groups.
public enum DealViewResult: Sendable {
    /// `columns` names; each row one value per column; `more` is how many matching deals were
    /// left out by the limit.
    case rows(columns: [String], rows: [[ExprValue]], more: Int)
    /// One row per group: the key's value (text; nil for none), the count and one sum per summed
    /// column (`sums` names them).
    case groups(key: String, sums: [String], currencies: [String?], rows: [GroupLine])

    public struct GroupLine: Sendable, Hashable {
        public var key: String?
        public var count: Int
        public var sums: [Double]
    }
}

/// Runs compiled views against a store.
public enum DealViewEngine {
    /// The largest `limit`, and the default one.
    public static let maxLimit = 1_000_000
    public static let defaultLimit = 1_000

    /// Runs a view over the deals of `templateID` (nil: every template).
    public static func run(_ view: CompiledDealView, store: any DealViewStore, templateID: String?) throws -> DealViewResult {
        var conditions: [ViewPredicate] = []
        if let templateID { conditions.append(.compare(.column(.templateID), .equal, .value(.text(templateID)))) }
        if let filter = view.filter, filter.predicate != .always { conditions.append(filter.predicate) }
        let predicate: ViewPredicate = conditions.isEmpty ? .always : (conditions.count == 1 ? conditions[0] : .and(conditions))
        let exact = view.filter?.isExact ?? true
        let schema = view.schema
        let now = view.clock.now
        if let group = view.group { return try groups(view, group, store, predicate, exact) }

        let limit = min(view.limit ?? defaultLimit, maxLimit)
        let sort = view.sort.compactMap { s in
            schema.key(s.name).flatMap { schema.operand($0, now: now) }.map { ViewSort($0.0, descending: s.descending) }
        }
        var deals = try store.viewRows(DealRowQuery(filter: predicate, sort: sort, limit: exact && limit > 0 ? limit + 1 : nil))
        if !exact, let filter = view.filter {
            deals = deals.filter { filter.matches(DealViewRow($0), schema: schema, clock: view.clock) }
        }
        let more = limit > 0 ? max(0, deals.count - limit) : 0
        if limit > 0 { deals = Array(deals.prefix(limit)) }
        let rows = deals.map { deal -> [ExprValue] in
            let row = DealViewRow(deal)
            return view.columns.map { row.value($0, schema, now: now) }
        }
        // With an exact filter the store stopped at limit + 1: "more" is then at least one.
        return .rows(columns: view.columns.map(\.name), rows: rows, more: more)
    }

    static func groupKey(_ key: DealViewSchema.Key, _ schema: DealViewSchema, now: Int64) -> ViewGroupKey {
        switch key {
        case .builtin(.node): return .openNode
        case .field(let f): return .field(f)
        case .builtin(let b):
            let (operand, _) = schema.operand(.builtin(b), now: now) ?? (.column(.dealID), .text)
            if case .column(let c) = operand { return .column(c) }
            return .column(.dealID)
        }
    }

    static func groups(_ view: CompiledDealView, _ group: DealViewSchema.Key, _ store: any DealViewStore, _ predicate: ViewPredicate,
                       _ exact: Bool) throws -> DealViewResult {
        let schema = view.schema
        let now = view.clock.now
        var lines: [DealViewResult.GroupLine] = []
        let isElapsed: Bool = { if case .builtin(let b) = group { return b == .age || b == .idle } else { return false } }()
        if exact && !isElapsed {
            let rows = try store.viewGroups(DealGroupQuery(
                filter: predicate, groupBy: [groupKey(group, schema, now: now)],
                measures: view.sums.map { $0 == schema.amountField ? ViewMeasure.sumOf(.amount) : ViewMeasure.sum($0) }))
            lines = rows.filter { $0.count > 0 }.map { row in
                let key = display(row.keys.first ?? .null, group, schema)
                return DealViewResult.GroupLine(key: key == "" && group == .builtin(.node) ? nil : key, count: row.count, sums: row.sums)
            }
        } else {
            var byKey: [String?: DealViewResult.GroupLine] = [:]
            var deals = try store.viewRows(DealRowQuery(filter: predicate))
            if !exact, let filter = view.filter {
                deals = deals.filter { filter.matches(DealViewRow($0), schema: schema, clock: view.clock) }
            }
            for deal in deals {
                let row = DealViewRow(deal)
                let keys: [String?]
                if case .builtin(.node) = group {
                    let nodes = deal.index.currentNodes.split(separator: ",").map(String.init)
                    keys = nodes.isEmpty ? [nil] : Array(Set(nodes))
                } else {
                    keys = [text(row.value(group, schema, now: now))]
                }
                let sums = view.sums.map { f -> Double in
                    if case .number(let n)? = row.fields[f].map(numeric) { return n }
                    return 0
                }
                for key in keys {
                    var line = byKey[key] ?? DealViewResult.GroupLine(key: key, count: 0, sums: Array(repeating: 0, count: sums.count))
                    line.count += 1
                    line.sums = zip(line.sums, sums).map(+)
                    byKey[key] = line
                }
            }
            lines = byKey.values.sorted { a, b in
                ViewValue.order(a.key.map(ViewValue.text) ?? .null, b.key.map(ViewValue.text) ?? .null) < 0
            }
        }
        for s in view.sort.reversed() {
            lines = lines.enumerated().sorted { a, b in
                let o = compare(a.element, b.element, s.name, view)
                if o != 0 { return s.descending ? o > 0 : o < 0 }
                return a.offset < b.offset
            }.map(\.element)
        }
        if let limit = view.limit, limit > 0 { lines = Array(lines.prefix(limit)) }
        let currencies = view.sums.map { f -> String? in
            if case .money(let c)? = schema.fields[f] { return c }
            return nil
        }
        return .groups(key: group.name, sums: view.sums, currencies: currencies, rows: lines)
    }

    enum Numeric { case number(Double) }
    static func numeric(_ json: StoreJSON) -> Numeric? {
        switch json {
        case .integer(let i): .number(Double(i))
        case .real(let r): .number(r)
        default: nil
        }
    }

    static func compare(_ a: DealViewResult.GroupLine, _ b: DealViewResult.GroupLine, _ name: String, _ view: CompiledDealView) -> Int {
        if name == "count" { return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1) }
        if let i = view.sums.firstIndex(of: name) { return a.sums[i] == b.sums[i] ? 0 : (a.sums[i] < b.sums[i] ? -1 : 1) }
        return ViewValue.order(a.key.map(ViewValue.text) ?? .null, b.key.map(ViewValue.text) ?? .null)
    }

    /// A group key from the store, as the text the Swift path gives the same key.
    static func display(_ value: ViewValue, _ key: DealViewSchema.Key, _ schema: DealViewSchema) -> String? {
        if case .null = value { return nil }
        if case .field(let f) = key, let type = schema.fields[f] {
            let json: StoreJSON = switch value {
            case .integer(let i): type == .boolean ? .bool(i != 0) : .integer(i)
            case .real(let r): .real(r)
            case .decimal(let d): .decimal(d)
            case .text(let t): .text(t)
            case .null: .null
            }
            return text(DealViewRow.exprValue(json, type))
        }
        if case .builtin(let b) = key, b == .created || b == .closed || b == .returns, case .integer(let ms) = value {
            return text(.datetime(seconds: ms / 1000))
        }
        return value.text
    }

    /// A value as plain text: what tables and CSV show and what groups are keyed by (nil: null).
    public static func text(_ value: ExprValue) -> String? {
        switch value {
        case .null: nil
        case .text(let t), .enumValue(let t): t
        case .money(let amount, _): amount.description
        case .list(let items): items.compactMap(text).joined(separator: ", ")
        default: value.description
        }
    }
}
