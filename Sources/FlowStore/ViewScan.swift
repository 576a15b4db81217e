/// Views answered by scanning rows in memory, with the semantics ``SQLiteStore`` gives them in SQL
/// (see ``ViewPredicate``): what ``InMemoryStore`` uses, and the reference the conformance suite
/// holds the SQL to.
enum ViewScan {
    /// A row with its `fields` object parsed once.
    struct Row {
        let deal: StoredDeal
        let fields: [String: StoreJSON]

        init(_ deal: StoredDeal) {
            self.deal = deal
            if let text = deal.index.projection?.fields, case .object(let members)? = StoreJSON.parse(text) {
                fields = members
            } else {
                fields = [:]
            }
        }

        func column(_ c: ViewColumn) -> ViewValue {
            let i = deal.index
            let p = i.projection
            func text(_ s: String?) -> ViewValue { s.map(ViewValue.text) ?? .null }
            func time(_ t: StoreTime?) -> ViewValue { t.map { .integer($0.millisecondsSinceEpoch) } ?? .null }
            switch c {
            case .dealID: return .text(deal.dealID)
            case .templateID: return text(p?.templateID)
            case .templateHash: return .text(i.templateHash)
            case .status: return .text(i.status)
            case .isOpen: return .integer(i.isOpen ? 1 : 0)
            case .pool: return text(i.pool)
            case .owner: return text(i.owner)
            case .currentNodes: return .text(i.currentNodes)
            case .probability: return p?.probability.map { .integer(Int64($0)) } ?? .null
            case .createdAt: return time(p?.createdAt)
            case .closedAt: return time(p?.closedAt)
            case .statusChangedAt: return time(p?.statusChangedAt)
            case .dueAt: return time(p?.dueAt)
            case .poolSince: return time(p?.poolSince)
            case .returnsAt: return time(p?.returnsAt)
            case .lastRecordAt: return time(p?.lastRecordAt)
            case .amount: return p?.amount.map(ViewValue.real) ?? .null
            case .closeDate: return text(p?.closeDate)
            case .blockedNodes: return .text(p?.blockedNodes ?? "")
            case .poolArrival: return text(p?.poolArrival?.how)
            case .poolPreviousOwner: return text(p?.poolArrival?.previousOwner)
            case .poolReason: return text(p?.poolArrival?.reason)
            }
        }

        func operand(_ o: ViewOperand) throws -> ViewValue {
            switch o {
            case .column(let c): return column(c)
            case .field(let name):
                guard ViewOperand.isPlainFieldName(name) else {
                    throw StoreError(.database, "`\(name)` cannot be read as a field of a view")
                }
                return fields[name]?.viewValue ?? .null
            case .value(let v): return v
            case .elapsed(let c, let now):
                guard case .integer(let t) = column(c) else { return .null }
                return .integer(now.millisecondsSinceEpoch &- t)
            case .decimal(let name, _):
                return try exact(name).map(ViewValue.decimal) ?? .null
            case .mapped(let c, let table):
                guard case .text(let t) = column(c), let value = table[t] else { return .null }
                return .text(value)
            }
        }

        /// A field's number, exactly (nil when it is unset or not a number).
        func exact(_ name: String) throws -> ViewDecimal? {
            guard ViewOperand.isPlainFieldName(name) else {
                throw StoreError(.database, "`\(name)` cannot be read as a field of a view")
            }
            switch fields[name] {
            case .integer(let i)?: return ViewDecimal(i)
            case .decimal(let d)?: return d
            default: return nil
            }
        }

        func matches(_ p: ViewPredicate) throws -> Bool {
            switch p {
            case .always: return true
            case .and(let ps):
                for q in ps where !(try matches(q)) { return false }
                return true
            case .or(let ps):
                for q in ps where try matches(q) { return true }
                return false
            case .not(let q): return !(try matches(q))
            case .compare(let a, let op, let b):
                let (x, y) = (try operand(a), try operand(b))
                switch op {
                case .equal: return ViewValue.order(x, y) == 0
                case .notEqual: return ViewValue.order(x, y) != 0
                default:
                    if x == .null || y == .null { return false }
                    let o = ViewValue.order(x, y)
                    switch op {
                    case .less: return o < 0
                    case .lessOrEqual: return o <= 0
                    case .greater: return o > 0
                    default: return o >= 0
                    }
                }
            case .isTrue(let o):
                switch try operand(o) {
                case .null: return false
                case .integer(let i): return i != 0
                case .real(let r): return r != 0
                case .decimal(let d): return d.scaled != 0
                case .text: return true
                }
            case .hasElement(let o, let elements):
                guard case .text(let list) = try operand(o) else { return false }
                let wrapped = "," + list + ","
                return elements.contains { element in
                    ViewPredicate.parts(of: element).allSatisfy { wrapped.utf8.firstRange(of: ("," + $0 + ",").utf8) != nil }
                }
            case .oneOf(let o, let values):
                let x = try operand(o)
                if x == .null { return false }
                return values.contains { ViewValue.order(x, $0) == 0 }
            }
        }

        func groupKey(_ key: ViewGroupKey) throws -> ViewValue {
            switch key {
            case .column(let c): return column(c)
            case .field(let name): return try operand(.field(name))
            case .fieldMonth(let name):
                switch try operand(.field(name)) {
                case .text(let t): return .text(String(decoding: Array(t.utf8.prefix(7)), as: UTF8.self))
                case .null: return .null
                case let other: return .text(String((other.text ?? "").prefix(7)))
                }
            case .decimal(let name): return try operand(.decimal(name))
            case .mapped(let c, let table): return try operand(.mapped(c, table))
            case .openNode: return .text(deal.index.currentNodes)
            case .blockedNode: return column(.blockedNodes)
            case .columnMonth(let c):
                if case .text(let t) = column(c) { return .text(String(decoding: Array(t.utf8.prefix(7)), as: UTF8.self)) }
                return .null
            }
        }

        func measure(_ m: ViewMeasure) throws -> Double? {
            switch m {
            case .sum(let name): return try operand(.field(name)).number ?? (try operand(.field(name)) == .null ? nil : 0)
            case .weightedSum(let name):
                guard let v = try operand(.field(name)).number, let p = deal.index.projection?.probability else { return nil }
                return v * Double(p) / 100.0
            case .sumOf(let c): return column(c).number
            case .weightedSumOf(let c):
                guard let v = column(c).number, let p = deal.index.projection?.probability else { return nil }
                return v * Double(p) / 100.0
            case .decimalSum(let name):
                if case .real(let r)? = fields[name] { return r }
                return try exact(name)?.double
            }
        }
    }

    static func rows(_ deals: [StoredDeal], _ query: DealRowQuery) throws -> [StoredDeal] {
        let rows = try deals.map(Row.init).filter { try $0.matches(query.filter) }
        let keyed = try rows.map { row in (row, try query.sort.map { try row.operand($0.operand) }) }
        let sorted = keyed.sorted { a, b in
            for (i, s) in query.sort.enumerated() {
                let o = ViewValue.order(a.1[i], b.1[i])
                if o != 0 { return s.descending ? o > 0 : o < 0 }
            }
            return a.0.deal.dealID.utf8.lexicographicallyPrecedes(b.0.deal.dealID.utf8)
        }.map(\.0.deal)
        if let limit = query.limit { return Array(sorted.prefix(max(0, limit))) }
        return sorted
    }

    static func groups(_ deals: [StoredDeal], _ query: DealGroupQuery) throws -> [DealGroupRow] {
        var groups: [[ViewValue]: DealGroupRow] = [:]
        var order: [[ViewValue]] = []
        // An exact sum starts at 0 and is lost (nil) once it overflows, as SQLite's is.
        let zero = query.measures.map { $0.isExact ? ViewDecimal(0) : nil }
        for deal in deals {
            let row = Row(deal)
            guard try row.matches(query.filter) else { continue }
            let keys = try query.groupBy.map { try row.groupKey($0) }
            var entry = groups[keys] ?? {
                order.append(keys)
                return DealGroupRow(keys: keys, count: 0, sums: Array(repeating: 0, count: query.measures.count), exactSums: zero)
            }()
            entry.count += 1
            for (i, m) in query.measures.enumerated() {
                entry.sums[i] += try row.measure(m) ?? 0
                switch m {
                case .decimalSum(let name):
                    // A number beyond the decimals leaves only the float sum, as in SQLite.
                    if case .real? = row.fields[name] { entry.exactSums[i] = nil }
                    if let value = try row.exact(name) { entry.exactSums[i] = entry.exactSums[i]?.adding(value) }
                case .sumOf(let c), .weightedSumOf(let c):
                    // A column's float read as its shortest decimal, as SQLite's sum reads it.
                    guard let x = row.column(c).number else { continue }
                    var times: Int128 = 1
                    if case .weightedSumOf = m {
                        guard let p = deal.index.projection?.probability else { continue }
                        times = Int128(p)
                    }
                    guard let d = ViewDecimal(shortest: x) else {
                        entry.exactSums[i] = nil
                        continue
                    }
                    let (product, overflow) = d.scaled.multipliedReportingOverflow(by: times)
                    entry.exactSums[i] = overflow ? nil : entry.exactSums[i]?.adding(ViewDecimal(scaled: product))
                case .sum, .weightedSum: break
                }
            }
            groups[keys] = entry
        }
        if query.groupBy.isEmpty, groups.isEmpty {
            return [DealGroupRow(keys: [], count: 0, sums: Array(repeating: 0, count: query.measures.count), exactSums: zero)]
        }
        let rows = order.compactMap { keys -> DealGroupRow? in
            guard var row = groups[keys] else { return nil }
            // Σ x × p is divided by 100 once, as SQLite's weighted sum does.
            for (i, m) in query.measures.enumerated() {
                if case .weightedSumOf = m, let e = row.exactSums[i] { row.exactSums[i] = ViewDecimal(scaled: e.scaled / 100) }
            }
            // The float of an exact sum is the sum's nearest float, as SQLite gives it.
            for (i, exact) in row.exactSums.enumerated() { if let exact { row.sums[i] = exact.double } }
            return row
        }
            .sorted { a, b in
                for (x, y) in zip(a.keys, b.keys) {
                    let o = ViewValue.order(x, y)
                    if o != 0 { return o < 0 }
                }
                return false
            }
        return InMemoryStore.explodeNodes(rows, query)
    }
}
