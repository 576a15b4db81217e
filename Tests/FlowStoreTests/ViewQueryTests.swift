import Foundation
import Testing
@testable import FlowStore

/// Views over the projection columns (schema version 2): both stores give the same answers, the
/// answers are the ones a person would count by hand, and old files are upgraded.
@Suite("Deal views")
struct ViewQueryTests {
    /// A view store and what to remove afterwards.
    final class Made: @unchecked Sendable {
        let store: any DealViewStore
        let directory: URL?
        init(_ store: any DealViewStore, _ directory: URL?) { self.store = store; self.directory = directory }
        deinit { if let directory { try? FileManager.default.removeItem(at: directory) } }
    }

    static func inMemory() -> Made { Made(InMemoryStore(), nil) }
    static func sqlite() throws -> Made {
        let directory = try makeTemporaryDirectory()
        return Made(try SQLiteStore(path: directory.appendingPathComponent("v.sqlite").path), directory)
    }

    static let industries = ["制造", "retail", "finance", nil]
    static let owners = ["li", "mia", nil]

    /// 60 deals with varied fields, statuses, pools and nodes (two of them at a fork's two nodes).
    static func fill(_ store: any DealViewStore) throws {
        var batch: [AppendRecord] = []
        for n in 0..<60 {
            let industry = industries[n % 4]
            var fields = "{\"amount\":\(n * 1000 + (n % 3 == 0 ? 500 : 0))"
            if let industry { fields += ",\"industry\":\(StoreJSON.quoted(industry))" }
            if n % 5 != 0 { fields += ",\"close\":\"2024-0\(1 + n % 6)-1\(n % 10)\"" }
            fields += ",\"vip\":\(n % 2 == 0 ? "true" : "false")}"
            let status = n % 7 == 0 ? "won" : (n % 11 == 0 ? "lost" : "open")
            let node = n % 13 == 0 ? "legal,finance" : ["talks", "quote", "sign"][n % 3]
            let owner = owners[n % 3]
            let (openNodes, dueAt) = status == "open" ? Self.openNodes(n, node) : ("[]", nil)
            let projection = DealProjection(
                templateID: n % 4 == 3 ? "renewal" : "standard", fields: fields, probability: n % 9 == 0 ? nil : (n % 10) * 10,
                createdAt: StoreTime(millisecondsSinceEpoch: Int64(n) * 86_400_000), openNodes: openNodes, dueAt: dueAt,
                returnsAt: n % 4 == 0 ? StoreTime(millisecondsSinceEpoch: Int64(n) * 1000) : nil,
                amount: n % 8 == 0 ? nil : Double(n) * 1000.5, closeDate: n % 5 == 0 ? nil : "2024-0\(1 + n % 6)-1\(n % 10)")
            let index = DealIndex(
                templateHash: "h\(n % 2)", status: status, isOpen: status == "open", pool: owner == nil ? "public" : "private",
                owner: owner, currentNodes: status == "open" ? node : "", projection: projection)
            batch.append(AppendRecord(
                dealID: String(format: "D-%03d", n), eventID: "create", afterSequence: 0, event: Data("{}".utf8),
                snapshot: Data("{}".utf8), index: index))
        }
        let results = try store.append(batch)
        #expect(results.allSatisfy { $0.isStored })
    }

    /// The `open_nodes` JSON and earliest due time of open deal `n` at `nodes`, as the host writes
    /// them: the first node is blocked when `n % 4 == 1`, the second of a fork when `n % 13 == 0`
    /// (deal 13 has both of its fork's nodes blocked, `legal` before `finance`); deals with
    /// `n % 6 == 0` have no due time. Deal 18's node is owned by someone named `blocked`, so the
    /// text `"blocked"` is in its JSON although no node of it is blocked.
    static func openNodes(_ n: Int, _ nodes: String) -> (String, StoreTime?) {
        let due: Int64? = n % 6 == 0 ? nil : Int64(n) * 1000
        let items = nodes.split(separator: ",").enumerated().map { k, node in
            let blocked = (k == 0 && n % 4 == 1) || (k == 1 && n % 13 == 0)
            return "{\"node\":\"\(node)\",\"status\":\"\(blocked ? "blocked" : "active")\",\"owner\":\(n == 18 ? "\"blocked\"" : "null"),"
                + "\"due_at\":\(due.map(String.init) ?? "null")}"
        }
        return ("[" + items.joined(separator: ",") + "]", due.map(StoreTime.init))
    }

    static let predicates: [ViewPredicate] = [
        .always,
        .compare(.field("amount"), .greater, .value(.integer(30_000))),
        .not(.compare(.field("amount"), .greater, .value(.integer(30_000)))),
        .compare(.field("industry"), .equal, .value(.null)),
        .not(.compare(.field("industry"), .equal, .value(.text("retail")))),
        .and([.compare(.column(.status), .equal, .value(.text("open"))), .isTrue(.field("vip"))]),
        .or([.compare(.field("close"), .less, .value(.text("2024-03"))), .compare(.column(.owner), .equal, .value(.text("mia")))]),
        .not(.compare(.field("close"), .less, .value(.text("2024-03")))),
        .oneOf(.field("industry"), [.text("制造"), .text("finance")]),
        .not(.oneOf(.field("industry"), [.text("制造")])),
        .compare(.column(.probability), .greaterOrEqual, .value(.real(45.5))),
        .not(.compare(.column(.probability), .less, .value(.integer(50)))),
        .compare(.elapsed(.createdAt, now: StoreTime(millisecondsSinceEpoch: 40 * 86_400_000)), .lessOrEqual, .value(.integer(10 * 86_400_000))),
        .compare(.column(.returnsAt), .lessOrEqual, .value(.integer(30_000))),
        .compare(.column(.templateID), .notEqual, .value(.text("standard"))),
        .not(.compare(.column(.amount), .greaterOrEqual, .value(.integer(20_000)))),
        .compare(.column(.closeDate), .lessOrEqual, .value(.text("2024-03-15"))),
        .compare(.column(.blockedNodes), .notEqual, .value(.text(""))),
        .compare(.column(.blockedNodes), .equal, .value(.text("legal,finance"))),
        .not(.oneOf(.column(.blockedNodes), [.text(""), .text("talks")])),
        .compare(.column(.dueAt), .less, .value(.integer(30_000))),
        .not(.compare(.column(.dueAt), .less, .value(.integer(30_000)))),
    ]

    @Test(arguments: Array(predicates.indices))
    func bothStoresSelectTheSameDealsInTheSameOrder(_ which: Int) throws {
        let (a, b) = (Self.inMemory(), try Self.sqlite())
        try Self.fill(a.store)
        try Self.fill(b.store)
        let query = DealRowQuery(
            filter: Self.predicates[which], sort: [ViewSort(.field("industry")), ViewSort(.field("amount"), descending: true)])
        let left = try a.store.viewRows(query)
        let right = try b.store.viewRows(query)
        #expect(left.map(\.dealID) == right.map(\.dealID))
        #expect(left.map(\.index) == right.map(\.index))
        let limited = try b.store.viewRows(DealRowQuery(filter: Self.predicates[which], limit: 3))
        #expect(limited.map(\.dealID) == Array(right.map(\.dealID).sorted().prefix(3)))
    }

    @Test(arguments: Array(predicates.indices))
    func bothStoresGroupAndSumTheSame(_ which: Int) throws {
        let (a, b) = (Self.inMemory(), try Self.sqlite())
        try Self.fill(a.store)
        try Self.fill(b.store)
        for keys in [[ViewGroupKey.field("industry")], [.column(.owner), .fieldMonth("close")], [.column(.templateID), .openNode],
                     [.column(.status), .columnMonth(.closeDate)], [.blockedNode], [.column(.owner), .blockedNode], [.column(.dueAt)], []] {
            let query = DealGroupQuery(
                filter: Self.predicates[which], groupBy: keys,
                measures: [.sum("amount"), .weightedSum("amount"), .sumOf(.amount), .weightedSumOf(.amount)])
            let left = try a.store.viewGroups(query)
            let right = try b.store.viewGroups(query)
            #expect(left.map(\.keys) == right.map(\.keys))
            #expect(left.map(\.count) == right.map(\.count))
            #expect(left.map { $0.sums.map { ($0 * 100).rounded() } } == right.map { $0.sums.map { ($0 * 100).rounded() } })
        }
    }

    /// Amounts a binary float cannot hold: 17 significant digits, cents on a hundred trillion,
    /// and values a float rounds onto one another (`…567` and `…568` are one float; so are
    /// `100000000000000.01` and `…0.015625`). Written as the host writes them, with the float in
    /// the `amount` column.
    static let exactAmounts: [String?] = [
        "12345678901234567", "12345678901234568", "100000000000000.01", "100000000000000.02", "100000000000000",
        "0.1", "0.125", "-3", "0.30000000000000001", "0.3", nil, "12345678901234567",
    ]

    static func fillExact(_ store: any DealViewStore) throws {
        var batch: [AppendRecord] = []
        for (n, amount) in exactAmounts.enumerated() {
            let projection = DealProjection(
                templateID: "standard", fields: amount.map { "{\"amount\":\($0),\"rate\":\($0)}" } ?? "{}",
                amount: amount.flatMap { Double($0) })
            let index = DealIndex(templateHash: "h", status: "open", isOpen: true, pool: "private", owner: "li", currentNodes: "talks",
                                  projection: projection)
            batch.append(AppendRecord(
                dealID: String(format: "P-%02d", n), eventID: "create", afterSequence: 0, event: Data("{}".utf8),
                snapshot: Data("{}".utf8), index: index))
        }
        #expect(try store.append(batch).allSatisfy { $0.isStored })
    }

    @Test func aDecimalIsReadWrittenAndKeyedExactly() throws {
        for (text, shown) in [("12345678901234567", "12345678901234567"), ("100000000000000.01", "100000000000000.01"), ("-0.50", "-0.5"),
                              ("0", "0"), ("1.5e3", "1500"), ("25E-2", "0.25"), ("0.000000000000000001", "0.000000000000000001"),
                              ("-9223372036854775808", "-9223372036854775808")] {
            #expect(ViewDecimal(text)?.description == shown, "\(text)")
        }
        for bad in ["", "-", "1.", ".5", "1e", "0.0000000000000000001", "1e30", "abc", "\"1\"", "true", "null"] {
            #expect(ViewDecimal(bad) == nil, "\(bad)")
        }
        let values = ["-12345678901234567.5", "-3", "-0.000000000000000001", "0", "0.1", "0.125", "100000000000000.01",
                      "100000000000000.02", "12345678901234567", "12345678901234568"].compactMap { ViewDecimal($0) }
        #expect(values.count == 10)
        #expect(values == values.sorted())
        let keys = values.map(\.key)
        #expect(keys == keys.sorted { $0.lexicographicallyPrecedes($1) })
        #expect(values.map { ViewDecimal(key: $0.key) } == values)
    }

    /// Comparisons, sorting, grouping and sums of money and decimal fields are exact in both
    /// stores: the SQL reads the float first and settles a float that ties the constant on the
    /// exact value. The expected answers are worked out from the written text.
    @Test func moneyAndDecimalsCompareSortGroupAndSumExactlyInBothStores() throws {
        let (a, b) = (Self.inMemory(), try Self.sqlite())
        try Self.fillExact(a.store)
        try Self.fillExact(b.store)
        let values = Self.exactAmounts.map { $0.flatMap { ViewDecimal($0) } }
        let constants = ["12345678901234567", "12345678901234568", "100000000000000.01", "100000000000000.015625", "0.3", "0.125", "-3", "0"]
            .compactMap { ViewDecimal($0) }
        var failures: [String] = []
        for operand in [ViewOperand.decimal("amount", column: .amount), .decimal("rate")] {
            for c in constants {
                for op in [ViewComparison.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual] {
                    let expected = values.enumerated().filter { _, v in
                        guard let v else { return op == .notEqual }
                        switch op {
                        case .equal: return v == c
                        case .notEqual: return v != c
                        case .less: return v < c
                        case .lessOrEqual: return v <= c
                        case .greater: return v > c
                        case .greaterOrEqual: return v >= c
                        }
                    }.map { String(format: "P-%02d", $0.offset) }
                    for predicate in [ViewPredicate.compare(operand, op, .value(.decimal(c))), .compare(.value(.decimal(c)), op.flipped, operand)] {
                        for p in [predicate, .not(.not(predicate))] {
                            for (name, store) in [("memory", a.store), ("sqlite", b.store)] {
                                let got = try store.viewRows(DealRowQuery(filter: p)).map(\.dealID)
                                if got != expected { failures.append("\(name) \(p): \(got) ≠ \(expected)") }
                            }
                        }
                    }
                }
            }
            let inList = ViewPredicate.oneOf(operand, [.decimal(try #require(ViewDecimal("0.3"))), .integer(-3)])
            for store in [a.store, b.store] { #expect(try store.viewRows(DealRowQuery(filter: inList)).map(\.dealID) == ["P-07", "P-09"]) }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")

        // Sorted by the exact value (unset first ascending), ties by deal id.
        let sorted = Self.exactAmounts.indices.sorted { i, j in
            let (x, y) = (values[i], values[j])
            if x == y { return i < j }
            guard let x else { return true }
            guard let y else { return false }
            return x < y
        }.map { String(format: "P-%02d", $0) }
        for store in [a.store, b.store] {
            #expect(try store.viewRows(DealRowQuery(sort: [ViewSort(.decimal("amount", column: .amount))])).map(\.dealID) == sorted)
        }

        // One group per exact value, in numeric order, each summed exactly.
        let query = DealGroupQuery(groupBy: [.decimal("amount")], measures: [.decimalSum("amount"), .decimalSum("rate")])
        let left = try a.store.viewGroups(query)
        let right = try b.store.viewGroups(query)
        #expect(left == right)
        let distinct = Array(Set(values)).sorted { x, y in
            guard let x else { return true }
            guard let y else { return false }
            return x < y
        }
        #expect(right.map(\.keys) == distinct.map { [$0.map(ViewValue.decimal) ?? .null] })
        let big = try #require(ViewDecimal("12345678901234567"))
        let twice = try #require(right.first { $0.keys == [.decimal(big)] })
        #expect(twice.count == 2)
        #expect(twice.exactSums.map { $0?.description } == ["24691357802469134", "24691357802469134"])
        let all = try b.store.viewGroups(DealGroupQuery(groupBy: [], measures: [.decimalSum("amount"), .sum("amount")]))
        #expect(all[0].exactSums[0]?.description == "37337036703703699.85500000000000001")
        #expect(all[0].exactSums[1] == nil)
        #expect(try a.store.viewGroups(DealGroupQuery(groupBy: [], measures: [.decimalSum("amount"), .sum("amount")]))[0].exactSums == all[0].exactSums)
    }

    /// A sum too large to hold exactly, or of a number beyond the decimals, has only its float,
    /// in both stores.
    @Test func aSumBeyondTheDecimalsFallsBackToItsFloat() throws {
        for (texts, float) in [(["90000000000000000000", "90000000000000000000", "0.5"], 1.8e20), (["1e300", "2"], 1e300)] {
            for made in [Self.inMemory(), try Self.sqlite()] {
                let batch = texts.enumerated().map { n, text in
                    AppendRecord(dealID: "S-\(n)", eventID: "create", afterSequence: 0, event: Data("{}".utf8), snapshot: Data("{}".utf8),
                                 index: DealIndex(templateHash: "h", status: "open", isOpen: true, pool: "private", owner: "li", currentNodes: "",
                                                  projection: DealProjection(templateID: "t", fields: "{\"amount\":\(text)}")))
                }
                #expect(try made.store.append(batch).allSatisfy { $0.isStored })
                let row = try made.store.viewGroups(DealGroupQuery(groupBy: [], measures: [.decimalSum("amount")]))[0]
                #expect(row.exactSums == [nil], "\(texts)")
                #expect(abs(row.sums[0] - float) <= float * 1e-12, "\(texts): \(row.sums)")
            }
        }
    }

    @Test func groupsCountWhatAPersonWouldCount() throws {
        let made = try Self.sqlite()
        try Self.fill(made.store)
        // Open deals by node: a deal at a fork's two nodes counts at each.
        let byNode = try made.store.viewGroups(DealGroupQuery(
            filter: .compare(.column(.status), .equal, .value(.text("open"))), groupBy: [.openNode], measures: [.sum("amount")]))
        var expected: [String: (Int, Double)] = [:]
        for n in 0..<60 where !(n % 7 == 0) && !(n % 11 == 0) {
            let nodes = n % 13 == 0 ? ["legal", "finance"] : [["talks", "quote", "sign"][n % 3]]
            for node in nodes {
                let amount = Double(n * 1000 + (n % 3 == 0 ? 500 : 0))
                expected[node, default: (0, 0)].0 += 1
                expected[node, default: (0, 0)].1 += amount
            }
        }
        #expect(byNode.map { $0.keys[0].text ?? "" } == expected.keys.sorted())
        for row in byNode {
            let want = try #require(expected[row.keys[0].text ?? ""])
            #expect(row.count == want.0)
            #expect(row.sums[0] == want.1)
        }
        let total = try made.store.viewGroups(DealGroupQuery(groupBy: []))
        #expect(total.map(\.count) == [60])
        let none = try made.store.viewGroups(DealGroupQuery(filter: .or([]), groupBy: [], measures: [.sum("amount")]))
        #expect(none == [DealGroupRow(keys: [], count: 0, sums: [0])])
    }

    /// Blocked nodes, read from `open_nodes` in SQL and from the projection in Swift: sorted and
    /// listed alike, in the order of `open_nodes`, and counted at each blocked node as a person
    /// would count them.
    @Test func blockedNodesAreListedSortedAndCountedAlikeInBothStores() throws {
        let (a, b) = (Self.inMemory(), try Self.sqlite())
        try Self.fill(a.store)
        try Self.fill(b.store)
        let query = DealRowQuery(sort: [ViewSort(.column(.blockedNodes), descending: true), ViewSort(.column(.dueAt))])
        let left = try a.store.viewRows(query)
        let right = try b.store.viewRows(query)
        #expect(left.map(\.dealID) == right.map(\.dealID))
        let blocked = try b.store.viewRows(DealRowQuery(filter: .compare(.column(.blockedNodes), .notEqual, .value(.text("")))))
        var expected: [String: String] = [:]
        for n in 0..<60 where !(n % 7 == 0) && !(n % 11 == 0) {
            let nodes = n % 13 == 0 ? ["legal", "finance"] : [["talks", "quote", "sign"][n % 3]]
            let list = nodes.enumerated().filter { k, _ in (k == 0 && n % 4 == 1) || (k == 1 && n % 13 == 0) }.map(\.element)
            if !list.isEmpty { expected[String(format: "D-%03d", n)] = list.joined(separator: ",") }
        }
        #expect(blocked.map(\.dealID) == expected.keys.sorted())
        #expect(blocked.map { $0.index.projection?.blockedNodes ?? "?" } == expected.keys.sorted().map { expected[$0] ?? "" })
        #expect(expected["D-013"] == "legal,finance")
        #expect(expected["D-018"] == nil)
        // SQLite's text is the array's order, not the nodes' sorted order.
        for made in [a, b] {
            let fork = try made.store.viewRows(DealRowQuery(filter: .compare(.column(.blockedNodes), .equal, .value(.text("legal,finance")))))
            #expect(fork.map(\.dealID) == ["D-013"])
        }
        let groups = try b.store.viewGroups(DealGroupQuery(groupBy: [.blockedNode]))
        #expect(try a.store.viewGroups(DealGroupQuery(groupBy: [.blockedNode])) == groups)
        var counts: [String: Int] = ["": 60 - expected.count]
        for list in expected.values { for node in list.split(separator: ",") { counts[String(node), default: 0] += 1 } }
        #expect(groups.map { $0.keys[0].text ?? "?" } == counts.keys.sorted())
        #expect(groups.map(\.count) == counts.keys.sorted().map { counts[$0] ?? 0 })
    }

    /// `due < T` is answered from the `deals_due` index (a manager's "what is overdue" on a
    /// large store), and sorting by the due time too.
    @Test func aDueFilterUsesTheDueIndex() throws {
        let made = try Self.sqlite()
        let store = try #require(made.store as? SQLiteStore)
        let (sql, _) = try SQLiteStore.rowSQL(DealRowQuery(
            filter: .compare(.column(.dueAt), .less, .value(.integer(10))), sort: [ViewSort(.column(.dueAt))]))
        let plan = try store.queryPlan(sql, arguments: ["10"])
        #expect(plan.contains { $0.contains("deals_due") }, "\(plan)")
    }

    @Test func aFieldNameThatIsNotAPlainNameIsRefusedNotRun() throws {
        let made = try Self.sqlite()
        try Self.fill(made.store)
        #expect(throws: StoreError.self) {
            try made.store.viewRows(DealRowQuery(filter: .compare(.field("a') OR 1=1 --"), .equal, .value(.integer(1)))))
        }
        let memory = Self.inMemory()
        try Self.fill(memory.store)
        #expect(throws: StoreError.self) { try memory.store.viewGroups(DealGroupQuery(groupBy: [.field("x\"y")])) }
    }

    @Test func fieldNamesAndJSONHaveLimits() throws {
        #expect(ViewOperand.isPlainFieldName(String(repeating: "a", count: 128)))
        #expect(!ViewOperand.isPlainFieldName(String(repeating: "a", count: 129)))
        #expect(!ViewOperand.isPlainFieldName(""))
        #expect(ViewOperand.isPlainFieldName("客户名称_2"))
        // Nesting deeper than 64 levels is not read (no unbounded recursion on stored text).
        #expect(StoreJSON.parse(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)) != nil)
        #expect(StoreJSON.parse(String(repeating: "[", count: 65) + String(repeating: "]", count: 65)) == nil)
        #expect(StoreJSON.parse(#"{"a": "\u4e2d\ud83d\ude00", "b": [1, 2.5, true, null]}"#)
                == .object(["a": .text("中😀"), "b": .array([.integer(1), .decimal(try #require(ViewDecimal("2.5"))), .bool(true), .null])]))
        // A number is read exactly as written (as json_extract, a float, for the plain view value);
        // one beyond the decimals, as a float.
        #expect(StoreJSON.parse("100000000000000.01") == .decimal(try #require(ViewDecimal("100000000000000.01"))))
        #expect(StoreJSON.parse("100000000000000.01")?.viewValue == .real(100000000000000.01))
        #expect(StoreJSON.parse("1e300") == .real(1e300))
        #expect(StoreJSON.parse("{\"a\": 1,}") == nil)
        #expect(StoreJSON.quoted("a\"b\\c\n\u{1}") == #""a\"b\\c\n\u0001""#)
    }

    /// Quoting: text without escapes is copied as is (non-ASCII, DEL and `/` included), escapes
    /// are found wherever they are, control characters other than newline, return and tab are
    /// `\u00xx` in lowercase, and what it writes reads back as the same text.
    @Test(arguments: [
        ("", #""""#),
        ("客户 / é 😀 \u{7F}", "\"客户 / é 😀 \u{7F}\""),
        ("\"", #""\"""#),
        ("end\\", #""end\\""#),
        ("\u{8}\u{C}\u{1F}\r\t", #""\u0008\u000c\u001f\r\t""#),
        ("中文\n中文", #""中文\n中文""#),
    ])
    func quotingEscapesOnlyWhatJSONNeeds(_ text: String, _ quoted: String) {
        #expect(StoreJSON.quoted(text) == quoted)
        #expect(StoreJSON.parse(StoreJSON.quoted(text)) == .text(text))
    }

    @Test func quotingLongTextReadsBack() {
        let text = String(repeating: "长文本 \"quoted\" \\ and\tmore\u{1}", count: 500)
        #expect(StoreJSON.parse(StoreJSON.quoted(text)) == .text(text))
        let plain = String(repeating: "plain text ", count: 1000)
        #expect(StoreJSON.quoted(plain) == "\"" + plain + "\"")
    }

    @Test func theProjectionIsReplacedByTheNextAppendAndKeptWhenTheHostGivesNone() throws {
        for made in [Self.inMemory(), try Self.sqlite()] {
            let store = made.store
            let first = DealIndex(templateHash: "h", status: "open", isOpen: true, projection: DealProjection(templateID: "t", fields: "{\"a\":1}"))
            _ = try store.append(AppendRecord(dealID: "d", eventID: "e1", afterSequence: 0, event: Data("{}".utf8), snapshot: Data("{}".utf8), index: first))
            var second = first
            second.projection?.fields = "{\"a\":2}"
            _ = try store.append(AppendRecord(dealID: "d", eventID: "e2", afterSequence: 1, event: Data("{}".utf8), snapshot: Data("{}".utf8), index: second))
            #expect(try store.viewRows(DealRowQuery()).first?.index.projection?.fields == "{\"a\":2}")
            var bare = second
            bare.projection = nil
            _ = try store.append(AppendRecord(dealID: "d", eventID: "e3", afterSequence: 2, event: Data("{}".utf8), snapshot: Data("{}".utf8), index: bare))
            #expect(try store.viewRows(DealRowQuery()).first?.index.projection?.fields == "{\"a\":2}")
            // A deal reads back with the columns it was appended with, in both stores.
            #expect(try store.deal("d")?.index.projection?.fields == "{\"a\":2}")
            #expect(try store.unprojectedSnapshots(limit: 10).isEmpty)
        }
    }

    @Test func aVersion1FileIsUpgradedWithItsDataAndItsDealsAreFoundForTheBackfill() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("old.sqlite").path
        try SQLiteStore.forgeFile(path: path, schemaVersion: 1, sql: """
            INSERT INTO deals (id, deal_id, last_seq, template_hash, status, is_open, pool, owner, customer_key, next_timer_at, current_nodes, snapshot)
            VALUES (7, 'D-1', 2, 'h1', 'open', 1, 'private', 'li', 'acme', 5000, 'talks', '{"total":3}'),
                   (9, 'D-2', 1, 'h1', 'won', 0, 'private', 'mia', NULL, NULL, '', '{"total":1}');
            INSERT INTO events (deal, seq, event_id, payload) VALUES (7, 1, 'c', '{"id":"c","amount":1}'), (7, 2, 'e', '{"id":"e","amount":2}'), (9, 1, 'c', '{"id":"c","amount":1}');
            INSERT INTO outbox (deal, effect_id, event_seq, payload) VALUES (7, 'fx', 1, '{}');
            """)
        let store = try SQLiteStore(path: path)
        #expect(try store.schemaVersion() == 5)
        // The old key joined the identity fields: cleared, and the deal listed for the host to
        // compute its keys again (schema version 4).
        #expect(try store.deal("D-1") == StoredDeal(dealID: "D-1", lastSequence: 2, index: DealIndex(
            templateHash: "h1", status: "open", isOpen: true, pool: "private", owner: "li", customerKey: nil,
            nextTimerAt: StoreTime(millisecondsSinceEpoch: 5000), currentNodes: "talks")))
        #expect(try store.customerKeyBackfill(limit: 10).map(\.dealID) == ["D-1"])
        #expect(try store.setCustomerKeys([("D-1", "name\u{1F}acme\u{1E}tax\u{1F}91"), ("D-9", nil)]) == 1)
        #expect(try store.customerKeyBackfill(limit: 10).isEmpty)
        #expect(try store.deal("D-1")?.index.customerKeys == ["name\u{1F}acme", "tax\u{1F}91"])
        #expect(try store.openDeals(customerKeys: ["tax\u{1F}91"]).map(\.dealID) == ["D-1"])
        #expect(try store.allEvents(of: "D-1").map(\.eventID) == ["c", "e"])
        #expect(try store.undeliveredEffects(limit: 10).map(\.dealID) == ["D-1"])
        #expect(try store.dueDeals(asOf: StoreTime(millisecondsSinceEpoch: 6000), limit: 10).map(\.dealID) == ["D-1"])
        #expect(try store.unprojectedSnapshots(limit: 10).map(\.dealID) == ["D-1", "D-2"])
        #expect(try store.viewRows(DealRowQuery()).map { $0.index.projection == nil } == [true, true])
        // The snapshot is still the last column (views scan without reading it).
        #expect(try store.scalar("SELECT name FROM pragma_table_info('deals') ORDER BY cid DESC LIMIT 1") == "snapshot")

        try store.setProjections([("D-1", DealProjection(templateID: "standard", fields: "{\"amount\":5}"))])
        #expect(try store.unprojectedSnapshots(limit: 10).map(\.dealID) == ["D-2"])
        let groups = try store.viewGroups(DealGroupQuery(groupBy: [.column(.templateID)], measures: [.sum("amount")]))
        #expect(groups == [DealGroupRow(keys: [.null], count: 1, sums: [0]), DealGroupRow(keys: [.text("standard")], count: 1, sums: [5])])
        // The upgraded deal takes new events.
        var host = ToyHost()
        _ = host.next("D-1", event: "c")
        _ = host.next("D-1", event: "e")
        #expect(try store.append(host.next("D-1", event: "f")) == .appended(sequence: 3))
        try store.close()
        #expect(try SQLiteStore(path: path).schemaVersion() == 5)
    }

    @Test func theReportsRangeQueriesUseTheirIndexes() throws {
        let made = try Self.sqlite()
        let store = try #require(made.store as? SQLiteStore)
        for (column, index) in [(ViewColumn.returnsAt, "deals_returns_at"), (.dueAt, "deals_due"), (.lastRecordAt, "deals_last_record")] {
            let (sql, _) = try SQLiteStore.rowSQL(DealRowQuery(
                filter: .and([.compare(.column(column), .greaterOrEqual, .value(.integer(0))), .compare(.column(column), .lessOrEqual, .value(.integer(10)))]),
                sort: [ViewSort(.column(column))]))
            let plan = try store.queryPlan(sql, arguments: ["0", "10"])
            #expect(plan.contains { $0.contains(index) }, "\(column): \(plan)")
        }
        let plan = try store.queryPlan(SQLiteStore.unprojectedSQL, arguments: ["10"])
        #expect(plan.contains { $0.contains("deals_unprojected") })
        // The report's totals, funnel and forecast: one pass over the covering index.
        let (report, _) = try SQLiteStore.groupSQL(DealGroupQuery(
            filter: .compare(.column(.templateID), .equal, .value(.text("t"))),
            groupBy: [.column(.status), .column(.pool), .column(.currentNodes), .columnMonth(.closeDate)],
            measures: [.sumOf(.amount), .weightedSumOf(.amount)]))
        // A template's rows in id order are read in that order, not fetched one by one through
        // `deals_report` (most of the table matches).
        let (rows, _) = try SQLiteStore.rowSQL(DealRowQuery(filter: .compare(.column(.templateID), .equal, .value(.text("t"))), limit: 5))
        let rowsPlan = try store.queryPlan(rows, arguments: ["t", "5"])
        #expect(!rowsPlan.contains { $0.contains("deals_report") } && !rowsPlan.contains { $0.contains("TEMP B-TREE") }, "\(rowsPlan)")
        let reportPlan = try store.queryPlan(report, arguments: ["t"])
        #expect(reportPlan.contains { $0.contains("COVERING INDEX deals_report") }, "\(reportPlan)")
        // The open deals of a template's other versions (`openDealsOnOtherVersions`): a range of
        // the covering index on each side of the version's hash, not every entry of the template.
        let (others, _) = try SQLiteStore.groupSQL(DealGroupQuery(
            filter: .and([.compare(.column(.templateID), .equal, .value(.text("t"))),
                          .compare(.column(.templateHash), .greater, .value(.text("sha256:a"))),
                          .compare(.column(.status), .equal, .value(.text("open")))]),
            groupBy: [.column(.templateHash)]))
        let othersPlan = try store.queryPlan(others, arguments: ["t", "sha256:a", "open"])
        #expect(othersPlan.contains { $0.contains("COVERING INDEX deals_report (template_id=? AND template_hash>?)") }, "\(othersPlan)")
        let (pool, _) = try SQLiteStore.rowSQL(DealRowQuery(
            filter: .compare(.column(.poolSince), .notEqual, .value(.null)),
            sort: [ViewSort(.column(.poolSince)), ViewSort(.column(.dealID))], limit: 10))
        let poolPlan = try store.queryPlan(pool, arguments: ["10"])
        #expect(poolPlan.contains { $0.contains("deals_pool_since") }, "\(poolPlan)")
    }
}
