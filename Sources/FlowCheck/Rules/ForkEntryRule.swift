import FlowDiagnostics
import FlowSyntax

/// Deals enter a fork's branches through the fork.
///
/// Rejects a transition or an approval outcome into a branch of a fork, or to its join, from a
/// node that deals can reach without passing the fork; a `start` inside a branch; and a
/// `lose.via` inside a branch. The runner would run that branch alone and the join would wait
/// forever for the others. Going back stays allowed: from a node that every path reaches through
/// the fork (after its join), a transition back into a branch does that branch again, as the
/// runner's rework by decision does; and `rework` targets are not transitions (the runner
/// counts the other branches as arrived). Language reference: "fork and join".
enum ForkEntryRule: TemplateRule {
    static let name = "ForkEntryRule"
    static let summary = "a fork's branches and join are entered only through the fork"
    static let codes = [CheckMessages.forkEnteredFromOutside]

    static func check(_ ctx: inout RuleContext) {
        let t = ctx.template
        let g = ctx.graph
        let spec = CheckMessages.forkEnteredFromOutside
        let text = CheckMessages.Formats.self
        let layout = ctx.forkLayout()
        let dom = layout.dominators
        // For each node, the forks it is inside of (a branch node, or the join); nested forks
        // make it several.
        var inside = [[Int]](repeating: [], count: g.nodeCount)
        for (k, fork) in layout.forks.enumerated() {
            let name = fork.syntax.id.value
            let joinName = t.nodes[fork.join].id.value
            if let s = g.start, fork.region.contains(s) {
                ctx.report(spec.at(t.start?.span ?? t.nodes[s].id.span, format: text.startInsideFork, t.nodes[s].id.value, name)
                    .label(fork.syntax.id.span, text.theFork, name)
                    .help(text.startBeforeFork, joinName))
            }
            // The start node does not reach the fork: every node is reached without it.
            guard fork.isReachable else { continue }
            for v in fork.region { inside[v].append(k) }
            inside[fork.join].append(k)
        }
        var loseReported = Set<Int>()
        // Per fork, the nodes after its join (worked out for the forks with a mistake only).
        var afterJoin: [Int: [Bool]] = [:]
        for u in 0..<g.nodeCount where dom.isReachable(u) {
            for e in g.edges[u] where e.kind != .rework {
                for k in inside[e.to] {
                    let fork = layout.forks[k]
                    let f = fork.node
                    guard u != f, !fork.region.contains(u), !dom.dominates(f, u) else { continue }
                    let name = fork.syntax.id.value
                    let joinName = t.nodes[fork.join].id.value
                    let target = t.nodes[e.to].id.value
                    if e.kind == .lose {
                        guard let via = t.lose?.via, loseReported.insert(k).inserted else { continue }
                        ctx.report(spec.at(via.span, format: text.loseViaInsideFork, target, name)
                            .label(fork.syntax.id.span, text.theFork, name)
                            .help(text.loseAroundFork, joinName))
                        continue
                    }
                    let from = t.nodes[u].id.value
                    var d = e.to == fork.join
                        ? spec.at(ctx.span(of: e), format: text.leadsToJoinFromOutside, from, target, name)
                        : spec.at(ctx.span(of: e), from, target, name)
                    d = d.label(fork.syntax.id.span, text.theFork, name)
                    // After the join, the author may mean going back into the branch.
                    let after = afterJoin[k] ?? g.reachable(from: [fork.join]) { $0.isForward }
                    afterJoin[k] = after
                    if e.to != fork.join, after[u] {
                        d = d.help(text.goBackWithRework, from, target)
                    } else {
                        d = d.help(text.branchesNeverStarted, joinName, from, name)
                    }
                    ctx.report(d)
                }
            }
        }
    }
}
