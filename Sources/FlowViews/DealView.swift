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

    /// The first template field the view names, and where: in the filter (at the field), the
    /// grouping, a sort key or a column; nil when it names only built-ins.
    public func firstField(_ locator: DealViewLocator) -> (String, SourceSpan)? {
        namedFields(locator).first
    }

    /// Every mention of a template field in the view, and where: in the filter (in the order
    /// written), the grouping, the sort keys, the columns.
    public func namedFields(_ locator: DealViewLocator) -> [(String, SourceSpan)] {
        func isField(_ name: String) -> Bool { !name.isEmpty && DealViewSchema.Builtin(rawValue: name) == nil && name != "count" }
        var out: [(String, SourceSpan)] = []
        if let filter {
            let parsed = ExprParser.parse(filter)
            let fields = parsed.tree.ids.compactMap { id -> (String, Range<Int>)? in
                if case .field(let path) = parsed.tree[id], isField(path) { return (path, parsed.tree.range(of: id)) }
                return nil
            }
            out += fields.sorted { $0.1.lowerBound < $1.1.lowerBound }.map { ($0.0, locator.filter($0.1)) }
        }
        if let groupBy, isField(groupBy) { out.append((groupBy, locator.groupBy())) }
        for (i, text) in sort.enumerated() where isField(Self.sortParts(text).key) { out.append((Self.sortParts(text).key, locator.sort(i))) }
        for (i, name) in (columns ?? []).enumerated() where isField(name) { out.append((name, locator.column(i))) }
        return out
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
    /// The fields summed per group (money and number fields among the columns).
    public let sums: [String]
    /// The sums' names in the output, one per field of `sums`: the field's id, or `sum_FIELD`
    /// when the view is grouped by that same field (whose name the key column has).
    public let sumNames: [String]
    /// Columns a grouped view does not show because they are neither its key nor summable
    /// (text, dates, `probability`…): named so that the command can say so. Empty for a view
    /// without grouping, and when the columns were not chosen (the default columns).
    public let notShown: [String]
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
            if let first = columnNames.firstIndex(of: name), first < i {
                diagnostics.append(ViewMessages.duplicateColumn.at(locator.column(i), name))
                continue
            }
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
        let sumNames = sums.map { $0 == group?.name ? "sum_" + $0 : $0 }
        let notShown = group == nil || spec.columns == nil ? [] : columns.map(\.name).filter { $0 != group?.name && !sums.contains($0) }
        var sort: [(String, Bool)] = []
        for (i, text) in spec.sort.enumerated() {
            let (name, descending) = DealViewSpec.sortParts(text)
            guard let descending else {
                diagnostics.append(ViewMessages.badSort.at(locator.sort(i), text))
                continue
            }
            if group != nil {
                if name == "count" || name == group?.name || sumNames.contains(name) { sort.append((name, descending)); continue }
                var d = ViewMessages.unknownKey.at(locator.sort(i), name, "the sort keys of a grouped view")
                d = sumNames.isEmpty
                    ? d.help("a grouped view sorts by `count` or `{0}`", group?.name ?? "")
                    : d.help("a grouped view sorts by `count`, `{0}` or a summed column ({1})", group?.name ?? "", sumNames.joined(separator: ", "))
                diagnostics.append(d)
                continue
            }
            guard let key = schema.key(name) else {
                diagnostics.append(unknown(name, "the sort keys", locator.sort(i)))
                continue
            }
            if schema.operand(key, now: clock.now) == nil {
                diagnostics.append(ViewMessages.notSortable.at(locator.sort(i), name))
                continue
            }
            sort.append((name, descending))
        }
        if !diagnostics.isEmpty { return .failure(ViewProblems(diagnostics: diagnostics)) }
        return .success(CompiledDealView(
            schema: schema, filter: filter, group: group, sort: sort, columns: columns, sums: sums, sumNames: sumNames, notShown: notShown,
            limit: spec.limit, clock: clock))
    }
}

/// What a view shows: rows of deals, or groups.
public enum DealViewResult: Sendable {
    /// `columns` names; each row one value per column; `more` is how many matching deals were
    /// left out by the limit.
    case rows(columns: [String], rows: [[ExprValue]], more: Int)
    /// One row per group: its key, the count and one sum per summed field. `key` names the
    /// key column, `sums` the sum columns (``CompiledDealView/sumNames``) and `types` the summed
    /// fields' types; `more` is how many groups were left out by the limit.
    case groups(key: String, sums: [String], types: [ExprType], rows: [GroupLine], more: Int)

    public struct GroupLine: Sendable, Hashable {
        /// The key as plain text (nil for the group without a value).
        public var key: String?
        /// The key's value as the rows show it (null for the group without a value): grouped by
        /// a money field, money; by `age`, a duration.
        public var value: ExprValue
        public var count: Int
        /// Each sum as a binary float, and exactly when it can be held so (a sum of decimals
        /// beyond about 1.7 × 10^20 has only the float).
        public var sums: [Double]
        public var exactSums: [ViewDecimal?]

        public init(value: ExprValue, count: Int, sums: [Double], exactSums: [ViewDecimal?]) {
            self.key = DealViewEngine.text(value)
            self.value = value
            self.count = count
            self.sums = sums
            self.exactSums = exactSums
        }
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
        case .builtin(.blocked): return .blockedNode
        case .field(let f):
            if case .decimal = schema.operand(key, now: now)?.1 { return .decimal(f) }
            return .field(f)
        case .builtin(let b):
            let (operand, _) = schema.operand(.builtin(b), now: now) ?? (.column(.dealID), .text)
            if case .column(let c) = operand { return .column(c) }
            if case .mapped(let c, let table) = operand { return .mapped(c, table) }
            return .column(.dealID)
        }
    }

    static func groups(_ view: CompiledDealView, _ group: DealViewSchema.Key, _ store: any DealViewStore, _ predicate: ViewPredicate,
                       _ exact: Bool) throws -> DealViewResult {
        let schema = view.schema
        let now = view.clock.now
        var lines: [DealViewResult.GroupLine] = []
        let isDuration = schema.type(of: group) == .duration
        if exact && !isDuration {
            let rows = try store.viewGroups(DealGroupQuery(
                filter: predicate, groupBy: [groupKey(group, schema, now: now)], measures: view.sums.map(ViewMeasure.decimalSum)))
            // The store's groups come sorted by their key, as `order` sorts the typed keys.
            lines = rows.filter { $0.count > 0 }.map { row in
                DealViewResult.GroupLine(value: typedKey(row.keys.first ?? .null, group, schema), count: row.count, sums: row.sums,
                                         exactSums: row.exactSums)
            }
        } else {
            // Durations are measured from `now` (and grouped by the unit they are shown in), and
            // a filter the store cannot answer whole is evaluated here: both group in Swift.
            var byKey: [ExprValue: DealViewResult.GroupLine] = [:]
            var deals = try store.viewRows(DealRowQuery(filter: predicate))
            if !exact, let filter = view.filter {
                deals = deals.filter { filter.matches(DealViewRow($0), schema: schema, clock: view.clock) }
            }
            let zero = view.sums.map { _ in Optional(ViewDecimal(0)) }
            for deal in deals {
                let row = DealViewRow(deal)
                let keys: [ExprValue]
                if case .builtin(let b) = group, b == .node || b == .blocked, case .text(let list) = row.value(group, schema, now: now) {
                    // A deal counts at each of its (open or blocked) nodes; without one, in the group without a value.
                    let nodes = list.split(separator: ",").map(String.init)
                    keys = nodes.isEmpty ? [.null] : Array(Set(nodes)).map(ExprValue.text)
                } else if case .duration(let seconds) = row.value(group, schema, now: now) {
                    keys = [.duration(seconds: ValueFormat.durationBucket(seconds))]
                } else {
                    keys = [row.value(group, schema, now: now)]
                }
                for key in keys {
                    var line = byKey[key] ?? DealViewResult.GroupLine(
                        value: key, count: 0, sums: Array(repeating: 0, count: view.sums.count), exactSums: zero)
                    line.count += 1
                    for (i, f) in view.sums.enumerated() {
                        switch row.fields[f] {
                        case .integer(let n)?:
                            line.exactSums[i] = line.exactSums[i]?.adding(ViewDecimal(n))
                            line.sums[i] += Double(n)
                        case .decimal(let d)?:
                            line.exactSums[i] = line.exactSums[i]?.adding(d)
                            line.sums[i] += d.double
                        case .real(let r)?:
                            // A number beyond the decimals: only the float sum, as in the store.
                            line.exactSums[i] = nil
                            line.sums[i] += r
                        default: break
                        }
                    }
                    byKey[key] = line
                }
            }
            lines = byKey.values.map { line in
                var line = line
                // The float of an exact sum is its nearest float, as the store gives it.
                for (i, exact) in line.exactSums.enumerated() { if let exact { line.sums[i] = exact.double } }
                return line
            }.sorted { order($0.value, $1.value) < 0 }
        }
        if case .builtin(let b) = group, b == .node || b == .blocked, !schema.nodeOrder.isEmpty {
            lines = flowOrdered(lines, schema.nodeOrder)
        }
        for s in view.sort.reversed() {
            lines = lines.enumerated().sorted { a, b in
                let o = compare(a.element, b.element, s.name, view)
                if o != 0 { return s.descending ? o > 0 : o < 0 }
                return a.offset < b.offset
            }.map(\.element)
        }
        var more = 0
        let limit = min(view.limit ?? defaultLimit, maxLimit)
        if limit > 0, lines.count > limit {
            more = lines.count - limit
            lines = Array(lines.prefix(limit))
        }
        let types = view.sums.map { schema.fields[$0] ?? .decimal }
        return .groups(key: group.name, sums: view.sumNames, types: types, rows: lines, more: more)
    }

    /// Groups by node in the flow's order (QA round 24: a funnel read by id put `contract_review`
    /// before `initial_talks`): the group without a node first, as it sorts first by key, then the
    /// template's nodes in its order, then ids it no longer has (a deal still at a node of an
    /// older version) by id, as they came.
    static func flowOrdered(_ lines: [DealViewResult.GroupLine], _ nodeOrder: [String]) -> [DealViewResult.GroupLine] {
        var position: [String: Int] = [:]
        for (i, id) in nodeOrder.enumerated() where position[id] == nil { position[id] = i }
        func rank(_ line: DealViewResult.GroupLine) -> Int {
            guard case .text(let id) = line.value else { return -1 }
            return position[id] ?? nodeOrder.count
        }
        return lines.enumerated().sorted { a, b in
            let (ra, rb) = (rank(a.element), rank(b.element))
            return ra != rb ? ra < rb : a.offset < b.offset
        }.map(\.element)
    }

    /// Groups by a sort key: `count`, a sum (exactly when both are exact), or the key.
    static func compare(_ a: DealViewResult.GroupLine, _ b: DealViewResult.GroupLine, _ name: String, _ view: CompiledDealView) -> Int {
        if name == "count" { return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1) }
        if name != view.group?.name, let i = view.sumNames.firstIndex(of: name) {
            if let x = a.exactSums[i], let y = b.exactSums[i] { return x == y ? 0 : (x < y ? -1 : 1) }
            return a.sums[i] == b.sums[i] ? 0 : (a.sums[i] < b.sums[i] ? -1 : 1)
        }
        return order(a.value, b.value)
    }

    /// The order of group keys, the store's: none first, then numbers (money and decimals
    /// exactly, booleans as 0 and 1, durations and times by their length), then text by its
    /// bytes (dates, as `YYYY-MM-DD`, in time order).
    static func order(_ a: ExprValue, _ b: ExprValue) -> Int {
        func key(_ v: ExprValue) -> ViewValue {
            switch v {
            case .null: .null
            case .integer(let i): .integer(i)
            case .decimal(let d), .money(let d, _): ViewDecimal(d.description).map(ViewValue.decimal) ?? .null
            case .boolean(let b): .integer(b ? 1 : 0)
            case .duration(let s), .datetime(let s): .integer(s)
            default: text(v).map(ViewValue.text) ?? .null
            }
        }
        return ViewValue.order(key(a), key(b))
    }

    /// A group key from the store as a value of the key's type: as the rows show the same key
    /// (money with its currency, a time as a datetime), null for none.
    static func typedKey(_ value: ViewValue, _ key: DealViewSchema.Key, _ schema: DealViewSchema) -> ExprValue {
        if case .null = value { return .null }
        switch key {
        case .field(let f):
            guard let type = schema.fields[f] else { return .null }
            let json: StoreJSON = switch value {
            case .integer(let i): type == .boolean ? .bool(i != 0) : .integer(i)
            case .real(let r): .real(r)
            case .decimal(let d): .decimal(d)
            case .text(let t): .text(t)
            case .null: .null
            }
            return DealViewRow.exprValue(json, type)
        case .builtin(let b):
            switch (b, value) {
            case (.created, .integer(let ms)), (.closed, .integer(let ms)), (.returns, .integer(let ms)), (.due, .integer(let ms)),
                 (.poolSince, .integer(let ms)):
                return .datetime(seconds: ms / 1000)
            case (.probability, .integer(let p)): return .integer(p)
            case (.status, .text(let t)), (.pool, .text(let t)), (.poolHow, .text(let t)): return .enumValue(t)
            case (.node, .text("")), (.blocked, .text("")): return .null
            default: return value.text.map(ExprValue.text) ?? .null
            }
        }
    }

    /// A value as plain text: what CSV shows (nil: null). Money is its exact amount without the
    /// currency, a duration in one unit (``ValueFormat/duration(_:)``).
    public static func text(_ value: ExprValue) -> String? {
        switch value {
        case .null: nil
        case .text(let t), .enumValue(let t): t
        case .money(let amount, _): amount.description
        case .duration(let seconds): ValueFormat.duration(seconds)
        case .list(let items): items.compactMap(text).joined(separator: ", ")
        default: value.description
        }
    }
}
