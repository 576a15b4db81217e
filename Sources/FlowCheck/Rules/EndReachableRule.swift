import FlowDiagnostics
import FlowSyntax

/// Every node can finish.
///
/// Rejects a group of nodes that only lead to each other (a loop with no exit), once for the
/// loop, and each node where the flow enters such a loop with no other way on. Nodes further
/// back are not reported again: the loop is the one mistake. The global lose does not count as a
/// way out: it is the author's escape hatch, not the flow. A node without a way on, or with one
/// that names an unknown node, is reported by other rules and counts as an end here. Language
/// reference: "transitions".
enum EndReachableRule: TemplateRule {
    static let name = "EndReachableRule"
    static let summary = "every node has a path to a `won` or `lost` end; loops have exits"
    static let codes = [CheckMessages.cannotEnd, CheckMessages.loopWithoutExit]

    static func check(_ ctx: inout RuleContext) {
        let t = ctx.template
        let g = ctx.graph
        let ends = (0..<g.nodeCount).map { i in
            t.nodes[i].effectiveKind.isTerminal || ctx.hasUnknownTransitions[i] || !g.edges[i].contains { $0.isForward }
        }
        let forward: (Edge) -> Bool = { $0.isForward }
        let ok = g.canReach(ends, follow: forward)
        var loopHead = [Int?](repeating: nil, count: g.nodeCount)
        for comp in g.stronglyConnectedComponents(follow: forward) {
            let cyclic = comp.count > 1 || comp.first.map { v in g.edges[v].contains { $0.to == v && $0.isForward } } ?? false
            guard cyclic, let first = comp.first, !ok[first] else { continue }
            // A loop with a way out has an exit: if no end lies beyond it, the mistake is further
            // on (a dead loop there), reported where the flow enters it, not here.
            let members = Set(comp)
            if comp.contains(where: { v in g.edges[v].contains { $0.isForward && !members.contains($0.to) } }) { continue }
            let ordered = comp.sorted()
            let head = ordered[0]
            for v in comp { loopHead[v] = head }
            var d: Diagnostic
            if ordered.count == 1 {
                d = CheckMessages.loopWithoutExit.at(t.nodes[head].id.span, format: CheckMessages.Formats.loopOfOne, t.nodes[head].id.value)
            } else {
                let names = ordered.prefix(6).map { "`\(t.nodes[$0].id.value)`" }.joined(separator: ", ") + (ordered.count > 6 ? ", …" : "")
                d = CheckMessages.loopWithoutExit.at(t.nodes[head].id.span, names)
                for v in ordered.dropFirst().prefix(5) { d = d.label(t.nodes[v].id.span, CheckMessages.Formats.partOfLoop) }
            }
            ctx.report(d.help(CheckMessages.Formats.leaveLoop))
        }
        // Report where the flow enters a dead loop; the nodes before the entry follow from it.
        for (i, n) in t.nodes.enumerated() where !ok[i] && loopHead[i] == nil && ctx.isFirstDefinition[i] {
            guard let into = g.edges[i].first(where: { $0.isForward && loopHead[$0.to] != nil }),
                  let head = loopHead[into.to] else { continue }
            ctx.report(CheckMessages.cannotEnd.at(n.id.span, n.id.value)
                .label(t.nodes[head].id.span, CheckMessages.Formats.entersLoop, n.id.value))
        }
    }
}
