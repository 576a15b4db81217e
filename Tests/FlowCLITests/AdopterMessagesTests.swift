import FlowCLI
import Foundation
import Testing

/// What an adopter writing a first template and importing a first file reads (QA round 12):
/// each message says what to write.
@Suite struct AdopterMessagesTests {
    static let mini = try! String(contentsOfFile: repoRoot + "/testdata/run/mini.flow.yaml", encoding: .utf8)

    /// `mini` with `old` replaced by `new`, checked.
    func check(_ old: String, _ new: String) throws -> (code: Int32, out: String, err: String) {
        #expect(Self.mini.contains(old), "\(old)")
        let dir = try tempDir(["t.flow.yaml": Self.mini.replacingOccurrences(of: old, with: new)])
        return flowc("check", dir + "/t.flow.yaml", "--color", "never")
    }

    @Test func aBranchSetWithoutADefaultNamesNoTargetAsTheDefault() throws {
        let r = try check("      - default: review\n", "")
        #expect(r.code == 1)
        #expect(r.out.contains("error[FC0505]"), "\(r.out)")
        #expect(r.out.contains("= help: add `- default: NODE` as the last entry, NODE the node a deal goes to when no condition holds (the branches go to `audit_check`)"), "\(r.out)")
    }

    @Test func aBranchThatGoesPastItsJoinSaysWhere() throws {
        let r = try check("    on_enter:\n      - requirement: {team: finance_ops, title: \"credit check {customer_name}\", assignee_role: finance}\n    next: review_done",
                          "    on_enter:\n      - requirement: {team: finance_ops, title: \"credit check {customer_name}\", assignee_role: finance}\n    next: signing")
        #expect(r.out.contains("error[FC0504]: branch `finance_review` of fork `contract_review` never reaches its join `review_done`"), "\(r.out)")
        #expect(r.out.contains("goes on to `signing`, past the join"))
        #expect(r.out.contains("= help: end the branch at its join: give `finance_review` `next: review_done`"))
    }

    @Test func aBraceInsideAFlowMappingValueAsksForQuotes() throws {
        let r = try check("title: \"credit check {customer_name}\"", "title: 信用审核：{customer_name}")
        #expect(r.out.contains("error[FC0101]"), "\(r.out)")
        #expect(r.out.contains("has a `{` or `[` inside a value within `{…}` or `[…]`, where YAML opens a new mapping or list; put the whole value in quotes"), "\(r.out)")
        #expect(!r.out.contains("FULLWIDTH COLON"))
        // Typographic quotes around it: named, as no YAML quote (QA round 44, A5).
        let curly = try check("title: \"credit check {customer_name}\"", "title: “信用审核 {customer_name}”")
        #expect(curly.out.contains("has `“` (U+201C LEFT DOUBLE QUOTATION MARK), which YAML does not read as a quote: the value is not quoted, so its `{` or `[` opens a mapping or a list; write `\"` for it and for its closing mark"), "\(curly.out)")
        #expect(curly.out.contains("- not a YAML quote"), "\(curly.out)")
    }

    @Test(arguments: [("RMB", "= help: write `CNY`, the ISO 4217 code (`RMB` is a common name, not a code)"), ("XQQ", nil), ("USD", nil),
                      ("人民币", "= help: write `CNY`, the ISO 4217 code (`人民币` is a common name, not a code)"),
                      ("rmb", "= help: write `CNY`, the ISO 4217 code (`rmb` is a common name, not a code)")] as [(String, String?)])
    func aCurrencyIsAnISOCode(_ code: String, _ help: String?) throws {
        let r = try check("quote: {type: money, currency: CNY, min: 0}", "quote: {type: money, currency: \(code), min: 0}")
        if code == "USD" {
            // A real code checks (the expressions then compare money of two currencies).
            #expect(!r.out.contains("FC0214"), "\(r.out)")
            return
        }
        #expect(r.out.contains("error[FC0214]: `\(code)` is not a currency code"), "\(r.out)")
        if let help { #expect(r.out.contains(help), "\(r.out)") }
    }

    /// A field's display name written where its id belongs, in an expression and in a
    /// placeholder, is named as the field's (QA round 12: "unexpected character", no help).
    @Test func aDisplayNameForAnIdNamesTheField() throws {
        let standard = try String(contentsOfFile: Examples.template, encoding: .utf8)
        let changed = standard.replacingOccurrences(of: "when: \"quote < cost\"", with: "when: \"quote < 成本\"")
            .replacingOccurrences(of: "name: \"{customer_name} 商机群\"", with: "name: \"{客户名称} 商机群\"")
        #expect(changed != standard)
        let dir = try tempDir(["s.flow.yaml": changed])
        try FileManager.default.copyItem(atPath: repoRoot + "/templates/fragments", toPath: dir + "/fragments")
        let r = flowc("check", dir + "/s.flow.yaml", "--color", "never")
        #expect(r.out.contains("= help: `成本` is the name of the field `cost`, and fields are named by id here: write `cost`"), "\(r.out)")
        #expect(r.out.contains("error[FC0708]: unknown field `客户名称` in placeholder"))
        #expect(r.out.contains("= help: `客户名称` is the name of the field `customer_name`, and fields are named by id here: write `customer_name`"))
    }

    /// Signs from maths and habits from spreadsheets, each with the form an expression or a
    /// template writes (QA rounds 10 and 11).
    @Test(arguments: [
        ("      - if: \"quote < cost\"", "      - if: \"quote ≥ cost\"", "= help: `≥` (U+2265 GREATER-THAN OR EQUAL TO) is not an operator here: write `>=`"),
        ("      - if: \"quote < cost\"", "      - if: \"quote ≠ cost\"", "= help: `≠` (U+2260 NOT EQUAL TO) is not an operator here: write `!=`"),
        ("      - if: \"quote < cost\"", "      - if: \"quote * 15% - cost > 0 CNY\"",
         "= help: `%` is the remainder operator, not a percentage: write the fraction `0.15`, or `15` where the other side is already in percent"),
        ("    probability: 10\n", "    probability: 0.1\n", "= help: a probability is a percent from 0 to 100: `0.1` is written `10`"),
    ])
    func habitsFromElsewhereGetTheFormToWrite(_ old: String, _ new: String, _ help: String) throws {
        let r = try check(old, new)
        #expect(r.code == 1)
        #expect(r.out.contains(help), "\(r.out)")
    }

    @Test func aMoneyDefaultMayNameItsCurrency() throws {
        #expect(try check("cost: {type: money, currency: CNY, min: 0}", "cost: {type: money, currency: CNY, min: 0, default: \"0 CNY\"}").code == 0)
        let other = try check("cost: {type: money, currency: CNY, min: 0}", "cost: {type: money, currency: CNY, min: 0, default: \"0 USD\"}")
        #expect(other.out.contains("error[FC0314]: default `0 USD` is not a valid `money`"), "\(other.out)")
    }

    /// A deals file's JSON number with an exponent is read with its digits written out, as a
    /// template's is; an empty file is said to be empty.
    @Test func recordsWithExponentsAndEmptyFiles() throws {
        let dir = try tempDir(["e.jsonl": #"{"id": "E-1", "owner": "amy", "fields": {"customer_name": "甲", "amount": 1.5e6}}"# + "\n", "empty.csv": "id,owner,customer_name\r\n"])
        let r = flowc("run", Examples.template, "--deals", dir + "/e.jsonl", "--db", dir + "/e.sqlite")
        #expect(r.code == 0, "\(r.err)")
        #expect(flowc("deal", "show", "E-1", "--db", dir + "/e.sqlite").out.contains("  amount = 1500000 CNY"))
        let empty = flowc("run", Examples.template, "--deals", dir + "/empty.csv", "--db", dir + "/e.sqlite")
        #expect(empty.code == 0)
        #expect(empty.err == "note: \(dir)/empty.csv holds no records (empty, or a header only)\n", "\(empty.err)")
    }

    /// The report's days left count the days begun: a deal returning within the hour has 1
    /// (QA round 12: 0, which the page says means "due now").
    @Test func daysLeftCountTheDaysBegun() throws {
        let dir = try tempDir([:])
        let db = dir + "/d.sqlite"
        #expect(flowc("deal", "create", Examples.template, "--id", "D-1", "--owner", "amy", "--at", "2024-05-01T00:00:00Z",
                      "--set", "customer_name=甲", "--db", db).code == 0)
        // standard-sale returns an idle deal after 30 days: 2024-05-31T00:00Z.
        let report = flowc("report", "--db", db, "--now", "2024-05-30T23:00:00Z", "--format", "json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.out.utf8)) as? [String: Any])
        let returning = try #require(object["returning"] as? [[String: Any]])
        #expect(returning.first?["daysLeft"] as? Int == 1, "\(returning)")
        let due = flowc("report", "--db", db, "--now", "2024-05-31T00:00:00Z", "--format", "json")
        let dueObject = try #require(try JSONSerialization.jsonObject(with: Data(due.out.utf8)) as? [String: Any])
        #expect((dueObject["returning"] as? [[String: Any]])?.first?["daysLeft"] as? Int == 0)
    }

    /// `flowc deals` says when its default columns leave the amount out, and a column of an empty
    /// store gets the same help as a filter.
    @Test func theDealsViewSaysWhatItLeavesOut() throws {
        let dir = try tempDir(["none.csv": "id,owner,customer_name\n"])
        let db = dir + "/v.sqlite"
        #expect(flowc("run", Examples.template, "--deals", dir + "/none.csv", "--db", db).code == 0)
        let empty = flowc("deals", "--db", db, "--columns", "deal,amount")
        #expect(empty.code == 1)
        #expect(empty.err.contains("error[FC1410]: unknown key `amount` in the columns"), "\(empty.err)")
        #expect(empty.err.contains("= help: the store has no deals yet, so no template's fields are known"), "\(empty.err)")
        #expect(flowc("deal", "create", Examples.template, "--id", "S-1", "--owner", "amy", "--set", "customer_name=甲", "--db", db).code == 0)
        #expect(flowc("deal", "create", repoRoot + "/testdata/run/mini.flow.yaml", "--id", "M-1", "--owner", "amy", "--set", "customer_name=乙", "--db", db).code == 0)
        let both = flowc("deals", "--db", db, "--format", "json")
        #expect(both.code == 0)
        #expect(both.err == "note: the default columns leave out the amount: the store holds deals of several templates (mini, standard_sale); name one with --template to have it\n", "\(both.err)")
        #expect(flowc("deals", "--db", db, "--template", "standard_sale", "--format", "json").err.isEmpty)
    }
}
