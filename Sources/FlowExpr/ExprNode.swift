/// A dense index of a node in an ``ExprTree``.
public struct ExprID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The index, stored compactly.
    public let rawValue: Int32

    init(_ index: Int) { self.rawValue = Int32(truncatingIfNeeded: index) }

    /// The position of the node in ``ExprTree/nodes`` (and in every side table indexed like it).
    public var index: Int { Int(rawValue) }

    /// Creation order: a child is always less than its parent.
    public static func < (a: ExprID, b: ExprID) -> Bool { a.rawValue < b.rawValue }

    /// `#3`.
    public var description: String { "#\(rawValue)" }
}

/// A literal value as written in the source.
public enum ExprLiteral: Sendable, Hashable {
    case null
    case boolean(Bool)
    case integer(Int64)
    case decimal(ExprDecimal)
    case text(String)
    case money(amount: ExprDecimal, currency: String)
    /// A duration literal, in seconds (`30d`, `1d12h`).
    case duration(seconds: Int64)
}

/// Binary operators, from `or` (loosest) to `*` (tightest).
public enum ExprBinaryOperator: String, Sendable, Hashable, CaseIterable {
    case or, and
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case `in`
    case add = "+", subtract = "-"
    case multiply = "*", divide = "/", remainder = "%"

    /// The operator as written.
    public var symbol: String { rawValue }

    /// `==` `!=` `<` `<=` `>` `>=` and `in`: the non-associative level.
    public var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .in: true
        default: false
        }
    }

    var isOrdering: Bool {
        switch self {
        case .less, .lessOrEqual, .greater, .greaterOrEqual: true
        default: false
        }
    }
}

/// Prefix operators.
public enum ExprUnaryOperator: String, Sendable, Hashable {
    case negate = "-"
    case not

    /// The operator as written.
    public var symbol: String { rawValue }
}

/// One node of the flat expression tree. Children are ``ExprID``s of nodes created earlier, so
/// every child has a smaller index than its parent.
public enum ExprNode: Sendable, Hashable {
    case literal(ExprLiteral)
    /// A field path: `quote`, `customer.industry`.
    case field(path: String)
    case unary(ExprUnaryOperator, ExprID)
    /// `operatorRange` is where the operator token is, for diagnostics about the operation.
    case binary(ExprBinaryOperator, ExprID, ExprID, operatorRange: Range<Int>)
    case list([ExprID])
    /// `nameRange` is where the function name is.
    case call(name: String, arguments: [ExprID], nameRange: Range<Int>)
}
