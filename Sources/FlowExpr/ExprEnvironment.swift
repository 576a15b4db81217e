/// What the type checker knows about the names an expression may use.
///
/// The template checker implements this from the template's `fields:`; tests use
/// ``ExprFieldTable``. Lookups happen once per field reference at check time, never while a deal
/// runs.
public protocol ExprEnvironment {
    /// The type of the field at `path` (a field id, or a dotted path such as `customer.industry`),
    /// or nil when there is no such field.
    func lookup(_ path: String) -> ExprType?

    /// Every path `lookup` accepts, used for "did you mean" suggestions.
    var knownNames: [String] { get }
}

/// A fixed set of fields: the simplest ``ExprEnvironment``.
public struct ExprFieldTable: ExprEnvironment, Sendable, Hashable {
    /// Field path → type.
    public let fields: [String: ExprType]
    /// The field paths, sorted.
    public let knownNames: [String]

    /// - Parameter fields: field path → type.
    public init(_ fields: [String: ExprType]) {
        self.fields = fields
        self.knownNames = fields.keys.sorted()
    }

    /// The type of `path`, or nil.
    public func lookup(_ path: String) -> ExprType? { fields[path] }
}
