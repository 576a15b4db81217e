import FlowDiagnostics
import FlowSyntax

/// Every node can be reached from the start.
///
/// Warns about nodes that no forward transition (nor the global lose) leads to from the start
/// node. Rework edges do not count: they only go back. Nothing is reported while the start node
/// cannot start a deal (or starts it inside a fork), while a node on the way leads somewhere
/// unknown (an undefined or unreadable target), or while a node has no usable id: those are
/// errors already, and any node might be the one meant.
/// Language reference: "transitions".
enum ReachabilityRule: TemplateRule {
    static let name = "ReachabilityRule"
    static let summary = "every node is reachable from the start node"
    static let codes = [CheckMessages.unreachable]

    static func check(_ ctx: inout RuleContext) {
        guard let s = ctx.startIndex, ctx.template.unnamedNodes.isEmpty else { return }
        // Nodes after `lose.via` count as reached through it; an unresolved `via` is an error already.
        if let lose = ctx.template.lose, lose.via.flatMap({ ctx.nodeIndex[$0.value] }) == nil { return }
        let start = ctx.template.nodes[s]
        guard start.effectiveKind == .task || start.effectiveKind == .approval else { return }
        // Nor while it starts deals inside a fork (`ForkEntryRule`): the nodes before are not the mistake.
        if ctx.forkLayout().forks.contains(where: { $0.region.contains(s) }) { return }
        let seen = ctx.graph.reachable(from: [s]) { $0.kind != .rework }
        if seen.indices.contains(where: { seen[$0] && ctx.hasUnknownTransitions[$0] }) { return }
        let startName = start.id.value
        for (i, n) in ctx.template.nodes.enumerated() where !seen[i] && ctx.isFirstDefinition[i] {
            // What to do about it (QA round 44, A12: no help).
            ctx.report(CheckMessages.unreachable.at(n.id.span, n.id.value, startName)
                .help(CheckMessages.Formats.connectOrRemove, n.id.value))
        }
    }
}
