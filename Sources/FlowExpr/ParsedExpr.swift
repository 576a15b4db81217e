/// The result of ``ExprParser/parse(_:limits:)``: the text, its tree, and any diagnostics.
public struct ParsedExpr: Sendable, Hashable, CustomStringConvertible {
    /// The expression text as given.
    public let text: String
    /// The nodes; complete only when `root` is set.
    public let tree: ExprTree
    /// The root node; nil when the expression could not be parsed (see `diagnostics`).
    public let root: ExprID?
    /// Lexical, syntax and limit errors (at most one: parsing stops at the first).
    public let diagnostics: [ExprDiagnostic]

    /// Whether parsing failed.
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// The fully parenthesised form of the tree, e.g. `((quote < cost) and strategic)`;
    /// `<error>` when there is no root.
    public var description: String {
        guard let root else { return "<error>" }
        return tree.render(root)
    }
}
