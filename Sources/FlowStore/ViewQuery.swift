/// A typed description of a deal view, which each store answers its own way (SQL for
/// ``SQLiteStore``, a scan for ``InMemoryStore``) with the same semantics.
///
/// There is no way to pass SQL text in: field names become JSON paths whose characters are
/// checked, and every value is bound as a parameter.
///
/// ## Semantics (both stores)
///
/// - A field reads as `json_extract` does: a missing field is null, booleans are 1 and 0.
/// - ``ViewComparison/equal`` and ``ViewComparison/notEqual`` treat null as a value
///   (`null == null`); the orderings are false when either side is null. Numbers compare
///   numerically (integer with real), text by UTF-8 bytes, and a number sorts before text.
/// - Every predicate is true or false, never null, so `not` is the plain negation.
extension ViewPredicate {
    /// The parts of a ``hasElement(_:_:)`` element: its comma-separated nodes (`""` for the
    /// empty element, held by the empty list alone).
    public static func parts(of element: String) -> [String] {
        element.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
}

public indirect enum ViewPredicate: Hashable, Sendable {
    case always
    case and([ViewPredicate])
    case or([ViewPredicate])
    case not(ViewPredicate)
    case compare(ViewOperand, ViewComparison, ViewOperand)
    /// The operand is a non-zero number (a boolean field that is true).
    case isTrue(ViewOperand)
    /// The operand equals one of the values (false when it is null).
    case oneOf(ViewOperand, [ViewValue])
    /// The operand, a comma-separated list (``ViewColumn/currentNodes``,
    /// ``ViewColumn/blockedNodes``), holds one of the elements: `,operand,` contains
    /// `,element,`. An element with commas in it is held when each of its parts is, in any
    /// order (`legal,finance`: a deal at both); the empty element is held by the empty list.
    /// False when the operand is null or not text, or when there is no element. A deal at the
    /// two nodes of a fork is at each (QA round 24: `node == "legal_review"` found no deal at
    /// the fork).
    case hasElement(ViewOperand, [String])
}

/// A comparison operator of ``ViewPredicate/compare(_:_:_:)``.
public enum ViewComparison: String, Hashable, Sendable {
    case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual

    /// The comparison with its sides swapped (`a < b` is `b > a`).
    public var flipped: ViewComparison {
        switch self {
        case .equal, .notEqual: self
        case .less: .greater
        case .lessOrEqual: .greaterOrEqual
        case .greater: .less
        case .greaterOrEqual: .lessOrEqual
        }
    }
}

/// A scalar of a view: what a column or a field holds.
public enum ViewValue: Hashable, Sendable, Comparable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    /// An exact decimal: what ``ViewOperand/decimal(_:column:)`` reads, and the constants it is
    /// compared with (a store may write it in a form only such operands compare with).
    case decimal(ViewDecimal)

    /// SQLite's order: null, then numbers (numerically), then text (by bytes).
    public static func < (a: ViewValue, b: ViewValue) -> Bool { ViewValue.order(a, b) < 0 }

    /// -1, 0 or 1 in SQLite's order.
    public static func order(_ a: ViewValue, _ b: ViewValue) -> Int {
        func rank(_ v: ViewValue) -> Int {
            switch v {
            case .null: 0
            case .integer, .real, .decimal: 1
            case .text: 2
            }
        }
        let (ra, rb) = (rank(a), rank(b))
        if ra != rb { return ra < rb ? -1 : 1 }
        switch (a, b) {
        case (.integer(let x), .integer(let y)): return x == y ? 0 : (x < y ? -1 : 1)
        case (.decimal, _), (_, .decimal):
            if let x = a.exact, let y = b.exact { return x == y ? 0 : (x < y ? -1 : 1) }
            let (x, y) = (a.number ?? 0, b.number ?? 0)
            return x == y ? 0 : (x < y ? -1 : 1)
        case (.text(let x), .text(let y)):
            if x == y { return 0 }
            return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1
        case (.null, .null): return 0
        default:
            let (x, y) = (a.number ?? 0, b.number ?? 0)
            return x == y ? 0 : (x < y ? -1 : 1)
        }
    }

    /// The value as a number, when it is one.
    public var number: Double? {
        switch self {
        case .integer(let i): Double(i)
        case .real(let r): r
        case .decimal(let d): d.double
        default: nil
        }
    }

    /// The value as an exact decimal, when it is a number that has one.
    public var exact: ViewDecimal? {
        switch self {
        case .integer(let i): ViewDecimal(i)
        case .decimal(let d): d
        case .real(let r): r.isFinite ? ViewDecimal(r.description) : nil
        default: nil
        }
    }

    /// The value as text, for group keys and tables (nil for null).
    public var text: String? {
        switch self {
        case .null: nil
        case .integer(let i): String(i)
        case .real(let r): r == r.rounded() && abs(r) < 1e15 ? String(Int64(r)) : String(r)
        case .decimal(let d): d.description
        case .text(let t): t
        }
    }
}

/// A column of the `deals` table that views may read.
public enum ViewColumn: String, Hashable, Sendable, CaseIterable {
    case dealID, templateID, templateHash, status, isOpen, pool, owner, currentNodes, probability
    case createdAt, closedAt, statusChangedAt, dueAt, poolSince, returnsAt, lastRecordAt
    /// The amount and close date the host picks for the report (``DealProjection/amount``).
    case amount, closeDate
    /// Not a stored column but read from one: the blocked nodes of `open_nodes`
    /// (``DealProjection/blockedNodes``), comma-separated in its order, the empty text when none.
    /// A manager's question ("which deals are stuck, and where") without a column kept in step.
    case blockedNodes
    /// Not a stored column but read from one: how a deal in the public pool got there (the
    /// `how` of ``DealProjection/poolArrival``: `lost`, `idle`, `released`, `created`), null
    /// for a deal not in it. The report counts the pool by it.
    case poolArrival
    /// Read from the same column: who had a deal in the public pool before (null for one
    /// created there, or not in it), and a lost deal's lose reason (null for the others).
    case poolPreviousOwner, poolReason
}

/// Something a predicate compares: a column, a field of the `fields` object, a constant, or the
/// time elapsed since a time column (`now − column`, in milliseconds; null when it is null).
public enum ViewOperand: Hashable, Sendable {
    case column(ViewColumn)
    case field(String)
    case value(ViewValue)
    case elapsed(ViewColumn, now: StoreTime)
    /// A number field read exactly (a ``ViewValue/decimal(_:)``; null when it is unset or not a
    /// number), for money and decimal fields, which a binary float cannot always hold: compared
    /// with ``ViewValue/decimal(_:)`` constants (or another such operand), sorted and grouped by
    /// its exact value. `column` is a plain column holding the same value as a float (the
    /// ``ViewColumn/amount``), which a store may use to narrow a comparison first.
    case decimal(String, column: ViewColumn? = nil)
    /// A text column's value looked up in a table (null for a value the table does not have):
    /// the template version of a deal from its machine hash, which the store does not keep as a
    /// column of its own.
    case mapped(ViewColumn, [String: String])

    /// Whether a field name can be used as a JSON path: letters, digits, `_` and `-` (what
    /// template field ids are made of); other names are refused by the store.
    public static func isPlainFieldName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 128
            && name.unicodeScalars.allSatisfy { ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-") && $0 != "\"" }
    }
}

/// How rows are sorted; ties are broken by deal id. Null sorts first ascending, last descending.
public struct ViewSort: Hashable, Sendable {
    public var operand: ViewOperand
    public var descending: Bool
    public init(_ operand: ViewOperand, descending: Bool = false) {
        self.operand = operand
        self.descending = descending
    }
}

/// Deals matching a predicate, sorted, at most `limit` (nil: all).
public struct DealRowQuery: Hashable, Sendable {
    public var filter: ViewPredicate
    public var sort: [ViewSort]
    public var limit: Int?
    public init(filter: ViewPredicate = .always, sort: [ViewSort] = [], limit: Int? = nil) {
        self.filter = filter
        self.sort = sort
        self.limit = limit
    }
}

/// A key deals are grouped by.
public enum ViewGroupKey: Hashable, Sendable {
    case column(ViewColumn)
    case field(String)
    /// The `YYYY-MM` of a date (or datetime) field.
    case fieldMonth(String)
    /// The `YYYY-MM` of a text column (``ViewColumn/closeDate``).
    case columnMonth(ViewColumn)
    /// A number field's exact value (``ViewOperand/decimal(_:column:)``): `0.1` and
    /// `0.10000000000000001` are two groups, and the keys are ``ViewValue/decimal(_:)``.
    case decimal(String)
    /// A text column's value looked up in a table (``ViewOperand/mapped(_:_:)``).
    case mapped(ViewColumn, [String: String])
    /// Each open node (the `currentNodes` column split at commas): a deal at two nodes of a fork
    /// counts in both groups; a deal without an open node is in the group of the empty string.
    case openNode
    /// Each blocked node (``ViewColumn/blockedNodes`` split at commas), as ``openNode``: a deal
    /// with two blocked nodes counts in both groups; one without is in the group of the empty
    /// string.
    case blockedNode
}

/// A sum per group.
public enum ViewMeasure: Hashable, Sendable {
    /// Σ field (a number; non-numbers and null count 0).
    case sum(String)
    /// Σ field × probability / 100.
    case weightedSum(String)
    /// Σ column, Σ column × probability / 100 (``ViewColumn/amount``, a REAL column), exactly:
    /// each value read as its shortest decimal (the amount a host wrote, when it has at most 15
    /// significant digits), so sums have the cents `flowc deals` gives. The exact sum is the
    /// group's ``DealGroupRow/exactSums`` entry (nil when it overflows), its float in ``DealGroupRow/sums``.
    case sumOf(ViewColumn)
    case weightedSumOf(ViewColumn)
    /// Σ field, exactly (``ViewDecimal``): the group's ``DealGroupRow/exactSums`` entry, and its
    /// nearest float in ``DealGroupRow/sums``. Unset fields and non-numbers count 0; a sum too
    /// large to hold exactly (over about 1.7 × 10^20) has no exact entry, only the float.
    case decimalSum(String)

    /// Whether the measure is summed exactly (it has an ``DealGroupRow/exactSums`` entry).
    public var isExact: Bool {
        switch self {
        case .sum, .weightedSum: false
        case .sumOf, .weightedSumOf, .decimalSum: true
        }
    }
}

/// Counts and sums of the deals matching `filter`, per distinct value of the keys.
public struct DealGroupQuery: Hashable, Sendable {
    public var filter: ViewPredicate
    public var groupBy: [ViewGroupKey]
    public var measures: [ViewMeasure]
    public init(filter: ViewPredicate = .always, groupBy: [ViewGroupKey], measures: [ViewMeasure] = []) {
        self.filter = filter
        self.groupBy = groupBy
        self.measures = measures
    }
}

/// One group: its key values (like `groupBy`), how many deals, and the measures (like `measures`).
public struct DealGroupRow: Hashable, Sendable {
    public var keys: [ViewValue]
    public var count: Int
    public var sums: [Double]
    /// Per measure, the exact sum of a ``ViewMeasure/decimalSum(_:)`` (nil for the other
    /// measures, and for a sum too large to hold exactly).
    public var exactSums: [ViewDecimal?]
    public init(keys: [ViewValue], count: Int, sums: [Double], exactSums: [ViewDecimal?]? = nil) {
        self.keys = keys
        self.count = count
        self.sums = sums
        self.exactSums = exactSums ?? Array(repeating: nil, count: sums.count)
    }
}

/// A store that answers views: ``SQLiteStore`` and ``InMemoryStore`` (the conformance suite runs
/// the same views against both).
public protocol DealViewStore: DealStore {
    /// The matching deals, with their projection (``DealIndex/projection``).
    func viewRows(_ query: DealRowQuery) throws -> [StoredDeal]
    /// Groups, sorted by their keys (SQLite's order; see ``ViewValue``).
    func viewGroups(_ query: DealGroupQuery) throws -> [DealGroupRow]
    /// Snapshots of deals whose projection was never written (stores created before schema
    /// version 2), by id, at most `limit`.
    func unprojectedSnapshots(limit: Int) throws -> [StoredSnapshot]
    /// Writes the projection of deals (the backfill); unknown ids are ignored.
    func setProjections(_ projections: [(dealID: String, projection: DealProjection)]) throws
}

extension DealViewStore {
    /// Splits a group query with ``ViewGroupKey/openNode`` or ``ViewGroupKey/blockedNode`` into
    /// per-node groups from groups keyed by the whole comma-separated text (shared by both stores
    /// so they cannot disagree).
    static func explodeNodes(_ rows: [DealGroupRow], _ query: DealGroupQuery) -> [DealGroupRow] {
        var rows = rows
        for (at, key) in query.groupBy.enumerated() where key == .openNode || key == .blockedNode {
            rows = explodeNodes(rows, at: at)
        }
        return rows
    }

    /// Splits the key at `at` of every group into one group per node, merging equal keys.
    private static func explodeNodes(_ rows: [DealGroupRow], at: Int) -> [DealGroupRow] {
        var merged: [[ViewValue]: DealGroupRow] = [:]
        for row in rows {
            let text = row.keys[at].text ?? ""
            let nodes = text.isEmpty ? [""] : text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            for node in Set(nodes) {
                var keys = row.keys
                keys[at] = .text(node)
                if var existing = merged[keys] {
                    existing.count += row.count
                    existing.sums = zip(existing.sums, row.sums).map(+)
                    existing.exactSums = zip(existing.exactSums, row.exactSums).map { a, b in a.flatMap { x in b.flatMap(x.adding) } }
                    merged[keys] = existing
                } else {
                    merged[keys] = DealGroupRow(keys: keys, count: row.count, sums: row.sums, exactSums: row.exactSums)
                }
            }
        }
        return merged.values.sorted { a, b in
            for (x, y) in zip(a.keys, b.keys) {
                let o = ViewValue.order(x, y)
                if o != 0 { return o < 0 }
            }
            return false
        }
    }
}
