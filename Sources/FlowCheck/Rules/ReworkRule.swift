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
/// The work stays near linear in the size of the flow however many nodes have `rework` (review
/// of the checker, C5: a search per node, or per fork over every node, made a chain of 40,000
/// nodes that all go back to the start take 21 s). The flow's loops and order (`FlowOrder`)
/// settle most questions without a search, and what is left takes one search per distinct
/// target, shared by every node that names it.
enum ReworkRule: TemplateRule {
    static let name = "ReworkRule"
    static let summary = "rework targets are earlier nodes; nothing goes back to a join"
    static let codes = [CheckMessages.reworkTarget, CheckMessages.reworkToJoin]

    static func check(_ ctx: inout RuleContext) {
        var work = 0
        check(&ctx, work: &work)
    }

    /// Checks the template, adding to `work` each node or transition its searches visit: tests
    /// pin the rule's cost by this count, since a timing is no test.
    static func check(_ ctx: inout RuleContext, work: inout Int) {
        let layout = ctx.forkLayout()
        let order = FlowOrder(ctx.graph, work: &work)
        reportTransitionsBackToJoins(&ctx, layout, order, work: &work)
        reportReworkTargets(&ctx, layout, order, work: &work)
    }

    /// Reports a transition that goes back to a join from after it (an approval's outcome after
    /// the join): the same mistake as a rework to the join, since the join is passed at once and
    /// left behind, and the branches are not done again.
    ///
    /// "After the join" means reached from it (an outer fork's later node is after an inner join
    /// too, though a path through the outer fork's other branch does not pass it). A node with a
    /// transition into the join is reached from the join exactly when the two are on one loop, so
    /// each fork looks only at the transitions into its join, not at every node.
    static func reportTransitionsBackToJoins(_ ctx: inout RuleContext, _ layout: ForkLayout, _ order: FlowOrder, work: inout Int) {
        let g = ctx.graph
        var isJoin = [Bool](repeating: false, count: g.nodeCount)
        for fork in layout.forks where fork.isReachable { isJoin[fork.join] = true }
        // Kept in the order they are written (by node, then within it), which the reports follow.
        var into = [[Edge]](repeating: [], count: g.nodeCount)
        for list in g.edges { for e in list where e.isForward && isJoin[e.to] { into[e.to].append(e) } }
        for fork in layout.forks where fork.isReachable {
            for e in into[fork.join] {
                work += 1
                let u = e.from
                guard u != fork.node, !fork.region.contains(u), layout.dominators.isReachable(u), order.onOneLoop(u, fork.join) else { continue }
                let from = ctx.template.nodes[u].id.value, join = ctx.template.nodes[fork.join].id.value
                ctx.report(CheckMessages.reworkToJoin.at(ctx.span(of: e), format: CheckMessages.Formats.backToJoin, from, join, fork.syntax.id.value))
            }
        }
    }

    /// Reports each `rework` target that is a join, is in another branch of a fork the node is
    /// on, or does not lead to the node.
    static func reportReworkTargets(_ ctx: inout RuleContext, _ layout: ForkLayout, _ order: FlowOrder, work: inout Int) {
        let nodes = ctx.template.nodes
        // A node deals cannot reach has no way back to judge (ReachabilityRule says so; a
        // mistake elsewhere, such as outcomes indented wrongly, often cuts it off).
        let judged = nodes.indices.filter { i in
            ctx.isFirstDefinition[i] && !nodes[i].rework.isEmpty && (ctx.graph.start == nil || layout.dominators.isReachable(i))
        }
        guard !judged.isEmpty else { return }
        let behind = targetsBehind(ctx, judged, layout, order, work: &work)
        var unknownBefore: [Bool]?
        var forkOfJoin: [String: String]?
        for i in judged {
            let n = nodes[i]
            for r in n.rework {
                guard let target = ctx.nodeIndex[r.value] else { continue }
                if nodes[target].effectiveKind == .join {
                    forkOfJoin = forkOfJoin ?? firstForkOfEachJoin(nodes)
                    ctx.report(CheckMessages.reworkToJoin.at(r.span, r.value, forkOfJoin?[r.value] ?? "…"))
                    continue
                }
                if let k = layout.forkApart(i, target) {
                    let fork = layout.forks[k]
                    ctx.report(CheckMessages.reworkTarget.at(r.span, format: CheckMessages.Formats.reworkIntoSiblingBranch, r.value, n.id.value, fork.syntax.id.value)
                        .label(fork.syntax.id.span, CheckMessages.Formats.theFork, fork.syntax.id.value)
                        .help(CheckMessages.Formats.reworkAcrossFork, fork.syntax.id.value, ctx.template.nodes[fork.join].id.value, r.value))
                    continue
                }
                if behind.contains(Behind(target: target, node: i)) { continue }
                // A node on the way that leads somewhere unknown might have led back here.
                if target != i {
                    unknownBefore = unknownBefore ?? nodesAfterUnknownWays(ctx, order, work: &work)
                    if unknownBefore?[i] == true || ctx.hasUnknownTransitions[target] { continue }
                }
                ctx.report(CheckMessages.reworkTarget.at(r.span, r.value, n.id.value))
            }
        }
    }

    /// A `rework` target that leads to the node naming it.
    struct Behind: Hashable {
        var target: Int
        var node: Int
    }

    /// Which targets of the `judged` nodes' `rework` lead to the node by forward transitions (a
    /// node is never behind itself; joins are left out, refused whatever the flow).
    ///
    /// Most are answered without a search: a node on a loop with its target has it behind, a
    /// node that comes first in the flow's order has not, and a node the start reaches has
    /// behind it every node that all ways to it pass (its dominators; the usual "back to
    /// initial talks"). What is left takes one breadth-first search forward from each distinct
    /// target, for all the nodes that name it at once: it stops when it has found them all, so a
    /// target a step or two back costs a step or two, and it skips nodes that come after every
    /// node it still looks for.
    static func targetsBehind(_ ctx: RuleContext, _ judged: [Int], _ layout: ForkLayout, _ order: FlowOrder, work: inout Int) -> Set<Behind> {
        let g = ctx.graph
        // The dominators follow lose transitions too: one passed on every way to a node is behind
        // it only when a way without them reaches the node.
        let fromStart = g.reachable(from: g.start.map { [$0] } ?? []) { $0.isForward }
        work += g.nodeCount
        var behind = Set<Behind>()
        var askers = [[Int]](repeating: [], count: g.nodeCount)
        var targets: [Int] = []
        for i in judged {
            for r in ctx.template.nodes[i].rework {
                guard let t = ctx.nodeIndex[r.value], t != i, ctx.template.nodes[t].effectiveKind != .join else { continue }
                work += 1
                if order.onOneLoop(t, i) {
                    behind.insert(Behind(target: t, node: i))
                } else if !order.mayLead(from: t, to: i) {
                    continue
                } else if fromStart[i], layout.dominators.dominates(t, i) {
                    behind.insert(Behind(target: t, node: i))
                } else {
                    if askers[t].isEmpty { targets.append(t) }
                    askers[t].append(i)
                }
            }
        }
        // Stamped with the target searched from, so no search clears or allocates them.
        var asked = [Int](repeating: -1, count: g.nodeCount)
        var seen = [Int](repeating: -1, count: g.nodeCount)
        var queue: [Int] = []
        for t in targets {
            // The nodes still looked for, and the lowest component among them: a node in a
            // component numbered lower leads to none of them.
            var left = 0
            var lowest = Int.max
            for i in askers[t] where asked[i] != t {
                asked[i] = t
                left += 1
                lowest = min(lowest, order.component[i])
            }
            queue.removeAll(keepingCapacity: true)
            queue.append(t)
            seen[t] = t
            var head = 0
            while head < queue.count, left > 0 {
                let v = queue[head]
                head += 1
                for e in g.edges[v] where e.isForward && seen[e.to] != t && order.component[e.to] >= lowest {
                    seen[e.to] = t
                    work += 1
                    if asked[e.to] == t {
                        behind.insert(Behind(target: t, node: e.to))
                        left -= 1
                    }
                    queue.append(e.to)
                }
            }
        }
        return behind
    }

    /// For each node, whether another node that leads somewhere unknown (`hasUnknownTransitions`)
    /// leads to it: that way might have led back from a target not found behind the node. The
    /// node's own unknown way does not count, even on a loop back to itself.
    ///
    /// Worked out per component of the flow, first to last, so each transition is looked at once:
    /// a component is after an unknown way when one comes before it or, for a loop, when another
    /// of its nodes has one.
    static func nodesAfterUnknownWays(_ ctx: RuleContext, _ order: FlowOrder, work: inout Int) -> [Bool] {
        let g = ctx.graph
        let unknown = ctx.hasUnknownTransitions
        guard unknown.contains(true) else { return [Bool](repeating: false, count: g.nodeCount) }
        var unknownIn = [Int](repeating: 0, count: order.members.count)
        for v in 0..<g.nodeCount where unknown[v] { unknownIn[order.component[v]] += 1 }
        var afterUnknown = [Bool](repeating: false, count: order.members.count)
        for c in order.members.indices.reversed() where afterUnknown[c] || unknownIn[c] > 0 {
            for v in order.members[c] {
                work += 1
                for e in g.edges[v] where e.isForward && order.component[e.to] != c { afterUnknown[order.component[e.to]] = true }
            }
        }
        return (0..<g.nodeCount).map { v in
            let c = order.component[v]
            return afterUnknown[c] || (order.members[c].count > 1 && unknownIn[c] - (unknown[v] ? 1 : 0) > 0)
        }
    }

    /// The first fork written with each join, by the join's id: the fork a rework to the join
    /// should name instead.
    static func firstForkOfEachJoin(_ nodes: [NodeSyntax]) -> [String: String] {
        var forks: [String: String] = [:]
        for n in nodes where n.effectiveKind == .fork {
            if let j = n.join?.value, forks[j] == nil { forks[j] = n.id.value }
        }
        return forks
    }
}

/// The forward flow (every transition but rework and lose) cut into its loops: its strongly
/// connected components, numbered so that a component leads only to components numbered lower.
/// Two nodes in one component lead to each other; a node never leads to one in a component
/// numbered higher than its own.
struct FlowOrder {
    /// For each node, its component's number.
    let component: [Int]
    /// For each component, its nodes.
    let members: [[Int]]

    init(_ g: FlowGraph, work: inout Int) {
        members = g.stronglyConnectedComponents { $0.isForward }
        var component = [Int](repeating: 0, count: g.nodeCount)
        for (c, nodes) in members.enumerated() { for v in nodes { component[v] = c } }
        self.component = component
        work += g.nodeCount
    }

    /// Whether `a` and `b` lead to each other (for `a` ≠ `b`: are on one loop).
    func onOneLoop(_ a: Int, _ b: Int) -> Bool { component[a] == component[b] }

    /// Whether the order leaves it open that `a` leads to `b` in another component.
    func mayLead(from a: Int, to b: Int) -> Bool { component[a] > component[b] }
}
