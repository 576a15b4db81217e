import FlowCLI
import Foundation
import Testing

/// docs/json.md lists the keys of every JSON output (QA round 11: none was documented). Each row
/// is checked against the command's real output on the example deals: every key the output has
/// is listed, and every key listed without `?` is in every object.
@Suite struct JSONOutputDocsTests {
    /// The rows of the page's table: output → (always, optional) keys.
    static func documented() throws -> [String: (always: Set<String>, optional: Set<String>)] {
        let page = try String(contentsOfFile: repoRoot + "/docs/json.md", encoding: .utf8)
        var rows: [String: (Set<String>, Set<String>)] = [:]
        for line in page.split(separator: "\n") where line.hasPrefix("| `flowc") || line.hasPrefix("| its ") || line.hasPrefix("| each of its ") || line.hasPrefix("| a failure ") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 3 else { continue }
            var always = Set<String>(), optional = Set<String>()
            for key in cells[2].split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "`")) }) {
                if key.hasSuffix("?") { optional.insert(String(key.dropLast())) } else { always.insert(key) }
            }
            rows[cells[0]] = (always, optional)
        }
        return rows
    }

    static func objects(_ text: String) throws -> [[String: Any]] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("[") { return try #require(try JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [[String: Any]]) }
        // One object (pretty-printed over lines, as the report's), or JSON Lines.
        if let one = (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8))) as? [String: Any] { return [one] }
        return try trimmed.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test func everyOutputHasTheKeysTheDocsList() throws {
        let rows = try Self.documented()
        let dir = try tempDir([:])
        let db = dir + "/deals.sqlite"
        let now = "2024-06-20T00:00:00Z"
        func json(_ args: String...) throws -> [[String: Any]] {
            let ctx = CLIContext(capture: true)
            let code = Flowc.run(args + ["--db", db], context: ctx)
            #expect(code == 0, "\(args): \(ctx.err)")
            return try Self.objects(ctx.out)
        }
        let run = try json("run", Examples.template, "--deals", Examples.deals, "--json", "--now", now)
        var results = try json("deal", "event", "D-1006", "--set", "intent=low", "--json", "--now", now)
        results += try json("deal", "event", "D-1005", "--set", "intent=high", "--json", "--now", now)
        results += try json("pool", "claim", "D-1002", "--by", "zoe", "--json", "--now", now)
        let ids = ["D-1001", "D-1002", "D-1003", "D-1004", "D-1005", "D-1006"]
        let shows = try ids.flatMap { try json("deal", "show", $0, "--json") }
        let snapshots = try ids.flatMap { try json("deal", "show", $0, "--snapshot") }
        let history = try ids.flatMap { try json("deal", "history", $0, "--json") }
        let pool = try json("pool", "list", "public", "--json") + (try json("pool", "list", "private", "--json"))
        let tick = try json("tick", "--json", "--now", "2024-09-01T00:00:00Z") + (try json("pool", "sweep", "--json", "--now", "2024-12-01T00:00:00Z"))
        let outbox = try json("outbox", "list", "--json", "--limit", "1000")
        let acked = try json("outbox", "ack", "1", "--json")
        try "id,owner,nope\nX-1,amy,1\n".write(toFile: dir + "/bad.csv", atomically: true, encoding: .utf8)
        let badRun: [[String: Any]] = try {
            let ctx = CLIContext(capture: true)
            #expect(Flowc.run(["run", Examples.template, "--deals", dir + "/bad.csv", "--json", "--db", db], context: ctx) == 1)
            return try Self.objects(ctx.out)
        }()
        let deals = try json("deals", "--format", "json")
        let report = try json("report", "--format", "json", "--now", now)
        let migrate = try json("migrate", "--to", Examples.template, "--format", "json")
        let failures = try [["deal", "create", Examples.template, "--id", "D-1001", "--owner", "amy", "--json"],
                            ["deals", "--format", "json", "--columns", "nope"], ["deal", "event", "D-1001", "--retry", "--json"]].flatMap {
            let ctx = CLIContext(capture: true)
            #expect(Flowc.run($0 + ["--db", db], context: ctx) != 0)
            return try Self.objects(ctx.out)
        }

        // `flowc test`: a pass, a failure, a scenario file with errors, a template with errors.
        let tested = try tempDir([
            "a.flow.yaml": cleanTemplate, "b.flow.yaml": brokenTemplate,
            "scenarios/a/above.scenario.yaml": passingScenario, "scenarios/a/below.scenario.yaml": failingScenario,
            "scenarios/a/typo.scenario.yaml": passingScenario.replacingOccurrences(of: "status: won", with: "statsu: won"),
            "scenarios/b/above.scenario.yaml": passingScenario,
        ])
        let test: [[String: Any]] = try {
            let ctx = CLIContext(capture: true)
            #expect(Flowc.run(["test", tested, "--json"], context: ctx) == 1)
            return try Self.objects(ctx.out)
        }()
        let testedTemplates = test.flatMap { $0["templates"] as? [[String: Any]] ?? [] }
        let testedScenarios = testedTemplates.flatMap { $0["scenarios"] as? [[String: Any]] ?? [] }
        #expect(Set(testedScenarios.compactMap { $0["status"] as? String }) == ["pass", "fail", "error"])

        let verify = try json("deal", "verify", "--json")
        // Diagnostics: every checker test case, and a file that cannot be read.
        let checked: [[String: Any]] = try {
            let ctx = CLIContext(capture: true)
            #expect(Flowc.run(["check", repoRoot + "/testdata/check/err", dir + "/missing.flow.yaml", "--format", "json"], context: ctx) == 2)
            return try Self.objects(ctx.out)
        }()
        let lines = checked.flatMap { ($0["help"] as? [String: Any]).map { [$0] } ?? [] } + checked.flatMap { $0["notes"] as? [[String: Any]] ?? [] }
        let observed: [String: [[String: Any]]] = [
            "`flowc check --format json`": checked,
            "its `help`, and each of its `notes`": lines,
            "each of its `labels`": checked.flatMap { $0["labels"] as? [[String: Any]] ?? [] },
            "each of its `fixits`": checked.flatMap { $0["fixits"] as? [[String: Any]] ?? [] },
            "`flowc deal verify --json`": verify,
            "`flowc test --json`": test,
            "each of its `templates`": testedTemplates,
            "each of its `scenarios`": testedScenarios,
            "`flowc run --json`": run + badRun,
            "each of its `stopped` and `not_run` entries": badRun.flatMap { ($0["not_run"] as? [[String: Any]] ?? []) + ($0["stopped"] as? [[String: Any]] ?? []) },
            "`flowc deal create/event --json`, `flowc pool claim/release/assign --json`": results,
            "its `deal`": results.compactMap { $0["deal"] as? [String: Any] },
            "each of its `effects`, and an outbox line's `effect`":
                results.flatMap { $0["effects"] as? [[String: Any]] ?? [] } + outbox.compactMap { $0["effect"] as? [String: Any] },
            "`flowc deal show --json`": shows,
            "each of its `nodes`": shows.flatMap { ($0["nodes"] as? [String: Any] ?? [:]).values.compactMap { $0 as? [String: Any] } },
            "`flowc deal show --snapshot`": snapshots,
            "`flowc deal history --json`": history,
            "its `event`": history.compactMap { $0["event"] as? [String: Any] },
            "its `context`": history.compactMap { $0["context"] as? [String: Any] },
            "each of its `effects` entries": history.flatMap { $0["effects"] as? [[String: Any]] ?? [] },
            "`flowc pool list --json`": pool,
            "`flowc tick --json`, `flowc pool sweep --json`": tick,
            "`flowc outbox list --json`": outbox,
            "`flowc outbox ack --json`": acked,
            "`flowc deals --format json` (the default columns, one template in the store)": deals,
            "`flowc report --format json`": report,
            "each of its `forecast` rows": report.flatMap { $0["forecast"] as? [[String: Any]] ?? [] },
            "each of its `attention` entries": report.flatMap { $0["attention"] as? [[String: Any]] ?? [] },
            "`flowc migrate --format json`": migrate,
            "each of its `deals`": migrate.flatMap { $0["deals"] as? [[String: Any]] ?? [] },
            "a failure in JSON mode": failures,
            "its `error`": failures.compactMap { $0["error"] as? [String: Any] },
        ]
        #expect(Set(rows.keys) == Set(observed.keys), "rows of docs/json.md: \(rows.keys.sorted())")
        for (row, objects) in observed {
            let doc = try #require(rows[row], "docs/json.md has no row `\(row)`")
            #expect(!objects.isEmpty, "\(row): no output to check")
            for object in objects {
                let keys = Set(object.keys)
                #expect(keys.subtracting(doc.always.union(doc.optional)).isEmpty, "\(row): undocumented keys \(keys.subtracting(doc.always.union(doc.optional)).sorted())")
                #expect(doc.always.subtracting(keys).isEmpty, "\(row): missing keys \(doc.always.subtracting(keys).sorted())")
            }
        }
        // A history line's sequence is the outbox's `event_seq`, and its effects are the
        // outbox's effects of that event (QA round 11: matched by counting lines).
        for line in outbox {
            let deal = try #require(line["deal"] as? String), seq = try #require(line["event_seq"] as? Int)
            let ctx = CLIContext(capture: true)
            #expect(Flowc.run(["deal", "history", deal, "--json", "--db", db], context: ctx) == 0)
            let entry = try #require(try Self.objects(ctx.out).first { $0["sequence"] as? Int == seq }, "\(deal) #\(seq)")
            #expect(((entry["effects"] as? [[String: Any]]) ?? []).contains { $0["id"] as? String == line["effect_id"] as? String })
        }
        #expect(history.allSatisfy { $0["sequence"] is Int && $0["moves"] is [String] })
        // Times: seconds everywhere, the report's too (QA round 11: it gave milliseconds).
        let at = try #require(history.first?["event"] as? [String: Any])["at"] as? Int
        #expect(at.map { $0 < 10_000_000_000 } == true)
        #expect(report.first?["generatedAt"] as? Int == 1_718_841_600)
        let since = (report.first?["publicPool"] as? [[String: Any]])?.compactMap { $0["since"] as? Int } ?? []
        #expect(!since.isEmpty && since.allSatisfy { $0 < 10_000_000_000 })
    }
}
