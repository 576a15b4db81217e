internal import GRDB
internal import Foundation

/// Views answered in SQL over the projection columns (schema version 2).
///
/// The SQL is built from the typed query only: column names come from a fixed table, field names
/// are bound as JSON-path parameters (and must pass ``ViewOperand/isPlainFieldName(_:)``), and
/// values are bound as parameters.
extension SQLiteStore: DealViewStore {
    static let projectionColumns =
        "template_id, fields, probability, created_at, closed_at, status_changed_at, open_nodes, due_at, pool_since, pool_arrival, returns_at, last_record_at, amount, close_date"

    /// The SQL of a column: its name, or for ``ViewColumn/blockedNodes`` the expression that
    /// reads it from `open_nodes`.
    static func columnName(_ column: ViewColumn) -> String {
        switch column {
        case .dealID: "deal_id"
        case .templateID: "template_id"
        case .templateHash: "template_hash"
        case .status: "status"
        case .isOpen: "is_open"
        case .pool: "pool"
        case .owner: "owner"
        case .currentNodes: "current_nodes"
        case .probability: "probability"
        case .createdAt: "created_at"
        case .closedAt: "closed_at"
        case .statusChangedAt: "status_changed_at"
        case .dueAt: "due_at"
        case .poolSince: "pool_since"
        case .returnsAt: "returns_at"
        case .lastRecordAt: "last_record_at"
        case .amount: "amount"
        case .closeDate: "close_date"
        case .blockedNodes: blockedNodesSQL
        case .poolArrival: "(pool_arrival ->> 'how')"
        case .poolPreviousOwner: "(pool_arrival ->> 'previous_owner')"
        case .poolReason: "(pool_arrival ->> 'reason')"
        }
    }

    /// The blocked nodes of `open_nodes`, comma-separated in its order ('' when none, and for a
    /// deal whose projection was never written), as ``DealProjection/blockedNodes`` computes
    /// them. `instr` first: most deals have no blocked node, and a row without the text
    /// `"blocked"` cannot have one, so its JSON is not parsed (a row with it is, whatever part of
    /// the JSON the text is in, so the shortcut never changes the answer). `ORDER BY key` keeps
    /// the array's order in the concatenation.
    static let blockedNodesSQL = """
        (CASE WHEN instr(open_nodes, '"blocked"') > 0 THEN (SELECT ifnull(group_concat(n, ','), '') FROM \
        (SELECT value ->> 'node' AS n FROM json_each(open_nodes) WHERE value ->> 'status' = 'blocked' ORDER BY key)) ELSE '' END)
        """

    /// SQL text and its parameters, built together so they cannot drift apart.
    struct SQLBuilder {
        var arguments: [(any DatabaseValueConvertible)?] = []
        /// Row queries read `template_id` as `+template_id`, which keeps SQLite from answering
        /// them through `deals_report`: a template's deals are most of the table, and fetching
        /// them row by row through an index is far slower than a scan in order (measured: 83 s
        /// instead of under a second for the first rows of a million deals).
        var templateUnindexed = false

        mutating func bind(_ value: ViewValue) -> String {
            switch value {
            case .null: arguments.append(nil)
            case .integer(let i): arguments.append(i)
            case .real(let r): arguments.append(r)
            case .text(let t): arguments.append(t)
            // Compared only with a decimal operand, which reads as the same kind of key.
            case .decimal(let d): arguments.append(Data(d.key))
            }
            return "?"
        }

        /// A field's exact value as a key that compares and sorts as the number (a blob of
        /// ``ViewDecimal/key``; null when unset or not a number), from the number's JSON text.
        mutating func decimalKey(_ name: String) throws -> String {
            guard ViewOperand.isPlainFieldName(name) else {
                throw StoreError(.database, "`\(name)` cannot be read as a field of a view")
            }
            arguments.append("$.\"\(name)\"")
            return "\(SQLiteStore.decimalKeyFunction)(fields -> ?)"
        }

        mutating func field(_ name: String) throws -> String {
            guard ViewOperand.isPlainFieldName(name) else {
                throw StoreError(.database, "`\(name)` cannot be read as a field of a view")
            }
            arguments.append("$.\"\(name)\"")
            return "json_extract(fields, ?)"
        }

        mutating func operand(_ operand: ViewOperand) throws -> String {
            switch operand {
            case .column(.templateID) where templateUnindexed: return "+template_id"
            case .column(let c): return SQLiteStore.columnName(c)
            case .field(let name): return try field(name)
            case .value(let v): return bind(v)
            case .elapsed(let c, let now):
                arguments.append(now.millisecondsSinceEpoch)
                return "(? - \(SQLiteStore.columnName(c)))"
            case .decimal(let name, _): return try decimalKey(name)
            case .mapped(let c, let table): return mapped(c, table)
            }
        }

        /// `CASE column WHEN ? THEN ? … END`, its pairs bound in key order (null outside them).
        mutating func mapped(_ c: ViewColumn, _ table: [String: String]) -> String {
            guard !table.isEmpty else { return "NULL" }
            var sql = "CASE \(SQLiteStore.columnName(c))"
            for (key, value) in table.sorted(by: { $0.key < $1.key }) {
                arguments.append(key)
                arguments.append(value)
                sql += " WHEN ? THEN ?"
            }
            return sql + " END"
        }

        /// A number field as SQLite reads it, a binary float: its plain column if it has one.
        mutating func float(_ name: String, _ column: ViewColumn?) throws -> String {
            if let column { return SQLiteStore.columnName(column) }
            return try field(name)
        }

        /// A comparison of an exact decimal with a constant. SQLite reads the number as a binary
        /// float (`X`: the plain column, else `json_extract`), which is within a few units in the
        /// last place of the exact value: a row whose float is clearly above or below the
        /// constant's is decided by the float, and only a row in the narrow
        /// band around it is decided by the exact key. `X >= lo AND (X > hi OR key > c)` is
        /// `value > c` exactly.
        mutating func decimalComparison(_ name: String, _ column: ViewColumn?, _ op: ViewComparison, _ c: ViewDecimal) throws -> String {
            let d = c.double
            let margin = Swift.max(d.magnitude * 1e-14, Double.leastNormalMagnitude)
            let (lo, hi) = (d - margin, d + margin)
            switch op {
            case .greater, .greaterOrEqual:
                let sign = op == .greater ? ">" : ">="
                return "(\(try float(name, column)) >= \(bind(.real(lo))) AND (\(try float(name, column)) > \(bind(.real(hi))) OR \(try decimalKey(name)) \(sign) \(bind(.decimal(c)))))"
            case .less, .lessOrEqual:
                let sign = op == .less ? "<" : "<="
                return "(\(try float(name, column)) <= \(bind(.real(hi))) AND (\(try float(name, column)) < \(bind(.real(lo))) OR \(try decimalKey(name)) \(sign) \(bind(.decimal(c)))))"
            case .equal, .notEqual:
                let equal = "(\(try float(name, column)) BETWEEN \(bind(.real(lo))) AND \(bind(.real(hi))) AND \(try decimalKey(name)) = \(bind(.decimal(c))))"
                return op == .equal ? equal : "(NOT IFNULL(\(equal), 0))"
            }
        }

        /// - Parameter positive: whether the predicate is under an even number of `NOT`s. There a
        ///   null comparison may stay null: `AND` and `OR` are monotone and `WHERE` reads null as
        ///   false, so the answer is the same, and a plain comparison can use an index. Under
        ///   `NOT` every comparison is made true or false with `IFNULL`.
        mutating func predicate(_ p: ViewPredicate, positive: Bool = true) throws -> String {
            func exact(_ sql: String) -> String { positive ? sql : "IFNULL(\(sql), 0)" }
            switch p {
            case .always: return "1"
            // Nested `and`s (`or`s) are written as one flat list: `a or b or c` arrives as
            // `or(or(a, b), c)`, and a parenthesis per level overflowed SQLite's parser stack at
            // about a hundred (QA round 25).
            case .and(let ps):
                let flat = Self.flattened(ps, and: true)
                if flat.isEmpty { return "1" }
                return "(" + (try flat.map { try predicate($0, positive: positive) }).joined(separator: " AND ") + ")"
            case .or(let ps):
                let flat = Self.flattened(ps, and: false)
                if flat.isEmpty { return "0" }
                return "(" + (try flat.map { try predicate($0, positive: positive) }).joined(separator: " OR ") + ")"
            case .not(let inner): return "(NOT \(try predicate(inner, positive: !positive)))"
            case .compare(let a, let op, .value(.null)), .compare(.value(.null), let op, let a):
                // Written out, not bound: the planner then knows the value is null (and can use
                // a partial index `WHERE x IS NOT NULL`).
                let x = try operand(a)
                switch op {
                case .equal: return "(\(x) IS NULL)"
                case .notEqual: return "(\(x) IS NOT NULL)"
                default: return "0"
                }
            case .compare(.decimal(let name, let column), let op, .value(let v)) where v.exact != nil:
                return exact(try decimalComparison(name, column, op, v.exact ?? ViewDecimal(0)))
            case .compare(.value(let v), let op, .decimal(let name, let column)) where v.exact != nil:
                return exact(try decimalComparison(name, column, op.flipped, v.exact ?? ViewDecimal(0)))
            case .compare(let a, let op, let b):
                let (x, y) = (try operand(a), try operand(b))
                switch op {
                case .equal: return "(\(x) IS \(y))"
                case .notEqual: return "(\(x) IS NOT \(y))"
                case .less: return exact("\(x) < \(y)")
                case .lessOrEqual: return exact("\(x) <= \(y)")
                case .greater: return exact("\(x) > \(y)")
                case .greaterOrEqual: return exact("\(x) >= \(y)")
                }
            case .isTrue(let o): return "(IFNULL(\(try operand(o)), 0) <> 0)"
            case .hasElement(_, let elements) where elements.isEmpty: return "0"
            case .hasElement(let o, let elements) where elements.count == 1 && !elements[0].contains(","):
                return "(IFNULL(instr(',' || \(try operand(o)) || ',', \(bind(.text("," + elements[0] + ",")))), 0) > 0)"
            case .hasElement(let o, let elements):
                // One expression, however many elements: an `OR` of one test each made a tree
                // SQLite refuses past 1,000 deep (QA round 25: `node in [995 ids]` failed). Each
                // element is the array of its parts; it is held when no part is missing.
                let list = "[" + elements.map { "[" + ViewPredicate.parts(of: $0).map(StoreJSON.quoted).joined(separator: ",") + "]" }.joined(separator: ",") + "]"
                let x = try operand(o)
                return "(EXISTS (SELECT 1 FROM json_each(\(bind(.text(list)))) AS e WHERE NOT EXISTS "
                    + "(SELECT 1 FROM json_each(e.value) AS p WHERE IFNULL(instr(',' || \(x) || ',', ',' || p.value || ','), 0) = 0)))"
            case .oneOf(let o, let values):
                if values.isEmpty { return "0" }
                let x = try operand(o)
                if case .decimal = o {
                    return exact("\(x) IN (\(values.map { bind($0.exact.map(ViewValue.decimal) ?? .null) }.joined(separator: ", ")))")
                }
                return exact("\(x) IN (\(values.map { bind($0) }.joined(separator: ", ")))")
            }
        }

        /// The terms of an `and` (`or`) with those of the `and`s (`or`s) among them taken in.
        static func flattened(_ ps: [ViewPredicate], and: Bool) -> [ViewPredicate] {
            var out: [ViewPredicate] = []
            var stack = Array(ps.reversed())
            while let p = stack.popLast() {
                switch (p, and) {
                case (.and(let inner), true), (.or(let inner), false): stack += inner.reversed()
                default: out.append(p)
                }
            }
            return out
        }

        mutating func groupKey(_ key: ViewGroupKey) throws -> String {
            switch key {
            case .column(let c): return SQLiteStore.columnName(c)
            case .field(let name): return try field(name)
            case .fieldMonth(let name): return "substr(\(try field(name)), 1, 7)"
            case .columnMonth(let c): return "substr(\(SQLiteStore.columnName(c)), 1, 7)"
            case .decimal(let name): return try decimalKey(name)
            case .mapped(let c, let table): return mapped(c, table)
            case .openNode: return "current_nodes"
            case .blockedNode: return SQLiteStore.columnName(.blockedNodes)
            }
        }

        mutating func measure(_ m: ViewMeasure) throws -> String {
            switch m {
            case .sum(let name): return "total(\(try field(name)))"
            case .weightedSum(let name): return "total(\(try field(name)) * probability / 100.0)"
            case .sumOf(let c): return "\(SQLiteStore.decimalSumFunction)(\(SQLiteStore.columnName(c)))"
            case .weightedSumOf(let c): return "\(SQLiteStore.decimalWeightedSumFunction)(\(SQLiteStore.columnName(c)), probability)"
            case .decimalSum(let name):
                guard ViewOperand.isPlainFieldName(name) else {
                    throw StoreError(.database, "`\(name)` cannot be read as a field of a view")
                }
                arguments.append("$.\"\(name)\"")
                return "\(SQLiteStore.decimalSumFunction)(fields -> ?)"
            }
        }
    }

    /// The SQL of a row query and its arguments (tests check its plan and text).
    static func rowSQL(_ query: DealRowQuery) throws -> (String, [(any DatabaseValueConvertible)?]) {
        var b = SQLBuilder()
        b.templateUnindexed = true
        let predicate = try b.predicate(query.filter)
        var order: [String] = []
        for s in query.sort { order.append(try b.operand(s.operand) + (s.descending ? " DESC" : " ASC")) }
        order.append("deal_id")
        var sql = "SELECT \(dealColumnsForViews), \(projectionColumns) FROM deals WHERE \(predicate) ORDER BY \(order.joined(separator: ", "))"
        if let limit = query.limit {
            sql += " LIMIT ?"
            b.arguments.append(max(0, limit))
        }
        return (sql, b.arguments)
    }

    /// The SQL of a group query and its arguments.
    static func groupSQL(_ query: DealGroupQuery) throws -> (String, [(any DatabaseValueConvertible)?]) {
        var b = SQLBuilder()
        var select: [String] = []
        for key in query.groupBy { select.append(try b.groupKey(key)) }
        select.append("count(*)")
        for m in query.measures { select.append(try b.measure(m)) }
        let predicate = try b.predicate(query.filter)
        var sql = "SELECT \(select.joined(separator: ", ")) FROM deals WHERE \(predicate)"
        if !query.groupBy.isEmpty {
            let ordinals = (1...query.groupBy.count).map(String.init).joined(separator: ", ")
            sql += " GROUP BY \(ordinals) ORDER BY \(ordinals)"
        }
        return (sql, b.arguments)
    }

    static let dealColumnsForViews =
        "deal_id, last_seq, template_hash, status, is_open, pool, owner, customer_key, next_timer_at, current_nodes"

    public func viewRows(_ query: DealRowQuery) throws -> [StoredDeal] {
        let (sql, arguments) = try Self.rowSQL(query)
        return try read { db in
            var out: [StoredDeal] = []
            let rows = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
            while let row = try rows.next() {
                var deal = StoredDeal(
                    dealID: try row.decode(atIndex: 0), lastSequence: try row.decode(atIndex: 1),
                    index: DealIndex(
                        templateHash: try row.decode(atIndex: 2), status: try row.decode(atIndex: 3), isOpen: try row.decode(atIndex: 4), pool: try row.decode(atIndex: 5), owner: try row.decode(atIndex: 6),
                        customerKey: try row.decode(atIndex: 7), nextTimerAt: (row[8] as Int64?).map(StoreTime.init), currentNodes: try row.decode(atIndex: 9)))
                deal.index.projection = Self.projection(row, from: 10)
                out.append(deal)
            }
            return out
        }
    }

    /// The projection columns of a row from column `start` on; nil when it was never written.
    static func projection(_ row: Row, from s: Int) -> DealProjection? {
        guard let fields: String = row[s + 1], let templateID: String = row[s] else { return nil }
        func time(_ i: Int) -> StoreTime? { (row[s + i] as Int64?).map(StoreTime.init) }
        return DealProjection(
            templateID: templateID, fields: fields, probability: row[s + 2], createdAt: time(3), closedAt: time(4),
            statusChangedAt: time(5), openNodes: row[s + 6] ?? "[]", dueAt: time(7), poolSince: time(8),
            poolArrival: (row[s + 9] as String?).flatMap(PoolArrival.init(json:)), returnsAt: time(10),
            lastRecordAt: time(11), amount: row[s + 12], closeDate: row[s + 13])
    }

    public func viewGroups(_ query: DealGroupQuery) throws -> [DealGroupRow] {
        let (sql, arguments) = try Self.groupSQL(query)
        let keys = query.groupBy.count
        let measures = query.measures.count
        let rows = try read { db in
            var out: [DealGroupRow] = []
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
            while let row = try cursor.next() {
                var values: [ViewValue] = []
                for (i, key) in query.groupBy.enumerated() {
                    let value = row[i] as DatabaseValue
                    if case .decimal = key, case .blob(let bytes) = value.storage, let d = ViewDecimal(key: bytes) {
                        values.append(.decimal(d))
                    } else {
                        values.append(Self.viewValue(value))
                    }
                }
                let count: Int = row[keys]
                var sums: [Double] = []
                var exactSums: [ViewDecimal?] = []
                for i in 0..<measures {
                    let value = row[keys + 1 + i] as DatabaseValue
                    // An exact sum comes back as its text, one too large as a float.
                    if case .string(let text) = value.storage, let d = ViewDecimal(text) {
                        sums.append(d.double)
                        exactSums.append(d)
                    } else {
                        sums.append(Double.fromDatabaseValue(value) ?? 0)
                        exactSums.append(nil)
                    }
                }
                out.append(DealGroupRow(keys: values, count: count, sums: sums, exactSums: exactSums))
            }
            return out
        }
        if query.groupBy.isEmpty, rows.isEmpty {
            let zero = query.measures.map { $0.isExact ? ViewDecimal(0) : nil }
            return [DealGroupRow(keys: [], count: 0, sums: Array(repeating: 0, count: measures), exactSums: zero)]
        }
        return Self.explodeNodes(rows, query)
    }

    static func viewValue(_ value: DatabaseValue) -> ViewValue {
        switch value.storage {
        case .null: .null
        case .int64(let i): .integer(i)
        case .double(let d): .real(d)
        case .string(let s): .text(s)
        case .blob(let data): .text(String(decoding: data, as: UTF8.self))
        }
    }

    static let unprojectedSQL = "SELECT deal_id, last_seq, snapshot FROM deals WHERE fields IS NULL ORDER BY deal_id LIMIT ?"

    public func unprojectedSnapshots(limit: Int) throws -> [StoredSnapshot] {
        try read { db in
            try Row.fetchAll(db.cachedStatement(sql: Self.unprojectedSQL), arguments: [max(0, limit)]).map { row in
                StoredSnapshot(dealID: try row.decode(atIndex: 0), sequence: try row.decode(atIndex: 1), payload: try row.decode(atIndex: 2))
            }
        }
    }

    public func setProjections(_ projections: [(dealID: String, projection: DealProjection)]) throws {
        if projections.isEmpty { return }
        try write { db in
            let update = try db.cachedStatement(
                sql: """
                    UPDATE deals SET template_id = ?, fields = ?, probability = ?, created_at = ?, closed_at = ?,
                        status_changed_at = ?, open_nodes = ?, due_at = ?, pool_since = ?, pool_arrival = ?, returns_at = ?,
                        last_record_at = ?, amount = ?, close_date = ?
                    WHERE deal_id = ?
                    """)
            for (dealID, projection) in projections {
                try update.execute(arguments: StatementArguments(Self.projectionValues(projection) + [dealID]))
            }
        }
    }

    /// The projection columns' values, in ``projectionColumns`` order (all null for nil).
    static func projectionValues(_ p: DealProjection?) -> [(any DatabaseValueConvertible)?] {
        guard let p else { return Array(repeating: nil, count: 14) }
        return [
            p.templateID, p.fields, p.probability, p.createdAt?.millisecondsSinceEpoch, p.closedAt?.millisecondsSinceEpoch,
            p.statusChangedAt?.millisecondsSinceEpoch, p.openNodes, p.dueAt?.millisecondsSinceEpoch,
            p.poolSince?.millisecondsSinceEpoch, p.poolArrival?.json, p.returnsAt?.millisecondsSinceEpoch,
            p.lastRecordAt?.millisecondsSinceEpoch, p.amount, p.closeDate,
        ]
    }
}
