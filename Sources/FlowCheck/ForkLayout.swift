import FlowDiagnostics
import FlowSyntax

/// The forks of a template as the runner runs them: each fork's join and, per branch, the nodes a
/// deal can pass on that branch before the join (its *lane*).
///
/// A lane follows forward transitions from the branch's first node and stops at the join, at the
/// fork itself, at `won`/`lost` ends (a branch that can end there is `ForkJoinRule`'s error), and
/// at transitions that go back to a node every path to here has passed: the runner treats those
/// as rework by decision (an approval in a branch that rejects to a node before the fork resets
/// the whole fork), so they do not make another node part of the branch.
///
/// Going back is told by dominators from the start node, which a fork the start does not reach
/// has none of: its lanes follow every forward transition, and only say whether the start node
/// is inside it (a branch that the start reaches while the start does not reach the fork).
/// Only forks whose join is a `join` node are laid out (otherwise `ForkJoinRule` reports it).
struct ForkLayout: Sendable {
    struct Fork: Sendable {
        /// The fork node, its join and its syntax.
        var node: Int
        var join: Int
        var syntax: NodeSyntax
        /// Whether the start node reaches the fork; if not, its lanes may hold nodes before it.
        var isReachable: Bool
        /// The distinct first nodes of its branches, in the order written, the join left out.
        var branches: [Int]
        /// For each of `branches`, the nodes of that branch.
        var lanes: [Set<Int>]
        /// Every node of every branch.
        var region: Set<Int>
    }

    var forks: [Fork] = []
    /// Dominators of the flow from the start node, over every transition but rework.
    let dominators: Dominators
    /// Per node, the branches it is on: (index into `forks`, index into its lanes), one per
    /// reachable fork it is inside of.
    var lanesOf: [[(fork: Int, lane: Int)]] = []

    /// The reachable fork (index into `forks`) that has `a` and `b` on different branches, if
    /// any: neither comes before the other, since the branches run side by side.
    func forkApart(_ a: Int, _ b: Int) -> Int? {
        guard lanesOf.indices.contains(a), lanesOf.indices.contains(b) else { return nil }
        return ForkBranches.forkApart(lanesOf[a], lanesOf[b])
    }

    /// Whether `b` is on no branch that `a` is not on, in every fork that has both: a rework
    /// from `a` to `b` stays on `a`'s branches (`forkApart` refuses the others).
    func staysOnBranch(from a: Int, to b: Int) -> Bool {
        guard lanesOf.indices.contains(a), lanesOf.indices.contains(b) else { return true }
        for k in Set(lanesOf[a].map(\.fork)) {
            let mine = Set(lanesOf[a].filter { $0.fork == k }.map(\.lane))
            let theirs = Set(lanesOf[b].filter { $0.fork == k }.map(\.lane))
            if !theirs.isEmpty && !theirs.isSubset(of: mine) { return false }
        }
        return true
    }

    init(_ ctx: RuleContext) {
        let g = ctx.graph
        let t = ctx.template
        dominators = g.dominators { $0.kind != .rework }
        for (f, fork) in t.nodes.enumerated() where fork.effectiveKind == .fork && ctx.isFirstDefinition[f] {
            let reachable = dominators.isReachable(f)
            guard let j = fork.join.flatMap({ ctx.nodeIndex[$0.value] }), t.nodes[j].effectiveKind == .join else { continue }
            var branches: [Int] = []
            for b in fork.branches {
                if let i = ctx.nodeIndex[b.value], i != j, !branches.contains(i) { branches.append(i) }
            }
            var lanes: [Set<Int>] = []
            var region = Set<Int>()
            for b in branches {
                var lane: Set<Int> = []
                var stack: [Int] = []
                if b != f, !t.nodes[b].effectiveKind.isTerminal { lane.insert(b); stack.append(b) }
                while let v = stack.popLast() {
                    for e in g.edges[v] where e.isForward && e.to != j && e.to != f && !lane.contains(e.to) {
                        if t.nodes[e.to].effectiveKind.isTerminal || (reachable && dominators.dominates(e.to, v)) { continue }
                        lane.insert(e.to)
                        stack.append(e.to)
                    }
                }
                lanes.append(lane)
                region.formUnion(lane)
            }
            forks.append(Fork(node: f, join: j, syntax: fork, isReachable: reachable, branches: branches, lanes: lanes, region: region))
        }
        lanesOf = Array(repeating: [], count: g.nodeCount)
        for (k, fork) in forks.enumerated() where fork.isReachable {
            for (l, lane) in fork.lanes.enumerated() { for v in lane { lanesOf[v].append((k, l)) } }
        }
    }
}

/// Which branches of which forks two nodes are on: `check` (`ForkLayout`) and the IR loader
/// decide with the same rule whether a rework goes from one branch of a fork into another.
public enum ForkBranches {
    /// The fork (smallest) that has nodes of branch sets `a` and `b` on different branches: `b`
    /// is on some branch of it and on none of `a`'s. Each set is (fork, branch) pairs.
    public static func forkApart(_ a: [(fork: Int, lane: Int)], _ b: [(fork: Int, lane: Int)]) -> Int? {
        for k in Set(a.map(\.fork)).sorted() {
            let mine = Set(a.filter { $0.fork == k }.map(\.lane))
            let theirs = Set(b.filter { $0.fork == k }.map(\.lane))
            if !theirs.isEmpty && mine.isDisjoint(with: theirs) { return k }
        }
        return nil
    }
}

extension RuleContext {
    /// The forks' layout, worked out once for the rules that ask.
    mutating func forkLayout() -> ForkLayout {
        if let l = forkLayoutCache { return l }
        let l = ForkLayout(self)
        forkLayoutCache = l
        return l
    }

    /// Where the transition `e` is written: the target's name in the `next`, the branch, the
    /// outcome, the fork's `branches`, `lose.via` or `rework` that makes it.
    func span(of e: Edge) -> SourceSpan {
        let n = template.nodes[e.from]
        let target = template.nodes[e.to].id.value
        switch e.kind {
        case .next:
            if case .single(let s)? = n.next { return s.span }
        case .branch(let k):
            if case .conditional(let bs, _)? = n.next, bs.indices.contains(k) { return bs[k].target.span }
        case .defaultBranch:
            if case .conditional(let bs, _)? = n.next, let b = bs.first(where: { $0.isDefault && $0.target.value == target }) { return b.target.span }
        case .outcome(let name):
            if let o = n.outcomes.first(where: { $0.name.value == name }) { return o.target.span }
        case .forkBranch:
            if let b = n.branches.first(where: { $0.value == target }) { return b.span }
        case .lose:
            if let v = template.lose?.via { return v.span }
        case .rework:
            if let r = n.rework.first(where: { $0.value == target }) { return r.span }
        }
        return n.id.span
    }
}

extension SourceSpan {
    /// Whether this span is written before `other`: by file path, then by offset.
    func precedes(_ other: SourceSpan) -> Bool {
        file.path != other.file.path ? file.path < other.file.path : start < other.start
    }
}
