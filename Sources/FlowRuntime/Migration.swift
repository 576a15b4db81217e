import FlowExpr
public import FlowIR

/// What a migration did to one deal: the new snapshot, how its reached nodes moved, and what was
/// carried over with a loss (notes). A migration emits no effects.
public struct MigrationOutcome: Sendable, Hashable {
    public var snapshot: DealSnapshot
    /// Every node the deal had reached (not pending), in the old machine's order.
    public var moves: [NodeMove]
    /// What was dropped or changed on the way (``RuntimeMessages/Migration`` texts).
    public var notes: [String]
}

/// Where a node the deal had reached went in the new version.
public struct NodeMove: Codable, Sendable, Hashable {
    /// The node's id in the old version.
    public var from: String
    /// Its counterpart in the new version (nil: dropped, for skipped and closed nodes only).
    public var to: String?
    /// Its status before the move (a blocked node whose new due date is later becomes active).
    public var status: NodeStatus
    /// The status the node has on the new version when it is not `status`: `active` for a
    /// blocked node that the new version's later due date (or none) makes no longer overdue
    /// (QA round 27, M7). Nil when the status carries over, and for the nodes of a merge whose
    /// state the merged node does not keep (the merge note says which it keeps).
    public var becomes: NodeStatus?
    /// For a done node: the deal's open nodes on the new version that it lands after (it can be
    /// reached from each of them, and none from it), where the deal's open nodes on the old
    /// version had not passed it either: it shows done ahead of the deal, most often a slip in
    /// the mapping (QA round 27, M5). Nil otherwise.
    public var aheadOf: [String]?

    public init(from: String, to: String?, status: NodeStatus, becomes: NodeStatus? = nil, aheadOf: [String]? = nil) {
        self.from = from
        self.to = to
        self.status = status
        self.becomes = becomes
        self.aheadOf = aheadOf
    }
}

extension Runner {
    /// Applies a `migrate` event: translates the deal's snapshot from the machine it runs on
    /// (`old`) to another version of its template (`new`). docs/runtime.md §18.
    ///
    /// Nodes are matched by id unless the event's mapping says otherwise; fields, roles,
    /// deliverables and outcomes by id; the pool, the owner, the idle clock, group chats,
    /// decisions and node records are carried over. Due dates are recomputed from the new
    /// version's `due` (a node's activation time is kept), computed fields recomputed, and the
    /// flow ahead (the projected `when` of pending nodes) re-evaluated on the new machine. Due
    /// timers are not fired by the migration itself: they fire on the deal's next event.
    ///
    /// - Returns: the outcome, or a refusal (nothing changes): FC1165 the deal is closed, FC1164
    ///   it already runs on `new`, FC1163 the event names another target, FC1103 `old` is not the
    ///   deal's machine, FC1166–FC1170, FC1178 and FC1179 an unsafe move; and the usual event checks (FC1106–FC1109).
    public static func migrate(from old: PreparedMachine, to new: PreparedMachine, _ snapshot: DealSnapshot, _ event: DealEvent,
                               context: StepContext, limits: RunnerLimits = .default) -> Result<MigrationOutcome, Refusal> {
        do {
            return .success(try MigrationTranslator.run(old, new, snapshot, event, context, limits))
        } catch {
            return .failure(error)
        }
    }

    /// Every reason a migration refuses the deal, not only the first (which ``migrate(from:to:_:_:context:limits:)``
    /// returns): each reached node without a counterpart or of the wrong kind; when the nodes
    /// move, each check of where they land (a fork's branch left unentered, FC1178; an open node
    /// inside a fork not entered, FC1179; open nodes one after another, FC1182); each field value
    /// the new version refuses. So a migration report can list them all, and an author fixes
    /// the mapping in one go instead of one node per run. Empty when the nodes and fields move;
    /// a refusal of the mapping itself (FC1167, FC1168) is given alone.
    /// - Parameter rules: the runner rules the migration would be stepped under (8 and later
    ///   check merged nodes by the state the merge keeps).
    public static func migrationProblems(from old: PreparedMachine, to new: PreparedMachine, _ snapshot: DealSnapshot,
                                         map: [NodeMapping], limits: RunnerLimits = .default, rules: Int = StepContext.currentRules) -> [Refusal] {
        var t = MigrationTranslator(old: old, new: new, s: snapshot)
        let targets: [Int?]
        do { targets = try t.nodeTargets(map) } catch { return [error] }
        var out: [Refusal] = []
        for i in snapshot.nodes.indices where old.machine.nodes.indices.contains(i) && i < targets.count {
            if let problem = t.nodeProblem(i, targets, rules: rules) { out.append(problem) }
        }
        // The nodes moved, the checks of where they land, each on its own, as the migration
        // makes them in turn (QA round 36, C12: a deal refused FC1178 showed its FC1182 only in
        // the run after the first was fixed).
        if out.isEmpty {
            var fresh = snapshot
            fresh.machineHash = new.machine.template.hash
            if (try? t.translateNodes(targets, into: &fresh, at: snapshot.lastEventAt, keepingPlan: rules >= 4, rules: rules)) != nil {
                out += t.placementProblems(&fresh, targets, rules: rules)
            }
        }
        out += t.fieldProblems(limits)
        return out
    }

    /// The problems of a mapping itself against the version deals move to, all of them: each
    /// target that is not one of its node ids (FC1167, with a did-you-mean). A host checks them once,
    /// before any deal, since they refuse every deal whose node the mapping names.
    public static func mappingTargetProblems(_ map: [NodeMapping], toNodes ids: [String]) -> [Refusal] {
        let known = Set(ids)
        var seen = Set<String>()
        return map.compactMap { entry in
            guard !known.contains(entry.new), seen.insert(entry.old + "\u{1F}" + entry.new).inserted else { return nil }
            return Refusal(RuntimeMessages.mappingUnknownNode, Names.shown(entry.old), Names.shown(entry.new),
                           Names.didYouMean(entry.new, among: ids))
        }
    }

    /// ``mappingTargetProblems(_:toNodes:)`` against a machine's nodes: a target that is a
    /// node's display name rather than its id is said so, with the id.
    public static func mappingTargetProblems(_ map: [NodeMapping], to machine: Machine) -> [Refusal] {
        let known = Set(machine.nodes.map(\.id))
        var seen = Set<String>()
        return map.compactMap { entry in
            guard !known.contains(entry.new), seen.insert(entry.old + "\u{1F}" + entry.new).inserted else { return nil }
            return Refusal(RuntimeMessages.mappingUnknownNode, Names.shown(entry.old), Names.shown(entry.new),
                           Names.didYouMeanNode(entry.new, among: machine.nodes))
        }
    }

    /// The hash of the machine a deal's log starts on: the `from` of its first migration, or
    /// `current` (the hash its snapshot names) when it was never migrated.
    public static func initialMachineHash(events: [DealEvent], current: String) -> String {
        for e in events { if case .migrate(let from, _, _) = e.action { return from } }
        return current
    }

    /// Folds a deal's event log across migrations: the log starts on `initial`, and each
    /// `migrate` event moves the fold to the machine `machines` gives for its target hash (FC1162
    /// when it gives none).
    public static func replay(_ initial: PreparedMachine, events: [DealEvent], contexts: [StepContext], limits: RunnerLimits = .default,
                              machines: (String) -> PreparedMachine?) -> Result<ReplayOutcome, ReplayFailure> {
        var machine = initial
        var snapshot: DealSnapshot?
        var effects: [Effect] = []
        for (i, event) in events.enumerated() {
            let context = i < contexts.count ? contexts[i] : StepContext.at(event)
            func failed(_ refusal: Refusal) -> Result<ReplayOutcome, ReplayFailure> {
                .failure(ReplayFailure(index: i, eventID: event.id, refusal: refusal))
            }
            if case .migrate(_, let to, _) = event.action, let current = snapshot {
                guard let target = machines(to) else { return failed(Refusal(RuntimeMessages.migrateNeedsMachines, to)) }
                switch migrate(from: machine, to: target, current, event, context: context, limits: limits) {
                case .success(let outcome):
                    snapshot = outcome.snapshot
                    machine = target
                case .failure(let refusal): return failed(refusal)
                }
                continue
            }
            if var current = snapshot {
                snapshot = nil
                switch step(machine, &current, event, context: context, limits: limits) {
                case .success(let stepEffects):
                    snapshot = current
                    effects.append(contentsOf: stepEffects)
                case .failure(let refusal): return failed(refusal)
                }
                continue
            }
            switch step(machine, nil, event, context: context, limits: limits) {
            case .success(let outcome):
                snapshot = outcome.snapshot
                effects.append(contentsOf: outcome.effects)
            case .failure(let refusal): return failed(refusal)
            }
        }
        return .success(ReplayOutcome(snapshot: snapshot, effects: effects))
    }
}

/// The translation of one snapshot between two machines (see ``Runner/migrate(from:to:_:_:context:limits:)``).
/// Everything is checked and built on a fresh snapshot before anything is returned, so a refusal
/// changes nothing.
struct MigrationTranslator {
    let old: PreparedMachine
    let new: PreparedMachine
    let s: DealSnapshot
    var notes: [String] = []

    static func run(_ old: PreparedMachine, _ new: PreparedMachine, _ s: DealSnapshot, _ event: DealEvent, _ context: StepContext,
                    _ limits: RunnerLimits) throws(Refusal) -> MigrationOutcome {
        guard case .migrate(let from, let to, let map) = event.action else {
            throw Refusal(RuntimeMessages.migrateNeedsMachines, new.machine.template.hash)
        }
        try Stepper.checkEvent(event, context, limits)
        let newHash = new.machine.template.hash
        if s.status != .open { throw Refusal(RuntimeMessages.migrateClosed, s.status.rawValue) }
        if s.machineHash == newHash { throw Refusal(RuntimeMessages.alreadyOnTarget, Names.shown(s.dealID), newHash) }
        if to != newHash { throw Refusal(RuntimeMessages.migrateTargetMismatch, Names.shown(to), newHash) }
        if from != s.machineHash { throw Refusal(RuntimeMessages.machineMismatch, s.templateID, s.machineHash, Names.shown(from)) }
        try Stepper.usable(s, old)
        if event.id == s.lastEventID { throw Refusal(RuntimeMessages.duplicateEvent, Names.shown(event.id)) }
        if event.at < s.lastEventAt {
            throw Refusal(RuntimeMessages.eventOutOfOrder, Names.shown(event.id), Stepper.time(event.at, in: context), Stepper.time(s.lastEventAt, in: context))
        }
        var t = MigrationTranslator(old: old, new: new, s: s)
        let targets = try t.nodeTargets(map)
        var fresh = s
        fresh.templateID = new.machine.template.id
        fresh.templateVersion = new.machine.template.version
        fresh.machineHash = newHash
        var moves = try t.translateNodes(targets, into: &fresh, at: event.at, keepingPlan: context.rules >= 4, rules: context.rules)
        if let first = t.placementProblems(&fresh, targets, rules: context.rules).first { throw first }
        t.markDoneAhead(&moves, fresh, targets, map: map)
        let mapped = Set(targets.compactMap { $0 })
        // Rules 9: each node the new version adds ahead of the deal whose place in the flow a
        // `when` decides gets a projection decision, in or out, with the values read, so that
        // `why` says what the new version put ahead (QA round 27, M11).
        let added = context.rules >= 9 ? t.addedProjectedNodesAhead(fresh, mapped: mapped) : []
        t.noteAddedBehind(fresh, mapped: mapped)
        fresh.fields = try t.translateFields(limits)
        fresh.roleMembers = t.translateRoles()
        fresh.groupChats = t.translateChats(targets, byPlace: context.rules >= 4)
        fresh.decisions = t.translateDecisions(targets)
        fresh.records = s.records.compactMap { r in
            guard let n = targets[r.node] else { return nil }
            var moved = r
            moved.node = n
            return moved
        }
        let detail = RuntimeMessages.fill(RuntimeMessages.Migration.detail,
                                          [s.templateVersion, s.machineHash, new.machine.template.version, newHash])
        _ = try Stepper.with(new, &fresh, event: event, context: context, limits: limits) { (stepper) throws(Refusal) -> [Effect] in
            stepper.now = event.at
            stepper.recomputeFields()
            stepper.record(.migration, detail: detail)
            for n in added { stepper.projectAdded(n) }
            return stepper.finishStep()
        }
        if context.rules >= 4 {
            // A node new in this version was never in the flow ahead, so it did not leave it: its
            // projection is recorded only once it changes (as for a new node in the plan); under
            // rules 9 those ahead of the deal have theirs, which says the node is new.
            let kept = mapped.union(added)
            fresh.decisions.removeAll { d in
                d.sequence == fresh.sequence && d.kind == .projection && d.node.map { !kept.contains($0) } == true
            }
        }
        return MigrationOutcome(snapshot: fresh, moves: moves, notes: t.notes)
    }

    // MARK: Nodes

    /// The new index of every old node (nil: no counterpart), after checking the mapping.
    func nodeTargets(_ map: [NodeMapping]) throws(Refusal) -> [Int?] {
        let om = old.machine, nm = new.machine
        var explicit: [String: String] = [:]
        for entry in map {
            if let earlier = explicit[entry.old], earlier != entry.new {
                throw Refusal(RuntimeMessages.mappingDuplicate, Names.shown(entry.old), Names.shown(earlier), Names.shown(entry.new))
            }
            guard new.nodeIndex[entry.new] != nil else {
                throw Refusal(RuntimeMessages.mappingUnknownNode, Names.shown(entry.old), Names.shown(entry.new),
                              Names.didYouMeanNode(entry.new, among: nm.nodes))
            }
            explicit[entry.old] = entry.new
        }
        return om.nodes.map { node in new.nodeIndex[explicit[node.id] ?? node.id] }
    }

    /// How much of a deal's position a status holds, for merges: the open state wins.
    static func weight(_ status: NodeStatus) -> Int {
        switch status {
        case .active, .blocked: 5
        case .waiting: 4
        case .done: 3
        case .closed: 2
        case .skipped: 1
        case .pending: 0
        }
    }

    /// The node whose state a merge onto new node `t` keeps: of the reached old nodes mapped
    /// there, the first with the most of the deal's position (``weight(_:)``), as
    /// ``translateNodes(_:into:at:keepingPlan:rules:)`` merges them; nil when none is.
    func mergeKeeps(_ t: Int, _ targets: [Int?]) -> Int? {
        var keep: Int?
        for (j, state) in s.nodes.enumerated() where state.status != .pending && old.machine.nodes.indices.contains(j) {
            guard targets.indices.contains(j), targets[j] == t else { continue }
            if let k = keep, MigrationTranslator.weight(state.status) <= MigrationTranslator.weight(s.nodes[k].status) { continue }
            keep = j
        }
        return keep
    }

    /// Why the node `i` the deal has reached cannot move to its target: no counterpart for an
    /// open or done node (FC1166), or a counterpart of a kind that cannot hold its state
    /// (FC1169); nil when it can (or is dropped with a note: skipped and closed nodes).
    ///
    /// Under rules 8 a node merged with others is checked by the state the merged node keeps
    /// (the winner's): a waiting join merged with a blocked branch into one task leaves a
    /// blocked task, which a task can be (QA round 27, M3); under 7 each node's own state was
    /// checked, and such a deal was refused.
    func nodeProblem(_ i: Int, _ targets: [Int?], rules: Int = StepContext.currentRules) -> Refusal? {
        let om = old.machine, nm = new.machine
        let state = s.nodes[i], id = om.nodes[i].id
        guard let t = targets[i] else {
            switch state.status {
            case .skipped, .closed, .pending: return nil
            default: return Refusal(RuntimeMessages.nodeRemoved, id, state.status.rawValue)
            }
        }
        if rules >= 8, let keep = mergeKeeps(t, targets), keep != i { return nil }
        let kind = nm.nodes[t].kind, oldKind = om.nodes[i].kind
        var fits = true
        var why = ""
        switch state.status {
        case .active, .blocked: fits = kind == .task || kind == .approval
        case .waiting: fits = kind == .join
        case .done where kind == .won || kind == .lost:
            // The deal is open (closed deals are not migrated): a done end would close it.
            fits = false
            why = RuntimeMessages.fill(RuntimeMessages.Phrase.endNotDone, [kind.rawValue])
        case .done where kind == .join && oldKind != .join:
            // A done join means every branch arrived; a done task does not say so.
            fits = false
            why = RuntimeMessages.fill(RuntimeMessages.Phrase.joinNotDone, [oldKind.rawValue])
        default: break
        }
        return fits ? nil : Refusal(RuntimeMessages.nodeKindIncompatible, id, state.status.rawValue, nm.nodes[t].id, kind.rawValue, why)
    }

    /// - Parameter keepingPlan: whether a pending node keeps its place in the flow ahead
    ///   (`inPlan`) from its old counterpart (runner rules 4), so that the projection on the new
    ///   machine records only what changed; under 3 every pending node started in the plan, and a
    ///   node that was never in it was said to leave it.
    mutating func translateNodes(_ targets: [Int?], into fresh: inout DealSnapshot, at now: Int64,
                                 keepingPlan: Bool, rules: Int) throws(Refusal) -> [NodeMove] {
        let om = old.machine, nm = new.machine
        fresh.nodes = nm.nodes.map { NodeState(deliverables: $0.deliverables.count) }
        if keepingPlan {
            for (i, state) in s.nodes.enumerated() where state.status == .pending && !state.inPlan {
                if targets.indices.contains(i), let t = targets[i] { fresh.nodes[t].inPlan = false }
            }
        }
        var source: [Int?] = Array(repeating: nil, count: nm.nodes.count)
        // The old nodes merged into each new one, in order: one note each, after the loop (QA
        // round 36, C14: a note per pair, the first naming a state the merge did not keep).
        var merged: [Int: [Int]] = [:]
        var moves: [NodeMove] = []
        for (i, state) in s.nodes.enumerated() where state.status != .pending && om.nodes.indices.contains(i) {
            let id = om.nodes[i].id
            if let problem = nodeProblem(i, targets, rules: rules) { throw problem }
            guard let t = targets[i] else {
                // Skipped or closed (anything else is a problem): dropped with a note.
                notes.append(RuntimeMessages.fill(RuntimeMessages.Migration.nodeDropped, [id, state.status.rawValue]))
                moves.append(NodeMove(from: id, to: nil, status: state.status))
                continue
            }
            moves.append(NodeMove(from: id, to: nm.nodes[t].id, status: state.status))
            if let other = source[t] {
                // A merge: the state with more of the deal's position wins; entries add up.
                let keep = MigrationTranslator.weight(state.status) > MigrationTranslator.weight(s.nodes[other].status) ? i : other
                let entries = fresh.nodes[t].entries + state.entries
                merged[t, default: [other]].append(i)
                if keep == i {
                    fresh.nodes[t] = translated(state, from: i, to: t, at: now, rules: rules)
                    source[t] = i
                }
                fresh.nodes[t].entries = entries
                continue
            }
            fresh.nodes[t] = translated(state, from: i, to: t, at: now, rules: rules)
            source[t] = i
        }
        for t in merged.keys.sorted() {
            guard let from = merged[t], let kept = source[t] else { continue }
            var shown = from.map { "`\(om.nodes[$0].id)` (\(s.nodes[$0].status.rawValue))" }
            let last = shown.removeLast()
            notes.append(RuntimeMessages.fill(RuntimeMessages.Migration.merged, [
                shown.joined(separator: ", ") + " and " + last, nm.nodes[t].id, om.nodes[kept].id,
            ]))
        }
        // The state a moved node really has on the new version, when it is not the one it had: a
        // blocked node no longer overdue is active again (QA round 27, M7).
        for (t, kept) in source.enumerated() {
            guard let i = kept, fresh.nodes[t].status != s.nodes[i].status,
                  let m = moves.firstIndex(where: { $0.from == om.nodes[i].id }) else { continue }
            moves[m].becomes = fresh.nodes[t].status
        }
        return moves
    }

    /// Nodes reachable from any of `starts` on `machine`, the starts included; `forward`: along
    /// the transitions that lead forward only (no way back, no rework).
    static func reachable(_ machine: PreparedMachine, from starts: [Int], forward: Bool = false) -> [Bool] {
        let successors = forward ? machine.tables.forward.successors : machine.successors
        var seen = Array(repeating: false, count: successors.count)
        var stack = starts.filter { seen.indices.contains($0) }
        while let x = stack.popLast() {
            if seen[x] { continue }
            seen[x] = true
            stack.append(contentsOf: successors[x].filter { !seen[$0] })
        }
        return seen
    }

    /// The open nodes (active, blocked, waiting) of a deal's nodes, each with the nodes it reaches.
    /// - Parameter forward: along the transitions that lead forward only (``ForwardEdges``).
    static func openReach(_ nodes: [NodeState], on machine: PreparedMachine, forward: Bool = false) -> [(node: Int, reaches: [Bool])] {
        nodes.indices.filter { nodes[$0].status.isOpen || nodes[$0].status == .waiting }.map { ($0, machine.reachable(from: $0, forward: forward)) }
    }

    /// The open nodes (`open`, from ``openReach(_:on:)``) that node `n` comes after on `machine`:
    /// `n` can be reached from each of them, and none of them from `n` (a node in a loop with an
    /// open node, as one an approval's rejection goes back to, comes both before and after it).
    static func openNodesBefore(_ n: Int, _ open: [(node: Int, reaches: [Bool])], on machine: PreparedMachine) -> [Int] {
        let candidates = open.filter { $0.node != n && $0.reaches.indices.contains(n) && $0.reaches[n] }
        if candidates.isEmpty { return [] }
        let fromN = machine.reachable(from: n)
        return candidates.map(\.node).filter { !fromN[$0] }
    }

    /// Each done node the migration puts after the deal's open nodes on the new version, though
    /// the deal had not passed them on the old one (QA round 27, M5): the deal's graph, `why`
    /// and the report would show it done ahead of the deal, most often through a mapping that
    /// names a wrong (but existing) node. Not refused: the deal is not stuck (it enters the node
    /// again when it gets there), and a new version may put a step the deal has done later on.
    /// Marks the moves (``NodeMove/aheadOf``) and notes each.
    mutating func markDoneAhead(_ moves: inout [NodeMove], _ fresh: DealSnapshot, _ targets: [Int?], map: [NodeMapping]) {
        let om = old.machine, nm = new.machine
        guard moves.contains(where: { $0.status == .done }) else { return }
        let openNew = Self.openReach(fresh.nodes, on: new)
        if openNew.isEmpty { return }
        var openOld: [(node: Int, reaches: [Bool])]?
        for (k, move) in moves.enumerated() where move.status == .done {
            guard let i = om.nodes.firstIndex(where: { $0.id == move.from }), targets.indices.contains(i), let t = targets[i],
                  fresh.nodes[t].status == .done else { continue }
            let after = Self.openNodesBefore(t, openNew, on: new)
            if after.isEmpty { continue }
            if openOld == nil { openOld = Self.openReach(s.nodes, on: old) }
            if !Self.openNodesBefore(i, openOld ?? [], on: old).isEmpty { continue }
            let ids = after.map { nm.nodes[$0].id }
            moves[k].aheadOf = ids
            let mapped = map.contains { $0.old == move.from && $0.new != move.from }
            let hint = mapped ? RuntimeMessages.fill(RuntimeMessages.Migration.doneAheadMapped, [move.from]) : RuntimeMessages.Migration.doneAheadReordered
            notes.append(RuntimeMessages.fill(RuntimeMessages.Migration.doneAhead, [nm.nodes[t].id, move.from, Names.list(ids), hint]))
        }
    }

    /// The pending nodes of the new version that no old node moves to (`mapped` holds those
    /// that one does), that a `when` keeps in or out of the flow ahead, and that the deal can
    /// reach from its open nodes: what the new version adds ahead of the deal. A node it adds
    /// behind the deal is not in the flow ahead, in or out.
    func addedProjectedNodesAhead(_ fresh: DealSnapshot, mapped: Set<Int>) -> [Int] {
        let open = fresh.nodes.indices.filter { fresh.nodes[$0].status.isOpen || fresh.nodes[$0].status == .waiting }
        let ahead = Self.reachable(new, from: open)
        let when = new.tables.projectedWhen
        return fresh.nodes.indices.filter { n in
            fresh.nodes[n].status == .pending && !mapped.contains(n) && ahead[n] && when.indices.contains(n) && when[n] != nil
        }
    }

    /// Notes each node the new version adds behind the deal: new (no old node maps to it),
    /// pending, and before the deal's open nodes along the transitions that lead forward, which
    /// do not lead to it. The deal does not pass it (QA round 41, M2, M3: half of a split node
    /// stayed pending behind the deals, and nothing said so).
    mutating func noteAddedBehind(_ fresh: DealSnapshot, mapped: Set<Int>) {
        let open = fresh.nodes.indices.filter { fresh.nodes[$0].status.isOpen || fresh.nodes[$0].status == .waiting }
        guard !open.isEmpty else { return }
        let ahead = Self.reachable(new, from: open, forward: true)
        for n in fresh.nodes.indices where fresh.nodes[n].status == .pending && !mapped.contains(n) && ahead.indices.contains(n) && !ahead[n] {
            let reaches = Self.reachable(new, from: [n], forward: true)
            guard open.contains(where: { reaches.indices.contains($0) && reaches[$0] }) else { continue }
            notes.append(RuntimeMessages.fill(RuntimeMessages.Migration.addedBehind, [new.machine.nodes[n].id, Names.list(open.map { new.machine.nodes[$0].id })]))
        }
    }

    /// The nodes of the new version that the deal's open nodes (active, blocked, a waiting join)
    /// reach along the transitions that lead forward, themselves included: a join among them is
    /// one the deal may still arrive at. A deal lost from inside a fork (its branches closed, its
    /// join back to pending) reaches only its lose path (QA round 34, S4).
    func joinsAhead(_ fresh: DealSnapshot) -> [Bool] {
        var ahead = Array(repeating: false, count: new.machine.nodes.count)
        for (_, reaches) in Self.openReach(fresh.nodes, on: new, forward: true) {
            for n in reaches.indices where reaches[n] && ahead.indices.contains(n) { ahead[n] = true }
        }
        return ahead
    }

    /// The checks of where the moved nodes land, in the order the migration makes them under
    /// `rules`: every problem found, first to last, each check on its own. The migration is
    /// refused for the first (``run``); a report lists them all (``Runner/migrationProblems``).
    /// The joins the deal is inside are counted again on the way (rules 10).
    func placementProblems(_ fresh: inout DealSnapshot, _ targets: [Int?], rules: Int) -> [Refusal] {
        var out: [Refusal] = []
        // Rules 14: a fork the deal cannot reach the join of (lost from inside it) is behind it.
        let stillJoining = rules >= 14 ? joinsAhead(fresh) : nil
        if rules >= 3 { do { try checkForkBranches(fresh, joinsAhead: stillJoining) } catch { out.append(error) } }
        if rules >= 6 { do { try checkForksNotEntered(fresh, targets) } catch { out.append(error) } }
        // Rules 10: a join the deal is inside counts its branches again on the new version (QA
        // round 32, R5: it kept the old count, and released with a branch still open).
        if rules >= 10 { recountJoins(&fresh, joinsAhead: stillJoining) }
        // Rules 12: no open node after another (QA round 33, Q1, Q2).
        if rules >= 12 { do { try checkOpenNodesApart(fresh, targets) } catch { out.append(error) } }
        return out
    }

    /// A fork the deal is inside (the fork done, its join not yet released) must have each
    /// branch of the new version under way or behind it: a branch none of whose nodes the deal
    /// has reached would never start, and its join would wait for ever (FC1178).
    /// - Parameter joinsAhead: under rules 14, ``joinsAhead(_:)``: a fork whose join the deal
    ///   cannot reach is not one it is inside. Under 3 to 13 (nil) a deal lost from inside a fork
    ///   was refused for a version that gives the fork a branch.
    func checkForkBranches(_ fresh: DealSnapshot, joinsAhead: [Bool]?) throws(Refusal) {
        let nm = new.machine
        for f in nm.nodes.indices where fresh.nodes[f].status == .done {
            guard case .fork(let branches, let j) = nm.nodes[f].transition, nm.nodes.indices.contains(j),
                  fresh.nodes[j].status == .pending || fresh.nodes[j].status == .waiting,
                  joinsAhead?[j] ?? true else { continue }
            // A branch straight to the join has no node to enter (its lane is empty). Every such
            // branch is named (QA round 36, C12: one a run, so a deal took a run for each).
            var unentered: [String] = []
            for (b, lane) in new.tables.branchLanes(fork: f, branches: branches, join: j) where lane.contains(true) {
                let entered = lane.indices.contains { lane[$0] && fresh.nodes[$0].status != .pending }
                if !entered { unentered.append(nm.nodes[b].id) }
            }
            typealias P = RuntimeMessages.Phrase
            if let only = unentered.first {
                let which = unentered.count == 1 ? RuntimeMessages.fill(P.branchHas, [only])
                    : RuntimeMessages.fill(P.branchesHave, [Names.list(unentered)])
                throw Refusal(RuntimeMessages.forkBranchNotEntered, nm.nodes[f].id, which, nm.nodes[j].id)
            }
        }
    }

    /// Each join of a fork the deal is inside (the fork done, the join not), its arrivals counted
    /// on the new version: a branch has arrived when no node of its lane is open (active,
    /// blocked, or an inner join waiting), which a branch straight to the join always has; at
    /// most one short of the join's branch count, as the join releases only when the deal
    /// steps. The join waits once a branch has arrived, and is pending before.
    ///
    /// Under rules 9 a waiting join kept its old count (at most one short): a done node the
    /// mapping moved into a branch still under way kept its arrival, and the join released
    /// with that branch open (QA round 32, R5).
    /// - Parameter joinsAhead: under rules 14, ``joinsAhead(_:)``: a join the deal cannot reach
    ///   keeps its state. Under 10 to 13 (nil) the join of a fork the deal was lost from inside
    ///   counted its closed branches as arrived, and waited.
    func recountJoins(_ fresh: inout DealSnapshot, joinsAhead: [Bool]?) {
        let nm = new.machine
        for f in nm.nodes.indices where fresh.nodes[f].status == .done {
            guard case .fork(let branches, let j) = nm.nodes[f].transition, nm.nodes.indices.contains(j),
                  fresh.nodes[j].status == .pending || fresh.nodes[j].status == .waiting,
                  joinsAhead?[j] ?? true else { continue }
            let arrived = new.tables.branchLanes(fork: f, branches: branches, join: j).filter { _, lane in
                !lane.indices.contains { lane[$0] && (fresh.nodes[$0].status.isOpen || fresh.nodes[$0].status == .waiting) }
            }.count
            let expected = new.tables.joinExpected.indices.contains(j) ? new.tables.joinExpected[j] : 1
            fresh.nodes[j].arrivals = min(arrived, max(0, expected - 1))
            fresh.nodes[j].status = fresh.nodes[j].arrivals > 0 ? .waiting : .pending
        }
    }

    /// The deal's open nodes on the new version (active, blocked, a waiting join) must not come
    /// one after another (one reachable from the other and not back): when the deal left the
    /// earlier it would enter the later again, though open (FC1182, rules 12; QA round 33, Q1: an
    /// open node moved back before a fork whose other branch stayed open made that branch's node
    /// entered twice, its `on_enter` effects sent again; Q2: an open branch node moved past its
    /// join left the join waiting for ever). A waiting join after the nodes of its own fork's
    /// branches is the deal's place inside a fork. "After" follows the transitions that lead
    /// forward (``ForwardEdges``): a loop back (a branch's approval that can send the deal back
    /// before the fork) reworks, and enters nothing twice (QA round 34, S1).
    func checkOpenNodesApart(_ fresh: DealSnapshot, _ targets: [Int?]) throws(Refusal) {
        let open = Self.openReach(fresh.nodes, on: new, forward: true)
        guard open.count > 1 else { return }
        let nm = new.machine, om = old.machine
        for (u, reachesFromU) in open {
            for (v, reachesFromV) in open where v != u && reachesFromU[v] && !reachesFromV[u] {
                if let f = new.tables.forkJoin.firstIndex(where: { $0 == v }), new.tables.forkRegion[f].contains(u) { continue }
                // The old node whose state a new node has, when a mapping moved it there.
                func origin(_ t: Int) -> String? {
                    guard let i = mergeKeeps(t, targets), om.nodes[i].id != nm.nodes[t].id else { return nil }
                    return om.nodes[i].id
                }
                typealias P = RuntimeMessages.Phrase
                func state(_ t: Int) -> String {
                    let status = fresh.nodes[t].status.rawValue
                    return origin(t).map { RuntimeMessages.fill(P.openStateFrom, [status, $0]) } ?? RuntimeMessages.fill(P.openState, [status])
                }
                let moved = [v, u].first { origin($0) != nil }
                let remedy = moved.map { RuntimeMessages.fill(P.checkMapping, [origin($0) ?? "", nm.nodes[$0].id, nm.nodes[u].id]) }
                    ?? RuntimeMessages.fill(P.migrateLater, [nm.nodes[u].id])
                throw Refusal(RuntimeMessages.openAfterOpen, nm.nodes[v].id, state(v), nm.nodes[u].id, state(u), remedy)
            }
        }
    }

    /// A fork the deal has not entered (not done on the new version) must have no open node of
    /// the deal in its branches or at its join: the fork would never start its other branches,
    /// and the join would wait for ever (FC1179).
    func checkForksNotEntered(_ fresh: DealSnapshot, _ targets: [Int?]) throws(Refusal) {
        let nm = new.machine
        for f in nm.nodes.indices where fresh.nodes[f].status != .done {
            guard case .fork(let branches, let j) = nm.nodes[f].transition, nm.nodes.indices.contains(j) else { continue }
            var inside = [j]
            for (_, lane) in new.tables.branchLanes(fork: f, branches: branches, join: j) {
                inside += lane.indices.filter { lane[$0] }
            }
            for t in inside.sorted() where [.active, .blocked, .waiting].contains(fresh.nodes[t].status) {
                let from = targets.firstIndex { $0 == t }.map { old.machine.nodes[$0].id } ?? nm.nodes[t].id
                let remedy = RuntimeMessages.fill(RuntimeMessages.Phrase.mapBeforeFork, [from, nm.nodes[f].id])
                throw Refusal(RuntimeMessages.forkNotEntered, from, fresh.nodes[t].status.rawValue, nm.nodes[t].id, nm.nodes[f].id, nm.nodes[j].id, remedy)
            }
        }
    }

    /// One node's state on the new machine: deliverables and outcome by name, due date recomputed.
    mutating func translated(_ state: NodeState, from i: Int, to t: Int, at now: Int64, rules: Int) -> NodeState {
        let od = old.machine.nodes[i], nd = new.machine.nodes[t]
        var st = NodeState(deliverables: nd.deliverables.count)
        st.status = state.status
        st.inPlan = true
        st.entries = state.entries
        st.activatedAt = state.activatedAt
        st.finishedAt = state.finishedAt
        for (k, name) in od.deliverables.enumerated() where state.deliverables.indices.contains(k) && state.deliverables[k] {
            if let j = nd.deliverables.firstIndex(of: name) {
                st.deliverables[j] = true
            } else {
                // Work the owner recorded: never dropped without a word (QA round 41, M3).
                notes.append(RuntimeMessages.fill(RuntimeMessages.Migration.deliverableDropped, [name, od.id, nd.id]))
            }
        }
        if let o = state.outcome, case .outcomes(let oldOutcomes) = od.transition, oldOutcomes.indices.contains(o) {
            let name = oldOutcomes[o].name
            if case .outcomes(let newOutcomes) = nd.transition, let j = newOutcomes.firstIndex(where: { $0.name == name }) {
                st.outcome = j
            } else {
                notes.append(RuntimeMessages.fill(RuntimeMessages.Migration.outcomeForgotten, [od.id, name]))
            }
        }
        if state.status == .waiting {
            let expected = new.tables.joinExpected.indices.contains(t) ? new.tables.joinExpected[t] : 1
            st.arrivals = min(state.arrivals, max(0, expected - 1))
        } else {
            st.arrivals = state.arrivals
        }
        if state.status.isOpen {
            // The due date follows the new version, counted from when the node's due clock
            // started: its activation, or the claim that took the deal out of the public pool
            // (the old due date less the old `due`; the two agree for a node never claimed).
            var clockStart = state.activatedAt ?? now
            if let due = state.dueAt, let oldDue = od.due { clockStart = Stepper.add(due, -oldDue) }
            st.dueAt = nd.due.map { Stepper.add(clockStart, $0) }
            if state.status == .blocked, let due = st.dueAt, due <= now {
                st.blockedAt = state.blockedAt ?? due
                // A later due date that has passed too: blocked since then, as a node is since
                // its due date (rules 16; under 15 it stayed blocked since the old one, earlier
                // than its own due date).
                if rules >= 16, let since = st.blockedAt, due > since { st.blockedAt = due }
                st.escalatedAt = nd.escalate == nil ? nil : state.escalatedAt
            } else {
                // Not (or no longer) past due on the new version: open again, not blocked.
                st.status = .active
            }
        }
        return st
    }

    // MARK: Fields, roles, chats, decisions

    /// Every field value the new version refuses (FC1170), in the new version's field order.
    func fieldProblems(_ limits: RunnerLimits) -> [Refusal] {
        var out: [Refusal] = []
        for (slot, f) in new.machine.fields.enumerated() where f.compute == nil {
            guard let o = old.fieldSlot[f.id], s.fields.indices.contains(o), let value = s.fields[o] else { continue }
            if case .failure(let refusal) = FieldValues.validate(value, slot: slot, in: new.verified, limits: limits) {
                out.append(Refusal(RuntimeMessages.fieldIncompatible, f.id, value.description, refusal.message))
            }
        }
        return out
    }

    /// Field values by id; a value the new field refuses is a refusal, a removed field a note.
    mutating func translateFields(_ limits: RunnerLimits) throws(Refusal) -> [ExprValue?] {
        let om = old.machine, nm = new.machine
        var out: [ExprValue?] = Array(repeating: nil, count: nm.fields.count)
        for (slot, f) in nm.fields.enumerated() where f.compute == nil {
            guard let o = old.fieldSlot[f.id] else {
                out[slot] = FieldValues.defaultValue(slot: slot, in: new.verified)
                continue
            }
            guard s.fields.indices.contains(o), let value = s.fields[o] else { continue }
            switch FieldValues.validate(value, slot: slot, in: new.verified, limits: limits) {
            case .success(let v): out[slot] = v
            case .failure(let refusal): throw Refusal(RuntimeMessages.fieldIncompatible, f.id, value.description, refusal.message)
            }
        }
        for (o, f) in om.fields.enumerated() where f.compute == nil {
            guard s.fields.indices.contains(o), let value = s.fields[o] else { continue }
            if let slot = new.fieldSlot[f.id] {
                if nm.fields[slot].compute != nil {
                    notes.append(RuntimeMessages.fill(RuntimeMessages.Migration.fieldComputed, [f.id, value.displayText]))
                }
            } else {
                notes.append(RuntimeMessages.fill(RuntimeMessages.Migration.fieldDropped, [f.id, value.displayText]))
            }
        }
        // A field the new version requires (a deal is created with it) that this deal does not
        // hold: it moves, but nothing will ask for the value.
        for (slot, f) in nm.fields.enumerated() where f.required && f.compute == nil && out[slot] == nil {
            if let o = old.fieldSlot[f.id], om.fields[o].required { continue }
            notes.append(RuntimeMessages.fill(RuntimeMessages.Migration.requiredUnset, [f.id]))
        }
        return out
    }

    /// Role members by role id; the owner role follows the pool (the owner, if any).
    mutating func translateRoles() -> [[String]] {
        let om = old.machine, nm = new.machine
        var out: [[String]] = Array(repeating: [], count: nm.roles.count)
        for (r, role) in om.roles.enumerated() where s.roleMembers.indices.contains(r) && !s.roleMembers[r].isEmpty {
            if r == old.ownerRole { continue }
            if let t = new.roleIndex[role.id], t != new.ownerRole {
                out[t] = s.roleMembers[r]
            } else {
                notes.append(RuntimeMessages.fill(RuntimeMessages.Migration.roleDropped, [role.id, Names.list(s.roleMembers[r])]))
            }
        }
        if let r = new.ownerRole, let owner = s.owner { out[r] = [owner] }
        return out
    }

    /// Where a `group_chat` effect sits in its machine: its node (nil for the template's own
    /// triggers), its list (`on_enter`, `on_complete`, a trigger's name) and its rank among the
    /// group chats of that list. A chat follows its effect by place, not by index in
    /// `Machine.effects`: an effect added anywhere before it shifts every index after it.
    struct ChatPlace: Hashable {
        var node: Int?
        var list: String
        var rank: Int
    }

    static func chatPlaces(_ m: Machine) -> [Int: ChatPlace] {
        var out: [Int: ChatPlace] = [:]
        func add(_ list: [Int], node: Int?, _ name: String) {
            var rank = 0
            for e in list where m.effects.indices.contains(e) && m.effects[e].kind == .groupChat && out[e] == nil {
                out[e] = ChatPlace(node: node, list: name, rank: rank)
                rank += 1
            }
        }
        for (i, n) in m.nodes.enumerated() {
            add(n.onEnter, node: i, "on_enter")
            add(n.onComplete, node: i, "on_complete")
        }
        for name in m.triggers.keys.sorted() { add(m.triggers[name] ?? [], node: nil, name) }
        return out
    }

    /// Group chats whose `group_chat` effect has a counterpart in the same place (its node mapped
    /// as the deal's nodes are, `targets`) in the new version, following roles that still exist.
    /// - Parameter byPlace: false for a migration logged under runner rules 3 or earlier, which
    ///   matched a chat's effect by its index alone (and replays so).
    mutating func translateChats(_ targets: [Int?], byPlace: Bool) -> [GroupChatState] {
        let om = old.machine, nm = new.machine
        var newIndex: [ChatPlace: Int] = [:]
        for (e, place) in Self.chatPlaces(new.machine) { newIndex[place] = e }
        let oldPlaces = Self.chatPlaces(om)
        var out: [GroupChatState] = []
        for chat in s.groupChats {
            let roles = chat.roles.compactMap { om.roles.indices.contains($0) ? new.roleIndex[om.roles[$0].id] : nil }
            var effect: Int?
            if !byPlace {
                if nm.effects.indices.contains(chat.effect), nm.effects[chat.effect].kind == .groupChat { effect = chat.effect }
            } else if var place = oldPlaces[chat.effect] {
                if let n = place.node { place.node = targets.indices.contains(n) ? targets[n] : nil }
                if place.node != nil || oldPlaces[chat.effect]?.node == nil { effect = newIndex[place] }
            }
            if let effect, roles.count == chat.roles.count {
                var moved = chat
                moved.effect = effect
                moved.roles = roles
                out.append(moved)
                // The chat follows the roles it was made with; say where the new version lists
                // others (QA round 41, M1).
                let listed = nm.effects[effect].recipients.compactMap { r -> Int? in if case .role(let i) = r { return i } else { return nil } }
                if Set(listed) != Set(roles) {
                    let ids = { (indices: [Int]) in indices.filter { nm.roles.indices.contains($0) }.map { nm.roles[$0].id } }
                    let added = ids(listed.filter { !roles.contains($0) }), left = ids(roles.filter { !listed.contains($0) })
                    var tail: [String] = []
                    if !added.isEmpty { tail.append(RuntimeMessages.fill(RuntimeMessages.Migration.chatRolesAdded, [Names.list(added)])) }
                    if !left.isEmpty { tail.append(RuntimeMessages.fill(RuntimeMessages.Migration.chatRolesLeft, [Names.list(left)])) }
                    notes.append(RuntimeMessages.fill(RuntimeMessages.Migration.chatRolesKept,
                                                      [chat.chatID, Names.list(ids(roles)), Names.list(ids(listed)), tail.joined(separator: ", and ")]))
                }
            } else {
                notes.append(RuntimeMessages.fill(RuntimeMessages.Migration.chatDropped, [chat.chatID]))
            }
        }
        return out
    }

    /// Decisions with node, field and expression references moved to the new machine (a reference
    /// without a counterpart becomes unknown, rendered `?`).
    func translateDecisions(_ targets: [Int?]) -> [Decision] {
        let om = old.machine, nm = new.machine
        var expressionBySource: [String: Int] = [:]
        for (x, e) in nm.expressions.enumerated() where expressionBySource[e.source] == nil { expressionBySource[e.source] = x }
        func node(_ n: Int?) -> Int? { n.flatMap { targets.indices.contains($0) ? targets[$0] : nil } }
        return s.decisions.map { d in
            var moved = d
            moved.node = node(d.node)
            moved.target = node(d.target)
            moved.expression = d.expression.flatMap { om.expressions.indices.contains($0) ? expressionBySource[om.expressions[$0].source] : nil }
            moved.reads = d.reads.compactMap { r in
                guard om.fields.indices.contains(r.slot), let slot = new.fieldSlot[om.fields[r.slot].id] else { return nil }
                return FieldRead(slot: slot, value: r.value)
            }
            return moved
        }
    }
}

extension Stepper {
    /// A node a migration adds ahead of the deal, whose `when` decides its place in the flow
    /// ahead (runner rules 9): its condition evaluated on the new version, `inPlan` set from it,
    /// and a projection decision recorded whichever way it goes, `target` naming the node itself
    /// (a node the version adds), so that `why` says it is new and in or out of the flow ahead.
    mutating func projectAdded(_ n: Int) {
        guard s.nodes.indices.contains(n), s.nodes[n].status == .pending, pt.projectedWhen.indices.contains(n),
              let w = pt.projectedWhen[n] else { return }
        let e = evaluate(w)
        s.nodes[n].inPlan = e.value == .boolean(true)
        record(.projection, node: n, expression: w, reads: reads(w), result: e.value, target: n, detail: e.failure)
    }
}
