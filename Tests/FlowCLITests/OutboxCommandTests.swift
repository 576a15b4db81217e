@testable import FlowCLI
import Foundation
import Testing

/// The outbox from the command line: a deliverer lists what waits, performs it, acknowledges it.
@Suite struct OutboxCommandTests {
    /// `--limit 0` lists every effect waiting, and `--after POSITION` pages without
    /// acknowledging; a large outbox is written as it is read (QA round 19: `--limit 0` was a
    /// usage error, and 310,000 effects were held in memory, 598 MB, before the first line).
    /// `pool list --limit 0` lists the whole pool likewise.
    @Test func everythingWaitingIsListedWithLimitZeroAndPagedWithAfter() throws {
        let db = try Examples.loaded()
        let all = flowc("outbox", "list", "--limit", "0", "--db", db)
        #expect(all.code == 0, "\(all.err)")
        // The count on standard error: standard output is the effects, one a line, for `ack --stdin`
        // (QA round 36, D2).
        #expect(all.err == "36 effects waiting\n", "\(all.err)")
        #expect(all.out.split(separator: "\n").count == 36)
        let page = flowc("outbox", "list", "--after", "30", "--limit", "2", "--db", db)
        #expect(page.out.hasPrefix("31  ") && page.out.contains("\n32  "), "\(page.out)")
        #expect(page.err == "the first 2 effects waiting after position 30; more follow (--after 32)\n", "\(page.err)")
        let rest = flowc("outbox", "list", "--after", "32", "--json", "--db", db)
        #expect(rest.out.split(separator: "\n").count == 4 && rest.err.isEmpty, "\(rest.out)\(rest.err)")
        let cut = flowc("outbox", "list", "--after", "30", "--limit", "2", "--json", "--db", db)
        #expect(cut.err == "note: more effects wait: --after 32\n", "\(cut.err)")
        let negative = flowc("outbox", "list", "--limit", "-1", "--db", db)
        #expect(negative.code == 2 && negative.err.contains("--limit must be 0 (every effect) or more"), "\(negative.err)")
        let pool = flowc("pool", "list", "private", "--limit", "0", "--db", db)
        #expect(pool.code == 0 && pool.err.hasSuffix(" deals in the private pool\n"), "\(pool.out)\(pool.err)")
        #expect(flowc("pool", "list", "private", "--db", db).out == pool.out)
    }

    /// A store that fails after the first page of the list was printed (a damaged row further
    /// on): the text says the list above is not the whole outbox, and `--json` ends its lines
    /// with the failure object (QA round 43, F5: a partial list, and in JSON nothing to tell it
    /// from a whole one but the exit status).
    @Test func aListTheStoreCutsShortSaysSo() throws {
        // 30 copies of the example deals: 1,080 effects, more than one page of the listing.
        let lines = try String(contentsOfFile: Examples.deals, encoding: .utf8).split(separator: "\n")
        var copies = ""
        for k in 0..<30 {
            for line in lines {
                copies += line.replacingOccurrences(of: #""id": "D-"#, with: #""id": "C\#(k)-"#)
                    .replacingOccurrences(of: #""customer_name": ""#, with: #""customer_name": "客户\#(k)号"#)
                    .replacingOccurrences(of: #""tax_id": ""#, with: #""tax_id": "\#(k)"#) + "\n"
            }
        }
        let dir = try tempDir(["copies.jsonl": copies])
        let db = dir + "/deals.sqlite"
        let run = flowc("run", Examples.template, "--deals", dir + "/copies.jsonl", "--db", db, "--waive-quota", "-q")
        #expect(run.code == 0, "\(run.err)")
        let whole = flowc("outbox", "list", "--limit", "0", "--db", db)
        #expect(whole.err == "1080 effects waiting\n", "\(whole.err)")
        try StoreOpeningTests.otherProgramsDatabase(db, ["PRAGMA foreign_keys = OFF", "DELETE FROM deals WHERE deal_id = 'C29-1006'"])
        let text = flowc("outbox", "list", "--limit", "0", "--db", db)
        #expect(text.code == 2, "\(text.err)")
        #expect(text.out.split(separator: "\n").count == 1000)
        #expect(text.err.contains("error[FC1212]: "), "\(text.err)")
        #expect(text.err.hasSuffix("note: the list above stops after position 1000: the store failed reading the effects after it (a page at a time), so it is not the whole outbox\n"), "\(text.err)")
        let json = flowc("outbox", "list", "--limit", "0", "--json", "--db", db)
        #expect(json.code == 2)
        let jsonLines = json.out.split(separator: "\n")
        #expect(jsonLines.count == 1001)
        let last = try JSONSerialization.jsonObject(with: Data((jsonLines.last ?? "").utf8)) as? [String: Any]
        let error = try #require(last?["error"] as? [String: Any], "\(jsonLines.last ?? "")")
        #expect(error["code"] as? String == "FC1212" && error["exit"] as? Int == 2 && error["location"] as? String == db, "\(error)")
    }

    @Test func listShowsWhatWaitsOldestFirstAndAckTakesItOff() throws {
        let db = try Examples.loaded()
        let all = flowc("outbox", "list", "--limit", "1000", "--db", db)
        #expect(all.code == 0, "\(all.err)")
        let lines = all.out.split(separator: "\n")
        #expect(lines.count == 36 && all.err == "36 effects waiting\n", "\(all.err)")
        // `POSITION  DEAL  fx-…  KIND → people`, in enqueue order.
        let first = lines[0].split(separator: " ", omittingEmptySubsequences: true)
        #expect(first[0] == "1" && first[1] == "D-1001" && first[2].hasPrefix("fx-") && first[3] == "notify")
        #expect(lines[0].hasSuffix("→ zhang.san"), "\(lines[0])")

        let page = flowc("outbox", "list", "--limit", "2", "--db", db)
        #expect(page.err == "the first 2 effects waiting; more follow (--after 2)\n")

        let json = flowc("outbox", "list", "--limit", "1", "--json", "--db", db)
        #expect(json.out.hasPrefix(#"{"position":1,"deal":"D-1001","effect_id":"fx-"#), "\(json.out)")
        #expect(json.out.contains(#","effect":{"#) && json.out.contains(#""kind":"notify""#))

        // A position the outbox never gave out (a typo, another store): nothing is acknowledged.
        let typo = flowc("outbox", "ack", "1", "2", "999999", "0", "999999", "--db", db)
        #expect(typo.code == 2)
        #expect(typo.err == "error: positions 999999, 0 are not in the outbox (its positions run from 1 to 36); nothing acknowledged\n")
        #expect(flowc("outbox", "list", "--limit", "1000", "--db", db).err == "36 effects waiting\n")
        // A negative position is said as such (the argument parser took `-1` for an option:
        // "Missing expected argument"), before or after the options, with `--` too.
        for arguments in [["-1", "--db", db], ["2", "--db", db, "-7"], ["--db", db, "--", "-3"]] {
            let negative = CLIContext(capture: true)
            #expect(Flowc.run(["outbox", "ack"] + arguments, context: negative) == 2, "\(arguments)")
            #expect(negative.err.hasPrefix("error: position -") && negative.err.hasSuffix("is not in the outbox (its positions run from 1 to 36); nothing acknowledged\n"), "\(arguments): \(negative.err)")
        }
        let ctx = CLIContext(capture: true)
        let code = Flowc.run(["outbox", "ack"] + (30...200).map(String.init) + ["--db", db], context: ctx)
        #expect(code == 2)
        #expect(ctx.err == "error: positions 37–200 are not in the outbox (its positions run from 1 to 36); nothing acknowledged\n")
        #expect(OutboxAckCommand.ranges([5, 1, 2, 3, 9]) == "5, 1–3, 9")
        #expect(OutboxAckCommand.ranges(stride(from: 100, to: 124, by: 2).map(Int64.init)).hasSuffix(" and 2 more"))

        let ack = flowc("outbox", "ack", "1", "2", "2", "--db", db)
        #expect(ack.code == 0, "\(ack.err)")
        #expect(ack.out == "acknowledged 2 effects\n")
        let after = flowc("outbox", "list", "--limit", "1000", "--db", db)
        #expect(after.err == "34 effects waiting\n")
        #expect(!after.out.hasPrefix("1  "))
        // Acknowledging again is idempotent.
        let again = flowc("outbox", "ack", "1", "--db", db)
        #expect(again.code == 0)
        #expect(again.out == "acknowledged 0 effects; 1 was acknowledged before\n")
    }

    @Test func badInputIsAUsageError() throws {
        let db = try Examples.loaded()
        #expect(flowc("outbox", "ack", "--db", db).code == 2)
        #expect(flowc("outbox", "ack", "one", "--db", db).code == 2)
        #expect(flowc("outbox", "list", "--after", "-5", "--db", db).code == 2)
        // A negative number is a value of the option, not another option ("Missing value").
        let negative = flowc("outbox", "list", "--limit", "-1", "--db", db)
        #expect(negative.code == 2)
        #expect(negative.err.hasPrefix("Error: --limit must be 0 (every effect) or more"), "\(negative.err)")
        let missing = flowc("outbox", "list", "--db", try tempDir([:]) + "/none.sqlite")
        #expect(missing.code == 2)
        #expect(missing.err.contains("FC1215"))
    }

    /// Positions on standard input (`--stdin`), for a backlog of thousands: parsed in linear
    /// time, where as arguments the parser's time grew with their square (QA round 9: 100,000
    /// positions took five minutes). A word that is no position is an error at its line, and
    /// nothing is acknowledged.
    @Test func positionsAreReadFromStandardInput() throws {
        let db = try Examples.loaded()
        func ack(_ input: String, _ args: String...) -> (code: Int32, out: String, err: String) {
            flowc(["outbox", "ack", "--stdin"] + args + ["--db", db], standardInput: input)
        }
        let bad = ack("1 2\n3 x4\n")
        #expect(bad.code == 2)
        #expect(bad.err == "error: standard input, line 2: `x4` is not a position (a whole number); nothing acknowledged\n")
        // Nothing to acknowledge is a deliverer's quiet round, not a usage error (QA round 13).
        let none = ack("\n \n")
        #expect(none.code == 0 && none.out == "acknowledged 0 effects (standard input held no position)\n", "\(none)")
        #expect(ack("", "--json").out == #"{"acknowledged":0,"before":0}"# + "\n")
        let r = ack("1\n2 3\r\n", "4")
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out == "acknowledged 4 effects\n")
        // Twice: in JSON, what was acknowledged before is counted apart.
        #expect(ack("4 5", "--json").out == #"{"acknowledged":1,"before":1}"# + "\n")
        #expect(!flowc("outbox", "list", "--limit", "1000", "--db", db).out.contains("\n1 "))
        #expect(OutboxAckCommand.readPositions(Array((1...100_000).map(String.init).joined(separator: "\n").utf8)).positions.count == 100_000)
        // A byte-order mark before the first position is no part of it; one elsewhere is named
        // (QA round 36, D6: "`﻿1` is not a position", the mark invisible).
        #expect(OutboxAckCommand.readPositions(Array("\u{FEFF}1\n2\n".utf8)).positions == [1, 2])
        let marked = OutboxAckCommand.readPositions(Array("1\n\u{FEFF}2\n".utf8))
        #expect(marked.problem?.contains("`\\u{FEFF}2` is not a position") == true, "\(marked.problem ?? "")")
    }
}
