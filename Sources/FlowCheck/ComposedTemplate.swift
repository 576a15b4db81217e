public import FlowDiagnostics
public import FlowSyntax

/// A template with its `extends` chain and `include`d fragments merged in, each entry keeping
/// the span of the file that defined it. Duplicates are kept so that the checker can report them.
public struct ComposedTemplate: Sendable {
    /// The leaf template (the file that was checked).
    public var main: TemplateSyntax
    public var fields: [FieldSyntax] = []
    public var customer: CustomerSyntax?
    public var roles: [RoleSyntax] = []
    public var nodes: [NodeSyntax] = []
    public var start: Located<String>?
    public var lose: LoseSyntax?
    public var pool: PoolSyntax?
    public var effects: [(trigger: Located<EffectTrigger>, effects: [EffectSyntax])] = []
    /// Every file that took part, main file first.
    public var files: [SourceFile] = []
    /// True when a file named by `extends` or `include` could not be used (missing, unreadable,
    /// in a cycle, too deep, of the wrong kind, or not valid YAML). Names may be defined there,
    /// so only the checks that do not need the whole template run.
    public var isIncomplete = false
    /// Nodes, roles and fields of any file left out for lack of a usable id (see
    /// `TemplateSyntax.unnamedNodes`).
    public var unnamedNodes: [SourceSpan] = []
    public var unnamedRoles: [SourceSpan] = []
    public var unnamedFields: [SourceSpan] = []
    /// See `TemplateSyntax.repeatedNodeIDs`.
    public var repeatedNodeIDs: Set<String> = []
    /// References of any file whose id is not one, with the id form of each (see
    /// `TemplateSyntax.lookAlikeReferences`).
    public var lookAlikeReferences: [Located<String>] = []
    /// The `remove_nodes` entries that removed an inherited node.
    public var removedNodes: [Located<String>] = []

    init(main: TemplateSyntax) { self.main = main }

    /// The join nodes that no node's `join` names: the one a fork without its `join` (or with a
    /// `join` that is no join node) most likely means, when there is one.
    var joinsNamedByNoFork: [NodeSyntax] {
        let named = Set(nodes.compactMap { $0.join?.value })
        return nodes.filter { $0.effectiveKind == .join && !named.contains($0.id.value) }
    }
}
