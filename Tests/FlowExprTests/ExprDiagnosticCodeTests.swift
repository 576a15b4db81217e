import FlowDiagnostics
import FlowExpr
import Testing

/// One case per diagnostic code: the expression, the code, and the exact bytes it points at.
struct CodeCase: Sendable, CustomTestStringConvertible {
    var text: String
    var code: Int
    /// The text the primary range covers (its first occurrence in `text`), or an explicit range.
    var at: String?
    var range: Range<Int>?
    var expecting: ExprType?

    init(_ text: String, _ code: Int, at: String? = nil, range: Range<Int>? = nil, expecting: ExprType? = nil) {
        self.text = text
        self.code = code
        self.at = at
        self.range = range
        self.expecting = expecting
    }

    var expectedRange: Range<Int>? { range ?? at.flatMap { byteRange(of: $0, in: text) } }
    var testDescription: String { "FC0\(code): \(text.prefix(60))" }
}

/// Compile-time codes (lexer, parser, limits, checker).
let compileTimeCases: [CodeCase] = [
    CodeCase("quote <", 401, range: 7..<7),
    CodeCase("customer_name == \"ACME", 402, at: "\"ACME"),
    CodeCase("customer_name == \"a\\qb\"", 403, at: "\\q"),
    CodeCase("discount_rate > 1.", 404, at: "1."),
    CodeCase("headcount > 99999999999999999999", 404, at: "99999999999999999999"),
    CodeCase("now() - last_visit_at > 1.5d", 405, at: "1.5d"),
    CodeCase("follow_up > 12h1d", 405, at: "12h1d"),
    CodeCase("amount >= 1000000 RMB2", 406, at: "RMB2"),
    CodeCase("quote < cost ＆ strategic", 407, at: "＆"),
    CodeCase("quote < cost AND strategic", 408, at: "AND"),
    CodeCase("0 < discount_rate < 0.3", 409, at: "< 0.3", range: 18..<19),
    CodeCase(String(repeating: "a", count: 4100), 410, range: 4096..<4100),
    CodeCase(String(repeating: "(", count: 65) + "1" + String(repeating: ")", count: 65), 411, range: 64..<65),
    CodeCase("headcount in [" + Array(repeating: "1", count: 1001).joined(separator: ",") + "]", 412, range: 2014..<2015),
    CodeCase("customer_name == \"" + String(repeating: "x", count: 1025) + "\"", 413, range: 17..<1044),
    CodeCase("qoute < cost", 415, at: "qoute"),
    CodeCase("length(customer_name) > 3", 416, at: "length"),
    CodeCase("max(quote, cost, amount) > 0 CNY", 417, at: "max(quote, cost, amount)"),
    CodeCase("upper(headcount) == 'X'", 418, at: "headcount"),
    CodeCase("customer_name * 2", 419, at: "*"),
    CodeCase("not headcount", 420, at: "not"),
    CodeCase("quote_usd > cost", 421, at: ">"),
    CodeCase("amount >= 1000000", 422, at: "1000000"),
    CodeCase("headcount", 423, at: "headcount", expecting: .boolean),
    CodeCase("quote > cost", 424, at: "quote > cost", expecting: .money(currency: "CNY")),
    CodeCase("industry == \"retial\"", 425, at: "\"retial\""),
    CodeCase("close_date < date(\"2024-02-30\")", 426, at: "\"2024-02-30\""),
    CodeCase("last_visit_at < datetime(\"2024-05-01 09:30\")", 427, at: "\"2024-05-01 09:30\""),
    CodeCase("has(quote - cost)", 428, at: "quote - cost"),
    CodeCase("headcount in [10, \"20\"]", 429, at: "\"20\""),
    CodeCase("quote / 0 > 1 CNY", 430, at: "0"),
    CodeCase("round(discount_rate, 40) > 0", 431, at: "40"),
]

@Suite struct ExprDiagnosticCodeTests {
    @Test(arguments: compileTimeCases)
    func eachCodeIsReportedAtItsRange(_ c: CodeCase) throws {
        let checked = ExprChecker.check(c.text, in: salesFields, expecting: c.expecting)
        let d = try #require(checked.diagnostics.first, "no diagnostic for \(c.text)")
        #expect(codes(checked.diagnostics) == [c.code], "\(checked.diagnostics)")
        #expect(d.range == c.expectedRange)
        #expect(checked.resultType == nil)
        #expect(checked.hasErrors)
    }

    @Test func evaluationCodesAreReportedAtTheNode() throws {
        // FC0430: the divisor becomes zero at run time.
        let division = try #require(eval("quote / headcount > 1 CNY", ["quote": money("10"), "headcount": .integer(0)]).failure)
        #expect(division.code.number == 430)
        #expect(division.range == 0..<17)
        // FC0431: `round` places computed at run time.
        let places = try #require(eval("round(discount_rate, headcount)", ["discount_rate": decimal("1.5"), "headcount": .integer(19)]).failure)
        #expect(places.code.number == 431)
        // FC0432
        let fuel = try #require(eval("headcount + 1 + 2", ["headcount": .integer(1)], fuel: 3).failure)
        #expect(fuel.code.number == 432)
        #expect(fuel.arguments == ["3"])
        // FC0433
        let overflow = try #require(eval("headcount * 9223372036854775807", ["headcount": .integer(2)]).failure)
        #expect(overflow.code.number == 433)
        #expect(overflow.range == 0..<31)
        // FC0434
        let wrongValue = try #require(eval("headcount > 1", ["headcount": .text("many")]).failure)
        #expect(wrongValue.code.number == 434)
        #expect(wrongValue.range == 0..<9)
        #expect(wrongValue.arguments == ["headcount", "text", "integer"])
        // FC0435
        let unchecked = try #require(eval("quote <").failure)
        #expect(unchecked.code.number == 435)
        // FC0426 / FC0427 at run time for computed text.
        let badDate = try #require(eval("date(customer_name) < today()", ["customer_name": .text("soon")]).failure)
        #expect(badDate.code.number == 426)
        #expect(badDate.range == 0..<19)
        let badDatetime = try #require(eval("datetime(customer_name) < now()", ["customer_name": .text("x")]).failure)
        #expect(badDatetime.code.number == 427)
    }

    @Test func everyCatalogueCodeHasACase() {
        let compiled = Set(compileTimeCases.map(\.code))
        let evaluatedOnly: Set<Int> = [432, 433, 434, 435]
        for spec in ExprMessages.all {
            #expect(compiled.contains(spec.code.number) || evaluatedOnly.contains(spec.code.number), "no test case for \(spec.code)")
        }
    }

    @Test func byteOffsetsCountUTF8NotCharacters() throws {
        // Four CJK characters (12 bytes) in a string literal before the error.
        let text = "customer_name == \"华为技术\" and qoute > cost"
        let checked = check(text)
        let d = try #require(checked.diagnostics.first)
        #expect(d.code.number == 415)
        #expect(d.range == 36..<41)
        #expect(d.range != 28..<33)  // where a character count would put it
        #expect(Array(text.utf8)[d.range].elementsEqual("qoute".utf8))
    }

    /// Three capital letters that are no ISO 4217 code are refused where they are written, as a
    /// field's `currency` is (QA round 22: `2000000 RMB` passed, then failed as another currency).
    @Test func aMoneyLiteralNeedsAnISOCurrencyCode() throws {
        let rmb = try #require(parse("amount >= 2000000 RMB or custom_build").diagnostics.first)
        #expect(rmb.code.number == 406)
        #expect(rmb.range == byteRange(of: "RMB", in: "amount >= 2000000 RMB or custom_build"))
        #expect(rmb.help?.text == "`RMB` is a common name, not the ISO 4217 code: write `2000000 CNY`")
        let xqq = try #require(parse("amount >= 1.5 XQQ").diagnostics.first)
        #expect(xqq.code.number == 406)
        #expect(xqq.help?.text == "a currency is an ISO 4217 code, such as `CNY`, `USD` or `EUR`")
        #expect(parse("amount >= 2000000 USD").diagnostics.isEmpty)
    }

    /// A day compared as text or as `2024-12-31` (a subtraction) gets the `date()` form (QA round 22).
    @Test(arguments: ["close_date < '2024-12-31'", "close_date < \"2024-12-31\"", "close_date < 2024-12-31",
                      "'2024-12-31' >= close_date", "close_date == '2024-12-31'", "close_date < 2024-12-1"])
    func aDayWrittenAsTextOrASubtractionGetsTheDateForm(_ text: String) throws {
        let d = try #require(check(text).diagnostics.first)
        #expect(d.code.number == 419)
        #expect(d.help?.text == "a day is written `date('2024-12-\(text.hasSuffix("-1") ? "01" : "31")')`")
    }

    /// `200万` and `1.5亿`: the amount in plain digits (QA round 22).
    @Test(arguments: [("amount >= 200万", "`200万` is written `2000000` (money with its currency: `2000000 CNY`)"),
                      ("amount >= 1.5亿 CNY", "`1.5亿` is written `150000000` (money with its currency: `150000000 CNY`)"),
                      ("amount >= 0.5万", "`0.5万` is written `5000` (money with its currency: `5000 CNY`)")])
    func aChineseMultipleGetsItsDigits(_ text: String, _ help: String) throws {
        let d = try #require(parse(text).diagnostics.first)
        #expect(d.code.number == 407)
        #expect(d.help?.text == help)
    }

    /// Operators and words from elsewhere get the one to write (QA round 23).
    @Test(arguments: [("amount => 2000000 CNY", "write `>=`"), ("amount =< 2000000 CNY", "write `<=`"),
                      ("amount <> 2000000 CNY", "write `!=`"), ("amount = 2000000 CNY", "write `==` to compare"),
                      ("strategic 或 vip", "write `or`"), ("strategic 且 vip", "write `and`"),
                      ("amount >= 2000000 rmb", "`rmb` is a common name, not the ISO 4217 code: write `2000000 CNY`"),
                      ("amount >= 2000000 usd", "a currency code is three uppercase letters, like `USD`")])
    func aForeignOperatorGetsTheOneToWrite(_ text: String, _ help: String) throws {
        let d = try #require(parse(text).diagnostics.first)
        #expect(d.help?.text == help, "\(d.message.text)")
    }

    /// A fraction against money is a rate meant, not `0.15 CNY` (QA round 22).
    @Test func aFractionAgainstMoneyIsTakenForARate() throws {
        let d = try #require(check("quote < 0.15").diagnostics.first)
        #expect(d.code.number == 422)
        #expect(d.help?.text == "`0.15` looks like a rate, and `quote` is an amount: divide it by the amount it is a share of (`quote / …`), or write an amount, `0.15 CNY`")
        let whole = try #require(check("quote < 15").diagnostics.first)
        #expect(whole.help?.text == "write the currency after the number: `15 CNY`")
    }

    /// A day written as text against an instant gets the `datetime()` form, with a zone, and
    /// words outside quotes get their quotes (QA round 24, m9: neither had a help).
    @Test func aDayAgainstAnInstantAndAnUnquotedTextGetTheirForms() throws {
        for text in ["last_visit_at > '2024-12-31'", "last_visit_at > 2024/12/31", "\"2024-12-31\" <= last_visit_at"] {
            let d = try #require(check(text).diagnostics.first)
            #expect(d.code.number == 419)
            #expect(d.help?.text == "an instant is written with its time and zone: `datetime('2024-12-31T00:00:00+08:00')` (`Z` for UTC)", "\(text)")
        }
        let instant = try #require(check("last_visit_at > '2024-12-31T09:00:00+08:00'").diagnostics.first)
        #expect(instant.help?.text == "an instant is written `datetime('2024-12-31T09:00:00+08:00')`")
        let d = try #require(parse("customer_name == 刘芳 and strategic").diagnostics.first)
        #expect(d.code.number == 407)
        #expect(d.help?.text == "a text is written in quotes: `\"刘芳\"`")
        // A full-width letter keeps its own help.
        #expect(try #require(parse("customer_name == \u{FF41}").diagnostics.first).help?.text.contains("\"") == false)
    }

    @Test func aDayWithSlashesGetsTheDateForm() throws {
        for text in ["close_date < '2024/12/31'", "close_date < 2024/12/31"] {
            let d = try #require(check(text).diagnostics.first)
            #expect(d.help?.text == "a day is written `date('2024-12-31')`", "\(text)")
        }
    }

    @Test func cjkBeforeALexicalError() throws {
        let text = "contains(customer_name, '客户') and 1.5d > follow_up"
        let d = try #require(parse(text).diagnostics.first)
        #expect(d.code.number == 405)
        #expect(d.range == byteRange(of: "1.5d", in: text))
        #expect(d.range.lowerBound == 38)
    }

    @Test func mapsIntoAFileDiagnostic() throws {
        let yaml = "when: \"qoute < cost\"\n"
        let file = SourceFile(path: "t.flow.yaml", text: yaml)
        let checked = check("qoute < cost")
        let d = try #require(checked.diagnostics.first)
        let mapped = d.diagnostic { SourceSpan(file: file, start: 7 + $0.lowerBound, end: 7 + $0.upperBound) }
        #expect(mapped.code == DiagnosticCode(415))
        #expect(mapped.span?.range == 7..<12)
        #expect(mapped.message.text == "unknown field `qoute`")
        #expect(mapped.help?.text == "did you mean `quote`?")
        #expect(mapped.location?.column == 8)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
