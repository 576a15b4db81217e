import FlowDiagnostics
import FlowSyntax

/// Rework only goes back.
///
/// Rejects a `rework` target from which the node itself cannot be reached: rework returns a
/// deal to a node it has passed. Rejects a join as a target too: rework makes its target active,
/// and a join cannot be (the deal rested on no node). Rejects a target in another branch of a
/// fork the node is in: the branches run side by side, so the target is not behind the node even
/// when a loop after the join leads back to it, and the runner, going back the long way round
/// the loop, would set the fork and the node's own branch back to pending and leave the join
/// waiting for ever. Language reference: "rework".
///
/// Each node's ancestors are searched backwards from the node, stopping as soon as all of its
/// rework targets are found, so templates with thousands of rework edges stay linear in
/// practice (targets are usually a few steps back).
enum ReworkRule: TemplateRule {
    static let name = "ReworkRule"
    static let summary = "rework targets are earlier nodes; nothing goes back to a join"
    static let codes = [CheckMessages.reworkTarget, CheckMessages.reworkToJoin]

    static func check(_ ctx: inout RuleContext) {
        let g = ctx.graph
        // Going back to a join by a transition (an approval's outcome after the join) is the same
        // mistake: the join is passed at once and left behind, and the branches are not done again.
        let layout = ctx.forkLayout()
        for fork in layout.forks where fork.isReachable {
            // After the join: reached from it (an outer fork's later node is after an inner join
            // too, though a path through the outer fork's other branch does not pass it).
            let comesIn = (0..<g.nodeCount).contains { u in
                u != fork.node && !fork.region.contains(u) && g.edges[u].contains { $0.to == fork.join && $0.kind != .rework && $0.kind != .lose }
            }
            guard comesIn else { continue }
            let afterJoin = g.reachable(from: [fork.join]) { $0.isForward }
            for u in 0..<g.nodeCount where u != fork.node && !fork.region.contains(u) && layout.dominators.isReachable(u) && afterJoin[u] {
                for e in g.edges[u] where e.kind != .rework && e.kind != .lose && e.to == fork.join {
                    let from = ctx.template.nodes[u].id.value, join = ctx.template.nodes[fork.join].id.value
                    ctx.report(CheckMessages.reworkToJoin.at(ctx.span(of: e), format: CheckMessages.Formats.backToJoin, from, join, fork.syntax.id.value))
                }
            }
        }
        var predecessors = [[Int]](repeating: [], count: g.nodeCount)
        for list in g.edges { for e in list where e.isForward { predecessors[e.to].append(e.from) } }
        // One visit-stamp array for every search, so no search allocates.
        var stamp = [Int](repeating: -1, count: g.nodeCount)
        var stack: [Int] = []
        for (i, n) in ctx.template.nodes.enumerated() where ctx.isFirstDefinition[i] && !n.rework.isEmpty {
            // A node deals cannot reach has no way back to judge (ReachabilityRule says so; a
            // mistake elsewhere, such as outcomes indented wrongly, often cuts it off).
            if g.start != nil, !layout.dominators.isReachable(i) { continue }
            var wanted = Set(n.rework.compactMap { ctx.nodeIndex[$0.value] }.filter { $0 != i })
            var found = Set<Int>()
            var sawUnknown = false
            stack.removeAll(keepingCapacity: true)
            stack.append(i)
            stamp[i] = i
            while let v = stack.popLast(), !wanted.isEmpty {
                for p in predecessors[v] where stamp[p] != i {
                    stamp[p] = i
                    if ctx.hasUnknownTransitions[p] { sawUnknown = true }
                    if wanted.remove(p) != nil { found.insert(p) }
                    stack.append(p)
                }
            }
            for r in n.rework {
                guard let target = ctx.nodeIndex[r.value] else { continue }
                if ctx.template.nodes[target].effectiveKind == .join {
                    let fork = ctx.template.nodes.first { $0.effectiveKind == .fork && $0.join?.value == r.value }
                    ctx.report(CheckMessages.reworkToJoin.at(r.span, r.value, fork?.id.value ?? "…"))
                    continue
                }
                if let k = layout.forkApart(i, target) {
                    let fork = layout.forks[k]
                    ctx.report(CheckMessages.reworkTarget.at(r.span, format: CheckMessages.Formats.reworkIntoSiblingBranch, r.value, n.id.value, fork.syntax.id.value)
                        .label(fork.syntax.id.span, CheckMessages.Formats.theFork, fork.syntax.id.value)
                        .help(CheckMessages.Formats.reworkAcrossFork, fork.syntax.id.value, ctx.template.nodes[fork.join].id.value, r.value))
                    continue
                }
                if found.contains(target) { continue }
                // A node on the way that leads somewhere unknown might have led back here.
                if target != i, sawUnknown || ctx.hasUnknownTransitions[target] { continue }
                ctx.report(CheckMessages.reworkTarget.at(r.span, r.value, n.id.value))
            }
        }
    }
}
