import FlowDiagnostics
import FlowExpr
import Testing

/// Field values written as text, read the one way the checker and the runner share.
@Suite struct FieldTextTests {
    @Test(arguments: [
        ("1e3", "1000"), ("1.5e-2", "0.015"), (".5", "0.5"), ("5.", "5"), ("+3", "3"), ("-1.50e1", "-15"),
        ("0.00", "0.00"), ("12.50", "12.50"), ("1e-20", "0.00000000000000000001"), ("0e5", "0"), ("120e-1", "12"),
        ("1.2345e2", "123.45"), ("00012e-1", "1.2"), ("-0.5E+1", "-5"), ("0.1234567890123456789", "0.1234567890123456789"),
        ("12345678901234567890.5", "12345678901234567890.5"),
    ])
    func aYAMLNumberIsWrittenOutDigitForDigit(_ yaml: String, _ plain: String) {
        #expect(FieldText.plainNumber(yaml: yaml) == plain)
    }

    @Test(arguments: [".inf", "-.inf", ".nan", "1e400", "1e-400", "1e99999999999999999999", "e5", "1e", "0x1F", "1_000"])
    func aNumberNoDecimalCouldHoldIsNotWrittenOut(_ yaml: String) {
        #expect(FieldText.plainNumber(yaml: yaml) == nil)
    }

    @Test func numbersAreReadExactlyOrRefusedWithTheRule() throws {
        #expect(try FieldText.read("0.123456789012345678", as: .decimal).get() == .decimal(ExprDecimal("0.123456789012345678")!))
        #expect(FieldText.read("0.1234567890123456789", as: .decimal) == .failure(.decimalPrecision))
        #expect(FieldText.read("12345678901234567890", as: .money(currency: "CNY")) == .failure(.decimalPrecision))
        #expect(FieldText.read("1e3", as: .decimal) == .failure(.notANumber))
        #expect(FieldText.read("9223372036854775808", as: .integer) == .failure(.integerRange))
        #expect(FieldText.read("-9223372036854775808", as: .integer) == .success(.integer(.min)))
        #expect(FieldText.read("1.5", as: .integer) == .failure(.notAnInteger))
        #expect(FieldText.read("3.0", as: .integer) == .success(.integer(3)))
        #expect(FieldText.read("100 USD", as: .money(currency: "CNY")) == .failure(.currency(expected: "CNY")))
        #expect(FieldText.read("100 CNY", as: .money(currency: "CNY")) == .success(.money(amount: 100, currency: "CNY")))
        #expect(FieldText.read("yes", as: .boolean) == .failure(.notABoolean))
        #expect(FieldText.read("c", as: .enumeration(values: ["a", "b"])) == .failure(.notAValue(declared: ["a", "b"])))
    }

    @Test(arguments: [
        ("2024-05-01T25:30:00+08:00", CalendarProblem.hour), ("2024-05-01T09:60:00Z", .minute), ("2024-05-01T09:30:60Z", .second),
        ("2024-05-01T09:30:00", .zoneMissing), ("2024-05-01T09:30", .zoneMissing), ("2024-05-01T09:30:00+24:00", .zone),
        ("0000-05-01T09:30:00Z", .year), ("2024-13-01T09:30:00Z", .month), ("2024-02-30T09:30:00Z", .day(days: 29)),
        ("2024-05-01 09:30:00+08:00", .datetimeForm), ("2024-05-01T09:30:00+0800", .datetimeForm), ("2024-5-1T09:30Z", .datetimeForm),
    ])
    func aDatetimeThatDoesNotReadSaysWhichRuleItBreaks(_ text: String, _ problem: CalendarProblem) {
        #expect(FieldText.read(text, as: .datetime) == .failure(.calendar(problem)))
        #expect(ExprValue.datetime(parsing: text) == nil)
    }

    @Test(arguments: [("0000-01-01", CalendarProblem.year), ("2023-02-29", .day(days: 28)), ("2024-00-10", .month), ("2024-1-10", .dateForm), ("2024-01-10x", .dateForm)])
    func aDateThatDoesNotReadSaysWhichRuleItBreaks(_ text: String, _ problem: CalendarProblem) {
        #expect(FieldText.read(text, as: .date) == .failure(.calendar(problem)))
        #expect(ExprValue.date(parsing: text) == nil)
    }

    @Test func datetimesThatReadStillRead() {
        for text in ["2024-05-01T09:30:00+08:00", "2024-05-01T09:30Z", "2024-05-01T09:30:00.123-05:30", "9999-12-31T23:59:59Z"] {
            #expect(ExprValue.datetime(parsing: text) != nil, "\(text)")
        }
        #expect(ExprValue.datetime(parsing: "2024-05-01T09:30:00+08:00") == .datetime(seconds: 1_714_527_000))
    }

    @Test func aDefaultIsReadAndHeldToTheFieldsBounds() {
        #expect(FieldText.readDefault("5", as: .money(currency: "CNY"), min: 10, max: nil) == .failure(.outOfBounds(.belowMin(10))))
        #expect(FieldText.readDefault("10", as: .money(currency: "CNY"), min: 10, max: nil) == .success(.money(amount: 10, currency: "CNY")))
        #expect(FieldText.readDefault("2", as: .integer, min: nil, max: 1) == .failure(.outOfBounds(.aboveMax(1))))
        #expect(FieldText.readDefault("2024-05-01T25:30:00+08:00", as: .datetime, min: nil, max: nil) == .failure(.unreadable(.calendar(.hour))))
        #expect(FieldText.readDefault("x", as: .text, min: 0, max: 0) == .success(.text("x")))
    }

    @Test func boundsAreComparedExactly() {
        #expect(FieldBounds.violation(ExprDecimal(5), min: 10, max: nil) == .belowMin(10))
        #expect(FieldBounds.violation(ExprDecimal("1.5")!, min: 0, max: 1) == .aboveMax(1))
        #expect(FieldBounds.violation(ExprDecimal("0.1")!, min: 0.1, max: nil) == nil)
        #expect(FieldBounds.format(10) == "10")
        #expect(FieldBounds.format(0.5) == "0.5")
    }
}

/// Which written bounds the IR keeps as written (IR review F7): the checker refuses the others.
@Suite struct FieldBoundsExactTests {
    @Test func aBoundIsKeptAsWrittenOrRefused() throws {
        #expect(FieldBounds.isKeptExactly("0.10000000000000001", as: 0.1) == false)
        #expect(FieldBounds.isKeptExactly("99999999999999999", as: 1e17) == false)
        #expect(FieldBounds.isKeptExactly("100000000000000000", as: 1e17))
        #expect(FieldBounds.isKeptExactly("0.1", as: 0.1))
        #expect(FieldBounds.isKeptExactly("-2.5", as: -2.5))
        #expect(FieldBounds.isKeptExactly("1e3", as: 1000))
        #expect(FieldBounds.compare(try #require(ExprDecimal("0.1")), 0.1) == 0)
    }
}
