import FlowDiagnostics
import FlowSyntax

/// Forks and joins match.
///
/// Rejects a fork whose `join` is not a `join` node, a branch that never reaches its fork's
/// join or can end (won or lost) without passing it, a join shared by two forks, and a join
/// that belongs to no fork. A branch that passes a node leading somewhere unknown is not
/// reported as missing its join: that node is reported already. Language reference: "fork and
/// join".
enum ForkJoinRule: TemplateRule {
    static let name = "ForkJoinRule"
    static let summary = "every fork's branches all lead to its own join"
    static let codes = [CheckMessages.forkJoin]

    static func check(_ ctx: inout RuleContext) {
        let t = ctx.template
        let spec = CheckMessages.forkJoin
        let text = CheckMessages.Formats.self
        var joinOwner: [Int: Int] = [:]
        // The join nodes no fork names, for a fork whose `join` is no join node.
        lazy var unnamedJoins = t.joinsNamedByNoFork
        for (f, fork) in t.nodes.enumerated() where fork.effectiveKind == .fork && ctx.isFirstDefinition[f] {
            guard let joinRef = fork.join, let j = ctx.nodeIndex[joinRef.value] else { continue }
            let join = t.nodes[j]
            if join.effectiveKind != .join {
                guard !join.unreadKeys.contains("kind") else { continue }
                var d = spec.at(joinRef.span, format: text.joinNotAJoin, fork.id.value, join.id.value, join.effectiveKind.rawValue)
                    .label(join.id.span, text.definedHere, join.id.value)
                // The join meant, when one join node belongs to no fork (QA round 35, A13).
                if unnamedJoins.count == 1, let meant = unnamedJoins.first {
                    d = d.help(text.joinMeant, meant.id.value).fix(joinRef.span, meant.id.value)
                }
                ctx.report(d)
                continue
            }
            if let other = joinOwner[j] {
                ctx.report(spec.at(joinRef.span, format: text.joinShared, join.id.value, t.nodes[other].id.value)
                    .label(t.nodes[other].id.span, text.otherFork))
                continue
            }
            joinOwner[j] = f
            // The nodes after the join, a branch that goes on to one having passed its join by:
            // wanted only to explain a branch that misses its join, so found only then (review
            // of the checker: a search from every join made 8,000 forks in sequence quadratic).
            var afterJoinCache: [Bool]?
            func afterJoin() -> [Bool] {
                if let known = afterJoinCache { return known }
                let found = ctx.graph.reachable(from: ctx.graph.edges[j].filter(\.isForward).map(\.to), follow: \.isForward)
                afterJoinCache = found
                return found
            }
            /// Walks forward from branch node `bi`, stopping at the join; with `after`, also finds
            /// the first step onto a node after the join.
            func walk(_ bi: Int, after: [Bool]?) -> (reachesJoin: Bool, unknown: Bool, escape: Int?, passedBy: (from: Int, to: Int)?) {
                var seen = Set<Int>([bi])
                var stack = [bi]
                var reachesJoin = bi == j
                var unknown = false
                var escape: Int?
                var passedBy: (from: Int, to: Int)?
                while let v = stack.popLast(), v != j {
                    if t.nodes[v].effectiveKind.isTerminal { escape = escape ?? v; continue }
                    // Back at its own fork (a `fail` that returns to the quote before it): the
                    // fork's branches are walked on their own. Walked on, a sibling's leak was
                    // blamed on this branch too, before the sibling's own error (QA round 22, M9).
                    if v == f { continue }
                    if ctx.hasUnknownTransitions[v] { unknown = true }
                    for e in ctx.graph.edges[v] where e.isForward {
                        if e.to == j { reachesJoin = true; continue }
                        if passedBy == nil, let after, after[e.to] { passedBy = (v, e.to) }
                        if seen.insert(e.to).inserted { stack.append(e.to) }
                    }
                }
                return (reachesJoin, unknown, escape, passedBy)
            }
            for b in fork.branches {
                guard let bi = ctx.nodeIndex[b.value] else { continue }
                var (reachesJoin, unknown, escape, passedBy) = walk(bi, after: nil)
                if !reachesJoin, !unknown { passedBy = walk(bi, after: afterJoin()).passedBy }
                if !reachesJoin {
                    guard !unknown else { continue }
                    var d = spec.at(b.span, b.value, fork.id.value, join.id.value)
                    if let (from, to) = passedBy {
                        d = d.label(t.nodes[from].id.span, text.branchGoesPastJoin, t.nodes[to].id.value)
                        // An approval ends through its outcomes: `next` is no key of its (QA round 23).
                        if let outcome = t.nodes[from].outcomes.first(where: { $0.target.value == t.nodes[to].id.value }) {
                            d = d.help(text.endOutcomeAtJoin, outcome.name.value, t.nodes[from].id.value, join.id.value)
                        } else {
                            d = d.help(text.endBranchAtJoin, t.nodes[from].id.value, join.id.value)
                        }
                    }
                    ctx.report(d)
                } else if let e = escape {
                    ctx.report(spec.at(b.span, format: text.branchEndsInside, b.value, fork.id.value, t.nodes[e].id.value, join.id.value)
                        .label(t.nodes[e].id.span, text.endInsideBranch))
                }
            }
        }
        // A fork whose `join` is unknown, unreadable, missing or no join node (each reported
        // already, FC0320 and the above naming the join meant) may mean any join: a join that no
        // fork names is then no mistake of its own (QA round 35, A13: FC0504 beside FC0320).
        let someJoinUnknown = t.nodes.contains { n in
            n.unreadKeys.contains("join") || n.unreadKeys.contains("kind") || n.join.map { ctx.nodeIndex[$0.value] == nil } == true
                || (n.effectiveKind == .fork && n.join == nil)
                || (n.effectiveKind == .fork && n.join.flatMap { ctx.nodeIndex[$0.value] }.map { t.nodes[$0].effectiveKind != .join } == true)
        }
        // The ids some node's `join` names (set up once: searching every node per join was
        // quadratic in a template with many joins left without a fork).
        lazy var joinTargets = Set(t.nodes.compactMap { $0.join?.value })
        for (j, n) in t.nodes.enumerated() where !someJoinUnknown && n.effectiveKind == .join && ctx.isFirstDefinition[j] && joinOwner[j] == nil {
            let referenced = joinTargets.contains(n.id.value)
            if !referenced {
                ctx.report(spec.at(n.id.span, format: text.joinWithoutFork, n.id.value))
            }
        }
    }
}
