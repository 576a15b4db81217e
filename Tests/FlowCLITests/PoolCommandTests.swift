import FlowCLI
import Foundation
import Testing

@Suite struct PoolCommandTests {
    @Test func listClaimReleaseAndAssign() throws {
        let db = try Examples.loaded()
        let public0 = flowc("pool", "list", "--db", db)
        #expect(public0.code == 0)
        // The customer and the amount to choose a deal by, and how and since when each deal is
        // in the public pool (QA round 24: the list named none of them).
        #expect(public0.out == """
            D-1002  -  lost  -  customer 海川贸易有限公司  in the pool since 2024-05-09T06:00:00Z (lost, from wang.wu, reason competitor)  no timer
            D-1004  -  open  initial_talks  customer 青禾教育科技有限公司  in the pool since 2024-06-09T01:00:00Z (idle, from zhang.san)  no timer

            """, "\(public0.out)")
        #expect(public0.err == "2 deals in the public pool\n")
        let mine = flowc("pool", "list", "private", "--owner", "li.si", "--db", db)
        #expect(mine.out.hasPrefix("D-1003  li.si  open  legal_review,finance_review  customer 远山物流股份有限公司  amount 90,000.00 CNY  next timer "),
                "\(mine.out)")
        #expect(mine.err == "2 deals in the private pool of `li.si`\n")
        // JSON lines carry every key, the next timer as `null` when there is none.
        let publicJSON = flowc("pool", "list", "--json", "--db", db).out.split(separator: "\n")
        #expect(publicJSON.first?.hasPrefix(#"{"amount":null,"currency":null,"customer":"海川贸易有限公司","deal":"D-1002","machine_hash":"sha256:"#) == true,
                "\(publicJSON)")
        #expect(publicJSON.first?.contains(#","next_timer":null,"nodes":[],"owner":null,"pool":"public","pool_from":"wang.wu","pool_how":"lost","pool_reason":"competitor","pool_since":1715234400,"status":"lost","template":"sha256:"#) == true,
                "\(publicJSON)")
        #expect(publicJSON.first?.hasSuffix(#","template_id":"standard_sale"}"#) == true, "\(publicJSON)")
        let mineJSON = flowc("pool", "list", "private", "--owner", "li.si", "--json", "--db", db).out
        #expect(mineJSON.contains(#"{"amount":90000,"currency":"CNY","customer":"远山物流股份有限公司","deal":"D-1003","machine_hash":"sha256:"#), "\(mineJSON)")
        #expect(mineJSON.contains(#","next_timer":17"#), "\(mineJSON)")
        #expect(mineJSON.contains(#""pool":"private","pool_from":null,"pool_how":null,"pool_reason":null,"pool_since":null,"status":"open""#), "\(mineJSON)")

        let claim = flowc("pool", "claim", "D-1004", "--by", "wang.wu", "--at", "2024-07-01T09:00:00Z", "--db", db)
        #expect(claim.code == 0, "\(claim.err)")
        #expect(claim.out.contains("deal `D-1004` is open, in the private pool, owner `wang.wu`"))
        #expect(claim.out.contains("effect notify (on_claim) → wang.wu"))

        let again = flowc("pool", "claim", "D-1004", "--by", "li.si", "--at", "+1h", "--db", db)
        #expect(again.code == 1)
        #expect(again.err.contains("error[FC1150]"))

        let notOwner = flowc("pool", "release", "D-1004", "--by", "li.si", "--at", "+1h", "--db", db)
        #expect(notOwner.code == 1)
        #expect(notOwner.err.contains("error[FC1156]"))

        let notManager = flowc("pool", "assign", "D-1004", "--to", "li.si", "--by", "zhang.san", "--at", "+1h", "--db", db)
        #expect(notManager.code == 1)
        #expect(notManager.err.contains("error[FC1153]"))

        let assigned = flowc("pool", "assign", "D-1004", "--to", "li.si", "--by", "mia", "--at", "+1h", "--db", db)
        #expect(assigned.code == 0, "\(assigned.err)")
        #expect(assigned.out.contains("owner `li.si`"))

        let released = flowc("pool", "release", "D-1004", "--by", "li.si", "--at", "+1h", "--db", db, "--json")
        #expect(released.code == 0, "\(released.err)")
        #expect(released.out.contains("\"pool\":\"public\""))
        #expect(flowc("pool", "list", "--db", db).out.contains("D-1004  -  open"))

        // The lost deal, claimed back, starts again at the start node.
        let lost = flowc("pool", "claim", "D-1002", "--by", "li.si", "--at", "2024-07-01T09:00:00Z", "--db", db)
        #expect(lost.code == 0, "\(lost.err)")
        #expect(lost.out.contains("node `initial_talks` (初步洽谈) is active"), "\(lost.out)")
    }

    @Test func tickFiresDueTimersAndSweepReturnsIdleDeals() throws {
        let db = try Examples.loaded()
        let early = flowc("tick", "--at", "2024-05-01T00:00:00Z", "--db", db)
        #expect(early.code == 0)
        #expect(early.out == "ticked 0 deals at 2024-05-01T00:00:00Z: nothing fired\n")

        let blocked = flowc("tick", "--at", "2024-06-01T00:00:00Z", "--db", db, "--verbose")
        #expect(blocked.code == 0, "\(blocked.err)")
        // Each deal with the effects its tick emitted, then the summary.
        #expect(blocked.out.contains("ticked D-1003: node_blocked, node_blocked, escalation, escalation\n"))
        #expect(blocked.out.contains("ticked D-1005: node_blocked, escalation\n"))

        let sweep = flowc("pool", "sweep", "--at", "2024-08-01T00:00:00Z", "--db", db)
        #expect(sweep.code == 0, "\(sweep.err)")
        // No tick ran between its warning and its return: the warning was dropped, and said (QA round 38, F1).
        #expect(sweep.out.contains("D-1003 returned to the public pool without its idle warning, which came due with the return (no tick ran between the two, or a migration made both due)\n"),
                "\(sweep.out)")
        #expect(sweep.out.contains("swept at 2024-08-01T00:00:00Z: 3 deals returned to the public pool"))
        let privateNow = flowc("pool", "list", "private", "--db", db)
        #expect(privateNow.out == "D-1001  zhang.san  won  -  customer 星辰科技（北京）有限公司  amount 300,000.00 CNY  no timer\n")
        #expect(privateNow.err == "1 deal in the private pool\n")

        let json = flowc("tick", "--at", "2024-08-01T00:00:00Z", "--db", db, "--json")
        #expect(json.code == 0)
        #expect(json.out.contains("\"ticked\":[]"))
        #expect(flowc("tick", "--at", "tomorrow", "--db", db).code == 2)
    }

    /// An amount is shown exactly, every digit, in the text and the JSON, as `flowc deals` shows
    /// it (QA round 28, R3: through a float, 12345678901234567 was …568, and 1.2345678901234568e+16);
    /// an empty `--owner` is refused.
    @Test func amountsAreExactAndAnEmptyOwnerIsRefused() throws {
        let dir = try tempDir(["d.jsonl": #"{"id": "A-1", "owner": "amy", "fields": {"customer_name": "甲", "amount": "12345678901234567 CNY"}}"# + "\n"
                                          + #"{"id": "A-2", "owner": "amy", "fields": {"customer_name": "乙", "amount": "0.125 CNY"}}"# + "\n"])
        let db = dir + "/s.sqlite"
        #expect(flowc("run", Examples.template, "--deals", dir + "/d.jsonl", "--db", db).code == 0)
        let text = flowc("pool", "list", "private", "--db", db)
        #expect(text.out.contains("A-1  amy  open  initial_talks  customer 甲  amount 12,345,678,901,234,567.00 CNY"), "\(text.out)")
        #expect(text.out.contains("A-2  amy  open  initial_talks  customer 乙  amount 0.13 CNY"), "\(text.out)")
        let json = flowc("pool", "list", "private", "--json", "--db", db).out
        #expect(json.contains(#"{"amount":12345678901234567,"currency":"CNY""#) && json.contains(#"{"amount":0.125,"#), "\(json)")
        for empty in ["", " "] {
            let r = flowc("pool", "list", "private", "--owner", empty, "--db", db)
            #expect(r.code == 2 && r.err.contains("--owner: give a person's id; an empty name is no one's"), "\(r.err)")
        }
    }

    /// Without its machines' archive (a store copied without its `.machines` directory) the list
    /// still lists every deal: the customer from `customer_name`, the amount without a currency.
    @Test func theListNeedsNoMachine() throws {
        let db = try Examples.loaded()
        try FileManager.default.removeItem(atPath: db + ".machines")
        let r = flowc("pool", "list", "private", "--owner", "li.si", "--db", db)
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.hasPrefix("D-1003  li.si  open  legal_review,finance_review  customer 远山物流股份有限公司  amount 90,000.00  next timer "),
                "\(r.out)")
        #expect(r.err == "2 deals in the private pool of `li.si`\n")
        // The template's id, to join with `flowc deals`, and the version's hash, named as the other
        // outputs name them (review of the CLI, C7: `template` is the hash here, the id there).
        let json = flowc("pool", "list", "private", "--owner", "li.si", "--json", "--db", db)
        let line = try #require(try JSONSerialization.jsonObject(with: Data((json.out.split(separator: "\n").first ?? "").utf8)) as? [String: Any])
        #expect(line["template_id"] as? String == "standard_sale", "\(json.out)")
        #expect((line["machine_hash"] as? String)?.hasPrefix("sha256:") == true && line["machine_hash"] as? String == line["template"] as? String)
    }

    /// `pool sweep --json` gives the object `tick --json` gives (review of the CLI, C7: `tick`
    /// had `--json`, its sibling none).
    @Test func aSweepReportsInJSON() throws {
        let db = try Examples.loaded()
        let r = flowc("pool", "sweep", "--at", "2024-08-01T00:00:00Z", "--json", "--db", db)
        #expect(r.code == 0, "\(r.err)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        #expect(o["at"] as? Int == 1_722_470_400)
        #expect((o["returned_to_pool"] as? [String])?.sorted() == ["D-1003", "D-1005", "D-1006"], "\(r.out)")
        #expect(o["interrupted"] as? Bool == false && (o["refused"] as? [String: Any])?.isEmpty == true)
        #expect(!r.out.contains("swept at"))
    }

    /// A page of the list says when more follow, and how to get them, on standard error: standard
    /// output is the deals, one a line (QA round 36, D2).
    @Test func aLimitedListSaysMoreFollow() throws {
        let db = try Examples.loaded()
        let all = flowc("pool", "list", "private", "--db", db)
        #expect(all.err == "4 deals in the private pool\n", "\(all.err)")
        #expect(all.out.split(separator: "\n").count == 4)
        let first = flowc("pool", "list", "private", "--limit", "3", "--db", db)
        let ids = first.out.split(separator: "\n").map { $0.split(separator: " ")[0] }
        #expect(ids.count == 3)
        #expect(first.err == "the first 3 deals of the private pool; more follow (--after \(ids[2]))\n", "\(first.err)")
        let rest = flowc("pool", "list", "private", "--after", String(ids[2]), "--db", db)
        #expect(rest.err == "1 deal in the private pool after `\(ids[2])`\n", "\(rest.err)")
        #expect(flowc("pool", "list", "private", "--limit", "4", "--db", db).out == all.out)
        let publicOwner = flowc("pool", "list", "public", "--owner", "li.si", "--db", db)
        #expect(publicOwner.code == 2)
        #expect(publicOwner.err.contains("--owner goes with the private pool"))
    }

    /// Blanks around `--owner` and `--after` are dropped, as around every id and person a
    /// command names (review of the views, V5: `--owner ' li.si '` listed no deal, exit 0).
    @Test func blanksAroundTheOwnerAndTheDealAfterAreDropped() throws {
        let db = try Examples.loaded()
        let plain = flowc("pool", "list", "private", "--owner", "li.si", "--db", db)
        let blanks = flowc("pool", "list", "private", "--owner", " li.si ", "--db", db)
        #expect(blanks.code == 0, "\(blanks.err)")
        #expect(blanks.err == "2 deals in the private pool of `li.si`\n", "\(blanks.err)")
        #expect(blanks.out == plain.out)
        #expect(flowc("pool", "list", "private", "--owner", "\tli.si\n", "--json", "--db", db).out
                == flowc("pool", "list", "private", "--owner", "li.si", "--json", "--db", db).out)
        let first = flowc("pool", "list", "private", "--limit", "3", "--db", db)
        let third = try #require(first.out.split(separator: "\n").last?.split(separator: " ").first.map(String.init))
        let rest = flowc("pool", "list", "private", "--after", " \(third) ", "--db", db)
        #expect(rest.code == 0, "\(rest.err)")
        #expect(rest.err == "1 deal in the private pool after `\(third)`\n", "\(rest.err)")
        #expect(rest.out == flowc("pool", "list", "private", "--after", third, "--db", db).out)
        let publicOwner = flowc("pool", "list", "public", "--owner", " li.si ", "--db", db)
        #expect(publicOwner.code == 2 && publicOwner.err.contains("--owner goes with the private pool"))
    }

    /// A tick later than the clock would log events from the future, after which every other
    /// event of the deal is refused until that time comes; it is refused before anything is
    /// written. A simulation sets the clock with `--now`.
    @Test func tickAndSweepRefuseATimeLaterThanTheClock() throws {
        let db = try Examples.loaded()
        let before = flowc("deal", "history", "D-1003", "--db", db).out
        let runs = [
            flowc("tick", "--at", "2024-08-01T00:00:00Z", "--now", "2024-07-01T00:00:00Z", "--db", db),
            flowc("pool", "sweep", "--at", "2024-08-01T00:00:00Z", "--now", "2024-07-01T00:00:00Z", "--db", db),
        ]
        for future in runs {
            #expect(future.code == 2)
            #expect(future.err.contains("--at 2024-08-01T00:00:00Z is later than now (2024-07-01T00:00:00Z)"), "\(future.err)")
            #expect(future.out.isEmpty)
        }
        // Each says what it does by now (QA round 31, N4: the sweep spoke of a tick).
        #expect(runs[0].err.contains("; a tick fires what is due by now"), "\(runs[0].err)")
        #expect(runs[1].err.contains("; a sweep fires what is due by now"), "\(runs[1].err)")
        for wall in [flowc("tick", "--at", "9999-01-01T00:00:00Z", "--db", db), flowc("pool", "sweep", "--at", "9999-01-01T00:00:00Z", "--db", db)] {
            #expect(wall.code == 2)
            #expect(wall.err.contains("is later than now"))
        }
        #expect(flowc("deal", "history", "D-1003", "--db", db).out == before)
        let simulated = flowc("pool", "sweep", "--at", "2024-08-01T00:00:00Z", "--now", "2024-08-01T00:00:00Z", "--db", db)
        #expect(simulated.code == 0, "\(simulated.err)")
        #expect(simulated.out.contains("D-1003 returned to the public pool without its idle warning, which came due with the return (no tick ran between the two, or a migration made both due)\n"))
    }

    @Test func explainKnowsTheRunnerAndHostCodes() {
        let host = flowc("explain", "FC1201")
        #expect(host.code == 0)
        #expect(host.out.hasPrefix("FC1201: customer-has-owner (error)\nmessage: customer `{0}` already has open deal `{1}` in `{2}`'s private pool\n"))
        let runner = flowc("explain", "fc1121")
        #expect(runner.code == 0)
        #expect(runner.out.hasPrefix("FC1121: node-not-active (error)"))
        let all = flowc("explain")
        // Each code with its one-line meaning (`flowc help explain`).
        let lines = all.out.split(separator: "\n")
        let noDeal = lines.first { $0.hasPrefix("FC1101 ") }
        #expect(noDeal?.hasPrefix("FC1101  error    no-deal ") == true, "\(noDeal ?? "")")
        #expect(noDeal?.hasSuffix("  there is no deal yet: the first event of a deal must be `create`") == true, "\(noDeal ?? "")")
        let tooLarge = lines.first { $0.hasPrefix("FC1223 ") }
        #expect(tooLarge?.hasPrefix("FC1223  error    record-too-large ") == true, "\(tooLarge ?? "")")
        #expect(tooLarge?.hasSuffix("  the record has …, over the limit of …") == true, "\(tooLarge ?? "")")
        #expect(flowc("explain", "FC1299").err.contains("did you mean"))
    }
}

/// A claim in a bulk run counts the owner's deals of its own template only, staged ones
/// included (store review, finding 1: a deal of another template claimed earlier in the same
/// batch was counted against every template, and a valid claim was refused with FC1151).
@Suite struct BulkQuotaPerTemplateTests {
    @Test func claimsOfTwoTemplatesInOneBatchCountApart() throws {
        let dir = try tempDir([
            "mini.flow.yaml": try miniTemplate(),
            "other.flow.yaml": try miniTemplate(header: "template: {id: other, version: 1.0.0, name: Other}"),
            "mini.jsonl": #"{"id": "M-1", "owner": "bob", "at": "2024-06-01T09:00:00Z", "fields": {"customer_name": "甲"}}"# + "\n"
                + #"{"id": "M-P", "at": "2024-06-01T09:00:00Z", "fields": {"customer_name": "乙"}}"# + "\n",
            "other.jsonl": #"{"id": "O-P", "at": "2024-06-01T09:00:00Z", "fields": {"customer_name": "丙"}}"# + "\n",
            "claims.jsonl": #"{"deal": "O-P", "id": "c1", "at": "2024-06-02T09:00:00Z", "by": "bob", "claim": true}"# + "\n"
                + #"{"deal": "M-P", "id": "c2", "at": "2024-06-02T09:00:00Z", "by": "bob", "claim": true}"# + "\n",
        ])
        let db = dir + "/s.sqlite"
        let now = "2024-06-02T10:00:00Z"
        #expect(flowc("run", dir + "/mini.flow.yaml", "--deals", dir + "/mini.jsonl", "--db", db, "--now", now).code == 0)
        #expect(flowc("run", dir + "/other.flow.yaml", "--deals", dir + "/other.jsonl", "--db", db, "--now", now).code == 0)
        #expect(flowc("pool", "list", "public", "--db", db, "--now", now).out.contains("M-P"))
        // bob owns one `mini` deal of a quota of 2: both claims are his to make.
        let r = flowc("run", dir + "/mini.flow.yaml", "--events", dir + "/claims.jsonl", "--db", db, "--now", now)
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("records: 2 read: 0 created, 2 advanced, 0 unchanged, 0 rejected"), "\(r.out)")
        // The quota still holds within the batch: a third `mini` deal is refused.
        let more = try tempDir([
            "more.jsonl": #"{"id": "M-Q", "at": "2024-06-01T09:00:00Z", "fields": {"customer_name": "丁"}}"# + "\n",
            "claim.jsonl": #"{"deal": "M-Q", "id": "c3", "at": "2024-06-02T09:00:00Z", "by": "bob", "claim": true}"# + "\n",
        ])
        #expect(flowc("run", dir + "/mini.flow.yaml", "--deals", more + "/more.jsonl", "--db", db, "--now", now).code == 0)
        let third = flowc("run", dir + "/mini.flow.yaml", "--events", more + "/claim.jsonl", "--db", db, "--now", now)
        #expect(third.code == 1)
        #expect(third.err.contains("error[FC1151]"), "\(third.err)")
    }
}
