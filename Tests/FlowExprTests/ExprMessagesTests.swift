import FlowDiagnostics
import FlowExpr
import Testing

@Suite struct ExprMessagesTests {
    @Test func codesAreUniqueAndInTheExpressionRange() {
        let numbers = ExprMessages.all.map(\.code.number)
        #expect(Set(numbers).count == numbers.count)
        #expect(numbers.allSatisfy { (401...439).contains($0) })
        #expect(numbers == numbers.sorted())
        #expect(Set(ExprMessages.all.map(\.name)).count == numbers.count)
    }

    @Test(arguments: ExprMessages.all)
    func messagesFollowTheStyle(_ spec: MessageSpec) {
        let format = spec.format
        #expect(format.first.map { !$0.isUppercase } ?? false, "\(spec.code) starts with a capital")
        #expect(!format.hasSuffix("."), "\(spec.code) ends with a period")
        #expect(spec.name.allSatisfy { $0.isLowercase || $0 == "-" })
        #expect(spec.severity == .error)
        // Placeholders are numbered from 0 without gaps.
        var n = 0
        while format.contains("{\(n)}") { n += 1 }
        #expect(!format.contains("{\(n + 1)}"))
        // The explanation has a wrong and a right example.
        #expect(spec.explanation.contains("Wrong:"), "\(spec.code) explanation lacks a wrong example")
        #expect(spec.explanation.contains("Right:"), "\(spec.code) explanation lacks a right example")
        #expect(spec.explanation.split(separator: "\n").count >= 5)
    }

    @Test func messagesRenderWithTheirArguments() {
        let d = ExprDiagnostic(ExprMessages.operandTypes, at: 0..<1, ["+", "boolean", "integer"])
        #expect(d.message.text == "operator `+` cannot be applied to `boolean` and `integer`")
        #expect(d.description == "[0..<1] FC0419: operator `+` cannot be applied to `boolean` and `integer`")
    }
}

/// `15%` in an expression is a remainder without its right operand; the help writes the
/// percentage as the fraction meant (QA finding F15).
@Suite struct PercentHelpTests {
    /// The number itself is offered too: `margin * 100 / quote < 15%` compares with a side
    /// already in percent, where `15` is right (QA round 10: `0.15` was the only advice).
    @Test(arguments: [("quote * 15%", "0.15", "15"), ("quote * 12.5%", "0.125", "12.5"), ("quote * 150%", "1.5", "150"),
                      ("quote * 5%", "0.05", "5"), ("quote * 100%", "1", "100"), ("(quote * 0.5%)", "0.005", "0.5"),
                      ("rate > 20% and vip", "0.2", "20")])
    func aPercentageIsWrittenAsAFraction(_ text: String, _ fraction: String, _ number: String) throws {
        let d = try #require(ExprParser.parse(text).diagnostics.first)
        #expect(d.code == ExprMessages.syntax.code)
        #expect(d.help?.text == "`%` is the remainder operator, not a percentage: write the fraction `\(fraction)`, or `\(number)` where the other side is already in percent (`margin * 100 / quote < \(number)`)")
    }

    /// A full-width `％` is not sent to `%`, the remainder operator (QA round 10).
    @Test func aFullWidthPercentSignSaysToWriteAFraction() throws {
        let d = try #require(ExprParser.parse("quote * 15％").diagnostics.first)
        #expect(d.help?.text == "`％` (U+FF05 FULLWIDTH PERCENT SIGN) is no operator: a percentage is written as a fraction (`0.15` for 15%)")
    }

    /// A remainder of a field by nothing says nothing about percentages: no number was written.
    @Test func aRemainderOfAFieldGetsNoPercentHelp() throws {
        let d = try #require(ExprParser.parse("headcount %").diagnostics.first)
        #expect(d.help == nil)
    }
}
