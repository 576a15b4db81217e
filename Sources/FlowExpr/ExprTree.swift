/// The parsed form of one expression: a flat arena of nodes with their byte ranges in a side
/// table. Ranges are UTF-8 byte offsets within the expression text; a node's range covers the
/// whole sub-expression, including any parentheses written around its operands.
public struct ExprTree: Sendable, Hashable {
    /// The nodes, children before parents.
    public private(set) var nodes: [ExprNode] = []
    /// The byte range of each node, indexed like `nodes`.
    public private(set) var ranges: [Range<Int>] = []

    init() {}

    /// The number of nodes.
    public var count: Int { nodes.count }

    /// All ids, in creation order (children before parents).
    public var ids: [ExprID] { (0..<nodes.count).map { ExprID($0) } }

    /// The node with this id (which must come from this tree).
    public subscript(id: ExprID) -> ExprNode { nodes[id.index] }

    /// The byte range of the node's whole sub-expression within the expression text.
    public func range(of id: ExprID) -> Range<Int> { ranges[id.index] }

    mutating func add(_ node: ExprNode, _ range: Range<Int>) -> ExprID {
        nodes.append(node)
        ranges.append(range)
        return ExprID(nodes.count - 1)
    }

    /// The string-literal text of a node, if it is one.
    func textLiteral(_ id: ExprID) -> String? {
        if case .literal(.text(let text)) = self[id] { return text }
        return nil
    }

    /// The field path of a node, if it is a field reference.
    func fieldPath(_ id: ExprID) -> String? {
        if case .field(let path) = self[id] { return path }
        return nil
    }
}
