/// A use of a field inside an expression.
public struct ExprFieldReference: Sendable, Hashable {
    /// The field path as written.
    public let path: String
    /// Where it is written, in bytes within the expression text.
    public let range: Range<Int>
    /// The field node.
    public let node: ExprID
}

/// The result of ``ExprChecker/check(_:in:expecting:)``: the parsed expression with a type for
/// every node, the fields it reads, and every diagnostic of parsing and checking.
public struct CheckedExpr: Sendable, Hashable {
    /// The parse result the check was made on.
    public let parsed: ParsedExpr
    /// The type of each node, indexed by ``ExprID/index``; nil where the node could not be typed
    /// (an error was reported there or below it).
    public let types: [ExprType?]
    /// The type of the whole expression; nil when it has errors.
    public let resultType: ExprType?
    /// The type the context asked for (`boolean` for conditions, the field type for `compute:`).
    public let expected: ExprType?
    /// Parse and check diagnostics, sorted by position.
    public let diagnostics: [ExprDiagnostic]
    /// The distinct fields the expression reads (including through `has`), in order of first
    /// appearance. Only fields the environment knows are listed; unknown ones are diagnosed.
    /// The template checker uses this to find computed-field cycles and condition dependencies.
    public let referencedFields: [String]
    /// Every use of a known field, with its position.
    public let references: [ExprFieldReference]
    /// Whether the expression calls `today()` or `now()`.
    public let usesClock: Bool

    /// Per node: the index into `referencedFields` of a field node, else -1.
    let fieldSlots: [Int32]
    /// The declared type of each referenced field, indexed like `referencedFields`.
    let fieldTypes: [ExprType]
    /// Per node: the function a call node calls, resolved once here so evaluation never looks
    /// a function up by name.
    let callTargets: [ExprBuiltin?]

    /// The parsed tree (``ParsedExpr/tree``).
    public var tree: ExprTree { parsed.tree }
    /// The root node; nil when parsing failed.
    public var root: ExprID? { parsed.root }
    /// Whether any diagnostic is an error; such an expression cannot be evaluated.
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// Whether the value cannot change from one deal to another: no errors, no fields, no clock.
    public var isConstant: Bool { !hasErrors && referencedFields.isEmpty && !usesClock }

    /// The type of one node (nil where it could not be typed).
    public func type(of id: ExprID) -> ExprType? {
        id.index >= 0 && id.index < types.count ? types[id.index] : nil
    }
}
