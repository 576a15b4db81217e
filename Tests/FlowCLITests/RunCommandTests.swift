import FlowCLI
import FlowHost
import FlowDiagnostics
import Foundation
import Testing

/// Paths of the bundled examples and template.
enum Examples {
    static let template = repoRoot + "/templates/standard-sale.flow.yaml"
    static let deals = repoRoot + "/examples/standard-sale.deals.jsonl"
    static let bad = repoRoot + "/examples/standard-sale.bad.deals.jsonl"
    static let events = repoRoot + "/examples/standard-sale.events.jsonl"
    static let leads = repoRoot + "/examples/standard-sale.leads.csv"

    /// A fresh store path in a new temporary directory.
    static func db() throws -> String { try tempDir([:]) + "/deals.sqlite" }

    /// A store holding the bundled example deals.
    static func loaded() throws -> String {
        let db = try db()
        let r = flowc("run", template, "--deals", deals, "--db", db)
        #expect(r.code == 0, "\(r.err)")
        return db
    }
}

@Suite struct RunCommandTests {
    @Test func theMainJobRunsTheExamplesCleanlyAndPrintsASummary() throws {
        let db = try Examples.db()
        let r = flowc("run", Examples.template, "--deals", Examples.deals, "--db", db)
        #expect(r.code == 0)
        // The examples are dated 2024: by today's clock, the open deals' timers are due.
        #expect(r.err.hasPrefix("note: 3 deals the run wrote have timers already due by the clock (20")
                && r.err.hasSuffix("), their records being dated earlier: the next `flowc tick` fires them at once (due dates, "
                                   + "escalations, idle warnings, returns to the public pool): `D-1003`, `D-1005`, `D-1006`\n")
                && r.err.split(separator: "\n").count == 1, "\(r.err)")
        #expect(r.out.contains("through `standard_sale` 1.0.0"))
        #expect(r.out.contains("records: 6 read: 6 created, 0 advanced, 0 unchanged, 0 rejected"))
        #expect(r.out.contains("deals:   open 4, won 1, lost 1"))
        #expect(r.out.contains("pools:   private 4, public 2"))
        #expect(r.out.contains("returned_to_pool 2"))
        #expect(r.out.contains("nodes:   finance_review 1, initial_talks 2, legal_review 1, solution_review 1"))
        #expect(r.out.contains("store:   \(db)"))
        #expect(r.out.contains("elapsed: "))
        #expect(FileManager.default.fileExists(atPath: db))
        #expect(FileManager.default.fileExists(atPath: db + ".machines"))

        // Running it again on the same store changes nothing and still exits 0.
        let again = flowc("run", Examples.template, "--deals", Examples.deals, "--db", db)
        #expect(again.code == 0)
        #expect(again.err.isEmpty, "\(again.err)")
        #expect(again.out.contains("records: 6 read: 0 created, 0 advanced, 6 unchanged, 0 rejected"))
        #expect(again.out.contains("deals:   open 4, won 1, lost 1"))
    }

    @Test func rejectedRecordsAreReportedWithTheirLinesAndWrittenToTheRejectsFile() throws {
        let db = try Examples.loaded()
        let rejects = try tempDir([:]) + "/rejects.jsonl"
        let r = flowc("run", Examples.template, "--deals", Examples.bad, "--db", db, "--rejects", rejects)
        #expect(r.code == 1)
        let lines = r.err.split(separator: "\n").map(String.init)
        #expect(lines.count == 7)
        #expect(lines[0] == "\(Examples.bad):1: error[FC1201]: deal `D-2001`, create: customer `远山物流有限公司 / 91310000ma1fxxxx3c` already has open deal `D-1003` in `li.si`'s private pool")
        #expect(lines[1].hasPrefix("\(Examples.bad):2: error[FC1202]: deal `D-2002`, create: customer `青禾教育科技` already has deal `D-1004` in the public pool: claim it"))
        #expect(lines[2].hasPrefix("\(Examples.bad):3: error[FC1220]: deal `D-2003`: not a valid record: the line is not JSON"))
        #expect(lines[3].hasPrefix("\(Examples.bad):4: error[FC1110]: deal `D-2004`, create: unknown field `custmer_tier`"))
        #expect(lines[4].hasPrefix("\(Examples.bad):5: error[FC1121]: deal `D-2005`, event 2 (complete):"))
        #expect(lines[5].hasPrefix("\(Examples.bad):7: error[FC1221]: deal `D-2007`, create: field `amount`"))
        #expect(lines[6].hasPrefix("note: 1 deal the run wrote has a timer already due by the clock"))
        #expect(r.out.contains("records: 7 read: 1 created, 0 advanced, 0 unchanged, 6 rejected"))
        #expect(r.out.contains("rejects: \(rejects)"))
        let file = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n")
        #expect(file.count == 6)
        #expect(file.allSatisfy { $0.hasPrefix("{\"_error\":{\"line\":") })
        #expect(file[2].contains("\"_text\":\"{\\\"id\\\": \\\"D-2003\\\""))
        // Run again, the line kept as text is the line it keeps: said as before, not as a record
        // with an unknown key `_text` (review of the inputs, I2).
        let again = flowc("run", Examples.template, "--deals", rejects, "--db", db, "--rejects", rejects + ".2")
        let said = again.err.split(separator: "\n").map(String.init)
        #expect(said.contains { $0.hasPrefix("\(rejects):3: error[FC1220]: deal `D-2003`: not a valid record: the line is not JSON") }, "\(again.err)")
        #expect(!again.err.contains("_text"), "\(again.err)")
        let second = try String(contentsOfFile: rejects + ".2", encoding: .utf8).split(separator: "\n")
        // Its entry is the one before (its line is 3 in both files).
        #expect(second[2] == file[2], "\(second[2])")
    }

    /// `--quiet` leaves the rejected records to the rejects file: a run from cron over a file with
    /// thousands of them prints its summary and notes only (review of the CLI, C6: run could not
    /// be quietened).
    @Test func aQuietRunLeavesTheRejectedRecordsToTheRejectsFile() throws {
        let db = try Examples.loaded()
        let rejects = try tempDir([:]) + "/rejects.jsonl"
        let r = flowc("run", Examples.template, "--deals", Examples.bad, "--db", db, "--rejects", rejects, "-q")
        #expect(r.code == 1)
        #expect(!r.err.contains("error["), "\(r.err)")
        #expect(r.err.hasPrefix("note: 1 deal the run wrote has a timer already due by the clock"), "\(r.err)")
        #expect(r.out.contains("records: 7 read: 1 created, 0 advanced, 0 unchanged, 6 rejected"))
        #expect(r.out.contains("rejects: \(rejects)"))
        #expect(try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n").count == 6)
        // A rejects file that cannot be written: the rejected records are said after all, with
        // the failure (QA round 30, N6: in neither).
        let full = flowc("run", Examples.template, "--deals", Examples.bad, "--db", db, "--rejects", "/dev/full", "-q")
        #expect(full.code == 2)
        #expect(full.err.contains("\(Examples.bad):1: error[FC1201]") && full.err.contains("\(Examples.bad):7: error["), "\(full.err)")
        #expect(full.err.contains("/dev/full: error[FC0008]: cannot write `/dev/full`: "), "\(full.err)")
        // … and the summary says it, in text and in JSON (QA round 31, N6: `reject_files` was
        // empty and nothing else said that the records were not kept).
        #expect(full.out.contains("stopped: \(Examples.bad): error[FC0008]: cannot write `/dev/full`: "), "\(full.out)")
        let fullJSON = flowc("run", Examples.template, "--deals", Examples.bad, "--db", db, "--rejects", "/dev/full", "--json")
        #expect(fullJSON.code == 2)
        let summary = try JSONSerialization.jsonObject(with: Data(fullJSON.out.utf8)) as? [String: Any]
        let stopped = summary?["stopped"] as? [[String: Any]]
        #expect(stopped?.count == 1 && stopped?.first?["code"] as? String == "FC0008" && stopped?.first?["input"] as? String == Examples.bad
                && stopped?.first?["line"] == nil && (stopped?.first?["message"] as? String)?.hasPrefix("cannot write `/dev/full`: ") == true, "\(fullJSON.out)")
        #expect(summary?["reject_files"] as? [String] == [], "\(fullJSON.out)")
        // What stops a run is still said.
        let missing = flowc("run", Examples.template, "--deals", rejects + ".none", "--db", db, "--quiet")
        #expect(missing.code == 2 && missing.err.contains("error[FC0001]"), "\(missing.err)")
    }

    @Test func theDefaultRejectsFileSitsBesideTheInputAndGoesAwayWhenAllIsFixed() throws {
        let dir = try tempDir(["new.deals.jsonl": #"{"id": "N-1", "at": "2024-06-01T09:00:00Z", "owner": "amy", "fields": {"customer_name": "甲", "amount": "much"}}"# + "\n"])
        let db = dir + "/deals.sqlite"
        let input = dir + "/new.deals.jsonl"
        let r = flowc("run", Examples.template, "--deals", input, "--db", db)
        #expect(r.code == 1)
        let rejects = dir + "/new.deals.rejects.jsonl"
        #expect(FileManager.default.fileExists(atPath: rejects))
        // Fix the record and run the rejects file: it is applied, and its own rejects file is not written.
        let fixed = try String(contentsOfFile: rejects, encoding: .utf8).replacingOccurrences(of: "\"much\"", with: "\"1000 CNY\"")
        try fixed.write(toFile: rejects, atomically: true, encoding: .utf8)
        let again = flowc("run", Examples.template, "--deals", rejects, "--db", db)
        #expect(again.code == 0, "\(again.err)")
        #expect(again.out.contains("1 created"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/new.deals.rejects.rejects.jsonl"))
        // The original file now runs clean... except that its record was applied from the
        // rejects file under the same event id: it is unchanged, and the stale rejects file goes.
        try #"{"id": "N-1", "at": "2024-06-01T09:00:00Z", "owner": "amy", "fields": {"customer_name": "甲", "amount": "1000 CNY"}}"#
            .write(toFile: input, atomically: true, encoding: .utf8)
        let third = flowc("run", Examples.template, "--deals", input, "--db", db)
        #expect(third.code == 0)
        #expect(third.out.contains("1 unchanged"))
        #expect(!FileManager.default.fileExists(atPath: rejects))
    }

    @Test func csvDealsAndAnEventsFileRun() throws {
        let db = try Examples.loaded()
        let r = flowc("run", Examples.template, "--deals", Examples.leads, "--events", Examples.events, "--db", db, "--json")
        #expect(r.code == 0, "\(r.err)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        #expect(summary["created"] as? Int == 3)
        #expect(summary["advanced"] as? Int == 7)
        #expect(summary["rejected"] as? Int == 0)
        #expect(summary["template"] as? String == "standard_sale")
        #expect((summary["nodes"] as? [String: Int])?["contract_signing"] == 1)
    }

    /// A file saved with `;` between its cells (a spreadsheet's setting in much of Europe) has
    /// one column named by the whole header: said so, with what to do (QA round 19).
    @Test func aSemicolonSeparatedCSVIsNamedAsSuch() throws {
        let dir = try tempDir(["semi.csv": "id;owner;at;customer_name\nX-1;amy;2024-06-01T09:00:00+08:00;甲\n"])
        let r = flowc("run", Examples.template, "--deals", dir + "/semi.csv", "--db", dir + "/deals.sqlite")
        #expect(r.code == 1)
        #expect(r.err.hasPrefix("\(dir)/semi.csv:1: error[FC1222]: unknown column `id;owner;at;customer_name` (the cells are separated by `;`: "
            + "flowc reads CSV separated by `,`; save the file as comma-separated CSV)"), "\(r.err)")
    }

    /// A CSV file whose name does not end in `.csv` is read as JSON Lines: its header line says
    /// so and nothing of it is run, rather than every row rejected as not JSON (QA round 20).
    @Test func aCSVFileNamedOtherwiseIsNamedAsCSV() throws {
        let dir = try tempDir(["leads.txt": "id,owner,customer_name\nX-1,amy,甲\nX-2,amy,乙\n"])
        let r = flowc("run", Examples.template, "--deals", dir + "/leads.txt", "--db", dir + "/deals.sqlite")
        #expect(r.code == 1)
        #expect(r.err == "\(dir)/leads.txt:1: error[FC1220]: not a valid record: the file reads as CSV (its first line is a header naming `id`), "
            + "but is read as JSON Lines: name it `.csv`, or add `--format csv`\n", "\(r.err)")
        #expect(r.out.contains("not run: \(dir)/leads.txt:1: error[FC1220]"), "\(r.out)")
        #expect(flowc("run", Examples.template, "--deals", dir + "/leads.txt", "--format", "csv", "--db", dir + "/deals.sqlite").code == 0)
    }

    /// A UTF-16 file (Excel's "Unicode text") is said to be one, once, and nothing of it runs
    /// (review of the inputs, I15: CSV was taken for GBK, and each JSON line was split into
    /// rejected pieces at the bytes 0x0A inside its characters), with a byte-order mark or
    /// without one (its first characters ASCII, every other byte zero).
    @Test(arguments: [("leads.csv", true), ("leads.csv", false), ("deals.jsonl", true), ("deals.jsonl", false)], [true, false])
    func aUTF16FileIsSaidToBeOne(_ file: (name: String, littleEndian: Bool), _ marked: Bool) throws {
        let (name, littleEndian) = file
        let text = name.hasSuffix(".csv") ? "id,owner,customer_name\nX-1,amy,甲\n" : #"{"id": "X-1", "owner": "amy", "fields": {"customer_name": "甲"}}"# + "\n"
        var bytes: [UInt8] = !marked ? [] : littleEndian ? [0xFF, 0xFE] : [0xFE, 0xFF]
        for unit in text.utf16 { bytes += littleEndian ? [UInt8(unit & 0xFF), UInt8(unit >> 8)] : [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
        let dir = try tempDir([:])
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/" + name))
        let r = flowc("run", Examples.template, "--deals", dir + "/" + name, "--db", dir + "/deals.sqlite")
        #expect(r.code == 1)
        #expect(r.err == "\(dir)/\(name):1: error[FC1220]: not a valid record: the file is UTF-16 text (as Excel's \"Unicode text\" and some Windows tools save it), "
            + "not UTF-8: save it as UTF-8, or `iconv -f UTF-16 -t UTF-8` (`-f UTF-16LE` for a file without a byte-order mark, as Windows writes it)\n", "\(r.err)")
        #expect(r.out.contains("records: 0 read: 0 created"), "\(r.out)")
    }

    /// An events file written as CSV is told that events files are JSON Lines only, not to be
    /// renamed or given `--format csv`, which change nothing for it; its header is no record
    /// read (review of the inputs, I6).
    @Test func anEventsFileInCSVIsToldEventsAreJSONLines() throws {
        let dir = try tempDir(["ev.csv": "deal,by,complete\nD-1003,lee,legal_review\n"])
        let db = try Examples.loaded()
        let r = flowc("run", Examples.template, "--events", dir + "/ev.csv", "--format", "csv", "--db", db)
        #expect(r.code == 1)
        #expect(r.err == "\(dir)/ev.csv:1: error[FC1220]: not a valid record: the file reads as CSV (its first line is a header naming `deal`), "
            + "but an events file is JSON Lines only: one object per line, `{\"deal\": \"D-1\", \"by\": \"li\", \"complete\": \"initial_talks\"}`\n", "\(r.err)")
        #expect(r.out.contains("records: 0 read"), "\(r.out)")
    }

    @Test func aCSVHeaderWithAnUnknownColumnRunsNothing() throws {
        let dir = try tempDir(["leads.csv": "id,owner,custmer_name\nX-1,amy,甲\n"])
        let r = flowc("run", Examples.template, "--deals", dir + "/leads.csv", "--db", dir + "/deals.sqlite")
        #expect(r.code == 1)
        #expect(r.err.hasPrefix("\(dir)/leads.csv:1: error[FC1222]: unknown column `custmer_name` (did you mean `customer_name`?)"))
        #expect(r.out.contains("0 created"))
        // The summary says the file was not run, and why.
        #expect(r.out.contains("\nnot run: \(dir)/leads.csv:1: error[FC1222]: unknown column `custmer_name` (did you mean `customer_name`?)\n"))
        let json = flowc("run", Examples.template, "--deals", dir + "/leads.csv", "--db", dir + "/deals.sqlite", "--json")
        #expect(json.code == 1)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        let notRun = try #require(summary["not_run"] as? [[String: Any]])
        #expect(notRun.count == 1)
        #expect(notRun.first?["input"] as? String == dir + "/leads.csv")
        #expect(notRun.first?["line"] as? Int == 1)
        #expect(notRun.first?["code"] as? String == "FC1222")
        #expect(notRun.first?["message"] as? String == "unknown column `custmer_name` (did you mean `customer_name`?)")
        // A clean run lists none.
        let clean = flowc("run", Examples.template, "--deals", Examples.deals, "--db", dir + "/deals.sqlite", "--json")
        #expect(clean.out.contains(#""not_run":[]"#))
        #expect(!flowc("run", Examples.template, "--deals", Examples.deals, "--db", dir + "/deals.sqlite").out.contains("not run:"))
    }

    @Test func aProgressLineIsShownOnATerminalOnly() throws {
        let quiet = flowc("run", Examples.template, "--deals", Examples.deals, "--db", try Examples.db())
        #expect(quiet.err.hasPrefix("note: 3 deals the run wrote") && quiet.err.split(separator: "\n").count == 1, "\(quiet.err)")
        let shown = flowc("run", Examples.template, "--deals", Examples.deals, "--db", try Examples.db(), terminal: true)
        #expect(shown.code == 0)
        #expect(shown.err.contains("standard-sale.deals.jsonl: 6/6 records (100%)"))
        // The progress line is erased before the note.
        #expect(shown.err.contains("\r\u{1B}[2Knote: 3 deals the run wrote"))

        // A CSV file's records are its rows after the header, a quoted line break included.
        let dir = try tempDir(["leads.csv": "id,owner,customer_name\nX-1,amy,\"甲\n（分部）\"\n\nX-2,amy,乙\n"])
        let csv = flowc("run", Examples.template, "--deals", dir + "/leads.csv", "--db", dir + "/d.sqlite", terminal: true)
        #expect(csv.code == 0, "\(csv.err)")
        #expect(csv.err.contains("leads.csv: 2/2 records (100%)"))
        #expect(!csv.err.contains("/4 records"))
    }

    @Test func templateErrorsExitOneAndUsageErrorsTwo() throws {
        let dir = try tempDir(["broken.flow.yaml": brokenTemplate])
        let broken = flowc("run", dir + "/broken.flow.yaml", "--deals", Examples.deals, "--db", dir + "/deals.sqlite")
        #expect(broken.code == 1)
        #expect(broken.err.contains("error[FC0302]"))
        #expect(flowc("run", Examples.template, "--db", dir + "/deals.sqlite").code == 2)
        #expect(flowc("run", Examples.template, "--deals", dir + "/missing.jsonl", "--db", dir + "/deals.sqlite").code == 2)
        #expect(flowc("run", dir + "/missing.flow.yaml", "--deals", Examples.deals, "--db", dir + "/deals.sqlite").code == 2)
        #expect(flowc("run", Examples.template, "--deals", Examples.deals, "--rejects", Examples.deals).code == 2)
        #expect(flowc("run", Examples.template, "--deals", Examples.deals, "--batch-size", "0").code == 2)
        // Bounded: a batch is held in memory (QA round 35: 907 MB for 20,000 records at 100,000,000).
        let huge = flowc("run", Examples.template, "--deals", Examples.deals, "--batch-size", "10001", "--db", dir + "/deals.sqlite")
        #expect(huge.code == 2 && huge.err.contains("--batch-size must be at most 10000"), "\(huge.err)")
        // A fraction of a second is refused (QA round 35: dropped silently).
        let fraction = flowc("tick", "--at", "2024-05-06T09:00:00.999+08:00", "--db", dir + "/deals.sqlite")
        #expect(fraction.code == 2 && fraction.err.contains("has a fraction of a second, which is not kept (events are timed to the second): write `2024-05-06T09:00:00+08:00`"), "\(fraction.err)")
        // `.000`, as JavaScript's `toISOString()` writes it, cuts nothing.
        #expect(!flowc("tick", "--at", "2024-05-06T09:00:00.000Z", "--db", dir + "/deals.sqlite").err.contains("fraction"))
        #expect(flowc("run", Examples.template, "--deals", Examples.deals, "--now", "soon").code == 2)
        let unopenable = flowc("run", Examples.template, "--deals", Examples.deals, "--db", dir + "/broken.flow.yaml")
        #expect(unopenable.code == 2)
        #expect(unopenable.err.contains("error[FC1212]"))
    }

    /// A JSON Lines file is read a chunk at a time: a record over the 1 MiB line limit is
    /// measured to its end without being held, rejected with its length, and the records around
    /// it run; a directory given as the file is a usage error, as a missing file is.
    @Test func aRecordOverTheLineLimitIsRejectedAndTheOthersRun() throws {
        let deals = try String(contentsOfFile: Examples.deals, encoding: .utf8).split(separator: "\n")
        let huge = #"{"id": "X-1", "fields": {"customer_name": ""# + String(repeating: "长", count: 400_000) + #""}}"#
        let dir = try tempDir(["deals.jsonl": ([String(deals[0]), huge] + deals.dropFirst().map(String.init)).joined(separator: "\n") + "\n"])
        let r = flowc("run", Examples.template, "--deals", dir + "/deals.jsonl", "--db", dir + "/deals.sqlite", "--json",
                      "--now", "2024-07-01T00:00:00Z")
        #expect(r.code == 1)
        #expect(r.err == "\(dir)/deals.jsonl:2: error[FC1223]: the record has 1200046 bytes, over the limit of 1048576 bytes\n"
                + "note: 3 deals the run wrote have timers already due by the clock (2024-07-01T00:00:00Z), their records being "
                + "dated earlier: the next `flowc tick` fires them at once (due dates, escalations, idle warnings, returns to the public pool): `D-1003`, `D-1005`, `D-1006`\n")
        #expect(r.out.contains(#""created":6"#) && r.out.contains(#""rejected":1"#))
        let rejects = try String(contentsOfFile: dir + "/deals.rejects.jsonl", encoding: .utf8)
        #expect(rejects.hasPrefix(#"{"_error":{"line":2,"code":"FC1223","#))
        #expect(rejects.utf8.count < 1_100_000)

        let directory = flowc("run", Examples.template, "--deals", dir, "--db", dir + "/deals.sqlite")
        #expect(directory.code == 2)
        #expect(directory.err == "\(dir): error[FC0001]: cannot read `\(dir)`: it is a directory\n")
        let missing = flowc("run", Examples.template, "--deals", dir + "/nope.jsonl", "--db", dir + "/deals.sqlite")
        #expect(missing.code == 2)
        #expect(missing.err == "\(dir)/nope.jsonl: error[FC0001]: cannot read `\(dir)/nope.jsonl`: no such file or directory\n")
        // In JSON, a code and the file as its location, as `check` gives (CLI review, C14: `null`,
        // which says a usage error).
        let json = flowc("run", Examples.template, "--deals", dir + "/nope.jsonl", "--db", dir + "/deals.sqlite", "--json")
        #expect(json.out == #"{"error":{"code":"FC0001","exit":2,"location":"\#(dir)/nope.jsonl","message":"cannot read `\#(dir)/nope.jsonl`: no such file or directory"}}"# + "\n", "\(json.out)")
    }

    /// Rejected records are written as the run goes: a file of 3,000 bad records among good ones
    /// gives a rejects file of all of them, in line order, and leaves no partial file behind.
    @Test func aFileOfMostlyBadRecordsGetsItsWholeRejectsFile() throws {
        let deals = try String(contentsOfFile: Examples.deals, encoding: .utf8).split(separator: "\n").map(String.init)
        var lines: [String] = []
        for n in 0..<3000 {
            if n % 500 == 0 { lines.append(deals[n / 500]) }
            lines.append(n % 2 == 0 ? "{\"id\": \"X-\(n)\"" : "{\"id\": \"X-\(n)\", \"fields\": {\"nope\": \(n)}}")
        }
        let dir = try tempDir(["deals.jsonl": lines.joined(separator: "\n") + "\n"])
        let r = flowc("run", Examples.template, "--deals", dir + "/deals.jsonl", "--db", dir + "/deals.sqlite", "--batch-size", "7")
        #expect(r.code == 1)
        #expect(r.out.contains("6 created") && r.out.contains("3000 rejected"))
        var errors = r.err.split(separator: "\n")
        #expect(errors.count == 3001)
        #expect(errors.removeLast().hasPrefix("note: 3 deals the run wrote have timers already due"))
        let rejects = try String(contentsOfFile: dir + "/deals.rejects.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(rejects.count == 3000)
        let numbers = rejects.compactMap { line -> Int? in
            guard let range = line.range(of: #"{"_error":{"line":"#) else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
        let expected = lines.enumerated().filter { $0.element.hasPrefix("{\"id\": \"X-") }.map { $0.offset + 1 }
        #expect(numbers == expected)
        #expect(errors.first == "\(dir)/deals.jsonl:2: error[FC1220]: deal `X-0`: not a valid record: the line is not JSON: byte 12: unterminated object")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".partial") }.isEmpty)
    }

    /// A CSV file is read a row at a time too, after a pass that checks it is UTF-8: a file with
    /// a broken character runs nothing; a quoted cell that is never closed rejects the rest of
    /// the file from its line, after the rows before it ran.
    @Test func aCSVFileIsCheckedThenReadARowAtATime() throws {
        let good = "id,owner,customer_name\nX-1,amy,甲\nX-2,amy,\"乙\n（分部）\"\n"
        var broken = Array(good.utf8)
        broken.insert(0xFF, at: broken.count - 3)
        let dir = try tempDir([:])
        for (name, bytes) in [("good.csv", Array(good.utf8)), ("broken.csv", broken), ("open.csv", Array((good + "X-3,amy,\"丙\nX-4,amy,丁\n").utf8))] {
            try Data(bytes).write(to: URL(fileURLWithPath: dir + "/" + name))
        }
        let ok = flowc("run", Examples.template, "--deals", dir + "/good.csv", "--db", dir + "/a.sqlite")
        #expect(ok.code == 0, "\(ok.err)")
        #expect(ok.out.contains("2 created"))
        let bad = flowc("run", Examples.template, "--deals", dir + "/broken.csv", "--db", dir + "/b.sqlite")
        #expect(bad.code == 1)
        // The bad byte is on line 4 (in the row that starts on line 3).
        let notUTF8 = "error[FC1220]: not a valid record: the file is not UTF-8 text (saved as GBK or GB18030? save it as UTF-8: Excel's \"CSV UTF-8\", or `iconv -f GB18030 -t UTF-8`)"
        #expect(bad.err == "\(dir)/broken.csv:4: \(notUTF8)\n")
        #expect(bad.out.contains("0 created"))
        #expect(bad.out.contains("\nnot run: \(dir)/broken.csv:4: \(notUTF8)\n"))
        let open = flowc("run", Examples.template, "--deals", dir + "/open.csv", "--db", dir + "/c.sqlite")
        #expect(open.code == 1)
        #expect(open.out.contains("2 created") && open.out.contains("1 rejected"))
        #expect(open.err.hasPrefix("\(dir)/open.csv:5: error[FC1220]"))
    }

    /// A file whose lines end in a carriage return alone (classic Mac OS) is one line to JSON Lines
    /// and one row to CSV: both say so, rather than "unexpected content" or an unknown column
    /// made of a header and a row.
    @Test func linesEndingInCRAloneAreNamedAsSuch() throws {
        let lines = try String(contentsOfFile: Examples.deals, encoding: .utf8).split(separator: "\n").prefix(2)
        let dir = try tempDir(["d.jsonl": lines.joined(separator: "\r") + "\r",
                               "l.csv": "id,owner,customer_name\rX-1,amy,甲\rX-2,amy,乙\r",
                               "r.csv": "id,owner,customer_name\nX-1,amy,甲\rX-2,amy,乙\nX-3,amy,\"丙\r\"\n"])
        let json = flowc("run", Examples.template, "--deals", dir + "/d.jsonl", "--db", dir + "/a.sqlite")
        #expect(json.code == 1)
        #expect(json.err.contains("d.jsonl:1: error[FC1220]: deal `D-1001`: not a valid record: the line is not JSON: byte "), "\(json.err)")
        #expect(json.err.contains(": unexpected content after the document, after a carriage return alone (CR): lines must end in LF or CRLF\n"), "\(json.err)")
        let csv = flowc("run", Examples.template, "--deals", dir + "/l.csv", "--db", dir + "/b.sqlite")
        #expect(csv.code == 1)
        #expect(csv.err == "\(dir)/l.csv:1: error[FC1220]: not a valid record: the row: a line ends in a carriage return alone (CR); flowc reads lines that end in LF or CRLF, so save the file with those line endings\n")
        #expect(csv.out.contains("0 created"))
        // One row with a lone CR is rejected; a CR inside quotes is the cell's text.
        let row = flowc("run", Examples.template, "--deals", dir + "/r.csv", "--db", dir + "/c.sqlite")
        #expect(row.code == 1)
        #expect(row.out.contains("1 created") && row.out.contains("1 rejected"), "\(row.out)")
        #expect(row.err.hasPrefix("\(dir)/r.csv:2: error[FC1220]: not a valid record: the row: a line ends in a carriage return alone (CR)"))
    }

    /// Text after a cell's closing quote (`"Acme, Inc" Ltd`) is not RFC 4180: the row is refused
    /// with its line and cell rather than read as `Acme, Inc Ltd`; blanks after the quote are
    /// ignored, and a quote inside an unquoted cell stays a character.
    @Test func textAfterAClosingQuoteRejectsTheRow() throws {
        let text = "id,owner,customer_name\nX-1,amy,\"Acme, Inc\" Ltd\nX-2,amy,\"乙\" \nX-3,amy,丙\"s\n"
        let dir = try tempDir(["leads.csv": text])
        let r = flowc("run", Examples.template, "--deals", dir + "/leads.csv", "--db", dir + "/d.sqlite")
        #expect(r.code == 1)
        #expect(r.out.contains("2 created") && r.out.contains("1 rejected"), "\(r.out)")
        #expect(r.err == "\(dir)/leads.csv:2: error[FC1220]: not a valid record: the row: cell 3 has text after its closing quote; quote the whole cell, writing a quote inside it as `\"\"`\n")
        let rejects = try String(contentsOfFile: dir + "/leads.rejects.csv", encoding: .utf8)
        #expect(rejects.contains("X-1,amy,\"Acme, Inc\" Ltd"))
        let show = flowc("deal", "show", "X-2", "--db", dir + "/d.sqlite", "--json")
        #expect(show.out.contains(#"{"type":"text","value":"乙"}"#), "\(show.out)")
        let third = flowc("deal", "show", "X-3", "--db", dir + "/d.sqlite", "--json")
        #expect(third.out.contains(#"{"type":"text","value":"丙\"s"}"#), "\(third.out)")
    }

    /// A CSV row is bounded as a JSON line is: a row over 1 MiB (here a quoted cell of 300,000
    /// lines) is measured to its end without being held, rejected with its length, and the rows
    /// after it run, numbered by their own lines.
    @Test func aCSVRowOverTheLineLimitIsRejectedAndTheOthersRun() throws {
        let long = "X-2,amy,\"" + String(repeating: "长\n", count: 300_000) + "\""
        let csv = "id,owner,customer_name\nX-1,amy,甲\n" + long + "\nX-3,amy,丙\nX-4,amy,\"丁\n"
        let dir = try tempDir(["deals.csv": csv])
        let r = flowc("run", Examples.template, "--deals", dir + "/deals.csv", "--db", dir + "/deals.sqlite")
        #expect(r.code == 1)
        #expect(r.err == """
            \(dir)/deals.csv:3: error[FC1223]: the record has \(long.utf8.count) bytes, over the limit of 1048576 bytes
            \(dir)/deals.csv:300005: error[FC1220]: not a valid record: the row: a quoted cell is not closed

            """)
        #expect(r.out.contains("2 created") && r.out.contains("2 rejected"))
        let rejects = try String(contentsOfFile: dir + "/deals.rejects.csv", encoding: .utf8)
        #expect(rejects.hasPrefix("_line,_code,_error,id,owner,customer_name\n3,FC1223,"))
        #expect(rejects.utf8.count < 1_100_000)
    }

    /// A UTF-8 byte-order mark at the start of a JSON Lines deals or events file is skipped, as
    /// in a CSV file: line 1 runs, and its errors give the byte offsets an editor shows.
    @Test func aByteOrderMarkStartsAJSONLinesFileHarmlessly() throws {
        let bom = "\u{FEFF}"
        let deals = try String(contentsOfFile: Examples.deals, encoding: .utf8)
        let dir = try tempDir(["deals.jsonl": bom + deals, "events.jsonl": bom + #"{"deal": "D-1003", "at": "2024-05-20T10:00:00+08:00", "by": "lee", "deliverables": {"node": "legal_review", "done": ["legal_opinion"]}}"# + "\n",
                               "bad.jsonl": bom + #"{"id": "X-1""# + "\n", "bad-plain.jsonl": #"{"id": "X-1""# + "\n"])
        let r = flowc("run", Examples.template, "--deals", dir + "/deals.jsonl", "--events", dir + "/events.jsonl", "--db", dir + "/deals.sqlite")
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("records: 7 read: 6 created, 1 advanced, 0 unchanged, 0 rejected"))
        let bad = flowc("run", Examples.template, "--deals", dir + "/bad.jsonl", "--db", dir + "/deals.sqlite")
        let plain = flowc("run", Examples.template, "--deals", dir + "/bad-plain.jsonl", "--db", dir + "/deals.sqlite")
        #expect(bad.code == 1)
        #expect(bad.err == plain.err.replacingOccurrences(of: "bad-plain.jsonl", with: "bad.jsonl"))
        #expect(bad.err.hasSuffix(":1: error[FC1220]: deal `X-1`: not a valid record: the line is not JSON: byte 12: unterminated object\n"), "\(bad.err)")
        let rejects = try String(contentsOfFile: dir + "/bad.rejects.jsonl", encoding: .utf8)
        #expect(rejects.hasPrefix(#"{"_error":{"line":1,"#))
    }

    /// A JSON line that is not UTF-8 is written to the rejects file with its bytes as written
    /// (not re-encoded with U+FFFD, which would run on the next try): it is rejected again until
    /// the byte is fixed. Run again, its rejects-file line has one `_error`.
    @Test func aLineThatIsNotUTF8KeepsItsBytesInTheRejectsFile() throws {
        let dir = try tempDir([:])
        let line = Array(#"{"id": "X-1", "owner": "amy", "fields": {"customer_name": "甲"#.utf8) + [0xFF] + Array(#""}}"#.utf8)
        let other: [UInt8] = [0xFF] + Array(" oops \"\\".utf8)
        try Data(line + [0x0A] + other + [0x0A]).write(to: URL(fileURLWithPath: dir + "/deals.jsonl"))
        let r = flowc("run", Examples.template, "--deals", dir + "/deals.jsonl", "--db", dir + "/deals.sqlite")
        #expect(r.code == 1)
        #expect(r.err.contains("deals.jsonl:1: error[FC1220]: deal `X-1`: not a valid record: the line is not JSON: byte 64: invalid UTF-8"))
        let rejects = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/deals.rejects.jsonl")))
        let lines = rejects.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        #expect(lines.count == 3 && lines[2].isEmpty)
        #expect(lines[0] == Array(#"{"_error":{"line":1,"code":"FC1220","message":"deal `X-1`: not a valid record: the line is not JSON: byte 64: invalid UTF-8"},"#.utf8) + line.dropFirst())
        // A line that does not start as an object is said to be no record (it was the parser's
        // "byte 0: expected a value", or "expected `null`" for a line of prose starting with `n`).
        #expect(r.err.contains("deals.jsonl:2: error[FC1220]: not a valid record: the line is not a JSON record: each line is one JSON object"))
        #expect(lines[1] == Array(#"{"_error":{"line":2,"code":"FC1220","message":"not a valid record: the line is not a JSON record: each line is one JSON object, `{\"id\": …}` in a deals file, `{\"deal\": …}` in an events file"},"_text":""#.utf8)
            + [0xFF] + Array(#" oops \"\\"}"#.utf8))

        // Run as it is, it is rejected again (and keeps one `_error`); with the byte fixed, it runs.
        let again = flowc("run", Examples.template, "--deals", dir + "/deals.rejects.jsonl", "--db", dir + "/deals.sqlite")
        #expect(again.code == 1)
        #expect(again.out.contains("0 created") && again.out.contains("2 rejected"))
        let second = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/deals.rejects.rejects.jsonl")))
        let first = try #require(second.split(separator: 0x0A).first.map(Array.init))
        #expect(first.starts(with: Array(#"{"_error":{"line":1,"code":"FC1220","#.utf8)))
        #expect(Array(first.suffix(line.count - 1)) == Array(line.dropFirst()))
        #expect(String(decoding: first, as: UTF8.self).components(separatedBy: "\"_error\"").count == 2)
        try Data(lines[0].filter { $0 != 0xFF } + [0x0A]).write(to: URL(fileURLWithPath: dir + "/fixed.jsonl"))
        let fixed = flowc("run", Examples.template, "--deals", dir + "/fixed.jsonl", "--db", dir + "/deals.sqlite")
        #expect(fixed.code == 0, "\(fixed.err)")
        #expect(fixed.out.contains("1 created"))
    }

    /// A CSV rejects file is valid CSV with one row per reject, whatever the rejected rows hold:
    /// a row too large to keep (here a quoted cell over the limit) leaves its cells empty, and
    /// its error says so, instead of an open quote that swallows the rows after it.
    @Test func aCSVRejectsFileHasOneRowPerRejectEvenForARowTooLargeToKeep() throws {
        let long = "X-2,amy,\"" + String(repeating: "长", count: 400_000) + "\",1"
        let csv = "id,owner,customer_name,amount\nX-1,amy,甲,1000\n" + long + "\nX-3,amy,丙,much\nX-4,amy,丁,2000\n"
        let dir = try tempDir(["deals.csv": csv])
        let r = flowc("run", Examples.template, "--deals", dir + "/deals.csv", "--db", dir + "/deals.sqlite")
        #expect(r.code == 1)
        #expect(r.out.contains("2 created") && r.out.contains("2 rejected"))
        let file = try String(contentsOfFile: dir + "/deals.rejects.csv", encoding: .utf8)
        let parsed = CSVReader.rows(file)
        #expect(parsed.error == nil)
        #expect(parsed.rows.map(\.cells.count) == [7, 7, 7])
        #expect(parsed.rows.dropFirst().map { Array($0.cells.prefix(2)) } == [["3", "FC1223"], ["4", "FC1221"]])
        #expect(parsed.rows[1].cells[2] == "the record has \(long.utf8.count) bytes, over the limit of 1048576 bytes; "
            + "its cells are left empty here: fix the row at line 3 of the input file")
        #expect(parsed.rows[1].cells.dropFirst(3).allSatisfy { $0.isEmpty })
        #expect(Array(parsed.rows[2].cells.dropFirst(3)) == ["X-3", "amy", "丙", "much"])
        // Run again, the row too large to keep is rejected, never taken as a deal.
        let again = flowc("run", Examples.template, "--deals", dir + "/deals.rejects.csv", "--db", dir + "/deals.sqlite")
        #expect(again.code == 1)
        #expect(again.out.contains("0 created") && again.out.contains("2 rejected"))
    }

    /// A quoted cell never closed swallows the rest of the file: its reject keeps that text as
    /// written (under the row limit), so that the quote can be closed in the rejects file and
    /// the rows run; over the limit, its cells are left empty and the error says so.
    @Test func anUnclosedQuoteKeepsTheRowsItSwallowedInTheRejectsFile() throws {
        let header = "id,owner,customer_name\n"
        let big = String(repeating: "长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长\n", count: 12_000)
        let dir = try tempDir(["open.csv": header + "X-1,amy,甲\nX-3,amy,\"丙\nX-4,amy,丁\n", "huge.csv": header + "X-5,amy,\"戊\n" + big])
        let r = flowc("run", Examples.template, "--deals", dir + "/open.csv", "--db", dir + "/deals.sqlite")
        #expect(r.code == 1)
        let rejects = try String(contentsOfFile: dir + "/open.rejects.csv", encoding: .utf8)
        // The error says what the quote took in (QA round 12: "1 read" for a file of three rows).
        #expect(rejects == "_line,_code,_error,id,owner,customer_name\n3,FC1220,\"not a valid record: the row: a quoted cell is not closed: it takes in the rest of the file (1 more line), which is not run; close the quote (`\"\"`) and run the file again\",X-3,amy,\"丙\nX-4,amy,丁\n")
        try rejects.replacingOccurrences(of: "\"丙", with: "丙").write(toFile: dir + "/open.rejects.csv", atomically: true, encoding: .utf8)
        let fixed = flowc("run", Examples.template, "--deals", dir + "/open.rejects.csv", "--db", dir + "/deals.sqlite")
        #expect(fixed.code == 0, "\(fixed.err)")
        #expect(fixed.out.contains("2 created"))

        let huge = flowc("run", Examples.template, "--deals", dir + "/huge.csv", "--db", dir + "/deals.sqlite")
        #expect(huge.code == 1)
        let parsed = CSVReader.rows(try String(contentsOfFile: dir + "/huge.rejects.csv", encoding: .utf8))
        #expect(parsed.error == nil)
        #expect(parsed.rows.count == 2)
        #expect(parsed.rows.last?.cells == ["2", "FC1220", "not a valid record: the row: a quoted cell is not closed; its cells are left empty here: fix the row at line 2 of the input file", "", "", ""])
    }

    /// A CSV input that is not a regular file (a pipe) is read twice like a file, UTF-8 check
    /// first: it is copied to a temporary file, which the run removes again, and runs as the
    /// same bytes in a file do. (It used to be read whole through `FileManager`, which cannot
    /// read a pipe: `cannot read`, exit 2.)
    @Test func aCSVPipeIsCopiedToATemporaryFileThenRun() throws {
        let csv = "id,owner,customer_name\nX-1,amy,甲\nX-2,amy,\"乙\n（分部）\"\nX-3,amy,\"丙\n"
        let dir = try tempDir([:])
        let spools = try tempDir([:])
        let fifo = dir + "/deals.csv"
        try pipe(csv, at: fifo)
        // The pipe's rejects go to the run's current directory, its copy to its TMPDIR: the
        // test's own, so that no other test's files are counted.
        let r = flowc("run", Examples.template, "--deals", fifo, "--db", dir + "/deals.sqlite", env: ["TMPDIR": spools], directory: dir)
        #expect(r.code == 1)
        #expect(r.out.contains("2 created") && r.out.contains("1 rejected"))
        #expect(r.err == "\(fifo):5: error[FC1220]: not a valid record: the row: a quoted cell is not closed\n")
        #expect(FileManager.default.fileExists(atPath: dir + "/deals.rejects.csv"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: spools) == [])
    }

    /// A rejects file must be a file of its own: not an input however it is spelt (`./`, `..`,
    /// a symbolic link: files are compared by device and inode), not the template or the store,
    /// and not the other input's rejects file. Exit 2 before anything is written.
    @Test func aRejectsFileThatIsAnotherFileOfTheRunIsRefused() throws {
        let deals = try String(contentsOfFile: Examples.deals, encoding: .utf8)
        let dir = try tempDir(["deals.jsonl": deals, "events.jsonl": "", "sub/keep": ""])
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.jsonl", withDestinationPath: dir + "/deals.jsonl")
        try FileManager.default.createSymbolicLink(atPath: dir + "/store-link.sqlite", withDestinationPath: dir + "/real.sqlite")
        let db = dir + "/deals.sqlite"
        let cases: [([String], String)] = [
            (["--deals", dir + "/deals.jsonl", "--rejects", dir + "/./deals.jsonl"], "the rejects file `\(dir)/./deals.jsonl` is the deals file `\(dir)/deals.jsonl`"),
            (["--deals", dir + "/deals.jsonl", "--rejects", dir + "/sub/../deals.jsonl"], "the rejects file `\(dir)/sub/../deals.jsonl` is the deals file `\(dir)/deals.jsonl`"),
            (["--deals", dir + "/deals.jsonl", "--rejects", dir + "/link.jsonl"], "the rejects file `\(dir)/link.jsonl` is the deals file `\(dir)/deals.jsonl`"),
            (["--deals", dir + "/deals.jsonl", "--events", dir + "/events.jsonl", "--rejects", dir + "/events.jsonl"],
             "the rejects file `\(dir)/events.jsonl` is the events file `\(dir)/events.jsonl`"),
            (["--events", dir + "/events.jsonl", "--events-rejects", Examples.template], "the rejects file `\(Examples.template)` is the template `\(Examples.template)`"),
            (["--deals", dir + "/deals.jsonl", "--rejects", db], "the rejects file `\(db)` is the store `\(db)`"),
            // The store's own files (QA round 9: the archive's machine or the WAL were replaced).
            (["--deals", dir + "/deals.jsonl", "--rejects", db + "-wal"], "the rejects file `\(db)-wal` is the store's write-ahead log `\(db)-wal`"),
            (["--deals", dir + "/deals.jsonl", "--rejects", db + "-shm"], "the rejects file `\(db)-shm` is the store's shared-memory file `\(db)-shm`"),
            (["--deals", dir + "/deals.jsonl", "--rejects", db + ".machines/x.ir.json"],
             "the rejects file `\(db).machines/x.ir.json` is in the store's machine archive `\(db).machines`"),
            (["--deals", dir + "/deals.jsonl", "--rejects", dir + "/sub/../deals.sqlite.machines/writer.lock"],
             "the rejects file `\(dir)/sub/../deals.sqlite.machines/writer.lock` is in the store's machine archive `\(db).machines`"),
            // Through a store named by a symbolic link: the files of the store it names (QA round 10).
            (["--deals", dir + "/deals.jsonl", "--rejects", dir + "/real.sqlite-wal", "--db", dir + "/store-link.sqlite"],
             "the rejects file `\(dir)/real.sqlite-wal` is the store's write-ahead log"),
            (["--deals", dir + "/deals.jsonl", "--rejects", dir + "/real.sqlite.machines/x.ir.json", "--db", dir + "/store-link.sqlite"],
             "the rejects file `\(dir)/real.sqlite.machines/x.ir.json` is in the store's machine archive `\(dir)/store-link.sqlite.machines`"),
            (["--deals", dir + "/deals.jsonl", "--events", dir + "/events.jsonl", "--rejects", dir + "/r.jsonl", "--events-rejects", dir + "/sub/../r.jsonl"],
             "the rejects files of the deals and of the events are the same file `\(dir)/sub/../r.jsonl`"),
            (["--deals", dir + "/deals.jsonl", "--events", dir + "/deals.jsonl"],
             "the rejects files of the deals and of the events are the same file `\(dir)/deals.rejects.jsonl`"),
        ]
        for (args, message) in cases {
            let ctx = CLIContext(capture: true)
            let code = Flowc.run(["run", Examples.template] + args + (args.contains("--db") ? [] : ["--db", db]), context: ctx)
            #expect(code == 2, "\(args)")
            #expect(ctx.err.hasPrefix("error: " + message), "\(ctx.err)")
            #expect(ctx.out.isEmpty)
            #expect(try String(contentsOfFile: dir + "/deals.jsonl", encoding: .utf8) == deals)
            #expect(!FileManager.default.fileExists(atPath: db))
        }
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir)) == ["deals.jsonl", "events.jsonl", "sub", "link.jsonl", "store-link.sqlite"])
    }

    /// Rejections that name their cause (QA round 35, B5): a byte-order mark inside a JSON Lines
    /// file (two files joined), a control character in an id, a number too far from 1 to hold.
    @Test func rejectionsNameTheirCause() throws {
        let lines = [
            #"{"id": "K-1", "owner": "amy", "fields": {"customer_name": "客户1"}}"#,
            "\u{FEFF}" + #"{"id": "K-2", "owner": "amy", "fields": {"customer_name": "客户2"}}"#,
            #"{"id": "K\n3", "owner": "amy", "fields": {"customer_name": "客户3"}}"#,
            #"{"id": "K-4", "owner": "amy", "fields": {"customer_name": "客户4", "amount": 1e400}}"#,
        ]
        let dir = try tempDir(["k.jsonl": lines.joined(separator: "\n") + "\n"])
        let r = flowc("run", Examples.template, "--deals", dir + "/k.jsonl", "--db", dir + "/k.sqlite", "--now", "2024-07-01T00:00:00Z")
        #expect(r.code == 1)
        #expect(r.err.contains("k.jsonl:2: error[FC1220]: deal `K-2`: not a valid record: the line is not JSON: it starts with an invisible U+FEFF ZERO WIDTH NO-BREAK SPACE, a byte-order mark, which joining two files leaves inside the file: remove it"), "\(r.err)")
        #expect(r.err.contains("k.jsonl:3: error[FC1108]: deal `K ↵ 3`, create: deal id `K ↵ 3` is not a valid id: it contains the control character U+000A LINE FEED"), "\(r.err)")
        #expect(r.err.contains("k.jsonl:4: error[FC1221]: deal `K-4`, create: field `amount`: `1e400` is not money(CNY): decimals and money amounts are read exactly"), "\(r.err)")
    }

    /// A file the template includes is the template's as much as its own file: a rejects file
    /// that is one is refused, exit 2, before anything is written (QA round 35, B3: a shared
    /// fragment was overwritten with rejected records, and every template using it broke).
    @Test func aRejectsFileThatIsAFileTheTemplateIncludesIsRefused() throws {
        let dir = try tempDir(["bad.jsonl": #"{"id": "B-1", "owner": "amy", "fields": {"nosuch": 1}}"# + "\n"])
        try FileManager.default.copyItem(atPath: repoRoot + "/templates", toPath: dir + "/tpl")
        let fragment = dir + "/tpl/fragments/common-roles.flow.yaml"
        let before = try String(contentsOfFile: fragment, encoding: .utf8)
        let ctx = CLIContext(capture: true)
        let code = Flowc.run(["run", dir + "/tpl/standard-sale.flow.yaml", "--deals", dir + "/bad.jsonl", "--db", dir + "/s.sqlite",
                              "--rejects", dir + "/tpl/fragments/../fragments/common-roles.flow.yaml"], context: ctx)
        #expect(code == 2)
        #expect(ctx.err.hasPrefix("error: the rejects file `\(dir)/tpl/fragments/../fragments/common-roles.flow.yaml` is `"), "\(ctx.err)")
        #expect(ctx.err.contains("common-roles.flow.yaml`, a file the template reads: give --rejects or --events-rejects another path"), "\(ctx.err)")
        #expect(try String(contentsOfFile: fragment, encoding: .utf8) == before)
        #expect(!FileManager.default.fileExists(atPath: dir + "/s.sqlite"))
    }

    /// A rejects file that cannot be written stops the run with exit code 2 and says so: the
    /// rejected records are not silently left in no file. It is found before any record is
    /// applied (nothing is written, not even the store), and said in plain words.
    @Test func aRejectsFileThatCannotBeWrittenStopsTheRun() throws {
        let dir = try tempDir(["deals.jsonl": "{\"id\": \"X-1\"\n", "good.jsonl": try String(contentsOfFile: Examples.deals, encoding: .utf8), "taken/x": ""])
        let r = flowc("run", Examples.template, "--deals", dir + "/deals.jsonl", "--db", dir + "/d.sqlite", "--rejects", dir + "/missing/r.jsonl")
        #expect(r.code == 2)
        #expect(r.err.contains("error[FC0008]: cannot write `\(dir)/missing/r.jsonl`"), "\(r.err)")
        #expect(r.err == "\(dir)/missing/r.jsonl: error[FC0008]: cannot write `\(dir)/missing/r.jsonl`: the directory `\(dir)/missing` does not exist (the rejects file)\n")
        #expect(r.out.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: dir + "/d.sqlite"))
        // Found before the good records are applied, too.
        let good = flowc("run", Examples.template, "--deals", dir + "/good.jsonl", "--db", dir + "/d.sqlite", "--rejects", dir + "/taken")
        #expect(good.code == 2)
        #expect(good.err == "\(dir)/taken: error[FC0008]: cannot write `\(dir)/taken`: it is a directory (the rejects file)\n")
        #expect(!FileManager.default.fileExists(atPath: dir + "/d.sqlite"))
        if geteuid() != 0 {
            // (The superuser may write anywhere.)
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: dir + "/taken")
            defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir + "/taken") }
            let locked = flowc("run", Examples.template, "--deals", dir + "/good.jsonl", "--db", dir + "/d.sqlite", "--rejects", dir + "/taken/r.jsonl")
            #expect(locked.code == 2)
            #expect(locked.err == "\(dir)/taken/r.jsonl: error[FC0008]: cannot write `\(dir)/taken/r.jsonl`: the directory `\(dir)/taken` is not writable (the rejects file)\n")
        }
    }

    /// What the file system says, in its own words: an error wrapped by Foundation is told by
    /// its POSIX reason, never as `NSCocoaErrorDomain error 512`.
    @Test func fileSystemErrorsAreToldInPlainWords() {
        let wrapped = NSError(domain: NSCocoaErrorDomain, code: 512, userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC))])
        #expect(SystemError.reason(wrapped) == String(cString: strerror(ENOSPC)))
        #expect(SystemError.reason(POSIXError(.EACCES)) == String(cString: strerror(EACCES)))
        let bare = SystemError.reason(CocoaError(.fileWriteUnknown))
        #expect(!bare.contains("NSCocoaErrorDomain") && !bare.isEmpty, "\(bare)")
    }

    /// The default rejects file of an input that is not a regular file (a pipe, `/dev/stdin`)
    /// cannot sit beside it: it goes to the current directory, under the input's name, with the
    /// extension of its format.
    @Test func aPipesDefaultRejectsFileIsInTheCurrentDirectory() throws {
        let dir = try tempDir([:])
        let work = try tempDir([:])
        try pipe("{\"id\": \"X-1\"\n", at: dir + "/incoming")
        let r = flowc("run", Examples.template, "--deals", dir + "/incoming", "--db", work + "/d.sqlite", directory: work)
        #expect(r.code == 1, "\(r.err)")
        #expect(FileManager.default.fileExists(atPath: work + "/incoming.rejects.jsonl"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/incoming.rejects.jsonl"))
        #expect(r.out.contains("rejects: \(work)/incoming.rejects.jsonl"))

        try pipe("id,owner,customer_name\nX-2,amy,\"甲\n", at: dir + "/leads")
        let csv = flowc("run", Examples.template, "--deals", dir + "/leads", "--format", "csv", "--db", work + "/d.sqlite", directory: work)
        #expect(csv.code == 1)
        let rejects = try String(contentsOfFile: work + "/leads.rejects.csv", encoding: .utf8)
        #expect(rejects.hasPrefix("_line,_code,_error,id,owner,customer_name\n2,FC1220,"))
    }

    /// A partial rejects file left by a killed run is removed by the next run beside it; one of a
    /// process still running is left alone.
    @Test func aKilledRunsPartialRejectsFileIsRemovedByTheNext() throws {
        let dir = try tempDir(["deals.jsonl": "{\n"])
        let gone = dir + "/deals.rejects.jsonl.2147483646.partial"
        let running = dir + "/deals.rejects.jsonl.1.partial"
        for path in [gone, running] { #expect(FileManager.default.createFile(atPath: path, contents: Data("{}".utf8))) }
        let r = flowc("run", Examples.template, "--deals", dir + "/deals.jsonl", "--db", dir + "/deals.sqlite")
        #expect(r.code == 1)
        #expect(!FileManager.default.fileExists(atPath: gone))
        #expect(FileManager.default.fileExists(atPath: running))
        #expect(FileManager.default.fileExists(atPath: dir + "/deals.rejects.jsonl"))
    }

    @Test func aCompiledMachineCanStandInForTheTemplate() throws {
        let dir = try tempDir([:])
        #expect(flowc("compile", Examples.template, "-o", dir + "/standard.ir.json").code == 0)
        let r = flowc("run", dir + "/standard.ir.json", "--deals", Examples.deals, "--db", dir + "/deals.sqlite")
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("6 created"))

        // From a pipe too; a missing one is named with its reason.
        try pipe(try String(contentsOfFile: dir + "/standard.ir.json", encoding: .utf8), at: dir + "/piped.ir.json")
        let piped = flowc("run", dir + "/piped.ir.json", "--deals", Examples.deals, "--db", dir + "/piped.sqlite")
        #expect(piped.code == 0, "\(piped.err)")
        #expect(piped.out.contains("6 created"))
        let missing = flowc("run", dir + "/gone.ir.json", "--deals", Examples.deals, "--db", dir + "/piped.sqlite")
        #expect(missing.code == 2)
        #expect(missing.err == "\(dir)/gone.ir.json: error[FC0001]: cannot read `\(dir)/gone.ir.json`: no such file or directory\n")
    }

    @Test(arguments: [["run", "--help"], ["deal", "--help"], ["deal", "why", "--help"], ["pool", "--help"], ["pool", "claim", "--help"], ["tick", "--help"]])
    func theHostCommandsHaveHelp(_ args: [String]) {
        let ctx = CLIContext(capture: true)
        #expect(Flowc.run(args, context: ctx) == 0)
        #expect(ctx.out.contains("USAGE"))
    }
}

/// A stream flowc cannot write (a full disk, a pipe closed while SIGPIPE is ignored) neither
/// crashes it nor stops its work: every record is still applied and its rejects written, and the
/// exit status, 74, says that the output is incomplete (QA round 9: `try!` in the write crashed
/// flowc at the first rejected record, and after a committed `deal event`).
@Suite struct UnwritableOutputTests {
    /// Runs flowc in-process with standard output or error (or both) on /dev/full.
    static func run(_ arguments: [String], fullOutput: Bool, fullError: Bool) throws -> (code: Int32, err: String) {
        let full = open("/dev/full", O_WRONLY)
        #expect(full >= 0)
        defer { close(full) }
        let errPath = try tempDir([:]) + "/err.txt"
        let errFile = open(errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer { close(errFile) }
        let context = CLIContext(capture: false, descriptors: (output: fullOutput ? full : errFile, error: fullError ? full : errFile))
        let code = context.finish(Flowc.run(arguments, context: context))
        return (code, try String(contentsOfFile: errPath, encoding: .utf8))
    }

    @Test func aRunWhoseErrorsCannotBeWrittenAppliesEveryRecord() throws {
        let dir = try tempDir(["f.jsonl": "[1]\n{\"id\":\"OK-1\",\"owner\":\"a\",\"fields\":{\"customer_name\":\"ok one\"}}\n"])
        let db = dir + "/s.sqlite"
        let r = try Self.run(["run", Examples.template, "--deals", dir + "/f.jsonl", "--db", db], fullOutput: false, fullError: true)
        // A record was rejected: the run's own status, 1, stands (QA round 10: 74 hid it).
        #expect(r.code == ExitCode.problems)
        // The summary (on the working stream) and the store: the good record after the bad one is in.
        #expect(r.err.contains("records: 2 read: 1 created, 0 advanced, 0 unchanged, 1 rejected"), "\(r.err)")
        // Standard output may be data (JSON): the lost standard error is said by the status alone.
        #expect(!r.err.contains("flowc: cannot write"), "\(r.err)")
        #expect(flowc("deal", "show", "OK-1", "--db", db).code == 0)
        #expect(FileManager.default.fileExists(atPath: dir + "/f.rejects.jsonl"))
    }

    @Test func aCommittedEventWhoseReportCannotBeWrittenSaysSo() throws {
        let db = try Examples.loaded()
        let r = try Self.run(["deal", "event", "D-1006", "--set", "follow_up_notes=hello", "--db", db], fullOutput: true, fullError: false)
        #expect(r.code == ExitCode.outputFailed)
        #expect(r.err == "flowc: cannot write to standard output: No space left on device; the command's work is done, but what it printed is incomplete\n")
        #expect(flowc("deal", "history", "D-1006", "--db", db).out.contains("set follow_up_notes"))
        // Both streams full: nothing can be said, the status still tells.
        #expect(try Self.run(["deal", "show", "D-1006", "--db", db], fullOutput: true, fullError: true).code == ExitCode.outputFailed)
        // A command that could not do its work keeps its own status: a refused event is 1, as
        // without the full disk, not 74 ("work done"), which would tell a caller not to retry.
        #expect(try Self.run(["deal", "show", "D-1006", "--db", "/nonexistent/s.sqlite"], fullOutput: true, fullError: true).code == ExitCode.usage)
        let refused = try Self.run(["deal", "event", "D-1006", "--complete", "won", "--db", db], fullOutput: true, fullError: false)
        #expect(refused.code == ExitCode.problems)
        #expect(refused.err.contains("error[FC11"), "\(refused.err)")
        #expect(try Self.run(["deal", "show", "nope", "--db", db], fullOutput: true, fullError: true).code == ExitCode.problems)
    }
}
