import FlowExpr
import FlowIR
import FlowRuntime

/// Marks a deal on a ``GraphModel``: each box's state, the arrows the deal has taken, the node
/// records (notes and links), and a heading naming the deal.
///
/// An arrow counts as taken when the deal went along it:
/// - a recorded decision names it (a branch condition or the default, an approval outcome, a
///   rework, a loss) — also when a later rework sent the deal back before it;
/// - a plain `next` or a fork branch whose source is finished (done or skipped) and whose target
///   the deal has reached (any state but pending);
/// - the arrow into a decision point, once its node has decided;
/// - after the deal was sent back to an earlier node (a rework, an outcome back), the nodes it
///   went through since are drawn as passed earlier, and the arrows between them as taken, so
///   that the path stays whole;
/// - when older decisions were dropped (the snapshot keeps the newest), a branch with no recorded
///   decision falls back to "source finished, target reached".
struct GraphOverlay {
    let machine: Machine
    let snapshot: DealSnapshot
    let words: GraphWords

    let now: Int64?
    /// Whether a migration moved the deal (its decisions kept whole say so, or some were dropped):
    /// only then can nodes have been added behind it.
    let wasMigrated: Bool

    init(machine: Machine, snapshot: DealSnapshot, words: GraphWords, now: Int64? = nil) {
        self.machine = machine
        self.snapshot = snapshot
        self.words = words
        self.now = now
        wasMigrated = snapshot.decisions.contains { $0.kind == .migration } || snapshot.decisionsDropped > 0
    }

    func status(_ machineIndex: Int?) -> NodeStatus? {
        guard let i = machineIndex, snapshot.nodes.indices.contains(i) else { return nil }
        return snapshot.nodes[i].status
    }

    func finished(_ s: NodeStatus?) -> Bool { s == .done || s == .skipped }
    func reached(_ s: NodeStatus?) -> Bool { s != nil && s != .pending }

    /// A node the deal entered and was later sent back before (pending again).
    func passedEarlier(_ machineIndex: Int?) -> Bool {
        guard let i = machineIndex, snapshot.nodes.indices.contains(i) else { return false }
        return snapshot.nodes[i].status == .pending && snapshot.nodes[i].entries > 0
    }

    /// The states of a node the deal is at now: active, blocked, a join waiting.
    static let openStates: Set<NodeStatus> = [.active, .blocked, .waiting]

    /// Nodes a migration added behind the deal: never entered, yet after a finished node along a
    /// plain `next` or a fork, which the deal enters on its way (or after another such node), or
    /// between a finished node's branch or outcome and the node its decision went to. Only a
    /// migration leaves one so; they are drawn passed over, as a skipped node is, so that the path
    /// through them stays whole (QA round 41, M2: drawn not reached, the deal seemed to have
    /// jumped a stage; round 43, F2: the same on a branch).
    func passedOver() -> Set<Int> {
        guard wasMigrated else { return [] }
        var out = Set<Int>()
        var changed = true
        while changed {
            changed = false
            for (p, node) in machine.nodes.enumerated() where snapshot.nodes.indices.contains(p) && (finished(snapshot.nodes[p].status) || out.contains(p)) {
                let targets: [Int]
                switch node.transition {
                case .goto(let t): targets = [t]
                case .fork(let branches, _): targets = branches
                case .branch(let guarded, let otherwise):
                    targets = decidedPath(from: p) { d in
                        d.kind == .branchDefault ? [otherwise] : guarded.filter { d.expression.map(expression) == expression($0.condition) }.map(\.to)
                    }
                case .outcomes(let outcomes):
                    targets = decidedPath(from: p) { d in outcomes.filter { $0.name == d.detail }.map(\.to) }
                case .end: targets = []
                }
                for t in targets where snapshot.nodes.indices.contains(t) && !out.contains(t)
                    && snapshot.nodes[t].status == .pending && snapshot.nodes[t].entries == 0 {
                    out.insert(t)
                    changed = true
                }
            }
        }
        return out
    }

    /// The first node of the unentered run of plain `next`s that leads from the arrow the deal's
    /// last decision at `p` took (`taken`: the targets of its branch, by its condition or the
    /// default, or of its outcome, by name) to the node that decision went to; none when no such
    /// run leads there. Only the arrow taken: another branch that meets the same node is not the
    /// deal's (QA round 44, R9: a deal on the default branch drew the other branch passed over).
    func decidedPath(from p: Int, taken: (Decision) -> [Int]) -> [Int] {
        let kinds: Set<Decision.Kind> = [.branch, .branchDefault, .outcome]
        guard let decision = snapshot.decisions.last(where: { $0.node == p && kinds.contains($0.kind) }), let went = decision.target else { return [] }
        return taken(decision).filter { leadsThroughUnentered(from: $0, to: went) }
    }

    /// Whether a run of plain `next`s through nodes the deal never entered leads from `start`
    /// to `went`: nodes a migration put before the node a decision went to.
    func leadsThroughUnentered(from start: Int, to went: Int) -> Bool {
        var n = start, seen = Set<Int>()
        while snapshot.nodes.indices.contains(n), snapshot.nodes[n].status == .pending, snapshot.nodes[n].entries == 0,
              seen.insert(n).inserted, machine.nodes.indices.contains(n), case .goto(let next) = machine.nodes[n].transition {
            if next == went { return true }
            n = next
        }
        return false
    }

    /// Whether a decision that went to `went` took the arrow to `target`: that node, or one a
    /// migration put before it since (QA round 43, F2).
    func decided(_ went: Int?, _ target: Int?) -> Bool {
        guard let went, let target else { return false }
        return went == target || wasMigrated && leadsThroughUnentered(from: target, to: went)
    }

    func apply(to model: inout GraphModel) {
        let decisions = snapshot.decisions
        let lost = decisions.contains { $0.kind == .lose } || snapshot.loseReason != nil
        let passedOver = passedOver()

        // Boxes.
        for k in model.nodes.indices {
            let node = model.nodes[k]
            var state: NodeStatus
            switch node.kind {
            case .start: state = .done
            case .decision:
                let source = model.edges.first { $0.to == k }.map { model.nodes[$0.from].machineIndex } ?? nil
                let decided = decisions.contains { ($0.kind == .branch || $0.kind == .branchDefault) && $0.node == source }
                // Decided on a pass the deal was sent back from: as its node, passed earlier.
                if passedEarlier(source) {
                    state = .pending
                    model.nodes[k].passedEarlier = decided
                } else {
                    state = decided || finished(status(source)) ? .done : .pending
                }
            case .loseEntry:
                // A loss the deal was claimed back from: the entry of that earlier pass, pale red
                // as its loss review (QA round 40, K4: full red beside the pale loss).
                if lost, snapshot.loseReason == nil, snapshot.status == .open {
                    state = .pending
                    model.nodes[k].passedEarlier = true
                } else {
                    state = lost ? .done : .pending
                }
            default:
                state = status(node.machineIndex) ?? .pending
                if let i = node.machineIndex, passedOver.contains(i) { state = .skipped }
                model.nodes[k].passedEarlier = passedEarlier(node.machineIndex)
                if state == .active, let now, let i = node.machineIndex, let due = snapshot.nodes[i].dueAt, due <= now {
                    model.nodes[k].overdue = true
                }
            }
            model.nodes[k].state = state
            // The state in words in a blocked or overdue box, with the days past its due date.
            if let i = node.machineIndex, state == .blocked || model.nodes[k].overdue, !model.nodes[k].passedEarlier {
                let due = snapshot.nodes.indices.contains(i) ? snapshot.nodes[i].dueAt : nil
                let days = due.flatMap { due in now.map { max(1, Int(($0 - due + 86_399) / 86_400)) } }
                let key = state == .blocked ? (days == nil ? "blockedNow" : "blocked") : "overdue"
                if let format = words.stateMarks[key] { model.nodes[k].stateMark = words.fill(format, days.map(String.init) ?? "") }
            }
            let over = node.machineIndex.map(passedOver.contains) == true
            let shown = model.nodes[k].passedEarlier ? "earlier" : model.nodes[k].overdue ? "overdue" : over ? "passedOver" : state.rawValue
            model.nodes[k].tooltip.append(words.status[shown] ?? shown)
        }
        for record in snapshot.records {
            guard let k = model.node(machineIndex: record.node) else { continue }
            model.nodes[k].recordCount += 1
            var line = "[" + record.kind.rawValue + "] " + GraphText.cut(record.text, 80)
            if let url = record.url, url != record.text { line += " <" + GraphText.cut(url, 120) + ">" }
            if let author = record.author { line += " — " + author }
            line += " · " + ExprValue.datetime(seconds: record.at).description
            model.nodes[k].tooltip.append(line)
        }

        // Arrows; then a node an arrow taken on the earlier pass leads to (a branch to a node
        // tailored out then, skipped without being entered) is passed earlier too, and the arrows
        // from it are read again, until nothing changes.
        markTaken(&model)
        // So is a tailored node between two boxes of that pass (tailored out then: skipped).
        var changed = true
        while changed {
            changed = false
            func mark(_ k: Int) {
                model.nodes[k].passedEarlier = true
                if let i = model.nodes[k].tooltip.lastIndex(of: words.status["pending"] ?? "pending") {
                    model.nodes[k].tooltip[i] = words.status["earlier"] ?? "earlier"
                }
                changed = true
            }
            func open(_ k: Int) -> Bool {
                let n = model.nodes[k]
                return n.state == .pending && !n.passedEarlier && (n.kind == .task || n.kind == .approval)
            }
            for e in model.edges where e.taken && open(e.to) {
                if model.nodes[e.from].passedEarlier || e.kind == .branch || e.kind == .otherwise || e.kind == .outcome { mark(e.to) }
            }
            for k in model.nodes.indices where open(k) && model.nodes[k].tailored {
                let before = model.edges.contains { $0.to == k && $0.kind == .next && (reached(model.nodes[$0.from].state) || model.nodes[$0.from].passedEarlier) }
                let after = model.edges.contains { $0.from == k && $0.kind == .next && model.nodes[$0.to].passedEarlier }
                if before && after { mark(k) }
            }
            if changed { markTaken(&model) }
        }

        let owner = snapshot.owner ?? words.noOwner
        // An open deal whose open nodes are all on the lose path is being lost: said so, as the
        // report says it (QA round 39, H15: "进行中" over a deal in its loss review).
        let open = model.nodes.filter { $0.state.map(Self.openStates.contains) == true && $0.machineIndex != nil }
        let status = snapshot.status == .open && !open.isEmpty && open.allSatisfy(\.losePath) ? "losing" : snapshot.status.rawValue
        model.deal = GraphDeal(dealID: snapshot.dealID, status: snapshot.status,
                               heading: words.fill(words.dealHeading, snapshot.dealID, words.dealStatus[status] ?? status,
                                                   words.pool[snapshot.pool.rawValue] ?? snapshot.pool.rawValue, owner, String(snapshot.sequence)))
    }

    /// Marks each arrow taken or not (see the type's comment).
    func markTaken(_ model: inout GraphModel) {
        let decisions = snapshot.decisions
        let lost = decisions.contains { $0.kind == .lose } || snapshot.loseReason != nil
        for e in model.edges.indices {
            let edge = model.edges[e]
            let from = model.nodes[edge.from], to = model.nodes[edge.to]
            let target = to.machineIndex
            var taken: Bool
            switch edge.kind {
            case .start: taken = true
            case .next where to.kind == .decision:
                taken = to.state == .done || to.passedEarlier
            case .next, .fork:
                // Along the current pass, or along the pass the deal was sent back from.
                let sourceDone = from.kind == .start || finished(from.state) || (from.kind == .decision && from.state == .done) || from.passedEarlier
                    || (to.passedEarlier && reached(from.state))
                taken = sourceDone && (reached(to.state) || to.passedEarlier)
            case .branch, .otherwise:
                let source = model.edges.first { $0.to == edge.from }.map { model.nodes[$0.from].machineIndex } ?? nil
                let branchDecisions = decisions.filter { ($0.kind == .branch || $0.kind == .branchDefault) && $0.node == source }
                if branchDecisions.isEmpty {
                    taken = snapshot.decisionsDropped > 0 && finished(status(source)) && reached(to.state)
                } else {
                    let kind: Decision.Kind = edge.kind == .branch ? .branch : .branchDefault
                    taken = branchDecisions.contains { $0.kind == kind && decided($0.target, target) && (kind == .branchDefault || $0.expression.map(expression) == edge.condition) }
                }
            case .outcome:
                let outcomeDecisions = decisions.filter { $0.kind == .outcome && $0.node == from.machineIndex }
                if outcomeDecisions.isEmpty, let i = from.machineIndex, snapshot.nodes.indices.contains(i), finished(from.state),
                   case .outcomes(let outcomes) = machine.nodes[i].transition, let chosen = snapshot.nodes[i].outcome,
                   outcomes.indices.contains(chosen) {
                    taken = outcomes[chosen].to == target && outcomes[chosen].name == edge.outcomeName
                } else {
                    taken = outcomeDecisions.contains { decided($0.target, target) && $0.detail == edge.outcomeName }
                }
            case .rework:
                taken = decisions.contains { $0.kind == .rework && $0.node == from.machineIndex && $0.target == target }
            case .lose:
                // A loss the deal was claimed back from: its lose arrow, as the loss review passed
                // earlier (QA round 39, H5: faint beside the loss's other arrows).
                taken = lost && (reached(to.state) || to.passedEarlier)
            }
            model.edges[e].taken = taken
            model.edges[e].earlier = taken && edge.kind != .rework
                && (edge.kind == .lose ? to.passedEarlier : from.passedEarlier || from.state.map(Self.openStates.contains) == true)
        }
    }

    func expression(_ i: Int) -> String { machine.expressions.indices.contains(i) ? machine.expressions[i].source : "?" }
}

extension GraphEdge {
    /// The outcome's name of an outcome arrow.
    var outcomeName: String? { kind == .outcome ? condition : nil }
}
