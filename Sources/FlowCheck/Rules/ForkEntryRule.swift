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
///
/// "Reaching a node without passing the fork" follows the runner: another fork's join is passed
/// only once every branch of that fork has arrived (a fork nested in one branch of an outer fork
/// is passed by every deal past the outer join), and a fork with `when` may be skipped straight
/// to its join.
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
        // For each node, the forks it is inside of (a branch node, or the join); nested forks
        // make it several.
        var inside = [[Int]](repeating: [], count: g.nodeCount)
        for (k, fork) in layout.forks.enumerated() {
            let name = fork.syntax.id.value
            if let s = g.start, fork.region.contains(s) {
                ctx.report(spec.at(t.start?.span ?? t.nodes[s].id.span, format: text.startInsideFork, t.nodes[s].id.value, name)
                    .label(fork.syntax.id.span, text.theFork, name)
                    .help(text.startBeforeFork, t.nodes[fork.join].id.value))
            }
            // The start node does not reach the fork: every node is reached without it.
            guard fork.isReachable else { continue }
            for v in fork.region { inside[v].append(k) }
            inside[fork.join].append(k)
        }
        // The ways in from outside each fork; most templates have none, and then nothing more
        // is worked out.
        var waysIn: [Int: [Edge]] = [:]
        for u in 0..<g.nodeCount where layout.dominators.isReachable(u) {
            for e in g.edges[u] where e.kind != .rework {
                for k in inside[e.to] where u != layout.forks[k].node && !layout.forks[k].region.contains(u) {
                    waysIn[k, default: []].append(e)
                }
            }
        }
        let search = ParallelReach(layout, g)
        for k in waysIn.keys.sorted() {
            let fork = layout.forks[k]
            let name = fork.syntax.id.value
            let joinName = t.nodes[fork.join].id.value
            let without = search.reachable(avoiding: fork.node)
            lazy var afterJoin = g.reachable(from: [fork.join]) { $0.isForward }
            // A node "inside" only because a branch runs past the join to it (FC0504 says so)
            // cannot reach the join: a way into it is no way into the fork (QA round 44, A3: the
            // small deals' path to the proposal was blamed, with a help that broke it).
            lazy var reachesJoin = g.canReach((0..<g.nodeCount).map { $0 == fork.join }) { $0.isForward }
            var loseReported = false
            for e in waysIn[k] ?? [] where without[e.from] {
                let target = t.nodes[e.to].id.value
                if e.kind == .lose {
                    guard let via = t.lose?.via, !loseReported else { continue }
                    loseReported = true
                    ctx.report(spec.at(via.span, format: text.loseViaInsideFork, target, name)
                        .label(fork.syntax.id.span, text.theFork, name)
                        .help(text.loseAroundFork, joinName))
                    continue
                }
                if e.to != fork.join, !reachesJoin[e.to] { continue }
                let from = t.nodes[e.from].id.value
                var d = e.to == fork.join
                    ? spec.at(ctx.span(of: e), format: text.leadsToJoinFromOutside, from, target, name)
                    : spec.at(ctx.span(of: e), from, target, name)
                d = d.label(fork.syntax.id.span, text.theFork, name)
                // After the join, the author may mean going back into the branch: a rework, if
                // it would stay on the node's own branches of any fork around both (FC0509).
                // From another branch of a fork around both, neither way is open (FC0515 says
                // why), so no help is given.
                let staysOnBranch = layout.staysOnBranch(from: e.from, to: e.to)
                if e.to != fork.join, afterJoin[e.from], staysOnBranch {
                    d = d.help(text.goBackWithRework, from, target)
                } else if staysOnBranch {
                    d = d.help(text.branchesNeverStarted, joinName, from, name)
                }
                ctx.report(d)
            }
        }
    }
}

/// Which nodes deals reach from the start as the runner runs forks: all branches at once, each
/// join passed once every branch has arrived.
struct ParallelReach {
    let layout: ForkLayout
    let graph: FlowGraph
    /// The fork (index into `layout.forks`) whose join each node is, and that each node is.
    var joinOf: [Int: Int] = [:]
    var forkAt: [Int: Int] = [:]
    /// Per fork: how many branches must arrive at its join (those with nodes of their own).
    var needed: [Int] = []
    /// Per fork: whether it reaches its join at once, having `when` (skipped, it leads straight
    /// there) or no branch with nodes of its own.
    var reachesJoinAtOnce: [Bool] = []

    init(_ layout: ForkLayout, _ graph: FlowGraph) {
        self.layout = layout
        self.graph = graph
        for (k, fork) in layout.forks.enumerated() where fork.isReachable {
            joinOf[fork.join] = k
            forkAt[fork.node] = k
        }
        needed = layout.forks.map { f in f.lanes.filter { !$0.isEmpty }.count }
        reachesJoinAtOnce = layout.forks.indices.map { layout.forks[$0].syntax.when != nil || needed[$0] == 0 }
    }

    /// The nodes deals can reach without passing `avoided` (a fork node), over every transition
    /// but rework. A join is reached once each branch of its fork has arrived; a transition into
    /// it from outside the fork is not an arrival (it is reported for that fork).
    func reachable(avoiding avoided: Int) -> [Bool] {
        var seen = [Bool](repeating: false, count: graph.nodeCount)
        guard let start = graph.start, start != avoided else { return seen }
        var arrived: [Int: Set<Int>] = [:]
        var stack: [Int] = []
        func reach(_ v: Int) {
            guard !seen[v] else { return }
            seen[v] = true
            stack.append(v)
            if let k = forkAt[v], reachesJoinAtOnce[k] { reach(layout.forks[k].join) }
        }
        reach(start)
        while let v = stack.popLast() {
            for e in graph.edges[v] where e.kind != .rework && e.to != avoided {
                guard let k = joinOf[e.to] else {
                    reach(e.to)
                    continue
                }
                guard let lane = layout.forks[k].lanes.firstIndex(where: { $0.contains(v) }) else { continue }
                arrived[k, default: []].insert(lane)
                if arrived[k]?.count ?? 0 >= needed[k] { reach(e.to) }
            }
        }
        return seen
    }
}
