import FlowDiagnostics
import FlowExpr
import Testing

@Suite struct ExprCheckerTests {
    @Test(arguments: [
        ("headcount + 1", ExprType.integer),
        ("headcount + 1.5", .decimal),
        ("headcount / 2", .decimal),
        ("headcount % 2", .integer),
        ("discount_rate * 100", .decimal),
        ("quote - cost", .money(currency: "CNY")),
        ("quote * 0.9", .money(currency: "CNY")),
        ("2 * quote", .money(currency: "CNY")),
        ("quote / 3", .money(currency: "CNY")),
        ("(quote - cost) / quote", .decimal),
        ("-quote", .money(currency: "CNY")),
        ("customer_name + '!'", .text),
        ("close_date + 30d", .date),
        ("30d + close_date", .date),
        ("close_date - 1w", .date),
        ("close_date - today()", .duration),
        ("last_visit_at + 12h", .datetime),
        ("now() - last_visit_at", .duration),
        ("follow_up * 2", .duration),
        ("follow_up / 2", .duration),
        ("1d + 12h", .duration),
        ("quote < cost", .boolean),
        ("industry == 'retail'", .boolean),
        ("industry in ['retail', 'finance']", .boolean),
        ("'north' in regions", .boolean),
        ("'cloud' in products", .boolean),
        ("headcount in [1, 2.5]", .boolean),
        ("[1, 2.5]", .list(.decimal)),
        ("[]", .list(.null)),
        ("[quote, null]", .list(.money(currency: "CNY"))),
        ("null", .null),
        ("quote + null", .null),
        ("len(customer_name)", .integer),
        ("len(products)", .integer),
        ("upper(customer_name)", .text),
        ("contains(customer_name, 'a')", .boolean),
        ("has(quote)", .boolean),
        ("coalesce(discount_rate, 0)", .decimal),
        ("coalesce(quote, 0 CNY)", .money(currency: "CNY")),
        ("coalesce(null, headcount)", .integer),
        ("abs(quote - cost)", .money(currency: "CNY")),
        ("min(headcount, 2)", .integer),
        ("max(headcount, 2.5)", .decimal),
        ("round(discount_rate)", .decimal),
        ("round(headcount, 2)", .decimal),
        ("round(quote, 2)", .money(currency: "CNY")),
        ("days(follow_up)", .integer),
        ("date('2024-02-29')", .date),
        ("datetime('2024-05-01T09:30:00Z')", .datetime),
        ("today()", .date),
        ("now()", .datetime),
        ("customer.industry == 'finance'", .boolean),
    ])
    func typesFollowTheRules(_ text: String, _ expected: ExprType) {
        let checked = check(text)
        #expect(checked.diagnostics.isEmpty, "\(checked.diagnostics)")
        #expect(checked.resultType == expected)
    }

    @Test func moneyComparedWithBareNumberIsAnErrorWithHelp() throws {
        let checked = check("amount >= 1000000")
        let d = try #require(checked.diagnostics.first)
        #expect(d.code.number == 422)
        #expect(d.range == 10..<17)
        #expect(d.arguments == ["money(CNY)"])
        #expect(d.help?.text == "write the currency after the number: `1000000 CNY`")
        #expect(d.labels.first?.range == 0..<6)
    }

    @Test func moneyPlusBareNumberIsTheSameError() throws {
        let d = try #require(check("quote + 100 > cost").diagnostics.first)
        #expect(d.code.number == 422)
        #expect(d.help?.text == "write the currency after the number: `100 CNY`")
        let negative = try #require(check("quote > -5").diagnostics.first)
        #expect(negative.help?.text == "write the currency after the number: `-5 CNY`")
        // A numeric field is not a literal: no help to rewrite it.
        let field = try #require(check("quote > headcount").diagnostics.first)
        #expect(field.code.number == 422)
        #expect(field.help == nil)
    }

    @Test func moneyTimesNumberIsFine() {
        #expect(check("quote * 2 > cost").diagnostics.isEmpty)
        #expect(check("quote / 2.5 > cost").diagnostics.isEmpty)
    }

    @Test func currencyMismatchHasItsOwnCode() throws {
        let d = try #require(check("quote_usd + quote").diagnostics.first)
        #expect(d.code.number == 421)
        #expect(d.arguments == ["money(USD)", "money(CNY)"])
        #expect(d.labels.map(\.range) == [0..<9, 12..<17])
        #expect(codes(check("quote_usd == 5 CNY").diagnostics) == [421])
        #expect(codes(check("max(quote, quote_usd)").diagnostics) == [421])
        #expect(codes(check("[quote, quote_usd]").diagnostics) == [429])
    }

    @Test func unknownFieldsAreAllReportedWithSuggestions() throws {
        let checked = check("qoute < cots and stratgic")
        #expect(codes(checked.diagnostics) == [415, 415, 415])
        #expect(checked.diagnostics.map { $0.help?.arguments ?? [] } == [["quote"], ["cost"], ["strategic"]])
        #expect(checked.diagnostics.map(\.range) == [0..<5, 8..<12, 17..<25])
    }

    @Test func unknownFieldWithoutCloseNameHasNoHelp() throws {
        let d = try #require(check("zzzzzz > 1").diagnostics.first)
        #expect(d.help == nil)
    }

    @Test func functionNameUsedAsFieldSuggestsACall() throws {
        let d = try #require(check("today > close_date").diagnostics.first)
        #expect(d.code.number == 415)
        #expect(d.help == Message(ExprMessages.Help.callFunction, ["today"]))
    }

    @Test func unknownFunctionSuggestsAKnownOne() throws {
        let d = try #require(check("lenn(customer_name) > 1").diagnostics.first)
        #expect(d.code.number == 416)
        #expect(d.range == 0..<4)
        #expect(d.help == Message(ExprMessages.Help.didYouMean, ["len"]))
        let field = try #require(check("quote(1)").diagnostics.first)
        #expect(field.help == Message(ExprMessages.Help.fieldIsNotFunction, ["quote"]))
    }

    @Test(arguments: [
        ("len()", "len", "1", "0"),
        ("today(1)", "today", "0", "1"),
        ("round(1.5, 1, 2)", "round", "1-2", "3"),
        ("coalesce(quote)", "coalesce", "2", "1"),
    ])
    func wrongArity(_ text: String, _ name: String, _ expected: String, _ found: String) throws {
        let d = try #require(check(text).diagnostics.first)
        #expect(d.code.number == 417)
        #expect(d.arguments == [name, expected, found])
        #expect(d.message.text == "`\(name)` expects \(expected) arguments, found \(found)")
    }

    @Test(arguments: [
        ("len(headcount)", "1", "text | list"),
        ("lower(headcount)", "1", "text"),
        ("contains(customer_name, 1)", "2", "text"),
        ("abs(customer_name)", "1", "integer | decimal | money"),
        ("round(1.5, 1.5)", "2", "integer"),
        ("days(headcount)", "1", "duration"),
        ("date(headcount)", "1", "text"),
        ("min(quote, customer_name)", "2", "integer | decimal | money"),
        ("coalesce(headcount, 'x')", "2", "integer"),
    ])
    func wrongArgumentType(_ text: String, _ index: String, _ expected: String) throws {
        let d = try #require(check(text).diagnostics.first)
        #expect(d.code.number == 418, "\(check(text).diagnostics)")
        #expect(d.arguments.first == index)
        #expect(d.arguments.last == expected)
    }

    @Test func containsOnAListSuggestsIn() throws {
        let d = try #require(check("contains(products, 'cloud')").diagnostics.first)
        #expect(d.code.number == 418)
        #expect(d.help?.text == "to test list membership, write `'cloud' in products`")
    }

    @Test func inOnTextSuggestsContains() throws {
        let d = try #require(check("'acme' in customer_name").diagnostics.first)
        #expect(d.code.number == 419)
        #expect(d.help?.text == "to search text, write `contains(customer_name, 'acme')`")
    }

    @Test func coalesceWithMoneyAndBareNumberSuggestsCurrency() throws {
        let d = try #require(check("coalesce(quote, 0)").diagnostics.first)
        #expect(d.code.number == 418)
        #expect(d.help?.text == "write the currency after the number: `0 CNY`")
    }

    @Test func enumValuesMustBeDeclared() throws {
        let checked = check("industry == 'retial' or industry in ['finance', 'banking'] or 'nort' in regions")
        #expect(codes(checked.diagnostics) == [425, 425, 425])
        let first = try #require(checked.diagnostics.first)
        #expect(first.arguments == ["retial", "industry"])
        #expect(first.help == Message(ExprMessages.Help.didYouMean, ["retail"]))
        #expect(first.notes.first?.text == "declared values: `manufacturing`, `retail`, `finance`")
        #expect(checked.diagnostics[1].help == nil)
        #expect(checked.diagnostics[2].help?.arguments == ["north"])
        #expect(checked.diagnostics[1].range == byteRange(of: "'banking'", in: checked.parsed.text))
    }

    @Test func enumComparedWithNonLiteralTextIsAnOperandError() throws {
        let d = try #require(check("industry == customer_name").diagnostics.first)
        #expect(d.code.number == 419)
        #expect(d.help == Message(ExprMessages.Help.enumNeedsLiteral))
        #expect(check("industry == customer.industry").diagnostics.isEmpty)
        #expect(codes(check("industry == 1").diagnostics) == [419])
    }

    @Test func coalesceGivesAnEnumADefaultValue() throws {
        let checked = check("coalesce(industry, 'retail') == 'finance'")
        #expect(checked.diagnostics.isEmpty)
        let d = try #require(check("coalesce(industry, 'retial')").diagnostics.first)
        #expect(d.code.number == 425)
        #expect(value("coalesce(industry, 'retail')") == .enumValue("retail"))
        #expect(value("coalesce(industry, 'retail') == 'retail'") == .boolean(true))
    }

    @Test func enumsDoNotOrder() {
        #expect(codes(check("industry < 'retail'").diagnostics) == [419])
    }

    @Test func orderingWithNullLiteralIsAnError() throws {
        let d = try #require(check("quote < null").diagnostics.first)
        #expect(d.code.number == 419)
        #expect(d.help == Message(ExprMessages.Help.nullOrdering))
        #expect(check("quote == null or null != cost").diagnostics.isEmpty)
    }

    @Test(arguments: [
        "strategic + 1", "customer_name - 'a'", "quote * cost", "close_date + close_date",
        "headcount % 1.5", "follow_up * 1.5", "strategic and headcount", "1 or true",
        "headcount in 5", "close_date < last_visit_at", "products < products",
    ])
    func operandMismatchesAreReportedAtTheOperator(_ text: String) throws {
        let checked = check(text)
        let d = try #require(checked.diagnostics.first)
        #expect(d.code.number == 419, "\(checked.diagnostics)")
        #expect(d.labels.count == 2)
        guard let root = checked.root, case .binary(_, _, _, let opRange) = checked.tree[root] else {
            Issue.record("no binary root")
            return
        }
        #expect(d.range == opRange)
    }

    @Test func errorsDoNotCascade() {
        // The unknown field makes its parents untyped; nothing else is reported.
        let checked = check("(qoute + 1) * 2 > cost and strategic")
        #expect(codes(checked.diagnostics) == [415])
        // Independent errors on both sides are both reported.
        #expect(codes(check("upper(headcount) == 'x' or not headcount").diagnostics) == [418, 420])
    }

    @Test func conditionsMustBeBoolean() throws {
        #expect(check("quote < cost", expecting: .boolean).diagnostics.isEmpty)
        #expect(check("strategic", expecting: .boolean).diagnostics.isEmpty)
        let d = try #require(check("quote - cost", expecting: .boolean).diagnostics.first)
        #expect(d.code.number == 423)
        #expect(d.arguments == ["money(CNY)"])
        #expect(d.range == 0..<12)
    }

    @Test func computedExpressionsMustFitTheFieldType() {
        #expect(check("quote - cost", expecting: .money(currency: "CNY")).diagnostics.isEmpty)
        #expect(check("headcount * 2", expecting: .decimal).diagnostics.isEmpty)
        #expect(check("null", expecting: .text).diagnostics.isEmpty)
        #expect(codes(check("quote_usd", expecting: .money(currency: "CNY")).diagnostics) == [424])
        #expect(codes(check("discount_rate", expecting: .integer).diagnostics) == [424])
    }

    @Test func dateLiteralsAreValidatedStatically() {
        #expect(codes(check("date('2023-02-29')").diagnostics) == [426])
        #expect(codes(check("date('2024-2-1')").diagnostics) == [426])
        #expect(check("date('2000-02-29')").diagnostics.isEmpty)
        #expect(codes(check("datetime('2024-05-01T09:30:00')").diagnostics) == [427])
        #expect(codes(check("datetime('2024-05-01T24:00:00Z')").diagnostics) == [427])
        #expect(check("datetime('2024-05-01T09:30+08:00')").diagnostics.isEmpty)
        #expect(check("datetime('2024-05-01T09:30:00.000-05:30')").diagnostics.isEmpty)
        // A fraction would be dropped, a zone no zone uses is a typo (QA round 43, T3, T4).
        #expect(check("datetime('2024-05-01T09:30:00.123-05:30')").diagnostics.first?.notes.map(\.text)
                == ["flowc keeps instants to the second, and the fraction would be dropped: write `2024-05-01T09:30:00-05:30`"])
        #expect(check("datetime('2024-05-01T09:30:00+15:00')").diagnostics.first?.notes.map(\.text)
                == ["a zone offset is one a zone uses: from `-14:00` to `+14:00`, in whole quarter hours"])
        // A note names the rule a literal of the right shape breaks, as for a field's default.
        #expect(check("date('2023-02-29')").diagnostics.first?.notes.map(\.text) == ["that month has 28 days"])
        #expect(check("date('2024-2-1')").diagnostics.first?.notes.map(\.text) == [])
        #expect(check("datetime('2024-05-01T09:30:00')").diagnostics.first?.notes.map(\.text)
            == ["a datetime needs a zone, `Z` or an offset like `+08:00`, so that it means the same instant on every server"])
        #expect(check("datetime('2024-05-01T24:00:00Z')").diagnostics.first?.notes.map(\.text) == ["hours run from 00 to 23"])
        // Non-literal text is checked when evaluated.
        #expect(check("date(customer_name)").diagnostics.isEmpty)
    }

    @Test func hasNeedsAFieldPath() throws {
        #expect(check("has(customer.industry)").diagnostics.isEmpty)
        let d = try #require(check("has('quote')").diagnostics.first)
        #expect(d.code.number == 428)
        #expect(d.help?.text == "write `'quote' != null` to test a computed value")
    }

    @Test func literalZeroDivisorIsReportedStatically() {
        #expect(codes(check("headcount % 0").diagnostics) == [430])
        #expect(codes(check("quote / 0.0").diagnostics) == [430])
        #expect(codes(check("quote / -0").diagnostics) == [430])
        #expect(check("quote / 0.5").diagnostics.isEmpty)
    }

    @Test func referencedFieldsAreDistinctAndInSourceOrder() {
        let checked = check("has(close_date) and quote > cost and quote_usd > 1 USD and cost > 0 CNY and qoute > cost")
        #expect(checked.referencedFields == ["close_date", "quote", "cost", "quote_usd"])
        #expect(checked.references.count == 6)
        #expect(checked.references.first?.range == 4..<14)
        #expect(!checked.usesClock)
        #expect(check("today() > close_date").usesClock)
    }

    @Test func constantExpressionsAreFolded() {
        #expect(check("1 + 2 * 3").constantValue == .integer(7))
        #expect(check("1 > 2 and true").constantValue == .boolean(false))
        #expect(check("100 CNY * 2").constantValue == money("200"))
        #expect(check("date('2024-05-01') + 1d").constantValue == ExprValue.date(year: 2024, month: 5, day: 2))
        #expect(check("quote > cost").constantValue == nil)
        #expect(check("today() > date('2024-01-01')").constantValue == nil)
        #expect(check("1 +").constantValue == nil)
        #expect(check("9223372036854775807 + 1").constantValue == nil)
    }

    @Test func typesSideTableCoversEveryNode() throws {
        let checked = check("quote - cost > 0 CNY")
        #expect(checked.types.count == checked.tree.count)
        #expect(checked.types.allSatisfy { $0 != nil })
        let root = try #require(checked.root)
        #expect(checked.type(of: root) == .boolean)
    }
}
