import FlowDiagnostics
import FlowSyntax

/// A fork's branches are different paths.
///
/// Rejects a fork that names the same branch twice, a branch that leads into another branch of
/// the same fork, and two branches that share a node: the runner does such a node once, it
/// arrives at the join once, and the join waits forever for the missing arrival. Going back from
/// a branch to a node before the fork (an approval's `reject`) is not sharing: the runner resets
/// the whole fork. Each overlap is reported once, at the transition that leads into the shared
/// part, with the other way in labelled. Language reference: "fork and join".
enum ForkBranchesApartRule: TemplateRule {
    static let name = "ForkBranchesApartRule"
    static let summary = "a fork's branches are distinct and never lead into one another"
    static let codes = [CheckMessages.forkBranchesOverlap]

    static func check(_ ctx: inout RuleContext) {
        let t = ctx.template
        let spec = CheckMessages.forkBranchesOverlap
        let text = CheckMessages.Formats.self
        // Repeats need no graph: they are reported for every fork.
        for (f, fork) in t.nodes.enumerated() where fork.effectiveKind == .fork && ctx.isFirstDefinition[f] {
            var first: [String: SourceSpan] = [:]
            for b in fork.branches {
                guard let earlier = first[b.value] else {
                    first[b.value] = b.span
                    continue
                }
                var d = spec.at(b.span, fork.id.value, b.value).label(earlier, text.firstNamedHere)
                if let j = fork.join { d = d.help(text.nameBranchOnce, j.value) }
                ctx.report(d)
            }
        }
        let layout = ctx.forkLayout()
        let g = ctx.graph
        var reported = Set<SourceSpan>()
        for fork in layout.forks where fork.isReachable {
            let name = fork.syntax.id.value
            let joinName = t.nodes[fork.join].id.value
            let n = fork.branches.count
            // No node in two branches: nothing to look for.
            if fork.lanes.reduce(0, { $0 + $1.count }) == fork.region.count { continue }
            // Pairs by their later branch, nearest first, so that a chain b1 → b2 → b3 is told as
            // "b1 leads into b2" and "b2 leads into b3".
            for k in 0..<n {
                for i in stride(from: k - 1, through: 0, by: -1) {
                    let shared = fork.lanes[i].intersection(fork.lanes[k])
                    guard !shared.isEmpty else { continue }
                    // The ways into the shared part from either branch (the fork's own way into
                    // a branch is where that branch starts, labelled rather than reported).
                    var entries: [(from: Int, to: Int, span: SourceSpan)] = []
                    for u in fork.lanes[i].union(fork.lanes[k]) where !shared.contains(u) {
                        for e in g.edges[u] where e.isForward && shared.contains(e.to) {
                            entries.append((u, e.to, ctx.span(of: e)))
                        }
                    }
                    if entries.isEmpty {
                        // The two branches lead into each other: every node is shared. Take the
                        // way into the later branch's first node.
                        for u in shared {
                            for e in g.edges[u] where e.isForward && e.to == fork.branches[k] { entries.append((u, e.to, ctx.span(of: e))) }
                        }
                    }
                    entries.sort { $0.span.precedes($1.span) }
                    guard let primary = entries.last, !reported.contains(primary.span) else { continue }
                    reported.insert(primary.span)
                    let fromBranch = fork.lanes[i].contains(primary.from) ? i : k
                    let other = fromBranch == i ? k : i
                    let into = fork.branches[other]
                    var d: Diagnostic
                    if primary.to == into {
                        d = spec.at(primary.span, format: text.leadsIntoBranch, t.nodes[fork.branches[fromBranch]].id.value, name, t.nodes[into].id.value)
                        if let entry = fork.syntax.branches.first(where: { $0.value == t.nodes[into].id.value }) {
                            d = d.label(entry.span, text.branchStartsHere, t.nodes[into].id.value)
                        }
                        d = d.help(text.leadToJoin, t.nodes[primary.from].id.value, joinName)
                    } else {
                        let target = t.nodes[primary.to].id.value
                        d = spec.at(primary.span, format: text.branchesShareNode, t.nodes[fork.branches[i]].id.value,
                                    t.nodes[fork.branches[k]].id.value, name, target)
                        if let second = entries.dropLast().last(where: { fork.lanes[other].contains($0.from) }) {
                            d = d.label(second.span, text.alsoLeadsHere, t.nodes[fork.branches[other]].id.value)
                        }
                        d = d.help(text.oneBranchPerNode, target, joinName)
                    }
                    ctx.report(d)
                }
            }
        }
    }
}
