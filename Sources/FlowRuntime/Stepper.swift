import FlowExpr
import FlowIR

/// The working state of one step: the snapshot that the event's handlers change, the effects
/// emitted so far and the eventless-step budget.
///
/// The snapshot is not held but addressed: ``with(_:_:event:context:limits:_:)`` gives the stepper
/// the place of a snapshot variable for the duration of one closure, and every change is made
/// there, in place (no copy of the snapshot into the stepper and back). Which variable that is
/// decides what a refusal leaves behind: a copy that is dropped, or — for the actions that refuse
/// before they change anything — the caller's own snapshot.
struct Stepper {
    /// The machine's shared tables.
    let pt: PreparedTables
    /// The prepared machine (one reference to ``pt``, made when needed).
    var pm: PreparedMachine { PreparedMachine(tables: pt) }
    /// The machine, read in place (no copy of its arrays per step).
    var m: Machine { _read { yield pt.machine } }
    /// The snapshot being stepped, valid for the stepper's lifetime (see `with`).
    let place: UnsafeMutablePointer<DealSnapshot>
    var s: DealSnapshot {
        unsafeAddress { UnsafePointer(place) }
        nonmutating unsafeMutableAddress { place }
    }
    /// The event being applied, addressed like the snapshot (see `with`).
    let eventPlace: UnsafePointer<DealEvent>
    var event: DealEvent { unsafeAddress { eventPlace } }
    let context: StepContext
    let limits: RunnerLimits
    /// The sequence number the event gets (decisions are tagged with it).
    let sequence: Int64
    /// The instant automatic work runs at: a timer's due time while timers fire, then the event's time.
    var now: Int64
    /// Effects in emission order (node effects as they happen).
    var effects: [Effect] = []
    /// Template-wide trigger effects of the current phase, resolved when they fired and emitted
    /// after the phase's node effects (language §14: on_complete, on_enter, then template-wide).
    var deferred: [Effect] = []
    /// The role and person of the `add_role_member` whose `on_role_added` effects are being made:
    /// what the `added` recipient resolves to (nil otherwise, when it resolves to nobody).
    var added: (role: Int, person: String)?
    /// Eventless steps spent.
    var steps = 0
    /// Nodes the deal arrives at, in order (a worklist, so no recursion depth depends on the template).
    var queue: [Int] = []
    var queueHead = 0
    /// Nodes queued as the target of rework by decision (runner rules 4 and later): they become
    /// active as chosen, their `when` not evaluated, as the target of a rework event does.
    var chosenTargets: [Int] = []
    /// Whether this step may re-evaluate only what reads a changed field: true for events that
    /// never change which nodes are pending (field edits, checklist ticks, role members, ticks —
    /// timers block, escalate and return deals to the pool, but never make a node pending).
    /// Then a computed field or a projected `when` that reads no changed slot and not the clock
    /// has the value the previous step gave it: a snapshot is the fold of its log.
    var incremental = false
    /// Whether the computed fields that read the clock were made current for this event
    /// (``refreshClockFields()``).
    var clockFieldsRefreshed = false
    /// Whether `s.fields` is known to share its storage (the value API steps a copy of the
    /// caller's snapshot), so that the first field stored copies it element by element.
    var fieldsShared = false
    /// The slots changed in this step (``PreparedTables/bit(_:)``), for the incremental mode.
    var changedMask: UInt64 = 0
    /// For an event that changes no node (the incremental step with no timer due), what the
    /// check of the snapshot found out about its nodes before the action; nil otherwise.
    var nodeScan: NodeScan?

    private init(pm: PreparedMachine, place: UnsafeMutablePointer<DealSnapshot>, event: UnsafePointer<DealEvent>, context: StepContext,
                 limits: RunnerLimits) {
        self.pt = pm.tables
        self.place = place
        self.eventPlace = event
        self.context = context
        self.limits = limits
        self.sequence = place.pointee.sequence + 1
        self.now = event.pointee.at
    }

    /// Runs `body` with a stepper working on `snapshot` in place. The stepper must not outlive
    /// `body` (it addresses `snapshot`), which is why this is the only way to make one.
    static func with<R>(_ pm: PreparedMachine, _ snapshot: inout DealSnapshot, event: DealEvent, context: StepContext,
                        limits: RunnerLimits, _ body: (inout Stepper) throws(Refusal) -> R) throws(Refusal) -> R {
        try withUnsafeMutablePointer(to: &snapshot) { (place) throws(Refusal) -> R in
            try withUnsafePointer(to: event) { (eventPlace) throws(Refusal) -> R in
                var stepper = Stepper(pm: pm, place: place, event: eventPlace, context: context, limits: limits)
                return try body(&stepper)
            }
        }
    }

    // MARK: Budget, bookkeeping

    /// Spends one eventless step; past the budget the whole event is refused (FC1160).
    mutating func spend() throws(Refusal) {
        steps += 1
        if steps > limits.maxEventlessSteps {
            let budget = limits.eventlessStepBudget(nodes: m.nodes.count)
            if steps > budget { throw Refusal(RuntimeMessages.stepLimit, String(budget)) }
        }
    }

    /// A status change: the idle timer starts again.
    mutating func statusChanged() {
        s.lastStatusChangeAt = now
        s.idleWarned = false
    }

    mutating func record(_ kind: Decision.Kind, node: Int? = nil, expression: Int? = nil, reads: [FieldRead] = [],
                         result: ExprValue? = nil, target: Int? = nil, detail: String? = nil) {
        s.decisions.append(Decision(sequence: sequence, at: now, kind: kind, node: node, expression: expression, reads: reads,
                                    result: result, target: target, detail: detail))
    }

    func nodeID(_ n: Int) -> String { m.nodes.indices.contains(n) ? m.nodes[n].id : "#\(n)" }

    // MARK: Expressions

    struct Evaluation {
        var value: ExprValue
        var failure: String?
    }

    /// The fields expression `x` reads, with their current values (for decisions).
    func reads(_ x: Int) -> [FieldRead] {
        guard m.expressions.indices.contains(x) else { return [] }
        return m.expressions[x].reads.map { slot in FieldRead(slot: slot, value: s.fields.indices.contains(slot) ? s.fields[slot] : nil) }
    }

    /// Evaluates expression `x` on the current fields at `now`, under the fuel budget. The
    /// values it read are ``reads(_:)`` until a field changes.
    func evaluate(_ x: Int) -> Evaluation {
        guard m.expressions.indices.contains(x), pt.verified.expressions.indices.contains(x) else {
            return Evaluation(value: .null, failure: "no expression #\(x)")
        }
        let fields = s.fields
        let values = m.expressions[x].reads.map { slot in (fields.indices.contains(slot) ? fields[slot] : nil) ?? .null }
        let clock = ExprClock(now: now, utcOffset: context.utcOffset)
        // Rules 7: texts compare by code points, moved dates stay within the years 1 to 9999 (IR
        // review F6, F8); an older event replays as it ran.
        let revision: ExprRevision = context.rules >= 7 ? .current : .upToRules6
        switch ExprEvaluator.evaluate(pt.verified.expressions[x], fieldValues: values, clock: clock, fuel: limits.fuel, revision: revision) {
        case .success(let value): return Evaluation(value: value, failure: nil)
        case .failure(let error): return Evaluation(value: .null, failure: "\(error.code): \(error.message.text)")
        }
    }

    /// Evaluates a condition: true only for `true` (null and failures count as false; a failure is recorded).
    mutating func condition(_ x: Int, node: Int?) -> (holds: Bool, evaluation: Evaluation) {
        let e = evaluate(x)
        if let failure = e.failure {
            record(.evaluationFailed, node: node, expression: x, reads: reads(x), detail: failure)
        }
        return (e.value == .boolean(true), e)
    }

    /// Makes the computed fields that read the clock (`today()`, `now()`, or reads that cannot be
    /// analysed) current at the event's time, with those that read them: they are otherwise
    /// recomputed only when a field they read changes, so a days-left field kept the value of
    /// the last field edit while tailoring and branches read it. Once per step; nothing to do
    /// for a machine without such fields.
    mutating func refreshClockFields() {
        guard pt.computeAnyAlways, !clockFieldsRefreshed else { return }
        clockFieldsRefreshed = true
        now = event.at
        recomputeFields()
    }

    /// Re-evaluates the computed fields, in dependency order (all of them, or in the incremental
    /// mode those that read a changed slot or the clock). A failed evaluation leaves the field unset.
    mutating func recomputeFields() {
        // Done at the event's time, this recomputes the clock's fields too (create, set_fields):
        // ``refreshClockFields()`` has nothing left to do.
        if now == event.at { clockFieldsRefreshed = true }
        if incremental, !pt.computeAnyAlways, pt.computeAnyReadMask & changedMask == 0 { return }
        for slot in pt.computeOrder {
            guard let x = pt.computeExpression[slot] else { continue }
            if incremental, !pt.computeAlways[slot], pt.computeReadMask[slot] & changedMask == 0 { continue }
            let e = evaluate(x)
            let value = (e.failure != nil || e.value == .null) ? nil : e.value
            // A failure is recorded (rules 4) when it is news: the inputs changed, or it unsets a value.
            if let failure = e.failure, context.rules >= 4, pt.computeReadMask[slot] & changedMask != 0 || s.fields[slot] != nil {
                record(.evaluationFailed, expression: x, reads: reads(x), detail: failure)
            }
            s.fields[slot] = value
            changedMask |= PreparedTables.bit(slot)
        }
    }

    // MARK: Moving through the flow

    /// Runs the worklist: every arrival is one eventless step.
    mutating func drain() throws(Refusal) {
        while queueHead < queue.count {
            let n = queue[queueHead]
            queueHead += 1
            try spend()
            arrive(n)
            if s.status != .open { break }
        }
        queue.removeAll()
        queueHead = 0
    }

    /// The deal reaches node `n` (by a transition, a branch, a fork, or a lose).
    mutating func arrive(_ n: Int) {
        guard m.nodes.indices.contains(n) else { return }
        let def = m.nodes[n]
        switch def.kind {
        case .won, .lost:
            reachEnd(n)
        case .join:
            arriveAtJoin(n)
        case .fork, .task, .approval:
            // Tailoring applies to tasks and forks; an approval has no `next` to pass the deal to.
            let chosen = chosenTargets.contains(n)
            if chosen { chosenTargets.removeAll { $0 == n } }
            if def.kind != .approval, !chosen, let w = def.when, !tailoring(n, w) {
                if case .fork = def.transition { skipFork(n) } else { skip(n) }
                return
            }
            if case .fork = def.transition { enterFork(n) } else { activate(n) }
        }
    }

    /// Evaluates a node's `when` on arrival and records the decision.
    mutating func tailoring(_ n: Int, _ w: Int) -> Bool {
        let (holds, e) = condition(w, node: n)
        record(.tailoring, node: n, expression: w, reads: reads(w), result: e.value)
        return holds
    }

    /// A tailored-out node: skipped, and the deal passes to its `next` (branches evaluated as if it completed).
    mutating func skip(_ n: Int) {
        s.nodes[n].status = .skipped
        s.nodes[n].finishedAt = now
        statusChanged()
        leave(n, outcome: nil)
    }

    /// A tailored-out fork skips its branches; the deal goes straight to the join and on.
    mutating func skipFork(_ f: Int) {
        s.nodes[f].status = .skipped
        s.nodes[f].finishedAt = now
        statusChanged()
        for r in pt.forkRegion[f] where s.nodes[r].status == .pending {
            s.nodes[r].status = .skipped
            s.nodes[r].finishedAt = now
        }
        guard let j = pt.forkJoin[f] else { return }
        // Every branch counts as arrived: the next arrival releases the join.
        s.nodes[j].arrivals = max(0, pt.joinExpected[j] - 1)
        queue.append(j)
    }

    /// Enters node `n` and finishes it in the same instant (forks, released joins, end nodes):
    /// done, one more entry, a status change, and its `on_enter` effects.
    mutating func enterDone(_ n: Int) {
        var st = s.nodes[n]
        st.status = .done
        st.entries += 1
        st.activatedAt = now
        st.finishedAt = now
        s.nodes[n] = st
        statusChanged()
        emitNode(n, trigger: "on_enter", m.nodes[n].onEnter)
    }

    mutating func enterFork(_ f: Int) {
        guard case .fork(let branches, let join) = m.nodes[f].transition else { return }
        enterDone(f)
        emitNode(f, trigger: "on_complete", m.nodes[f].onComplete)
        if m.nodes.indices.contains(join) {
            s.nodes[join].arrivals = 0
            if s.nodes[join].status != .pending { s.nodes[join].status = .pending }
        }
        queue.append(contentsOf: branches)
    }

    mutating func arriveAtJoin(_ j: Int) {
        s.nodes[j].arrivals += 1
        guard s.nodes[j].arrivals >= pt.joinExpected[j] else {
            s.nodes[j].status = .waiting
            return
        }
        enterDone(j)
        emitNode(j, trigger: "on_complete", m.nodes[j].onComplete)
        leave(j, outcome: nil)
    }

    /// A task or approval becomes active: fresh due date, checklist reopened, `on_enter` emitted.
    mutating func activate(_ n: Int) {
        let def = m.nodes[n]
        var st = s.nodes[n]
        st.status = .active
        st.activatedAt = now
        st.dueAt = def.due.map { Stepper.add(now, $0) }
        st.blockedAt = nil
        st.escalatedAt = nil
        st.finishedAt = nil
        st.deliverables = Array(repeating: false, count: def.deliverables.count)
        st.outcome = nil
        st.entries += 1
        st.inPlan = true
        s.nodes[n] = st
        statusChanged()
        emitNode(n, trigger: "on_enter", def.onEnter)
    }

    /// A `won` or `lost` end: the deal closes, the rest of its open nodes close, end triggers fire.
    mutating func reachEnd(_ t: Int) {
        for i in s.nodes.indices where i != t {
            if s.nodes[i].status.isOpen {
                s.nodes[i].status = .closed
                s.nodes[i].finishedAt = now
            } else if s.nodes[i].status == .waiting {
                s.nodes[i].status = .pending
                s.nodes[i].arrivals = 0
            }
        }
        enterDone(t)
        s.closedAt = now
        if m.nodes[t].kind == .won {
            s.status = .won
            s.probability = 100
            deferTrigger(.onWon)
        } else {
            s.status = .lost
            s.probability = 0
            deferTrigger(.onLost)
            if m.pool.lostToPublic, s.pool == .private {
                returnToPool(why: "lost")
            }
        }
    }

    /// Where the deal goes after node `n` completes (or is skipped).
    mutating func leave(_ n: Int, outcome: Int?) {
        switch m.nodes[n].transition {
        case .end, .fork:
            break
        case .goto(let t):
            go(from: n, to: t)
        case .branch(let guarded, let otherwise):
            go(from: n, to: chooseBranch(n, guarded, otherwise, record: true))
        case .outcomes(let outcomes):
            guard let o = outcome, outcomes.indices.contains(o) else { return }
            record(.outcome, node: n, target: outcomes[o].to, detail: outcomes[o].name)
            go(from: n, to: outcomes[o].to)
        }
    }

    /// Follows a transition. A transition back to a node the deal has already been through (an
    /// approval's `reject` to an earlier node) is rework by decision: the nodes between go back
    /// to `pending`, so that their conditions, checklists and due dates start afresh.
    mutating func go(from n: Int, to t: Int) {
        guard m.nodes.indices.contains(t) else { return }
        if s.nodes[t].status != .pending, m.nodes[t].kind != .join, pm.reachable(from: t)[n] {
            resetBetween(t, n)
            // Rework by decision means what a rework event means: the target is chosen, so its
            // `when` is not evaluated (under rules 3 it was, and a tailored-out target was skipped).
            // Only a node the deal has been through is gone back to: one it was only taken past
            // (tailored out, never entered) is arrived at afresh, its `when` evaluated.
            if context.rules >= 4, s.nodes[t].entries > 0 { chosenTargets.append(t) }
        }
        queue.append(t)
    }

    /// Resets every node on a path from `t` to `c` (both included) to `pending`; a fork among them
    /// takes its whole region and its join with it, closing its other open branches.
    mutating func resetBetween(_ t: Int, _ c: Int) {
        // The paths from the target to the current node that do not pass through either again: a
        // loop through them (an approval sending the deal back before a fork) is not on the way.
        // Under rules 12 along the transitions that lead forward only: a loop elsewhere (a
        // branch's approval that can send the deal back before the fork) is not on the way
        // either (QA round 34, S3: it made the fork and its other branch "between", reset them,
        // and left the join waiting for ever).
        let forward = context.rules >= 12
        let from = pm.reachable(from: t, stoppingAt: c, forward: forward)
        let to = pm.reaching(c, stoppingAt: t, forward: forward)
        var resetSet = Array(repeating: false, count: m.nodes.count)
        for n in m.nodes.indices where from[n] && to[n] { resetSet[n] = true }
        resetSet[t] = true
        resetSet[c] = true
        for f in m.nodes.indices where resetSet[f] {
            for r in pt.forkRegion[f] { resetSet[r] = true }
            if let j = pt.forkJoin[f] { resetSet[j] = true }
        }
        // Back into one branch of a fork that is not itself gone back through (the target lies in
        // its region, the deal is past its join): only the target's branch is done again. The
        // other branches keep their state and count as arrived at the join, which would otherwise
        // wait for branches that never come again.
        var arrived: [(join: Int, count: Int)] = []
        for f in m.nodes.indices where !resetSet[f] {
            guard case .fork(let branches, let j) = m.nodes[f].transition, m.nodes.indices.contains(j), resetSet[j],
                  pt.forkRegion[f].contains(t) else { continue }
            var count = 0
            for (_, lane) in pt.branchLanes(fork: f, branches: branches, join: j) {
                if lane[t] { continue }
                count += 1
                for r in m.nodes.indices where lane[r] { resetSet[r] = false }
            }
            arrived.append((j, count))
        }
        for n in m.nodes.indices where resetSet[n] { reset(n) }
        for (j, count) in arrived where count > 0 {
            s.nodes[j].arrivals = count
            s.nodes[j].status = .waiting
        }
    }

    /// The first branch whose condition holds, else the default; recorded for explanations.
    mutating func chooseBranch(_ n: Int, _ guarded: [GuardedTarget], _ otherwise: Int, record shouldRecord: Bool) -> Int {
        var allReads: [FieldRead] = []
        for g in guarded {
            let holds: Bool
            let e: Evaluation
            if shouldRecord {
                (holds, e) = condition(g.condition, node: n)
            } else {
                e = evaluate(g.condition)
                holds = e.value == .boolean(true)
            }
            if holds {
                if shouldRecord { record(.branch, node: n, expression: g.condition, reads: reads(g.condition), result: e.value, target: g.to) }
                return g.to
            }
            if shouldRecord {
                for r in reads(g.condition) where !allReads.contains(r) { allReads.append(r) }
            }
        }
        if shouldRecord { record(.branchDefault, node: n, reads: allReads, target: otherwise) }
        return otherwise
    }

    /// Completes an open task or approval: checks outcome, required fields and deliverables, then
    /// emits `on_complete` and moves on.
    mutating func complete(_ n: Int, outcomeName: String?) throws(Refusal) {
        let def = m.nodes[n]
        var outcome: Int?
        if case .outcomes(let outcomes) = def.transition {
            let names = outcomes.map(\.name)
            guard let name = outcomeName else {
                throw Refusal(RuntimeMessages.outcomeRequired, def.id, Names.list(names))
            }
            guard let o = names.firstIndex(of: name) else {
                throw Refusal(RuntimeMessages.unknownOutcome, def.id, name, Names.list(names))
            }
            outcome = o
        } else if outcomeName != nil {
            throw Refusal(RuntimeMessages.unexpectedOutcome, def.id, def.kind.rawValue)
        }
        let missing = def.requires.filter { !s.fields.indices.contains($0) || s.fields[$0] == nil }
        if !missing.isEmpty {
            throw Refusal(RuntimeMessages.requiredFieldMissing, RuntimeMessages.fill(RuntimeMessages.Phrase.completingNode, [def.id]),
                          Names.list(missing.map { m.fields[$0].id }))
        }
        let undone = def.deliverables.indices.filter { !(s.nodes[n].deliverables.indices.contains($0) && s.nodes[n].deliverables[$0]) }
        if !undone.isEmpty {
            throw Refusal(RuntimeMessages.deliverablesMissing, def.id, Names.list(undone.map { def.deliverables[$0] }))
        }
        s.nodes[n].status = .done
        s.nodes[n].finishedAt = now
        s.nodes[n].outcome = outcome
        statusChanged()
        emitNode(n, trigger: "on_complete", def.onComplete)
        leave(n, outcome: outcome)
        try drain()
    }

    /// Resets a node to `pending` (rework, reopening), keeping its entry count.
    mutating func reset(_ n: Int) {
        var st = NodeState(deliverables: m.nodes[n].deliverables.count)
        st.entries = s.nodes[n].entries
        // Under rules 4 the node starts from what the decisions last said of its place in the
        // flow ahead, so that the projection after the rework records a change from it (under 3
        // a node tailored out came back in with no decision: `why` still said it was out).
        if context.rules >= 4 { st.inPlan = lastPlanVerdict(n) }
        s.nodes[n] = st
    }

    /// Whether the last tailoring or projection decision about `n` had it in the flow (true
    /// when there is none). `inPlan` itself cannot tell: a node that is not pending is in the plan.
    func lastPlanVerdict(_ n: Int) -> Bool {
        for d in s.decisions.reversed() where d.node == n && (d.kind == .tailoring || d.kind == .projection) {
            return d.result == .boolean(true)
        }
        return true
    }

    // MARK: Pools

    /// Emits `returned_to_pool` and `on_return_to_pool` (recipients resolved while the owner is
    /// still set), then moves the deal to the public pool.
    mutating func returnToPool(why: String) {
        var e = Effect(kind: .returnedToPool, trigger: why == "idle" ? "timer" : why)
        e.at = now
        e.person = s.owner
        e.detail = why
        e.to = [resolve(.owner)]
        e.people = e.to.flatMap(\.people)
        deferred.append(e)
        deferTrigger(.onReturnToPool)
        moveToPublic()
    }

    mutating func moveToPublic() {
        if let owner = s.owner {
            s.previousOwner = owner
            s.releasedAt = now
            withhold(from: owner)
        }
        s.owner = nil
        if let r = pt.ownerRole { s.roleMembers[r] = [] }
        s.pool = .public
        statusChanged()
    }

    /// Makes `person` the owner: private pool, owner role, group chats that follow the owner role.
    mutating func takeOwnership(_ person: String) {
        s.owner = person
        s.pool = .private
        if let r = pt.ownerRole {
            s.roleMembers[r] = [person]
            joinChats(role: r, person: person)
        }
        statusChanged()
    }

    /// A lost deal claimed or assigned from the public pool starts again at the start node;
    /// its fields and history are kept.
    mutating func reopen() throws(Refusal) {
        s.status = .open
        s.closedAt = nil
        s.loseReason = nil
        // The field the lose event wrote its reason into is the lose reason as the flow sees
        // it: cleared with it (rules 4), so that a later loss review does not branch on the
        // last life's reason.
        if context.rules >= 4, let slot = m.lose?.reasonField, s.fields.indices.contains(slot), s.fields[slot] != nil {
            store(nil, at: slot)
            recomputeFields()
        }
        for n in s.nodes.indices { reset(n) }
        queue.append(m.start)
        try drain()
    }

    /// Overflow-safe `a + b` for instants.
    static func add(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? Int64.max : Int64.min) : sum
    }
}
