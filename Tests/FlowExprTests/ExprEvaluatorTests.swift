import FlowDiagnostics
import FlowExpr
import Testing

let evaluationCases: [(String, ExprValue)] = [
    ("quote < cost and strategic", ExprValue.boolean(true)),
    ("quote - cost", money("-10000")),
    ("(quote - cost) / quote", decimal("-0.111111111111111111")),
    ("amount >= 1000000 CNY", .boolean(true)),
    ("quote * 0.9", money("81000")),
    ("headcount / 8", decimal("31.25")),
    ("headcount % 7", .integer(5)),
    ("headcount - 300", .integer(-50)),
    ("0.1 + 0.2 == 0.3", .boolean(true)),
    ("1 == 1.0", .boolean(true)),
    ("industry == 'retail'", .boolean(true)),
    ("industry != 'retail'", .boolean(false)),
    ("industry in ['finance', 'retail']", .boolean(true)),
    ("'north' in regions", .boolean(true)),
    ("'cloud' in products", .boolean(true)),
    ("'crm' in products", .boolean(false)),
    ("headcount in [1, 250.0]", .boolean(true)),
    ("len(products)", .integer(2)),
    ("len(customer_name)", .integer(11)),
    ("trim(customer_name)", .text("华为 ACME")),
    ("lower(trim(customer_name))", .text("华为 acme")),
    ("upper('abc')", .text("ABC")),
    ("contains(customer_name, '华为')", .boolean(true)),
    ("starts_with(trim(customer_name), '华')", .boolean(true)),
    ("ends_with(customer_name, 'ACME')", .boolean(false)),
    ("customer_name + '!'", .text("  华为 ACME  !")),
    ("has(quote)", .boolean(true)),
    ("has(tax)", .boolean(false)),
    ("abs(quote - cost)", money("10000")),
    ("abs(-3)", .integer(3)),
    ("min(quote, cost)", money("90000")),
    ("max(headcount, 2.5)", decimal("250")),
    ("min(1, 2.5)", decimal("1")),
    ("round(2.5)", decimal("3")),
    ("round(-2.5)", decimal("-3")),
    ("round(2.345, 2)", decimal("2.35")),
    ("round(quote / 7, 2)", money("12857.14")),
    ("days(follow_up)", .integer(3)),
    ("days(36h)", .integer(1)),
    ("close_date - today()", .duration(seconds: 19 * 86_400)),
    ("days(close_date - today())", .integer(19)),
    ("close_date + 12h", ExprValue.date(year: 2024, month: 5, day: 20) ?? .null),
    ("close_date - 12h", ExprValue.date(year: 2024, month: 5, day: 19) ?? .null),
    ("today() + 2w", ExprValue.date(year: 2024, month: 5, day: 15) ?? .null),
    ("now() - last_visit_at", .duration(seconds: 86_400)),
    ("last_visit_at + 1d == now()", .boolean(true)),
    ("date('2024-03-01') - date('2024-02-01')", .duration(seconds: 29 * 86_400)),
    ("datetime('2024-05-01T17:30:00+08:00') == now()", .boolean(true)),
    ("follow_up * 2 == 6d", .boolean(true)),
    ("follow_up / 2", .duration(seconds: 36 * 3600)),
    ("-follow_up", .duration(seconds: -3 * 86_400)),
    ("[headcount, 1]", .list([.integer(250), .integer(1)])),
    ("not strategic", .boolean(false)),
]

@Suite struct ExprEvaluatorTests {
    let deal: [String: ExprValue] = [
        "quote": money("90000"),
        "cost": money("100000"),
        "amount": money("1200000.50"),
        "strategic": .boolean(true),
        "industry": .enumValue("retail"),
        "headcount": .integer(250),
        "discount_rate": decimal("0.15"),
        "customer_name": .text("  华为 ACME  "),
        "products": .list([.text("cloud"), .text("erp")]),
        "close_date": ExprValue.date(year: 2024, month: 5, day: 20) ?? .null,
        "last_visit_at": ExprValue.datetime(parsing: "2024-04-30T09:30:00Z") ?? .null,
        "follow_up": .duration(seconds: 3 * 86_400),
        "regions": .list([.enumValue("north")]),
    ]

    @Test(arguments: evaluationCases)
    func evaluatesOverADeal(_ text: String, _ expected: ExprValue) throws {
        let checked = ExprChecker.check(text, in: salesFields.adding("tax", .text))
        #expect(checked.diagnostics.isEmpty, "\(checked.diagnostics)")
        let result = ExprEvaluator.evaluate(checked, values: deal, clock: testClock)
        #expect(try result.get() == expected)
    }

    /// Texts compare by their code points, as written, everywhere: `==`, `<`, `in`, `contains`,
    /// `starts_with`, `ends_with` and `len` agree with each other and with a store's byte
    /// comparison (IR review F6: `==` took `é` and `e` + a combining accent for equal, a
    /// `flowc deals --where` did not, and `len` counted 2 and 1).
    @Test func textsCompareByTheirCodePoints() {
        let decomposed: [String: ExprValue] = ["customer_name": .text("e\u{301}")]
        #expect(value(#"customer_name == "é""#, decomposed) == .boolean(false))
        #expect(value(#"customer_name == "e\u{301}""#, decomposed) == .boolean(true))
        #expect(value(#"customer_name in ["é", "x"]"#, decomposed) == .boolean(false))
        #expect(value("len(customer_name)", decomposed) == .integer(2))
        #expect(value(#"contains(customer_name, "e")"#, decomposed) == .boolean(true))
        #expect(value(#"starts_with(customer_name, "e")"#, decomposed) == .boolean(true))
        #expect(value(#"ends_with(customer_name, "\u{301}")"#, decomposed) == .boolean(true))
        #expect(value(#"ends_with(customer_name, "é")"#, decomposed) == .boolean(false))
        // Order: code point by code point, a prefix first.
        #expect(value(#""Z" < "a""#) == .boolean(true))
        #expect(value(#""é" > "z""#) == .boolean(true))
        #expect(value(#""ab" < "abc""#) == .boolean(true))
        #expect(value(#""华为" > "ACME""#) == .boolean(true))
        #expect(value(#"industry == "retail""#, ["industry": .enumValue("retail")]) == .boolean(true))
    }

    /// A date or datetime moved past the years 1 to 9999 overflows (FC0433), as no date outside
    /// them can be read, stored or shown (IR review F8: one was stored as `date(7000019842)`).
    @Test func datesStayWithinTheYears1To9999() {
        func code(_ text: String) -> Int? {
            if case .failure(let e) = eval(text, deal) { return e.code.number }
            return nil
        }
        #expect(code("close_date + 999999999w") == 433)
        #expect(code("close_date - 999999999w") == 433)
        #expect(code("last_visit_at + 999999999w") == 433)
        #expect(code("last_visit_at - 999999999w") == 433)
        #expect(code(#"date("9999-12-31") + 1d"#) == 433)
        #expect(code(#"date("0001-01-01") - 1d"#) == 433)
        #expect(value(#"date("9999-12-31") + 23h"#) == ExprValue.date(parsing: "9999-12-31"))
        #expect(value(#"datetime("9999-12-31T23:59:00Z") - 1m"#) == ExprValue.datetime(parsing: "9999-12-31T23:58:00Z"))
        #expect(code(#"datetime("9999-12-31T23:59:00Z") + 1m"#) == 433)
        #expect(value("close_date + 365d", deal) == ExprValue.date(parsing: "2025-05-20"))
    }

    /// The examples docs/language.md gives for `/`, `days`, `round` and a date moved by hours.
    @Test func theDocumentedExamplesHold() {
        #expect(value("7 / 2") == .decimal(ExprDecimal("3.5")!))
        #expect(value("days(36h)") == .integer(1))
        #expect(value("days(-36h)") == .integer(-1))
        #expect(value("round(2.5)") == .decimal(3))
        #expect(value("round(-2.5)") == .decimal(-3))
        #expect(value("round(0.125, 2)") == .decimal(ExprDecimal("0.13")!))
        #expect(value("close_date - 1h", deal) == ExprValue.date(parsing: "2024-05-19"))
        #expect(value("close_date + 23h", deal) == ExprValue.date(parsing: "2024-05-20"))
    }

    @Test func nullSemantics() {
        let empty: [String: ExprValue] = [:]
        // Arithmetic with null is null.
        #expect(value("quote - cost", empty) == .null)
        #expect(value("headcount * 2 + 1", empty) == .null)
        #expect(value("-headcount", empty) == .null)
        #expect(value("len(customer_name)", empty) == .null)
        // Comparisons with null are false, except == null / != null.
        #expect(value("quote < cost", empty) == .boolean(false))
        #expect(value("quote >= cost", empty) == .boolean(false))
        #expect(value("headcount == 1", empty) == .boolean(false))
        #expect(value("headcount != 1", empty) == .boolean(true))
        #expect(value("headcount == null", empty) == .boolean(true))
        #expect(value("headcount != null", empty) == .boolean(false))
        #expect(value("null == null", empty) == .boolean(true))
        // `in` with null is false.
        #expect(value("industry in ['retail']", empty) == .boolean(false))
        #expect(value("'cloud' in products", empty) == .boolean(false))
        // and / or / not read null as false.
        #expect(value("strategic", empty) == .null)
        #expect(value("not strategic", empty) == .boolean(true))
        #expect(value("strategic or true", empty) == .boolean(true))
        #expect(value("strategic and true", empty) == .boolean(false))
        // has / coalesce handle null.
        #expect(value("has(quote)", empty) == .boolean(false))
        #expect(value("coalesce(discount_rate, 0)", empty) == decimal("0"))
        #expect(value("coalesce(quote, cost)", ["cost": money("5")]) == money("5"))
    }

    @Test func conditionThatIsNullCountsAsFalse() throws {
        let checked = check("strategic", expecting: .boolean)
        let result = ExprEvaluator.evaluateCondition(checked, values: [String: ExprValue](), clock: testClock)
        #expect(try result.get() == false)
        let truthy = ExprEvaluator.evaluateCondition(checked, values: ["strategic": .boolean(true)], clock: testClock)
        #expect(try truthy.get() == true)
        let notCondition = ExprEvaluator.evaluateCondition(check("headcount"), values: ["headcount": .integer(1)], clock: testClock)
        #expect(notCondition.failure?.code.number == 423)
    }

    @Test func andOrShortCircuit() {
        // The right side would divide by zero; it is never evaluated.
        #expect(value("false and 1 / headcount > 0", ["headcount": .integer(0)]) == .boolean(false))
        #expect(value("true or 1 / headcount > 0", ["headcount": .integer(0)]) == .boolean(true))
        #expect(eval("true and 1 / headcount > 0", ["headcount": .integer(0)]).failure?.code.number == 430)
    }

    @Test func coalesceEvaluatesTheFallbackOnlyWhenNeeded() {
        #expect(value("coalesce(headcount, 1 % headcount)", ["headcount": .integer(0)]) == .integer(0))
        #expect(eval("coalesce(null, 1 % headcount)", ["headcount": .integer(0)]).failure?.code.number == 430)
    }

    @Test func integerOverflowIsAnErrorNotATrap() {
        let big: [String: ExprValue] = ["headcount": .integer(.max)]
        #expect(eval("headcount + 1", big).failure?.code.number == 433)
        #expect(eval("headcount * 2", big).failure?.code.number == 433)
        #expect(eval("-headcount - 2", big).failure?.code.number == 433)
        #expect(eval("abs(headcount - headcount - headcount - 1)", big).failure?.code.number == 433)
        #expect(eval("headcount % -1", ["headcount": .integer(.min)]).failure?.code.number == 433)
        #expect(eval("-headcount", ["headcount": .integer(.min)]).failure?.code.number == 433)
        #expect(eval("follow_up * headcount", ["follow_up": .duration(seconds: 86_400), "headcount": .integer(.max)]).failure?.code.number == 433)
        #expect(eval("close_date + follow_up", ["close_date": .date(days: .max / 2), "follow_up": .duration(seconds: 1)]).failure?.code.number == 433)
        #expect(eval("discount_rate * 9223372036854775807 * 10", ["discount_rate": decimal("1")]).failure?.code.number == 433)
    }

    @Test func divisionByZeroIsAnError() {
        let zero: [String: ExprValue] = ["headcount": .integer(0), "discount_rate": decimal("0")]
        #expect(eval("10 / headcount", zero).failure?.code.number == 430)
        #expect(eval("10 % headcount", zero).failure?.code.number == 430)
        #expect(eval("1.5 / discount_rate", zero).failure?.code.number == 430)
        #expect(eval("quote / discount_rate", zero.merging(["quote": money("1")]) { a, _ in a }).failure?.code.number == 430)
        #expect(eval("quote / cost", ["quote": money("1"), "cost": money("0")]).failure?.code.number == 430)
        #expect(eval("follow_up / headcount", zero.merging(["follow_up": .duration(seconds: 60)]) { a, _ in a }).failure?.code.number == 430)
    }

    @Test func fuelCountsNodesAndListElements() {
        // 3 nodes: headcount, 1, +.
        #expect((try? eval("headcount + 1", ["headcount": .integer(1)], fuel: 3).get()) == .integer(2))
        #expect(eval("headcount + 1", ["headcount": .integer(1)], fuel: 2).failure?.code.number == 432)
        // `in` over a list field: 3 nodes + 1 per element loaded + 1 per element visited.
        let long = ExprValue.list((0..<100).map { .text("p\($0)") })
        #expect((try? eval("'zzz' in products", ["products": long], fuel: 203).get()) == .boolean(false))
        #expect(eval("'zzz' in products", ["products": long], fuel: 202).failure?.code.number == 432)
        #expect(eval("1 + 1", fuel: 0).failure?.code.number == 432)
        #expect(eval("1 + 1", fuel: -5).failure?.code.number == 432)
    }

    @Test func fuelExhaustionOnAHugeListStopsEarly() {
        let huge = ExprValue.list(Array(repeating: .text("x"), count: 1_000_000))
        let error = eval("'y' in products", ["products": huge]).failure
        #expect(error?.code.number == 432)
        #expect(error?.arguments == [String(ExprEvaluator.defaultFuel)])
    }

    @Test func longOperatorChainsEvaluateWithoutRecursion() throws {
        // A 2000-term left-leaning chain: deep tree, no parentheses.
        let text = Array(repeating: "1", count: 2000).joined(separator: "+")
        let checked = check(text)
        #expect(checked.diagnostics.isEmpty)
        #expect(try ExprEvaluator.evaluate(checked, fieldValues: [], clock: testClock).get() == .integer(2000))
        #expect(checked.parsed.description.count > 6000)
    }

    @Test func fieldValuesAreCheckedAgainstTheirTypes() {
        #expect(eval("quote > cost", ["quote": money("1", "USD"), "cost": money("1")]).failure?.code.number == 434)
        #expect(eval("industry == 'retail'", ["industry": .enumValue("mining")]).failure?.code.number == 434)
        #expect(eval("'x' in products", ["products": .list([.integer(1)])]).failure?.code.number == 434)
        // Lenient forms: plain numbers for money, integers for decimals, text for enums.
        #expect(value("quote > cost", ["quote": .integer(2), "cost": decimal("1.5")]) == .boolean(true))
        #expect(value("discount_rate", ["discount_rate": .integer(1)]) == decimal("1"))
        #expect(value("industry == 'retail'", ["industry": .text("retail")]) == .boolean(true))
        // A field that is never reached is never checked.
        #expect(value("false and headcount > 1", ["headcount": .text("x")]) == .boolean(false))
    }

    @Test func positionalFieldValuesFollowReferencedFields() throws {
        let checked = check("quote - cost > 0 CNY or headcount > 1")
        #expect(checked.referencedFields == ["quote", "cost", "headcount"])
        let result = ExprEvaluator.evaluate(checked, fieldValues: [money("5"), money("1")], clock: testClock)
        #expect(try result.get() == .boolean(true))
        var asked: [String] = []
        _ = ExprEvaluator.evaluate(checked, clock: testClock) { path in
            asked.append(path)
            return nil
        }
        #expect(asked == ["quote", "cost", "headcount"])
    }

    @Test func todayFollowsTheClockZone() throws {
        // 2024-05-01T20:00:00Z is already 2024-05-02 in UTC+8.
        let clock = ExprClock(now: 1_714_593_600, utcOffset: 8 * 3600)
        let checked = check("today()")
        #expect(try ExprEvaluator.evaluate(checked, fieldValues: [], clock: clock).get() == ExprValue.date(year: 2024, month: 5, day: 2))
        #expect(try ExprEvaluator.evaluate(checked, fieldValues: [], clock: ExprClock(now: 1_714_593_600)).get() == ExprValue.date(year: 2024, month: 5, day: 1))
    }

    @Test func evaluationIsDeterministic() {
        let checked = check("round((quote - cost) / quote * 100, 2) > 5 or contains(customer_name, 'A')")
        let results = (0..<20).map { _ in ExprEvaluator.evaluate(checked, values: deal, clock: testClock) }
        #expect(Set(results.map { try? $0.get() }).count == 1)
    }

    @Test func computedDecimalResultsArePromoted() throws {
        let checked = ExprChecker.check("headcount * 2", in: salesFields, expecting: .decimal)
        #expect(try ExprEvaluator.evaluate(checked, values: deal, clock: testClock).get() == decimal("500"))
    }

    @Test func valuesRenderReadably() {
        #expect(money("1200000.50").description == "1200000.5 CNY")
        #expect(ExprValue.date(days: 19_844).description == "2024-05-01")
        #expect(ExprValue.datetime(seconds: 1_714_555_800).description == "2024-05-01T09:30:00Z")
        #expect(ExprValue.duration(seconds: 129_600).description == "1d12h")
        #expect(ExprValue.list([.text("a\"b"), .null]).description == "[\"a\\\"b\", null]")
        #expect(ExprValue.date(days: .max).description == "date(9223372036854775807)")
        // Every instant renders, the extremes raw (the day split once overflowed at Int64.min).
        #expect(ExprValue.datetime(seconds: .min).description == "datetime(-9223372036854775808)")
        #expect(ExprValue.datetime(seconds: .max).description == "datetime(9223372036854775807)")
        #expect(ExprValue.datetime(seconds: -1).description == "1969-12-31T23:59:59Z")
        #expect(ExprValue.datetime(seconds: 253_402_300_799).description == "9999-12-31T23:59:59Z")
    }
}

extension ExprFieldTable {
    func adding(_ path: String, _ type: ExprType) -> ExprFieldTable {
        var fields = self.fields
        fields[path] = type
        return ExprFieldTable(fields)
    }
}
