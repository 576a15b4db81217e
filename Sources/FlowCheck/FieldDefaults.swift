import FlowSyntax
public import FlowYAML
import FlowExpr

/// A field's default as the IR keeps it. The compiler stores `storedText(_:source:)`; the runner
/// reads that text with `FieldText.readDefault`, and `FieldDefinitionsRule` reads it the same way
/// before anything is compiled, so that a default the checker accepts is the value a new deal gets.
public enum FieldDefaults {
    /// The text the IR keeps for a default written as `value`, whose scalar text is `source`: the
    /// string, `true`/`false`, the integer, or a number's plain form digit for digit (`1e3` →
    /// `1000`, `0.1234567890123456789` as written), never a rounded double.
    public static func storedText(_ value: ScalarValue, source: String?) -> String? {
        switch value {
        case .null: nil
        case .string(let s): s
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        // A number no decimal can hold is refused by the checker; its text is kept as written.
        case .float(let d): source.flatMap { FieldText.plainNumber(yaml: $0) ?? $0 } ?? String(d)
        }
    }
}
