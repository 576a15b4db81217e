/// The bounds on everything an expression's author controls. Each has a test.
public struct ExprLimits: Sendable, Hashable {
    /// Maximum length of an expression, in UTF-8 bytes (FC0410).
    public var maxLength: Int
    /// Maximum nesting of parentheses, brackets, calls and prefix operators (FC0411).
    public var maxDepth: Int
    /// Maximum number of elements in one list literal or arguments in one call (FC0412).
    public var maxListElements: Int
    /// Maximum length of one string literal's content, in UTF-8 bytes after escapes (FC0413).
    public var maxStringBytes: Int

    /// Limits with the given bounds; each defaults to the standard value.
    public init(maxLength: Int = 4096, maxDepth: Int = 64, maxListElements: Int = 1000, maxStringBytes: Int = 1024) {
        self.maxLength = maxLength
        self.maxDepth = maxDepth
        self.maxListElements = maxListElements
        self.maxStringBytes = maxStringBytes
    }

    /// 4096 bytes, depth 64, 1000 list elements, 1024-byte strings.
    public static let `default` = ExprLimits()
}
