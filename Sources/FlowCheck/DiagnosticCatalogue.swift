public import FlowDiagnostics
import FlowExpr
import FlowSyntax
import FlowYAML

/// Every diagnostic flowc can report, from every phase, ordered by code.
public enum DiagnosticCatalogue {
    public static let all: [MessageSpec] =
        (DriverMessages.all + YAMLMessages.all + SyntaxMessages.all + ExprMessages.all + CheckMessages.all)
            .sorted { $0.code < $1.code }

    /// The entry for a code, if it exists.
    public static func spec(for code: DiagnosticCode) -> MessageSpec? {
        all.first { $0.code == code }
    }
}
