import FlowDiagnostics
import FlowExpr
import Testing

@Suite struct ExprLimitsTests {
    @Test func expressionLengthLimitIs4096Bytes() throws {
        let atLimit = "customer_name == \"" + String(repeating: "x", count: 1000) + "\" or " +
            Array(repeating: "strategic", count: 200).joined(separator: " or ")
        let padded = atLimit + String(repeating: " ", count: 4096 - atLimit.utf8.count)
        #expect(padded.utf8.count == 4096)
        #expect(parse(padded).diagnostics.isEmpty)
        let over = parse(padded + " ")
        let d = try #require(over.diagnostics.first)
        #expect(d.code.number == 410)
        #expect(d.range == 4096..<4097)
        #expect(d.arguments == ["4097", "4096"])
        #expect(over.root == nil)
    }

    @Test func lengthIsMeasuredInBytes() {
        // 1366 CJK characters are 4098 bytes: over the limit although far fewer characters.
        let text = "'" + String(repeating: "中", count: 1366) + "'"
        #expect(text.count < 4096)
        #expect(codes(parse(text).diagnostics) == [410])
    }

    @Test func nestingDepthLimitIs64() throws {
        func nested(_ n: Int) -> String { String(repeating: "(", count: n) + "1" + String(repeating: ")", count: n) }
        #expect(parse(nested(64)).diagnostics.isEmpty)
        let d = try #require(parse(nested(65)).diagnostics.first)
        #expect(d.code.number == 411)
        #expect(d.range == 64..<65)
        #expect(d.arguments == ["64"])
    }

    @Test(arguments: ["-", "not ", "[", "len("])
    func everyKindOfNestingCounts(_ opener: String) throws {
        let text = String(repeating: opener, count: 65) + "1"
        let d = try #require(parse(text).diagnostics.first)
        #expect(d.code.number == 411)
        let width = opener.utf8.count
        // At the 65th opener (for a call, its `(`).
        #expect(d.range.lowerBound >= 64 * width && d.range.upperBound <= 65 * width)
    }

    @Test func tenThousandOpenParenthesesGiveALocatedErrorQuickly() throws {
        let text = String(repeating: "(", count: 10_000)
        // Under the default limits the length check answers first, located at byte 4096.
        let byLength = try #require(parse(text).diagnostics.first)
        #expect(byLength.code.number == 410)
        #expect(byLength.range.lowerBound == 4096)
        // With the length limit lifted, the depth check stops the parser at the 65th `(`.
        let clock = ContinuousClock()
        var depth: ExprDiagnostic?
        let elapsed = clock.measure {
            depth = parse(text, limits: ExprLimits(maxLength: 1_000_000)).diagnostics.first
        }
        #expect(depth?.code.number == 411)
        #expect(depth?.range == 64..<65)
        #expect(elapsed < .seconds(2))
    }

    @Test func aMillionOpenParenthesesDoNotOverflowTheStack() {
        let text = String(repeating: "(", count: 1_000_000)
        let parsed = parse(text, limits: ExprLimits(maxLength: .max))
        #expect(codes(parsed.diagnostics) == [411])
    }

    @Test func listLiteralLimitIs1000Elements() throws {
        func list(_ n: Int) -> String { "headcount in [" + Array(repeating: "1", count: n).joined(separator: ",") + "]" }
        #expect(check(list(1000)).diagnostics.isEmpty)
        let d = try #require(parse(list(1001)).diagnostics.first)
        #expect(d.code.number == 412)
        #expect(d.arguments == ["1000"])
        #expect(d.range == 2014..<2015)
    }

    @Test func callArgumentsShareTheListLimit() {
        let text = "f(" + Array(repeating: "1", count: 1001).joined(separator: ",") + ")"
        #expect(codes(parse(text).diagnostics) == [412])
    }

    @Test func stringLiteralLimitIs1024Bytes() throws {
        #expect(parse("'" + String(repeating: "x", count: 1024) + "'").diagnostics.isEmpty)
        let d = try #require(parse("'" + String(repeating: "x", count: 1025) + "'").diagnostics.first)
        #expect(d.code.number == 413)
        #expect(d.range == 0..<1027)
        #expect(d.arguments == ["1024"])
        // Bytes, not characters: 342 CJK characters are 1026 bytes.
        #expect(codes(parse("'" + String(repeating: "中", count: 342) + "'").diagnostics) == [413])
        // After escapes: 1024 `\n` escapes are 2048 source bytes but 1024 content bytes.
        #expect(parse("'" + String(repeating: "\\n", count: 1024) + "'").diagnostics.isEmpty)
    }

    @Test func limitsAreConfigurable() {
        let tight = ExprLimits(maxLength: 10, maxDepth: 2, maxListElements: 2, maxStringBytes: 3)
        #expect(codes(parse("quote < cost", limits: tight).diagnostics) == [410])
        #expect(codes(parse("((( 1)))", limits: tight).diagnostics) == [411])
        #expect(codes(parse("[1, 2, 3]", limits: tight).diagnostics) == [412])
        #expect(codes(parse("'abcd'", limits: tight).diagnostics) == [413])
        #expect(ExprLimits.default == ExprLimits(maxLength: 4096, maxDepth: 64, maxListElements: 1000, maxStringBytes: 1024))
    }

    @Test func fuelIsTheEvaluationLimit() {
        #expect(ExprEvaluator.defaultFuel == 10_000)
        // A 1000-element list literal compared with itself fits the default budget…
        let list = "[" + Array(repeating: "1", count: 1000).joined(separator: ",") + "]"
        #expect((try? eval("\(list) == \(list)").get()) == .boolean(true))
        // …four of them do not.
        let text = "\(list) == \(list) and \(list) == \(list) and \(list) == \(list) and \(list) == \(list)"
        let long = parse(text, limits: ExprLimits(maxLength: 100_000))
        let checked = ExprChecker.check(long, in: salesFields)
        #expect(checked.diagnostics.isEmpty)
        let result = ExprEvaluator.evaluate(checked, fieldValues: [], clock: testClock)
        #expect(result.failure?.code.number == 432)
    }
}
