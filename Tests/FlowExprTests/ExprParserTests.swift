import FlowDiagnostics
import FlowExpr
import Testing

@Suite struct ExprParserTests {
    @Test(arguments: [
        ("quote < cost and strategic", "((quote < cost) and strategic)"),
        ("a or b and c", "(a or (b and c))"),
        ("a and b or c", "((a and b) or c)"),
        ("not a and b", "((not a) and b)"),
        ("not a == b", "(not (a == b))"),
        ("not not a", "(not (not a))"),
        ("a + b * c", "(a + (b * c))"),
        ("a * b + c", "((a * b) + c)"),
        ("a - b - c", "((a - b) - c)"),
        ("a / b % c", "((a / b) % c)"),
        ("-a * b", "((-a) * b)"),
        ("- -a", "(-(-a))"),
        ("(a + b) * c", "((a + b) * c)"),
        ("a + b < c * d", "((a + b) < (c * d))"),
        ("a in [1, 2, 3]", "(a in [1, 2, 3])"),
        ("a in xs or b", "((a in xs) or b)"),
        ("x + 1 in xs", "((x + 1) in xs)"),
        ("f()", "f()"),
        ("max(a, b + 1)", "max(a, (b + 1))"),
        ("[]", "[]"),
        ("[1, 2,]", "[1, 2]"),
        ("customer.industry == 'retail'", "(customer.industry == \"retail\")"),
    ])
    func precedenceAndGrouping(_ input: String, _ expected: String) {
        let parsed = parse(input)
        #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics)")
        #expect(parsed.description == expected)
    }

    @Test(arguments: [
        ("42", "42"),
        ("0", "0"),
        ("12.50", "12.5"),
        ("0.000001", "0.000001"),
        ("100000 CNY", "100000 CNY"),
        ("12.5  USD", "12.5 USD"),
        ("30d", "30d"),
        ("12h", "12h"),
        ("45m", "45m"),
        ("2w", "2w"),
        ("1d12h", "1d12h"),
        ("14d", "2w"),
        ("\"a\\\"b\"", "\"a\\\"b\""),
        ("'it\\'s'", "\"it's\""),
        ("'tab\\there'", "\"tab\\there\""),
        ("\"\\u{4E2D}\\u{6587}\"", "\"中文\""),
        ("true", "true"),
        ("false", "false"),
        ("null", "null"),
        ("9223372036854775807", "9223372036854775807"),
    ])
    func literalsRenderCanonically(_ input: String, _ expected: String) {
        let parsed = parse(input)
        #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics)")
        #expect(parsed.description == expected)
    }

    @Test func theSmallestIntegerCanBeWritten() throws {
        // FC0404's help says integers range from -9223372036854775808: that literal is one.
        let parsed = parse("headcount > -9223372036854775808")
        #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics)")
        #expect(parsed.description == "(headcount > -9223372036854775808)")
        #expect(check("headcount > -9223372036854775808").diagnostics.isEmpty)
        #expect(value("-9223372036854775808") == .integer(.min))
        #expect(value("headcount > -9223372036854775808", ["headcount": .integer(0)]) == .boolean(true))
        // Its magnitude alone is still out of range, wherever no minus sign makes it negative.
        for text in ["9223372036854775808", "5 - 9223372036854775808", "-(9223372036854775808)", "[9223372036854775808]"] {
            let d = try #require(parse(text).diagnostics.first, "\(text)")
            #expect(d.code.number == 404, "\(text)")
            #expect(d.range == byteRange(of: "9223372036854775808", in: text), "\(text)")
            #expect(d.help?.text == "integers range from -9223372036854775808 to 9223372036854775807", "\(text)")
        }
        // Negating it again overflows when evaluated, as any other negation past the range.
        #expect(eval("headcount - -(-9223372036854775808)", ["headcount": .integer(0)]).failure?.code.number == 433)
        #expect(parse("-9223372036854775809").diagnostics.first?.code.number == 404)
    }

    @Test func literalValuesAreExact() throws {
        let parsed = parse("1d12h")
        let root = try #require(parsed.root)
        #expect(parsed.tree[root] == .literal(.duration(seconds: 129_600)))
        let money = parse("12.5 USD")
        let moneyRoot = try #require(money.root)
        #expect(money.tree[moneyRoot] == .literal(.money(amount: ExprDecimal(significand: 125, scale: 1) ?? .zero, currency: "USD")))
    }

    @Test func nodeRangesAreUTF8ByteOffsetsAndIncludeParentheses() throws {
        let text = "(\"华\" + a) * b"
        let parsed = parse(text)
        let root = try #require(parsed.root)
        #expect(parsed.tree.range(of: root) == 0..<text.utf8.count)
        guard case .binary(.multiply, let lhs, let rhs, let opRange) = parsed.tree[root] else {
            Issue.record("not a product: \(parsed)")
            return
        }
        // The inner sum spans `"华" + a` without the parentheses; the product starts at `(`.
        #expect(parsed.tree.range(of: lhs) == 1..<10)
        #expect(parsed.tree.range(of: rhs) == byteRange(of: "b", in: text))
        #expect(opRange == byteRange(of: "*", in: text))
    }

    @Test func childrenPrecedeParentsInTheArena() throws {
        let valid = parse("max(a, b) + len([c, d * e]) > -f")
        #expect(valid.diagnostics.isEmpty)
        for id in valid.tree.ids {
            switch valid.tree[id] {
            case .unary(_, let x): #expect(x < id)
            case .binary(_, let l, let r, _): #expect(l < id && r < id)
            case .list(let xs), .call(_, let xs, _): #expect(xs.allSatisfy { $0 < id })
            default: break
            }
        }
        #expect(valid.root == valid.tree.ids.last)
    }

    @Test func callsKeepTheirNameRange() throws {
        let text = "  len(customer_name)"
        let parsed = parse(text)
        let root = try #require(parsed.root)
        guard case .call(let name, let arguments, let nameRange) = parsed.tree[root] else {
            Issue.record("not a call")
            return
        }
        #expect(name == "len")
        #expect(arguments.count == 1)
        #expect(nameRange == 2..<5)
        #expect(parsed.tree.range(of: root) == 2..<text.utf8.count)
    }

    @Test func moneyNeedsWhitespaceAndAnUppercaseCode() {
        #expect(parse("100 CNY").diagnostics.isEmpty)
        #expect(parse("100\tCNY").diagnostics.isEmpty)
        #expect(codes(parse("100CNY").diagnostics) == [404])
        #expect(codes(parse("100 CNYX").diagnostics) == [406])
        #expect(codes(parse("100 cny").diagnostics) == [401])
        // An uppercase keyword after a number is not a currency.
        let and = parse("a > 100 AND b")
        #expect(codes(and.diagnostics) == [408])
        #expect(and.diagnostics.first?.help == Message(ExprMessages.Help.useKeyword, ["and"]))
    }

    @Test func lowercaseCurrencyGetsHelp() throws {
        let d = try #require(parse("amount > 100 cny").diagnostics.first)
        #expect(d.code.number == 401)
        #expect(d.range == 13..<16)
        #expect(d.help == Message(ExprMessages.Help.currencyIsUppercase, ["CNY"]))
    }

    @Test(arguments: [
        ("a && b", "and"), ("a || b", "or"), ("a & b", "and"), ("a | b", "or"),
    ])
    func operatorsFromOtherLanguagesGetHelp(_ input: String, _ keyword: String) throws {
        let d = try #require(parse(input).diagnostics.first)
        #expect(d.code.number == 401)
        #expect(d.help == Message(ExprMessages.Help.useKeyword, [keyword]))
    }

    @Test func singleEqualsAndBangGetHelp() throws {
        let eq = try #require(parse("a = b").diagnostics.first)
        #expect(eq.help == Message(ExprMessages.Help.useDoubleEquals))
        #expect(eq.range == 2..<3)
        let bang = try #require(parse("!a").diagnostics.first)
        #expect(bang.help == Message(ExprMessages.Help.useKeyword, ["not"]))
    }

    @Test func notInIsRejectedWithHelp() throws {
        let d = try #require(parse("industry not in ['retail']").diagnostics.first)
        #expect(d.code.number == 401)
        #expect(d.range == 9..<12)
        #expect(d.help == Message(ExprMessages.Help.notIn, ["industry"]))
    }

    @Test func chainedComparisonIsRejectedAtTheSecondOperator() throws {
        let text = "0 < discount_rate < 0.3"
        let d = try #require(parse(text).diagnostics.first)
        #expect(d.code.number == 409)
        #expect(d.range == 18..<19)
        #expect(d.help == Message(ExprMessages.Help.splitComparison))
        #expect(d.labels.first?.range == 0..<17)
        #expect(codes(parse("a == b in c").diagnostics) == [409])
        #expect(codes(parse("a in b == c").diagnostics) == [409])
        // Parenthesised, it is a (type) question, not a syntax error.
        #expect(parse("(a < b) == c").diagnostics.isEmpty)
    }

    @Test(arguments: [
        ("", 0..<0, "an expression", "end of expression"),
        ("quote <", 7..<7, "an expression", "end of expression"),
        ("quote cost", 6..<10, "an operator or the end of the expression", "`cost`"),
        ("(a + b", 6..<6, "`)`", "end of expression"),
        ("[a b]", 3..<4, "`,` or `]`", "`b`"),
        ("max(a b)", 6..<7, "`,` or `)`", "`b`"),
        ("a + )", 4..<5, "an expression", "`)`"),
        ("+a", 0..<1, "an expression", "`+`"),
    ])
    func syntaxErrorsSayWhatWasExpected(_ input: String, _ range: Range<Int>, _ expected: String, _ found: String) throws {
        let parsed = parse(input)
        #expect(parsed.root == nil)
        let d = try #require(parsed.diagnostics.first)
        #expect(parsed.diagnostics.count == 1)
        #expect(d.code.number == 401)
        #expect(d.range == range)
        #expect(d.arguments == [expected, found])
    }

    @Test func onlyTheFirstSyntaxErrorIsReported() {
        let parsed = parse("a + + b ) (")
        #expect(parsed.diagnostics.count == 1)
        #expect(parsed.diagnostics.first?.range == 4..<5)
    }

    @Test func decimalsNeedAnIntegerPart() throws {
        let d = try #require(parse("discount_rate > .5").diagnostics.first)
        #expect(d.code.number == 404)
        #expect(d.range == 16..<18)
        #expect(d.help?.text == "write `0.5`")
    }

    @Test func dottedPathsAreOneNode() throws {
        let parsed = parse("customer.industry")
        let root = try #require(parsed.root)
        #expect(parsed.tree[root] == .field(path: "customer.industry"))
        #expect(parsed.tree.count == 1)
        #expect(codes(parse("customer.").diagnostics) == [407])
    }

    @Test func uppercaseNamesAreRejectedWithTheLowercaseSpelling() throws {
        let d = try #require(parse("Quote < cost").diagnostics.first)
        #expect(d.code.number == 408)
        #expect(d.range == 0..<5)
        #expect(d.help == Message(ExprMessages.Help.nameIsLowercase, ["quote"]))
    }
}
