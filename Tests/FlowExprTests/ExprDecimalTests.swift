import FlowDiagnostics
import FlowExpr
import Testing

@Suite struct ExprDecimalTests {
    func d(_ text: String) -> ExprDecimal { ExprDecimal(text) ?? .zero }

    @Test func parsingNormalises() {
        #expect(d("12.50") == d("12.5"))
        #expect(d("12.50").scale == 1)
        #expect(d("007").significand == 7)
        #expect(d("1.000000000000000000000000") == 1)
        #expect(ExprDecimal("1.") == nil)
        #expect(ExprDecimal(".5") == nil)
        #expect(ExprDecimal("1e5") == nil)
        #expect(ExprDecimal("") == nil)
        #expect(ExprDecimal("99999999999999999999") == nil)
        #expect(ExprDecimal("0.0000000000000000001") == nil)
        #expect(ExprDecimal("-9223372036854775808") == ExprDecimal(Int64.min))
    }

    @Test func arithmeticIsExact() {
        #expect(d("0.1").adding(d("0.2")) == d("0.3"))
        #expect(d("1.5").multiplied(by: d("0.1")) == d("0.15"))
        #expect(d("10").divided(by: d("4")) == d("2.5"))
        #expect(d("1").divided(by: d("3")) == d("0.333333333333333333"))
        #expect(d("2").divided(by: d("3")) == d("0.666666666666666667"))
        #expect(d("1").divided(by: d("0.5")) == 2)
        #expect(d("1").divided(by: .zero) == nil)
        #expect(d("-7").divided(by: d("2")) == d("-3.5"))
        #expect(d("5").subtracting(d("7.25")) == d("-2.25"))
    }

    @Test func precisionIsShedBeforeOverflowing() {
        // 18 significant digits times 3 digits: the exact product needs 21, the fraction gives way.
        let product = d("123456789.123456789").multiplied(by: d("123.456"))
        #expect(product != nil)
        #expect(product.map { $0.truncatedInteger } == 15_241_481_358)
        #expect(ExprDecimal(Int64.max).adding(1) == nil)
        #expect(ExprDecimal(Int64.min).negated() == nil)
    }

    @Test func roundingIsHalfAwayFromZero() {
        #expect(d("2.5").rounded(places: 0) == 3)
        #expect(d("-2.5").rounded(places: 0) == -3)
        #expect(d("2.45").rounded(places: 1) == d("2.5"))
        #expect(d("2.44").rounded(places: 1) == d("2.4"))
        #expect(d("2").rounded(places: 5) == 2)
    }

    @Test func orderingAndText() {
        #expect(d("0.1") < d("0.11"))
        #expect(d("-1") < d("0.5"))
        #expect(d("12.5").description == "12.5")
        #expect(d("-0.05").description == "-0.05")
        #expect(d("100").description == "100")
        #expect(ExprDecimal(significand: 5, scale: 19) == nil)
    }
}

@Suite struct DidYouMeanTests {
    @Test func findsCloseNames() {
        let names = ["quote", "cost", "customer_name", "close_date", "strategic"]
        #expect(Suggestions.closest(to: "qoute", in: names) == "quote")
        #expect(Suggestions.closest(to: "cots", in: names) == "cost")
        #expect(Suggestions.closest(to: "customer_nam", in: names) == "customer_name")
        #expect(Suggestions.closest(to: "Quote", in: names) == "quote")
        #expect(Suggestions.closest(to: "zzz", in: names) == nil)
        #expect(Suggestions.closest(to: "x", in: []) == nil)
    }

    /// `customer` for `customer_name`: too far for the edit distance, but its first word. A last
    /// word names what kind of thing the field is, not which (QA round 11: `type` suggested
    /// `loss_type`, `date` `delivery_date`): no suggestion from it.
    @Test func aWordOfExactlyOneNameSuggestsIt() {
        #expect(Suggestions.onlyContainingWord("customer", in: ["customer_name", "quote"]) == "customer_name")
        #expect(Suggestions.onlyContainingWord("discount", in: ["discount_rate", "quote"]) == "discount_rate")
        #expect(Suggestions.onlyContainingWord("rate", in: ["discount_rate", "quote"]) == nil)
        // Two names hold the word: neither is suggested.
        #expect(Suggestions.onlyContainingWord("customer", in: ["customer_name", "customer_tier"]) == nil)
        // A part of a word is not a word.
        #expect(Suggestions.onlyContainingWord("cust", in: ["customer_name"]) == nil)
        #expect(Suggestions.onlyContainingWord("customer", in: ["customer"]) == nil)
    }

    @Test func tiesAreBrokenByName() {
        #expect(Suggestions.closest(to: "cat", in: ["cbt", "cas"]) == "cas")
        #expect(Suggestions.closest(to: "cat", in: ["cas", "cbt"]) == "cas")
    }

    @Test func exactMatchWins() {
        #expect(Suggestions.closest(to: "cost", in: ["Cost", "cost", "cosy"]) == "cost")
    }
}
