import FlowCLI
import Foundation
import Testing

/// The manager's view of stuck deals (S8: progress and blocked nodes at any time): `blocked` and
/// `due` in `flowc deals`, as a manager reads them after the timers have run.
@Suite struct BlockedDealsTests {
    /// The clock of every command: 2024-06-30T01:00:00Z.
    static let now = "2024-06-30T09:00:00+08:00"

    /// One of the bundled example records under another id, created at `at`.
    static func example(_ id: String, as newID: String, at: String) throws -> String {
        let text = try String(contentsOfFile: Examples.deals, encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.contains(#""id": "\#(id)""#) })
        guard let created = line.range(of: #""at": "[^"]+""#, options: .regularExpression) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return line.replacingCharacters(in: created, with: #""at": "\#(at)""#)
            .replacingOccurrences(of: #""id": "\#(id)""#, with: #""id": "\#(newID)""#)
    }

    /// A store of four deals, before the timers run:
    /// - A-1, at `initial_talks` since 2024-06-01 09:00 +08:00, due 14 days later (06-15 01:00Z);
    /// - A-2, D-1003's history from 2024-06-03: at the contract review's fork, both nodes due
    ///   2024-06-10T15:00:00+08:00;
    /// - A-3, at `initial_talks` since 2024-06-28, due 2024-07-12T09:00:00+08:00: not yet due;
    /// - A-4, D-1002's history: lost, no open node.
    static func store() throws -> String {
        try DealsOutputTests.store([
            DealsOutputTests.deal("A-1", owner: "li", #""industry":"retail""#),
            try example("D-1003", as: "A-2", at: "2024-06-03T09:00:00+08:00"),
            DealsOutputTests.deal("A-3", at: "2024-06-28T09:00:00+08:00", owner: "mia", #""industry":"retail""#),
            try example("D-1002", as: "A-4", at: "2024-06-02T09:00:00+08:00"),
        ])
    }

    /// The store after `flowc tick` at `now`: the runner has marked the overdue nodes blocked.
    static func ticked() throws -> String {
        let db = try store()
        let tick = flowc("tick", "--db", db, "--now", now)
        #expect(tick.code == 0, "\(tick.out)\(tick.err)")
        return db
    }

    @Test func blockedListsExactlyTheDealsWithABlockedNode() throws {
        let db = try Self.ticked()
        let r = flowc("deals", "--db", db, "--now", Self.now, "--where", #"blocked != """#, "--columns", "deal", "--format", "csv")
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out == "deal\r\nA-1\r\nA-2\r\n", "\(r.out)")
        // Deal by deal (a function of the key), the same deals.
        let evaluated = flowc("deals", "--db", db, "--now", Self.now, "--where", #"len(blocked) > 0"#, "--columns", "deal", "--format", "csv")
        #expect(evaluated.out == r.out, "\(evaluated.err)")
        let fork = flowc("deals", "--db", db, "--now", Self.now, "--where", #"blocked == "legal_review,finance_review""#, "--columns", "deal", "--format", "csv")
        #expect(fork.out == "deal\r\nA-2\r\n", "\(fork.out)\(fork.err)")
    }

    /// Overdue is not yet blocked: until the timers run, `due < now()` finds the late deals and
    /// `blocked` is empty.
    @Test func overdueDealsAreFoundByTheirDueTimeBeforeTheTimersRun() throws {
        let db = try Self.store()
        let blocked = flowc("deals", "--db", db, "--now", Self.now, "--where", #"blocked != """#, "--columns", "deal", "--format", "csv")
        #expect(blocked.out == "deal\r\n", "\(blocked.out)\(blocked.err)")
        let overdue = flowc("deals", "--db", db, "--now", Self.now, "--where", "due < now()", "--columns", "deal", "--format", "csv")
        #expect(overdue.code == 0, "\(overdue.err)")
        #expect(overdue.out == "deal\r\nA-1\r\nA-2\r\n", "\(overdue.out)")
    }

    @Test func theColumnsShowTheBlockedNodesAndTheDueTime() throws {
        let db = try Self.ticked()
        let csv = flowc("deals", "--db", db, "--now", Self.now, "--columns", "deal,blocked,due", "--sort", "deal", "--format", "csv")
        #expect(csv.code == 0, "\(csv.err)")
        #expect(csv.out == """
            deal,blocked,due\r
            A-1,initial_talks,2024-06-15T09:00:00+08:00\r
            A-2,"legal_review,finance_review",2024-06-10T15:00:00+08:00\r
            A-3,,2024-07-12T09:00:00+08:00\r
            A-4,,\r

            """, "\(csv.out)")
        let json = flowc("deals", "--db", db, "--now", Self.now, "--columns", "deal,blocked,due", "--sort", "deal", "--format", "json")
        #expect(json.out.contains(#"{"deal":"A-3","blocked":"","due":"2024-07-12T01:00:00Z"}"#), "\(json.out)")
        #expect(json.out.contains(#"{"deal":"A-4","blocked":"","due":null}"#), "\(json.out)")
        // The manager's list of docs/views.md.
        let table = flowc("deals", "--db", db, "--now", Self.now, "--where", #"blocked != """#, "--columns", "deal,owner,blocked,due", "--sort", "due")
        #expect(table.code == 0, "\(table.err)")
        #expect(table.out == """
            deal  owner  blocked                      due
            ----  -----  ---------------------------  -------------------------
            A-2   li.si  legal_review,finance_review  2024-06-10T15:00:00+08:00
            A-1   li     initial_talks                2024-06-15T09:00:00+08:00

            """, "\(table.out)")
    }

    /// Grouped by `blocked`, a deal counts at each of its blocked nodes (A-2 at both nodes of its
    /// fork); the deals without one are the group shown `—`, as grouping by `node` shows the
    /// deals without an open node.
    @Test func groupingByBlockedCountsEachBlockedNode() throws {
        let db = try Self.ticked()
        let csv = flowc("deals", "--db", db, "--now", Self.now, "--group-by", "blocked", "--format", "csv")
        #expect(csv.code == 0, "\(csv.err)")
        // The nodes in the flow's order, as the template has them (QA round 24: by id, the fork's
        // finance review came before the first talks).
        #expect(csv.out == "blocked,count,amount\r\n,2,0.00\r\ninitial_talks,1,0.00\r\nlegal_review,1,90000.00\r\nfinance_review,1,90000.00\r\n", "\(csv.out)")
        let table = flowc("deals", "--db", db, "--now", Self.now, "--group-by", "blocked", "--sort", "count:desc", "--columns", "deal")
        #expect(table.out.split(separator: "\n").dropFirst(2).first?.hasPrefix("—") == true, "\(table.out)")
        let json = flowc("deals", "--db", db, "--now", Self.now, "--group-by", "blocked", "--columns", "deal", "--format", "json")
        #expect(json.out.hasPrefix(#"[{"blocked":null,"count":2}"#), "\(json.out)")
        // Evaluated deal by deal, the same groups.
        let evaluated = flowc("deals", "--db", db, "--now", Self.now, "--group-by", "blocked", "--where", "len(deal) > 0", "--format", "csv")
        #expect(evaluated.out == csv.out, "\(evaluated.out)\(evaluated.err)")
    }

    /// `--sort due`: the most urgent first; a deal without a due time (A-4, lost) first
    /// ascending and last descending, as every unset value.
    @Test func sortingByDueOrdersByUrgency() throws {
        let db = try Self.ticked()
        let up = flowc("deals", "--db", db, "--now", Self.now, "--sort", "due", "--columns", "deal", "--format", "csv")
        #expect(up.out == "deal\r\nA-4\r\nA-2\r\nA-1\r\nA-3\r\n", "\(up.out)\(up.err)")
        let down = flowc("deals", "--db", db, "--now", Self.now, "--sort", "due:desc", "--columns", "deal", "--format", "csv")
        #expect(down.out == "deal\r\nA-3\r\nA-1\r\nA-2\r\nA-4\r\n", "\(down.out)")
        let groups = flowc("deals", "--db", db, "--now", Self.now, "--group-by", "due", "--columns", "deal", "--format", "csv")
        #expect(groups.out == "due,count\r\n,1\r\n2024-06-10T15:00:00+08:00,1\r\n2024-06-15T09:00:00+08:00,1\r\n2024-07-12T09:00:00+08:00,1\r\n", "\(groups.out)")
    }

    @Test func theBundledBlockedDealsViewListsTheMostOverdueFirst() throws {
        let db = try Self.ticked()
        let r = flowc("deals", "--db", db, "--now", Self.now, "--view", repoRoot + "/templates/views/blocked-deals.view.yaml", "--format", "csv")
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out == """
            deal,customer_name,owner,blocked,due,amount\r
            A-2,远山物流股份有限公司,li.si,"legal_review,finance_review",2024-06-10T15:00:00+08:00,90000\r
            A-1,A-1,li,initial_talks,2024-06-15T09:00:00+08:00,\r

            """, "\(r.out)")
    }

    /// docs/views.md's example is what the bundled example deals show.
    @Test func theExampleOfTheDocsIsWhatTheExampleDealsShow() throws {
        let db = try Examples.loaded()
        let now = "2024-05-26T00:00:00Z"
        let tick = flowc("tick", "--db", db, "--now", now)
        #expect(tick.code == 0, "\(tick.err)")
        let r = flowc("deals", "--db", db, "--now", now, "--where", #"blocked != """#, "--columns", "deal,owner,blocked,due", "--sort", "due")
        #expect(r.code == 0, "\(r.err)")
        let doc = try String(contentsOfFile: repoRoot + "/docs/views.md", encoding: .utf8)
        let command = #"flowc deals --now 2024-05-26T00:00:00Z --where 'blocked != ""' --columns deal,owner,blocked,due --sort due"#
        let start = try #require(doc.range(of: command + "\n```\n\n```text\n"))
        let end = try #require(doc.range(of: "```", range: start.upperBound..<doc.endIndex))
        #expect(r.out == String(doc[start.upperBound..<end.lowerBound]), "\(r.out)")
    }

    @Test func aMistypedKeySuggestsBlocked() throws {
        let db = try Self.ticked()
        let filter = flowc("deals", "--db", db, "--where", #"blockd != """#)
        #expect(filter.code == 1)
        #expect(filter.err.contains("--where:1:1: error[FC0415]: unknown field `blockd`"), "\(filter.err)")
        #expect(filter.err.contains("= help: did you mean `blocked`?"), "\(filter.err)")
        let column = flowc("deals", "--db", db, "--columns", "deal,dues")
        #expect(column.code == 1)
        #expect(column.err.contains("--columns:1:6: error[FC1410]: unknown key `dues` in the columns"), "\(column.err)")
        #expect(column.err.contains("did you mean `due`?"), "\(column.err)")
    }
}
