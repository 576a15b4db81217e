import FlowCLI
import Foundation
import Testing

/// What `flowc deals` shows of amounts, durations and groups, as a manager reads them: exact
/// amounts, the same answer whichever way a filter is run, groups in the order of their key,
/// and notes for what a grouped view leaves out.
@Suite struct DealsOutputTests {
    static let now = "2024-07-01T09:00:00+08:00"

    /// A store of the standard template's deals created from `records` (JSON lines).
    static func store(_ records: [String], template: String = Examples.template) throws -> String {
        let dir = try tempDir(["deals.jsonl": records.joined(separator: "\n") + "\n"])
        let db = dir + "/deals.sqlite"
        let r = flowc("run", template, "--deals", dir + "/deals.jsonl", "--db", db)
        #expect(r.code == 0, "\(r.out)\(r.err)")
        return db
    }

    static func deal(_ id: String, at: String = "2024-06-01T09:00:00+08:00", owner: String = "x", _ fields: String) -> String {
        #"{"id":"\#(id)","at":"\#(at)","owner":"\#(owner)","fields":{"customer_name":"\#(id)",\#(fields)}}"#
    }

    /// Amounts of 17 significant digits, cents on a hundred trillion, and decimals of 17 places.
    static func exactStore() throws -> String {
        try store([
            deal("P-1", #""amount":"12345678901234567 CNY""#),
            deal("P-2", #""amount":"12345678901234568 CNY""#),
            deal("P-3", #""amount":"100000000000000.01 CNY""#),
            deal("P-4", #""amount":"100000000000000.02 CNY""#),
            deal("Q-1", #""discount_rate":"0.12345678901234567","amount":"1234567890.123456 CNY""#),
            deal("Q-2", #""discount_rate":"0.12345678901234568","amount":"1234567890.123457 CNY""#),
            deal("R-1", #""amount":"0.125 CNY""#),
            deal("R-2", #""amount":"2.675 CNY""#),
        ])
    }

    @Test func amountsBeyondAFloatAreShownExactly() throws {
        let db = try Self.exactStore()
        let table = flowc("deals", "--db", db, "--columns", "deal,amount,discount_rate", "--sort", "deal")
        #expect(table.code == 0, "\(table.err)")
        for cell in ["P-1   12,345,678,901,234,567.00 CNY", "P-2   12,345,678,901,234,568.00 CNY", "P-3   100,000,000,000,000.01 CNY",
                     "P-4   100,000,000,000,000.02 CNY", "Q-1   1,234,567,890.12 CNY", "0.12345678901234567", "0.12345678901234568"] {
            #expect(table.out.contains(cell), "\(cell)\n\(table.out)")
        }
        #expect(!table.out.contains("e+"))
        // Rounded to the cent half away from zero, on the exact amount.
        #expect(table.out.contains("R-1   0.13 CNY"), "\(table.out)")
        #expect(table.out.contains("R-2   2.68 CNY"), "\(table.out)")
        let csv = flowc("deals", "--db", db, "--columns", "deal,amount,discount_rate", "--sort", "deal", "--format", "csv")
        #expect(csv.out == """
            deal,amount,discount_rate\r
            P-1,12345678901234567,\r
            P-2,12345678901234568,\r
            P-3,100000000000000.01,\r
            P-4,100000000000000.02,\r
            Q-1,1234567890.123456,0.12345678901234567\r
            Q-2,1234567890.123457,0.12345678901234568\r
            R-1,0.125,\r
            R-2,2.675,\r

            """, "\(csv.out)")
        let json = flowc("deals", "--db", db, "--columns", "deal,amount", "--where", "amount > 1000000000 CNY", "--sort", "deal", "--format", "json")
        #expect(json.out.contains(#"{"deal":"P-1","amount":12345678901234567}"#), "\(json.out)")
        #expect(json.out.contains(#"{"deal":"P-3","amount":100000000000000.01}"#), "\(json.out)")
    }

    /// docs/views.md: the filter the store answers and the same filter evaluated deal by deal
    /// give the same deals (`+ 0 CNY` and `* 1` keep the store from answering).
    @Test(arguments: [
        ("amount == 12345678901234567 CNY", "amount + 0 CNY == 12345678901234567 CNY", ["P-1"]),
        ("amount > 12345678901234567 CNY", "amount + 0 CNY > 12345678901234567 CNY", ["P-2"]),
        ("amount >= 12345678901234567 CNY", "amount + 0 CNY >= 12345678901234567 CNY", ["P-1", "P-2"]),
        ("amount == 100000000000000.01 CNY", "amount + 0 CNY == 100000000000000.01 CNY", ["P-3"]),
        ("amount > 100000000000000.01 CNY and amount < 1000000000000000 CNY", "amount + 0 CNY > 100000000000000.01 CNY and amount < 1000000000000000 CNY", ["P-4"]),
        ("amount in [100000000000000.02 CNY, 0.125 CNY]", "amount + 0 CNY in [100000000000000.02 CNY, 0.125 CNY]", ["P-4", "R-1"]),
        ("discount_rate == 0.12345678901234567", "discount_rate * 1 == 0.12345678901234567", ["Q-1"]),
        ("discount_rate > 0.12345678901234567", "discount_rate * 1 > 0.12345678901234567", ["Q-2"]),
        ("not (amount <= 12345678901234567 CNY)", "not (amount + 0 CNY <= 12345678901234567 CNY)", ["P-2"]),
    ])
    func aFilterGivesTheSameDealsInTheStoreAndDealByDeal(_ store: String, _ evaluated: String, _ expected: [String]) throws {
        let db = Self.exactDB
        for filter in [store, evaluated] {
            let r = flowc("deals", "--db", db, "--where", filter, "--columns", "deal", "--sort", "deal", "--format", "csv")
            #expect(r.code == 0, "\(r.err)")
            #expect(r.out == (["deal"] + expected).map { $0 + "\r\n" }.joined(), "\(filter)")
        }
    }

    static let exactDB: String = (try? exactStore()) ?? "/nonexistent"

    @Test func amountsSortAndSumExactly() throws {
        let db = Self.exactDB
        let top = flowc("deals", "--db", db, "--columns", "deal", "--sort", "amount:desc", "--limit", "2", "--format", "csv")
        #expect(top.out == "deal\r\nP-2\r\nP-1\r\n")
        // The exact sum: 24891360271604918.076913 CNY (a float would give …4918.0).
        let csv = flowc("deals", "--db", db, "--group-by", "owner", "--columns", "amount,discount_rate", "--format", "csv")
        #expect(csv.out == "owner,count,amount,discount_rate\r\nx,8,24891360271604918.08,0.24691357802469135\r\n", "\(csv.out)")
        let json = flowc("deals", "--db", db, "--group-by", "owner", "--columns", "amount,discount_rate", "--format", "json")
        #expect(json.out == #"[{"owner":"x","count":8,"amount":24891360271604918.076913,"discount_rate":0.24691357802469135}]"# + "\n", "\(json.out)")
        let table = flowc("deals", "--db", db, "--group-by", "owner", "--columns", "amount")
        #expect(table.out.contains("x      8      24,891,360,271,604,918.08 CNY"), "\(table.out)")
        // Evaluated deal by deal (the filter is not the store's), the sum is the same.
        let swift = flowc("deals", "--db", db, "--group-by", "owner", "--columns", "amount,discount_rate", "--where", "amount * 1 >= 0 CNY", "--format", "csv")
        #expect(swift.out == csv.out, "\(swift.out)")
    }

    /// The same amount rounds the same way in `flowc deals` and `flowc report`: 0.125 is 0.13
    /// and 2.675 is 2.68 in both (the report rounded its float half to even: 0.12, 2.67).
    @Test func dealsAndTheReportRoundAnAmountAlike() throws {
        for (amount, shown) in [("0.125", "0.13"), ("2.675", "2.68"), ("1000000.005", "1,000,000.01")] {
            let db = try Self.store([Self.deal("R-1", #""amount":"\#(amount) CNY","expected_close_date":"2024-09-30""#)])
            let row = flowc("deals", "--db", db, "--columns", "deal,amount")
            #expect(row.out.contains("R-1   \(shown) CNY"), "\(row.out)")
            let group = flowc("deals", "--db", db, "--group-by", "owner", "--columns", "amount")
            #expect(group.out.contains("x      1      \(shown) CNY"), "\(group.out)")
            let report = flowc("report", "--db", db, "--now", Self.now, "--color", "never")
            #expect(report.code == 0, "\(report.err)")
            #expect(report.out.contains(shown), "\(report.out)")
        }
    }

    /// Deals aged 2 days, 2 days 23 hours, 3 days, 10 days, 21 days and 60 days at `now`.
    static func agedStore() throws -> String {
        let created = ["2024-06-29T09:00:00+08:00", "2024-06-28T10:00:00+08:00", "2024-06-28T09:00:00+08:00", "2024-06-21T09:00:00+08:00",
                       "2024-06-10T09:00:00+08:00", "2024-05-02T09:00:00+08:00"]
        return try store(created.enumerated().map { i, at in
            deal("A-\(i)", at: at, owner: i % 2 == 0 ? "li" : "mia", #""amount":"\#(i + 1)00 CNY""#)
        })
    }

    /// Groups of a duration come in the order of their length, as `--sort age` sorts deals, and
    /// each is shown in days (a group holds the deals shown alike: 2 days and 2 days 23 hours
    /// are both `2d`); `--sort age:desc --limit` keeps the oldest. JSON gives the key in
    /// seconds, as it gives a deal's age.
    @Test func durationGroupsComeInTheOrderOfTheirLength() throws {
        let db = try Self.agedStore()
        let csv = flowc("deals", "--db", db, "--now", Self.now, "--group-by", "age", "--format", "csv")
        #expect(csv.code == 0, "\(csv.err)")
        #expect(csv.out == "age,count,amount\r\n2d,2,300.00\r\n3d,1,300.00\r\n10d,1,400.00\r\n21d,1,500.00\r\n60d,1,600.00\r\n", "\(csv.out)")
        let oldest = flowc("deals", "--db", db, "--now", Self.now, "--group-by", "age", "--sort", "age:desc", "--limit", "2", "--format", "csv")
        #expect(oldest.out == "age,count,amount\r\n60d,1,600.00\r\n21d,1,500.00\r\n", "\(oldest.out)")
        #expect(oldest.err.contains("note: 3 more groups; raise --limit (0 for all) to see them"), "\(oldest.err)")
        let json = flowc("deals", "--db", db, "--now", Self.now, "--group-by", "idle", "--limit", "2", "--format", "json")
        #expect(json.out == #"[{"idle":172800,"count":2,"amount":300},"# + "\n" + #"{"idle":259200,"count":1,"amount":300}]"# + "\n", "\(json.out)")
        let rows = flowc("deals", "--db", db, "--now", Self.now, "--columns", "deal,age", "--sort", "age", "--format", "json", "--limit", "1")
        #expect(rows.out == #"[{"deal":"A-0","age":172800}]"# + "\n", "\(rows.out)")
    }

    /// Age and idle in one unit, days, so a column reads at a glance (it mixed `6w`, `47d` and
    /// `40d18h`); hours only under a day.
    @Test func durationsAreShownInDays() throws {
        let db = try Self.agedStore()
        let table = flowc("deals", "--db", db, "--now", Self.now, "--columns", "deal,age,idle", "--sort", "deal")
        #expect(table.code == 0, "\(table.err)")
        let lines = table.out.split(separator: "\n").dropFirst(2).map { $0.split(separator: " ").map(String.init) }
        #expect(lines.map { $0[1] } == ["2d", "2d", "3d", "10d", "21d", "60d"], "\(table.out)")
        #expect(!table.out.contains("w"))
        let young = flowc("deals", "--db", db, "--now", "2024-06-29T20:30:00+08:00", "--columns", "deal,age", "--where", #"deal == "A-0""#, "--format", "csv")
        #expect(young.out == "deal,age\r\nA-0,11h\r\n", "\(young.out)")
    }

    /// Grouped by the field it also sums: the key keeps the field's name and is a typed value
    /// (money, shown as money), the sum is `sum_amount`; no JSON object has a key twice.
    @Test func groupingByASummedFieldNamesTheSumApart() throws {
        let db = try Self.store([
            Self.deal("G-1", #""amount":"0.1 CNY""#), Self.deal("G-2", #""amount":"0.10 CNY""#), Self.deal("G-3", #""amount":"7 CNY""#),
            Self.deal("G-4", #""amount":"999999999999.99 CNY""#), Self.deal("G-5", #""competitor":"none""#),
        ])
        let json = flowc("deals", "--db", db, "--group-by", "amount", "--format", "json")
        #expect(json.code == 0, "\(json.err)")
        #expect(json.out == """
            [{"amount":null,"count":1,"sum_amount":0},
            {"amount":0.1,"count":2,"sum_amount":0.2},
            {"amount":7,"count":1,"sum_amount":7},
            {"amount":999999999999.99,"count":1,"sum_amount":999999999999.99}]

            """, "\(json.out)")
        let csv = flowc("deals", "--db", db, "--group-by", "amount", "--format", "csv", "--sort", "sum_amount:desc", "--limit", "2")
        #expect(csv.out == "amount,count,sum_amount\r\n999999999999.99,1,999999999999.99\r\n7,1,7.00\r\n", "\(csv.out)")
        let table = flowc("deals", "--db", db, "--group-by", "amount", "--sort", "amount:desc")
        #expect(table.out.hasPrefix("amount                  count  sum_amount\n"), "\(table.out)")
        #expect(table.out.contains("999,999,999,999.99 CNY  1      999,999,999,999.99 CNY\n7.00 CNY                1      7.00 CNY\n0.10 CNY                2      0.20 CNY\n—                       1      0.00 CNY\n"), "\(table.out)")
    }

    @Test func aColumnNamedTwiceIsRefusedWhereItIsNamed() throws {
        let db = try Self.store([Self.deal("G-1", #""amount":"1 CNY""#)])
        let r = flowc("deals", "--db", db, "--columns", "deal,amount,amount")
        #expect(r.code == 1)
        #expect(r.out.isEmpty)
        #expect(r.err.contains("--columns:1:13: error[FC1417]: column `amount` is listed twice"), "\(r.err)")
        #expect(flowc("explain", "FC1417").code == 0)
    }

    static let countedTemplate = """
        flowc: 1
        template: {id: counted, version: 1.0.0, name: Counted}
        fields:
          customer_name: {type: text, required: true}
          deal_value: {type: money, currency: USD, min: 0}
          seats: {type: integer}
          rate: {type: decimal}
          flag: {type: boolean}
          region: {type: enum, values: [north, south]}
        customer:
          identity: [customer_name]
        roles:
          sales_owner: {name: Owner, owner: true}
        nodes:
          - id: talk
            name: Talk
            owner: sales_owner
            probability: 30
            next: won
          - id: won
            name: Won
            kind: won
          - id: lost
            name: Lost
            kind: lost
        lose:
          via: lost
        """

    /// An integer field sums to an integer; columns a group cannot sum are named on stderr, not
    /// dropped silently; a view cut by `--limit` says how many groups were left out.
    @Test func groupsSumIntegersAsIntegersAndSayWhatTheyLeaveOut() throws {
        let template = try tempDir(["counted.flow.yaml": Self.countedTemplate]) + "/counted.flow.yaml"
        let db = try Self.store([
            #"{"id":"C-1","at":"2024-06-01T09:00:00+08:00","owner":"amy","fields":{"customer_name":"C1","deal_value":"1.5 USD","seats":3,"rate":"0.5","region":"north"}}"#,
            #"{"id":"C-2","at":"2024-06-01T09:00:00+08:00","owner":"amy","fields":{"customer_name":"C2","deal_value":"2 USD","seats":2,"rate":"0.25","region":"south"}}"#,
            #"{"id":"C-3","at":"2024-06-01T09:00:00+08:00","owner":"bob","fields":{"customer_name":"C3","seats":5,"region":"north","flag":true}}"#,
        ], template: template)
        let table = flowc("deals", "--db", db, "--group-by", "region", "--columns", "deal,seats,rate,flag,region,probability,deal_value")
        #expect(table.code == 0, "\(table.err)")
        #expect(table.out == """
            region  count  seats  rate  deal_value
            ------  -----  -----  ----  ----------
            north   2      8      0.5   1.50 USD
            south   1      2      0.25  2.00 USD

            """, "\(table.out)")
        #expect(table.err == "note: a grouped view shows its key, the count and the sums of money and number fields; not shown: `deal`, `flag`, `probability`\n", "\(table.err)")
        let csv = flowc("deals", "--db", db, "--group-by", "owner", "--columns", "seats,rate", "--format", "csv")
        #expect(csv.out == "owner,count,seats,rate\r\namy,2,5,0.75\r\nbob,1,5,0\r\n", "\(csv.out)")
        #expect(csv.err.isEmpty, "\(csv.err)")
        let cut = flowc("deals", "--db", db, "--group-by", "owner", "--limit", "1", "--format", "csv")
        #expect(cut.out == "owner,count,deal_value\r\namy,2,3.50\r\n", "\(cut.out)")
        #expect(cut.err == "note: 1 more groups; raise --limit (0 for all) to see them\n", "\(cut.err)")
    }

    @Test func aListFieldIsRefusedAsASortKeyInWordsAboutSorting() throws {
        let db = Self.exactDB
        let sort = flowc("deals", "--db", db, "--sort", "products")
        #expect(sort.code == 1)
        #expect(sort.err.contains("--sort:1:1: error[FC1414]: `products` is a list field and cannot be sorted by"), "\(sort.err)")
        let group = flowc("deals", "--db", db, "--group-by", "products")
        #expect(group.err.contains("--group-by:1:1: error[FC1414]: `products` is a list field and cannot be grouped by"), "\(group.err)")
    }

    /// A file that is not a store fails as it does for every other command (FC1212, exit 2), and
    /// the help says so.
    @Test func aStoreThatFailsIsReportedAsByEveryCommand() throws {
        let dir = try tempDir(["g.sqlite": "garbage\n"])
        for command in ["deals", "report"] {
            let r = flowc(command, "--db", dir + "/g.sqlite")
            #expect(r.code == 2)
            #expect(r.err.contains("error[FC1212]: the store failed"), "\(r.err)")
            let help = flowc(command, "--help")
            #expect(help.out.contains("FC1212") && !help.out.contains("FC1416"), "\(help.out)")
        }
        #expect(flowc("deal", "show", "X", "--db", dir + "/g.sqlite").err.contains("error[FC1212]"))
        let explained = flowc("explain", "FC1416")
        #expect(explained.code == 2)
        // A retired code says what took its place (QA round 30, N9: a did-you-mean of FC0416).
        #expect(explained.err == "error: FC1416 is no longer used: a store that fails is FC1212 on every command (`flowc explain FC1212`)\n", "\(explained.err)")
        for (old, now) in [("FC1402", "FC0008"), ("FC1403", "FC1215"), ("FC1415", "FC1215")] {
            let r = flowc("explain", old)
            #expect(r.code == 2 && r.err.contains("is no longer used") && r.err.contains("`flowc explain \(now)`"), "\(old): \(r.err)")
            #expect(flowc("explain", now).code == 0)
        }
        #expect(flowc("explain", "FC1212").out.contains("75 when the store was busy"))
    }

    /// In a store of several templates, a field in `--where` needs `--template`: the error
    /// points at the field in `--where` (the user gave no `--template`) and says which
    /// templates have it.
    @Test func aFieldInAViewOfSeveralTemplatesIsLocatedWhereItIsWritten() throws {
        let db = try Examples.loaded()
        let renewal = repoRoot + "/templates/renewal-upsell.flow.yaml"
        let created = flowc("deal", "create", renewal, "--id", "R-1", "--owner", "amy", "--set", "customer_name=北极星软件", "--set", "contract_no=HT-9",
                            "--set", "contract_end_date=2024-12-31", "--role", "customer_success=cs", "--role", "sales_manager=mia", "--db", db)
        #expect(created.code == 0, "\(created.err)")
        let r = flowc("deals", "--db", db, "--where", #"status == "open" and quote > 1 CNY"#)
        #expect(r.code == 1)
        #expect(r.err.contains("--where:1:22: error[FC1411]: the store holds deals of several templates (renewal_upsell, standard_sale)"), "\(r.err)")
        #expect(!r.err.contains("--template:"))
        #expect(r.err.contains("= help: `quote` is a field of "), "\(r.err)")
        #expect(r.err.contains("add `--template "), "\(r.err)")
        let column = flowc("deals", "--db", db, "--columns", "deal,customer_name")
        #expect(column.err.contains("--columns:1:6: error[FC1411]"), "\(column.err)")
        let nowhere = flowc("deals", "--db", db, "--group-by", "nonesuch")
        #expect(nowhere.err.contains("--group-by:1:1: error[FC1411]"), "\(nowhere.err)")
        #expect(nowhere.err.contains("= help: no template of the store has a field `nonesuch`"), "\(nowhere.err)")
        // A slip of a built-in key is said as one (QA round 24, m2), and one of a template's
        // field names that field and its template.
        let typo = flowc("deals", "--db", db, "--group-by", "ownr")
        #expect(typo.code == 1)
        #expect(typo.err.contains("--group-by:1:1: error[FC1410]: unknown key `ownr`"), "\(typo.err)")
        #expect(typo.err.contains("= help: did you mean `owner`?"), "\(typo.err)")
        let field = flowc("deals", "--db", db, "--columns", "deal,custmer_name")
        #expect(field.err.contains("--columns:1:6: error[FC1411]"), "\(field.err)")
        #expect(field.err.contains("= help: did you mean `customer_name`, a field of renewal_upsell, standard_sale? add `--template renewal_upsell`"), "\(field.err)")
        let empty = flowc("deals", "--db", db, "--columns", "deal,")
        #expect(empty.code != 0)
        #expect(!empty.err.contains("FC1411"), "\(empty.err)")
    }

    /// A list field's CSV cell separates its elements with `;`, as `flowc run` reads a CSV list
    /// (QA round 24, m3: `crm, bi` was read back as one product); the table keeps `, `.
    @Test func aListExportsAsRunReadsIt() throws {
        let db = try Examples.loaded()
        let csv = flowc("deals", "--db", db, "--where", #"deal == "D-1001""#, "--columns", "deal,products", "--format", "csv")
        #expect(csv.code == 0, "\(csv.err)")
        #expect(csv.out == "deal,products\r\nD-1001,crm;bi\r\n", "\(csv.out)")
        let table = flowc("deals", "--db", db, "--where", #"deal == "D-1001""#, "--columns", "deal,products")
        #expect(table.out.contains("D-1001  crm, bi"), "\(table.out)")
    }

    /// FC1410's explanation names the built-in keys a view takes, those of the public pool and
    /// the timers too (review of the views, V6: it named twelve of them).
    @Test func theUnknownKeyExplanationNamesEveryBuiltIn() {
        let r = flowc("explain", "FC1410")
        #expect(r.code == 0)
        for key in ["deal", "template", "status", "pool", "owner", "node", "blocked", "probability", "created", "closed", "age", "idle",
                    "returns", "due", "pool_since", "pool_how", "pool_from", "pool_reason"] {
            #expect(r.out.contains("`\(key)`"), "\(key): \(r.out)")
        }
    }
}
