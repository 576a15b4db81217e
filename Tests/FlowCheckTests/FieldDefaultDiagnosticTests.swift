import FlowCheck
import FlowDiagnostics
import Testing

/// What an author sees for a default the runner could not use: the default as written, the type,
/// and the rule it breaks.
@Suite struct FieldDefaultDiagnosticTests {
    /// A template whose field `amount` (on line 4) is `field`.
    static func check(_ field: String) -> [Diagnostic] {
        let yaml = """
            flowc: 1
            template: {id: defaults, version: 1.0.0, name: Defaults}
            fields:
              amount: \(field)
            roles:
              sales_owner: {name: Owner, owner: true}
            nodes:
              - {id: start, name: Start, owner: sales_owner, next: won}
              - {id: won, name: Won, kind: won}
              - {id: lost, name: Lost, kind: lost}
            lose: {via: lost}

            """
        return TemplateChecker.check(path: "d.flow.yaml", bytes: Array(yaml.utf8), fs: MemoryFileSystem([:])).diagnostics
    }

    struct Case: Sendable, CustomStringConvertible {
        var field: String
        var column: Int
        var message: String
        var note: String?
        var label: String? = nil
        var description: String { field }
    }

    static let cases: [Case] = [
        Case(field: #"{type: datetime, default: "2024-05-01T25:30:00+08:00"}"#, column: 37,
             message: "default `2024-05-01T25:30:00+08:00` is not a valid `datetime`", note: "hours run from 00 to 23"),
        Case(field: #"{type: datetime, default: "2024-05-01T09:30:00"}"#, column: 37,
             message: "default `2024-05-01T09:30:00` is not a valid `datetime`",
             note: "a datetime needs a zone, `Z` or an offset like `+08:00`, so that it means the same instant on every server"),
        Case(field: #"{type: date, default: "0000-01-01"}"#, column: 33,
             message: "default `0000-01-01` is not a valid `date`", note: "years run from 0001 to 9999"),
        Case(field: #"{type: date, default: "2023-02-29"}"#, column: 33,
             message: "default `2023-02-29` is not a valid `date`", note: "that month has 28 days"),
        Case(field: "{type: decimal, default: 12345678901234567890.5}", column: 36,
             message: "default `12345678901234567890.5` is not a valid `decimal`",
             note: "decimals and money amounts are read exactly, never rounded: at most 18 digits after the point (zeros at the end aside) and, the point left out, a number from -9223372036854775808 to 9223372036854775807 (any 18 significant digits fit)"),
        Case(field: "{type: decimal, default: 0.1234567890123456789}", column: 36,
             message: "default `0.1234567890123456789` is not a valid `decimal`",
             note: "decimals and money amounts are read exactly, never rounded: at most 18 digits after the point (zeros at the end aside) and, the point left out, a number from -9223372036854775808 to 9223372036854775807 (any 18 significant digits fit)"),
        Case(field: "{type: money, currency: CNY, default: 1e400}", column: 49,
             message: "default `1e400` is not a valid `money`",
             note: "decimals and money amounts are read exactly, never rounded: at most 18 digits after the point (zeros at the end aside) and, the point left out, a number from -9223372036854775808 to 9223372036854775807 (any 18 significant digits fit)"),
        // One significant digit, past the range: the note names the range, not the digits (QA round 36, D5).
        Case(field: "{type: money, currency: CNY, default: 1E+19}", column: 49,
             message: "default `1E+19` is not a valid `money`",
             note: "decimals and money amounts are read exactly, never rounded: at most 18 digits after the point (zeros at the end aside) and, the point left out, a number from -9223372036854775808 to 9223372036854775807 (any 18 significant digits fit)"),
        Case(field: "{type: money, currency: CNY, default: .inf}", column: 49,
             message: "default `.inf` is not a valid `money`", note: "`.inf` and `.nan` are not numbers a field can hold"),
        Case(field: "{type: integer, default: 9223372036854775808}", column: 36,
             message: "default `9223372036854775808` is not a valid `integer`",
             note: "integers range from -9223372036854775808 to 9223372036854775807"),
        Case(field: "{type: money, currency: CNY, min: 10, default: 5}", column: 58,
             message: "default `5` is below the field's `min` (10)", note: nil, label: "`min` is here"),
        Case(field: "{type: decimal, min: 0, max: 1, default: 1.5}", column: 52,
             message: "default `1.5` is above the field's `max` (1)", note: nil, label: "`max` is here"),
    ]

    @Test(arguments: cases)
    func anUnusableDefaultIsReportedAsWrittenWithTheRuleItBreaks(_ c: Case) throws {
        let ds = Self.check(c.field)
        #expect(ds.count == 1, "\(ds.map(\.message.text))")
        let d = try #require(ds.first)
        #expect(d.code == DiagnosticCode(314))
        #expect(d.severity == .error)
        #expect(d.location?.line == 4)
        #expect(d.location?.column == c.column)
        #expect(d.message.text == c.message)
        #expect(d.notes.map(\.text) == (c.note.map { [$0] } ?? []))
        #expect(d.labels.map(\.message.text) == (c.label.map { [$0] } ?? []))
    }
}
