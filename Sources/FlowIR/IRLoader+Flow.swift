import FlowCheck

extension IRLoader {
    /// The shape of the flow, as `flowc check` makes every template it passes (the node kinds'
    /// keys, and forks and joins: `NodeKindKeysRule`, `ForkJoinRule`), so that a machine from
    /// another tool cannot put a deal where no checked template can: a fork with no branch to
    /// wait for (the deal stays open with no open node), a join that nobody reaches, a branch
    /// that leaves its fork by another way than the join.
    ///
    /// Called once every index is known to be in range. Each node kind has its transition: a
    /// task or a join goes on (`goto`, `branch`), an approval has two or more distinct outcomes,
    /// a fork two or more distinct branches and a join that is a `join` node of no other fork,
    /// and every join belongs to a fork. Each branch, followed forward from its first node (a
    /// fork to its branches, approvals by each outcome), reaches its own join and reaches no
    /// `won` or `lost` node before it. No rework goes from one branch of a fork into another.
    static func checkFlow(_ m: Machine) throws(IRLoadError) {
        func bad(_ s: String) -> IRLoadError { IRLoadError(kind: .badReference, message: s) }
        func name(_ i: Int) -> String { "nodes[\(i)] (`\(m.nodes[i].id)`)" }
        func count(_ n: Int, _ one: String, _ many: String) -> String { n == 1 ? "1 \(one)" : "\(n) \(many)" }
        func kind(_ i: Int) -> String {
            let k = m.nodes[i].kind.rawValue
            return k.first.map { "aeiou".contains($0) } == true ? "an `\(k)`" : "a `\(k)`"
        }
        var joinOwner: [Int: Int] = [:]
        for (i, n) in m.nodes.enumerated() {
            switch (n.kind, n.transition) {
            case (.won, .end), (.lost, .end), (.task, .goto), (.task, .branch), (.join, .goto), (.join, .branch):
                break
            case (.approval, .outcomes(let os)):
                guard os.count >= 2 else { throw bad("\(name(i)) is an approval with \(count(os.count, "outcome", "outcomes")); an approval has at least two") }
                guard Set(os.map(\.name)).count == os.count else { throw bad("\(name(i)) names an outcome twice") }
            case (.fork, .fork(let branches, let j)):
                guard branches.count >= 2 else { throw bad("\(name(i)) is a fork with \(count(branches.count, "branch", "branches")); a fork has at least two") }
                guard Set(branches).count == branches.count else { throw bad("\(name(i)) names a branch twice") }
                guard m.nodes[j].kind == .join else {
                    throw bad("\(name(i)) has \(name(j)), \(kind(j)) node, as its join; a fork's join is a `join` node")
                }
                if let other = joinOwner[j] { throw bad("\(name(j)) is the join of two forks, \(name(other)) and \(name(i))") }
                joinOwner[j] = i
            default:
                throw bad("\(name(i)) is \(kind(i)) node with a `\(transitionKind(n.transition))` transition")
            }
        }
        if let j = m.nodes.indices.first(where: { m.nodes[$0].kind == .join && joinOwner[$0] == nil }) {
            throw bad("\(name(j)) is a join, but no fork has it as its join")
        }
        // A fork leads on to its branches; it reaches its join only through them.
        func forward(_ v: Int) -> [Int] {
            if case .fork(let branches, _) = m.nodes[v].transition { return branches }
            return m.nodes[v].transition.targets
        }
        // Each node's branches, (fork, branch), from the nodes each branch reaches before its
        // join: for the rework check below.
        var lanesOf = [[(fork: Int, lane: Int)]](repeating: [], count: m.nodes.count)
        for (j, f) in joinOwner.sorted(by: { $0.key < $1.key }) {
            guard case .fork(let branches, _) = m.nodes[f].transition else { continue }
            for (lane, b) in branches.enumerated() {
                var seen: Set<Int> = [b]
                var stack = [b]
                var reachesJoin = b == j
                var end: Int?
                while let v = stack.popLast(), v != j {
                    if m.nodes[v].transition == .end { end = end ?? v; continue }
                    for t in forward(v) {
                        if t == j { reachesJoin = true } else if seen.insert(t).inserted { stack.append(t) }
                    }
                }
                if !reachesJoin { throw bad("branch \(name(b)) of fork \(name(f)) never reaches its join \(name(j))") }
                if let end { throw bad("branch \(name(b)) of fork \(name(f)) can end at \(name(end)) before its join \(name(j))") }
                for v in seen where v != j { lanesOf[v].append((f, lane)) }
            }
        }
        // A rework from one branch of a fork into another (FC0509 in `check`): the runner would
        // set the fork and the node's own branch back to pending and the join would wait for ever.
        for (i, n) in m.nodes.enumerated() where !lanesOf[i].isEmpty {
            for t in n.rework {
                if let f = ForkBranches.forkApart(lanesOf[i], lanesOf[t]) {
                    throw bad("\(name(i)) has a rework target, \(name(t)), in another branch of fork \(name(f))")
                }
            }
        }
        // Nodes deals reach (a node `check` finds unreachable is a warning there, FC0501, and
        // what it leads to is not held to the rules below).
        func reach(from starts: [Int]) -> [Bool] {
            var seen = [Bool](repeating: false, count: m.nodes.count)
            var stack = starts
            for s in starts { seen[s] = true }
            while let v = stack.popLast() {
                for t in forward(v) where !seen[t] { seen[t] = true; stack.append(t) }
            }
            return seen
        }
        let reached = reach(from: [m.start])
        // Rework goes back (FC0509, FC0517 in `check`): to a node from which the node itself is
        // reached, and never to a join (IR review F3: a rework forward skipped an approval and
        // won the deal in two events).
        for (i, n) in m.nodes.enumerated() where reached[i] {
            for t in n.rework {
                if m.nodes[t].kind == .join { throw bad("\(name(i)) has a rework target, \(name(t)), that is a join") }
                if !reach(from: [t])[i] { throw bad("\(name(i)) has a rework target, \(name(t)), that does not come before it") }
            }
        }
        // A fork's branches and join are entered through the fork (FC0516 in `check`): a node
        // that leads into them and that no path from the fork reaches is outside it, and deals
        // reach it without the fork (IR review F3: a deal entered one branch alone and waited at
        // the join for ever). A node after the join may lead back into a branch, as in `check`.
        for (j, f) in joinOwner.sorted(by: { $0.key < $1.key }) where reached[f] {
            let fromFork = reach(from: [f])
            for u in m.nodes.indices where reached[u] && !fromFork[u] {
                for v in forward(u) where v != f && (v == j || lanesOf[v].contains(where: { $0.fork == f })) {
                    throw bad("\(name(u)) leads into \(v == j ? "the join" : "a branch") of fork \(name(f)), \(name(v)), from outside the fork")
                }
            }
        }
    }

    static func transitionKind(_ t: Transition) -> String {
        switch t {
        case .end: "end"
        case .goto: "goto"
        case .branch: "branch"
        case .outcomes: "outcomes"
        case .fork: "fork"
        }
    }
}
