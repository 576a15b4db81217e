import Testing
@testable import FlowViews

/// The numbers and durations views and the report show people.
@Suite struct ValueFormatTests {
    @Test(arguments: [
        ("0", "0.00"), ("0.125", "0.13"), ("2.675", "2.68"), ("0.005", "0.01"), ("0.004", "0.00"), ("-0.005", "-0.01"), ("-0.004", "0.00"),
        ("999.995", "1,000.00"), ("1234567.891", "1,234,567.89"), ("12345678901234567", "12,345,678,901,234,567.00"),
        ("100000000000000.01", "100,000,000,000,000.01"), ("-1234.5", "-1,234.50"), ("9.999", "10.00"),
    ])
    func centsRoundHalfAwayFromZeroOnTheExactDecimal(_ plain: String, _ shown: String) {
        #expect(ValueFormat.cents(plain, grouping: true) == shown)
        #expect(ValueFormat.cents(plain, grouping: false) == shown.replacingOccurrences(of: ",", with: ""))
    }

    @Test func aFloatIsRoundedAsItsShortestDecimal() {
        #expect(ValueFormat.cents(0.125, grouping: true) == "0.13")
        #expect(ValueFormat.cents(2.675, grouping: true) == "2.68")
        #expect(ValueFormat.cents(1e16, grouping: true) == "10,000,000,000,000,000.00")
        #expect(ValueFormat.cents(-0.0, grouping: true) == "0.00")
        #expect(ValueFormat.cents(.nan, grouping: true) == "—")
        #expect(ValueFormat.plain(1e-05) == "0.00001")
        #expect(ValueFormat.plain(1.2345678901234568e16) == "12345678901234568")
        #expect(ValueFormat.plain(5.0) == "5")
        #expect(ValueFormat.plain(-0.5) == "-0.5")
        #expect(ValueFormat.plain(0.1 + 0.2) == "0.30000000000000004")
    }

    @Test(arguments: [
        (0, "0s"), (59, "59s"), (60, "1m"), (3_599, "59m"), (3_600, "1h"), (86_399, "23h"), (86_400, "1d"),
        (42 * 86_400, "42d"), (40 * 86_400 + 18 * 3_600, "40d"), (-3 * 86_400 - 5, "-3d"),
    ] as [(Int64, String)])
    func aDurationIsShownInOneUnit(_ seconds: Int64, _ shown: String) {
        #expect(ValueFormat.duration(seconds) == shown)
    }
}
