import FlowCLI
import FlowHost
import FlowIR
import FlowRuntime
@testable import FlowStore
import Foundation
import Testing

/// Hostile or damaged input (QA round 14): a clear error and a non-zero exit, never a crash, a
/// hang or a terminal control sequence passed through.
@Suite struct HostileInputTests {
    /// An escape in a double-quoted YAML string that writes a terminal control (`"\e[2J"`) is
    /// refused as a raw one is, in a template and in a scenario file; and an IR whose version
    /// holds one is refused on load.
    @Test func escapedControlCharactersAreRefused() throws {
        let dir = try tempDir(["v.flow.yaml": try miniTemplate(header: #"template: {id: mini, version: "1\e]0;T\a\e[2J", name: Mini}"#),
                               "b.flow.yaml": try miniTemplate(header: #"template: {id: mini, version: 1.0.0, name: "Mini\u202Eevil"}"#),
                               "ok.flow.yaml": try miniTemplate(header: #"template: {id: mini, version: 1.0.0, name: "Mini\tmulti\nline"}"#)])
        let v = flowc("check", dir + "/v.flow.yaml", "--color", "never")
        #expect(v.code == 1)
        #expect(v.out.contains("error[FC0116]: an escape in this string writes an invisible U+001B"), "\(v.out)")
        #expect(!v.out.contains("\u{1B}") && !v.err.contains("\u{1B}"))
        #expect(flowc("check", dir + "/b.flow.yaml", "--color", "never").out.contains("error[FC0116]"))
        // Written as it is, unquoted or single-quoted, too (QA round 15: libyaml lets U+202E through).
        try miniTemplate(header: "template: {id: mini, version: '1\u{202E}', name: Mini}")
            .write(toFile: dir + "/r.flow.yaml", atomically: true, encoding: .utf8)
        #expect(flowc("check", dir + "/r.flow.yaml", "--color", "never").out.contains("error[FC0116]: this text holds an invisible U+202E RIGHT-TO-LEFT OVERRIDE"))
        // A version is one line: the IR loader refuses a tab or a line break in it, so check does
        // (QA round 14, m14). A name may hold both (`ok.flow.yaml`).
        try miniTemplate(header: #"template: {id: mini, version: "1.0\n2", name: Mini}"#)
            .write(toFile: dir + "/nl.flow.yaml", atomically: true, encoding: .utf8)
        let nl = flowc("check", dir + "/nl.flow.yaml", "--color", "never")
        #expect(nl.code == 1)
        #expect(nl.out.contains("error[FC0116]: a version is one line of text, and this one holds "), "\(nl.out)")
        // `--json` and another `--format` are two answers to one question (QA round 15).
        #expect(flowc("check", dir + "/ok.flow.yaml", "--json", "--format", "sarif").code == 2)
        #expect(flowc("check", dir + "/ok.flow.yaml").code == 0)
        // A scenario's name and a step's note are printed escaped (they may hold anything a
        // scenario's values may).
        try """
            scenario: "pass \\e]0;TITLE\\a\\e[2J"
            start: "2024-05-06T09:00:00Z"
            deal: {owner: amy, fields: {customer_name: 甲, quote: 10}}
            steps:
              - set: {notes: x}
                note: "\\e[2J cleared"
                expect: {active: [review]}
            """.write(toFile: dir + "/s.scenario.yaml", atomically: true, encoding: .utf8)
        let test = flowc("test", repoRoot + "/testdata/run/mini.flow.yaml", dir + "/s.scenario.yaml", "--color", "never")
        #expect(test.code == 1, "\(test.out)\(test.err)")
        #expect(test.out.contains("FAIL pass \\u{1B}]0;TITLE\\u{7}\\u{1B}[2J"), "\(test.out)")
        #expect(test.out.contains("\\u{1B}[2J cleared"), "\(test.out)")
        #expect(!test.out.contains("\u{1B}") && !test.err.contains("\u{1B}"), "\(test.out)\(test.err)")
        // An IR written by another tool: its version is checked on load.
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: try compiled(dir))))
        var machine = try IRLoader.load(bytes).machine
        machine.template.version = "1\u{1B}[2J"
        #expect(throws: IRLoadError.self) { try IRLoader.verify(machine) }
    }

    func compiled(_ dir: String) throws -> String {
        let out = dir + "/mini.ir.json"
        #expect(flowc("compile", repoRoot + "/testdata/run/mini.flow.yaml", "-o", out).code == 0)
        return out
    }

    /// A damaged store: a log entry with no payload, a log position no log reaches. Each command
    /// says so (FC1212, FC1213); none traps.
    @Test func aDamagedStoreIsSaidNotCrashedOn() throws {
        let db = try Examples.loaded()
        let store = try SQLiteStore(path: db)
        try store.execute(sql: "UPDATE deals SET last_seq = 9223372036854775807 WHERE deal_id = 'D-1003'")
        try store.execute(sql: """
            PRAGMA writable_schema = ON;
            UPDATE sqlite_schema SET sql = replace(sql, 'payload TEXT NOT NULL', 'payload TEXT') WHERE name = 'events';
            """)
        try store.close()
        let reopened = try SQLiteStore(path: db)
        try reopened.execute(sql: """
            DROP TRIGGER events_no_update;
            UPDATE events SET payload = NULL WHERE deal = (SELECT id FROM deals WHERE deal_id = 'D-1002') AND seq = 1;
            """)
        try reopened.close()
        let overflow = flowc("deal", "event", "D-1003", "--set", "competitor=x", "--db", db)
        #expect(overflow.code == 2)
        #expect(overflow.err.contains("error[FC1213]") && overflow.err.contains("its log position 9223372036854775807 is out of range"), "\(overflow.err)")
        #expect(flowc("tick", "--db", db, "--now", "2030-01-01T00:00:00Z").code != 0)
        for args in [["deal", "verify"], ["deal", "verify", "D-1002"], ["deal", "history", "D-1002"], ["deal", "why", "D-1002"],
                     ["deal", "event", "D-1002", "--set", "competitor=x"]] {
            let r = flowc(args + ["--db", db])
            #expect(r.code != 0, "\(args)")
            #expect((r.out + r.err).contains("could not decode Data from database value NULL"), "\(args): \(r.out)\(r.err)")
        }
    }
}

extension HostileInputTests {
    /// A customer name an importer wrote as a formula is text in the manager's CSV export, and a
    /// datetime past the year 9999 in UTC is refused with the rule it breaks (QA round 14).
    @Test func exportsAreSpreadsheetSafeAndInstantsStayInTheCalendar() throws {
        let db = try tempDir([:]) + "/x.sqlite"
        for (id, name) in [("F-1", "=HYPERLINK(\"http://evil.example\",\"click\")"), ("F-2", "@SUM(1+1)"), ("F-3", "-2+3"), ("F-4", "普通客户")] {
            #expect(flowc("deal", "create", Examples.template, "--id", id, "--owner", "amy", "--set", "customer_name=\(name)", "--db", db).code == 0)
        }
        let csv = flowc("deals", "--db", db, "--format", "csv", "--columns", "deal,customer_name", "--sort", "deal")
        #expect(csv.out == "deal,customer_name\r\nF-1,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\"\r\nF-2,'@SUM(1+1)\r\nF-3,'-2+3\r\nF-4,普通客户\r\n", "\(csv.out)")
        // A list's cell too (QA round 15), and a number is left as it is.
        #expect(flowc("deal", "event", "F-4", #"{"set": {"products": ["=1+1", "crm"], "amount": "0 CNY"}}"#, "--db", db).code == 0)
        let more = flowc("deals", "--db", db, "--format", "csv", "--columns", "deal,products,amount", "--where", "deal == 'F-4'")
        #expect(more.out == "deal,products,amount\r\nF-4,'=1+1;crm,0\r\n", "\(more.out)")
        let far = flowc("deal", "create", Examples.template, "--id", "F-9", "--owner", "amy", "--set", "customer_name=远",
                        "--set", "last_visit_at=9999-12-31T23:59:59-14:00", "--db", db)
        #expect(far.code == 1)
        #expect(far.err.contains("is not a datetime: an instant is within the years 1 to 9999 in UTC"), "\(far.err)")
    }
}

extension HostileInputTests {
    /// What a record wrote is echoed within bounds (QA round 14, m1 and m2): a 300,000-character
    /// id, a 10,000-digit amount and 25 unknown CSV columns each give a line of a few hundred
    /// characters; a relative time past the calendar is said to be out of it.
    @Test func echoesOfAHostileRecordAreBounded() throws {
        let long = String(repeating: "X", count: 300_000)
        let dir = try tempDir([
            "h.jsonl": #"{"id": "\#(long)", "owner": "o", "fields": {"customer_name": "c1"}}"# + "\n"
                + #"{"id": "Y1", "owner": "o", "fields": {"customer_name": "c2"}, "events": [{"at": "+999999999w", "set": {"notes": "x"}}]}"# + "\n"
                + #"{"id": "Z1", "owner": "o", "fields": {"customer_name": "c3", "amount": "\#(String(repeating: "9", count: 10_000))"}}"# + "\n",
            "u.csv": (["id", "owner", "customer_name"] + (0..<25).map { "u\($0)" }).joined(separator: ",") + "\nC1,o,c\n",
        ])
        let r = flowc("run", Examples.template, "--deals", dir + "/h.jsonl", "--db", dir + "/s.sqlite", "--rejects", "/dev/null")
        #expect(r.code == 1)
        let lines = r.err.split(separator: "\n")
        #expect(lines.count == 3, "\(r.err.prefix(2_000))")
        #expect(lines.allSatisfy { $0.count < 700 }, "\(lines.map(\.count))")
        #expect(lines.first?.hasPrefix("\(dir)/h.jsonl:1: error[FC1108]: deal `\(long.prefix(256))…`, create:") == true)
        #expect(lines.dropFirst().first == "\(dir)/h.jsonl:2: error[FC1220]: deal `Y1`, event 1 (set): not a valid record: at: the time is outside the years 1 to 9999")
        #expect(lines.last?.hasPrefix("\(dir)/h.jsonl:3: error[FC1221]: deal `Z1`, create: field `amount`: `\(String(repeating: "9", count: 100))…` is not money(CNY)") == true)
        let csv = flowc("run", Examples.template, "--deals", dir + "/u.csv", "--db", dir + "/s.sqlite", "--rejects", "/dev/null")
        #expect(csv.code == 1)
        let others = (1..<20).map { "`u\($0)`" }.joined(separator: "; ")
        #expect(csv.err.hasPrefix("\(dir)/u.csv:1: error[FC1222]: unknown column `u0`; other unknown columns: \(others); and 5 more\n"), "\(csv.err)")
    }

    /// An IR larger than the commands that read one take is not written (QA round 14: a 48 MB
    /// IR that `run` then refused); the indented form says when the compact one would fit.
    @Test func anIRNoCommandWouldReadIsNotWritten() throws {
        let dir = try tempDir([:])
        let mini = repoRoot + "/testdata/run/mini.flow.yaml"
        let big = flowc("compile", mini, "-o", dir + "/m.ir.json", "--max-ir-bytes", "9000")
        #expect(big.code == 1)
        #expect(big.err.hasPrefix("error: the IR of `mini` is 13909 bytes, over the 9000 the commands that read one take; nothing was written (--compact writes it in "), "\(big.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/m.ir.json"))
        #expect(flowc("compile", mini, "-o", dir + "/m.ir.json", "--max-ir-bytes", "9000", "--compact").code == 0)
        #expect(flowc("compile", mini, "-o", dir + "/n.ir.json", "--max-ir-bytes", "1000", "--compact").err.hasSuffix("nothing was written\n"))
    }
}

extension HostileInputTests {
    /// A line far longer than a screen, under a diagnostic, is laid out only around what is
    /// marked (QA round 14: a 30 MB line cost 1.25 GB to show): the row is cut with `…`.
    @Test func aVeryLongLineIsShownAroundItsMark() throws {
        let line = "bad: \"" + String(repeating: "长", count: 400_000) + "\""
        let dir = try tempDir(["l.flow.yaml": "flowc: 1\n" + line + "\n"])
        let r = flowc("check", dir + "/l.flow.yaml", "--color", "never")
        #expect(r.code == 1)
        #expect(r.out.contains("error[FC0115]"), "\(r.out.prefix(500))")
        #expect(r.out.count < 5_000, "\(r.out.count) characters")
        #expect(r.out.contains("2 | bad: \"长长") && r.out.contains("长…\n"), "\(r.out.prefix(800))")
    }
}

extension HostileInputTests {
    /// A date beyond the calendar in a view's filter answers as the runner does (no match),
    /// not by comparing its text (QA round 14: `today() - 142859984w` matched 2024 dates).
    @Test func aDateBeyondTheCalendarMatchesNothing() throws {
        let db = try Examples.loaded()
        let now = ["--now", "2024-07-01T00:00:00+08:00", "--db", db, "--columns", "deal"]
        func deals(_ filter: String) -> (code: Int32, out: String, err: String) { flowc(["deals", "--where", filter] + now) }
        let far = deals("expected_close_date < today() - 142859984w")
        #expect(far.code == 0 && far.out == "deal\n----\n", "\(far.out)")
        #expect(deals("expected_close_date > today() - 9w").out.contains("D-1001"))
    }
}

extension HostileInputTests {
    /// A bidirectional override or a C1 control in an id or a value is shown by its code on a
    /// terminal, in every line of `deal create` and `deal show` (QA round 14: raw in these two).
    /// Runner rules 6 refuses the override in a new id (FC1108, the id shown by its code); a store
    /// written under rules 5 can hold one, so the test makes that store by rewriting a deal's id
    /// in its rows and log, as the older flowc would have written them.
    @Test func bidiAndC1AreShownByTheirCode() throws {
        let db = try tempDir([:]) + "/b.sqlite"
        let refused = flowc("deal", "create", Examples.template, "--id", "B-1\u{202E}lave", "--owner", "amy",
                            "--set", "customer_name=x", "--db", db)
        #expect(refused.code == 1)
        #expect(refused.err.hasPrefix("error[FC1108]: deal `B-1\\u{202E}lave`, create: "), "\(refused.err)")
        #expect(refused.err.contains("deal id `B-1\\u{202E}lave` is not a valid id: it contains an invisible U+202E RIGHT-TO-LEFT OVERRIDE; write the id without it"), "\(refused.err)")
        #expect(!refused.err.contains("\u{202E}"))
        let created = flowc("deal", "create", Examples.template, "--id", "B-1xlave", "--owner", "amy",
                            "--set", "customer_name=客户\u{9B}31m\u{202E}txet", "--db", db)
        #expect(created.code == 0, "\(created.err)")
        let store = try SQLiteStore(path: db)
        try store.execute(sql: """
            DROP TRIGGER events_no_update;
            UPDATE events SET payload = replace(replace(payload, 'B-1xlave', 'B-1\u{202E}lave'), '"rules":\(StepContext.currentRules)', '"rules":5');
            UPDATE deals SET deal_id = 'B-1\u{202E}lave', snapshot = replace(snapshot, 'B-1xlave', 'B-1\u{202E}lave');
            UPDATE outbox SET payload = replace(payload, 'B-1xlave', 'B-1\u{202E}lave');
            """)
        try store.close()
        #expect(flowc("deal", "verify", "--db", db).code == 0)
        let show = flowc("deal", "show", "B-1\u{202E}lave", "--db", db)
        #expect(show.out.contains("customer_name = \"客户\\u{9B}31m\\u{202E}txet\""), "\(show.out)")
        #expect(show.out.hasPrefix("deal `B-1\\u{202E}lave` is open"), "\(show.out)")
        for raw in ["\u{202E}", "\u{9B}"] { #expect(!created.out.contains(raw) && !show.out.contains(raw)) }
        // The listings too (QA round 15).
        let pool = flowc("pool", "list", "private", "--db", db)
        let outbox = flowc("outbox", "list", "--db", db)
        #expect(pool.out.hasPrefix("B-1\\u{202E}lave  amy") && outbox.out.contains("B-1\\u{202E}lave"), "\(pool.out)\(outbox.out)")
        #expect(!pool.out.contains("\u{202E}") && !outbox.out.contains("\u{202E}"))
    }
}
