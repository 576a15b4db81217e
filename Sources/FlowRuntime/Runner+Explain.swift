import FlowExpr
public import FlowIR

/// Reading a snapshot: why the deal is where it is, and the columns a store indexes.
extension Runner {
    /// Why the deal is where it is: its status and open nodes, then every recorded decision, in
    /// order (branch conditions with the values they read, tailoring, outcomes, reworks, losing,
    /// timers). Lines come from ``RuntimeMessages/Explain``.
    /// - Parameter sequence: only the decisions of this event (the others are read all the same:
    ///   whether a node comes into the flow ahead or is back in it depends on the earlier ones).
    /// - Parameter utcOffset: the zone times are written in (seconds east of UTC); UTC when nil.
    /// A node's display names for people, Chinese then English (`初步洽谈 Initial talks`), the
    /// way the report names nodes by default; nil when it has none but its id, or only its id
    /// spelt for people (`Talks`, `Initial talks` for `initial_talks`). The open-node
    /// lines of `deal show` and `why` give them beside the id (QA round 22: the report said
    /// 商机评估 where `why` said `qualification`).
    static func displayNames(_ machine: Machine, _ n: Int) -> String? {
        guard machine.nodes.indices.contains(n) else { return nil }
        let node = machine.nodes[n]
        var names: [String] = []
        for name in [node.name["zh"] ?? node.name[""], node.name["en"]] {
            guard let name, !name.isEmpty, !names.contains(name),
                  String(name.lowercased().map { $0 == " " || $0 == "-" ? "_" : $0 }) != node.id else { continue }
            names.append(name)
        }
        return names.isEmpty ? nil : names.joined(separator: " ")
    }

    /// Whether the deal's idle return `d` came without its idle warning, dropped because the
    /// return was due in the same step (no tick ran between them, docs/runtime.md §7): the
    /// time the warning was due, or nil when it was sent or the pool warns of none.
    static func unwarnedAt(_ machine: Machine, _ s: DealSnapshot, _ d: Decision) -> Int64? {
        guard d.kind == .idleReturn, let warn = machine.pool.idleWarn, let after = machine.pool.idleAfter, warn < after,
              let since = d.detail.flatMap({ Int64($0) }),
              !s.decisions.contains(where: { $0.kind == .idleWarning && $0.detail == d.detail }) else { return nil }
        return since + warn
    }

    /// Whether the event numbered `sequence` returned the deal to the public pool as idle without
    /// its idle warning (``unwarnedAt(_:_:_:)``): what a tick's report counts.
    public static func returnedUnwarned(_ machine: Machine, _ s: DealSnapshot, at sequence: Int64) -> Bool {
        s.decisions.contains { $0.sequence == sequence && unwarnedAt(machine, s, $0) != nil }
    }

    /// The deal's state and its decisions, each with the condition and values that decided it.
    /// `decisionsOf` shows only the decisions of that event, `fromDecision` only those from that
    /// index on (a scenario step's); either way every decision before is read for what they
    /// depend on (a warning sent earlier, a node decided out at the creation).
    public static func explain(_ machine: Machine, _ s: DealSnapshot, decisionsOf sequence: Int64? = nil, fromDecision: Int = 0, utcOffset: Int64? = nil) -> [String] {
        typealias X = RuntimeMessages.Explain
        func fill(_ format: String, _ args: String...) -> String { RuntimeMessages.fill(format, args) }
        func node(_ n: Int?) -> String { n.flatMap { machine.nodes.indices.contains($0) ? machine.nodes[$0].id : nil } ?? "?" }
        func time(_ t: Int64?) -> String { t.map { TimeText.iso($0, utcOffset: utcOffset) } ?? "?" }
        func source(_ x: Int?) -> String { x.flatMap { machine.expressions.indices.contains($0) ? machine.expressions[$0].source : nil } ?? "?" }
        func reads(_ r: [FieldRead]) -> String {
            r.map { read in
                let name = machine.fields.indices.contains(read.slot) ? machine.fields[read.slot].id : "#\(read.slot)"
                return "\(name) = \(read.value?.description ?? "null")"
            }.joined(separator: ", ")
        }
        func value(_ v: ExprValue?) -> String { v?.description ?? "null" }

        // Nodes whose last projection decision put them out of the flow ahead and that were
        // never in it (decided out at the creation, and not in since): "comes into", not "back in".
        var neverIn: Set<Int> = []
        var planDecided: Set<Int> = []
        // The last failed evaluation: a tailoring decision on the same condition in the same
        // event says it counted as false, not that it "was null".
        var lastFailure: (sequence: Int64, expression: Int?, detail: String)?
        var lines = [fill(X.status, Names.inline(s.dealID), s.status.rawValue, s.pool.rawValue, s.owner.map { "`\(Names.inline($0))`" } ?? RuntimeMessages.Phrase.noOwner)]
        for n in s.openNodes {
            let st = s.nodes[n]
            let names = displayNames(machine, n).map { fill(X.nodeNames, $0) } ?? ""
            if st.status == .blocked, let blocked = st.blockedAt, let due = st.dueAt {
                var line = fill(X.blockedNode, node(n), names, time(blocked), time(due), time(st.activatedAt))
                // Marked blocked after its due date: a migration moved the due date earlier
                // once the node was blocked (QA round 41, M6: "blocked since" after "due", unsaid).
                if blocked > due, s.decisions.contains(where: { $0.kind == .migration && $0.at >= blocked }) {
                    line += fill(X.blockedBeforeEarlierDue, time(due))
                }
                lines.append(line)
            } else if let due = st.dueAt {
                lines.append(fill(X.activeNodeDue, node(n), names, st.status.rawValue, time(st.activatedAt), time(due)))
            } else {
                lines.append(fill(X.activeNode, node(n), names, st.status.rawValue, time(st.activatedAt)))
            }
        }
        for (index, d) in s.decisions.enumerated() {
            let shown = index >= fromDecision && (sequence.map { d.sequence == $0 } ?? true)
            // A node with no decision about its place in the flow before this one was never out
            // of it by a decision: one new in a migrated version, now coming in, "comes into" it.
            let decidedBefore = d.node.map(planDecided.contains) ?? true
            if d.kind == .tailoring || d.kind == .projection, let n = d.node { planDecided.insert(n) }
            if !shown && d.kind != .projection { continue }
            switch d.kind {
            case .branch: lines.append(fill(X.branch, node(d.node), source(d.expression), value(d.result), reads(d.reads), node(d.target)))
            case .branchDefault: lines.append(fill(X.branchDefault, node(d.node), node(d.target)))
            case .tailoring:
                if d.result == .boolean(true) {
                    lines.append(fill(X.tailoringEntered, node(d.node), source(d.expression), reads(d.reads)))
                } else {
                    var verdict = value(d.result)
                    if let f = lastFailure, f.sequence == d.sequence, f.expression == d.expression, d.result == nil || d.result == .null {
                        verdict = fill(X.failedVerdict, f.detail)
                    }
                    lines.append(fill(X.tailoringSkipped, node(d.node), source(d.expression), verdict, reads(d.reads)))
                }
            case .projection:
                // A node a migration's new version added (rules 9: the decision names it as its
                // own target): new in the version, in the flow ahead or not.
                let added = d.target != nil && d.target == d.node
                if d.result == .boolean(true) {
                    let first = !decidedBefore || (d.node.map { neverIn.contains($0) } ?? false)
                    if let n = d.node { neverIn.remove(n) }
                    guard shown else { continue }
                    let format = added ? X.projectionAddedIn : first ? X.projectionInFirst : X.projectionIn
                    lines.append(fill(format, node(d.node), source(d.expression), reads(d.reads)))
                } else {
                    if d.sequence == 1 || added, let n = d.node { neverIn.insert(n) }
                    guard shown else { continue }
                    // The creating event is the first: a node decided out then was never in.
                    // A condition that could not be evaluated counts as false: say why, not "null".
                    let verdict = d.detail.map { fill(X.failedVerdict, $0) } ?? value(d.result)
                    let format = added ? X.projectionAddedOut : d.sequence == 1 ? X.projectionOutAtStart : X.projectionOut
                    lines.append(fill(format, node(d.node), source(d.expression), verdict, reads(d.reads)))
                }
            case .outcome: lines.append(fill(X.outcome, node(d.node), d.detail ?? "?", node(d.target)))
            case .rework: lines.append(fill(X.rework, node(d.node), node(d.target), Names.inline(d.detail ?? "")))
            case .lose: lines.append(fill(X.lose, d.detail.map(Names.inline) ?? RuntimeMessages.Phrase.none, time(d.at), node(d.target)))
            case .blocked:
                if let due = d.detail.flatMap({ Int64($0) }) {
                    lines.append(fill(X.blockedLate, node(d.node), time(due), time(d.at)))
                } else {
                    lines.append(fill(X.blocked, node(d.node), time(d.at)))
                }
            case .escalated: lines.append(fill(X.escalated, node(d.node), d.detail ?? "?", time(d.at)))
            case .idleWarning:
                var line = fill(X.idleWarning, time(d.detail.flatMap { Int64($0) }), time(d.at))
                // Later than its due time because a migration made it due at once (QA round 41,
                // M5): said, as for an idle return.
                if let since = d.detail.flatMap({ Int64($0) }), let warn = machine.pool.idleWarn, d.at > since + warn,
                   s.decisions.contains(where: { $0.kind == .migration && $0.sequence <= d.sequence && $0.at >= since + warn }) {
                    line += fill(X.idleWarningMigrated, time(since + warn))
                }
                lines.append(line)
            case .idleReturn:
                var line = fill(X.idleReturn, time(d.detail.flatMap { Int64($0) }), time(d.at))
                // The warning dropped because the return was due in the same step (a tick after
                // missed ones): said, as nothing else records it (QA round 38, F1).
                if let warned = unwarnedAt(machine, s, d) {
                    // A migration at or after the warning's time made the two due at once
                    // (QA round 39, R7: ticks that did run were said to be missed).
                    let migrated = s.decisions.contains { $0.kind == .migration && $0.sequence <= d.sequence && $0.at >= warned }
                    line += fill(migrated ? X.idleReturnUnwarnedMigrated : X.idleReturnUnwarned, time(warned))
                }
                lines.append(line)
            case .evaluationFailed:
                lastFailure = (d.sequence, d.expression, d.detail ?? "")
                // A computed field's expression (rules 4 record its failures): the field is unset.
                if let x = d.expression, let field = machine.fields.first(where: { $0.compute == x }) {
                    lines.append(fill(X.computeFailed, field.id, source(d.expression), d.detail ?? "", reads(d.reads)))
                } else {
                    lines.append(fill(X.evaluationFailed, source(d.expression), d.detail ?? "", reads(d.reads)))
                }
            case .migration: lines.append(fill(X.migration, time(d.at), d.detail ?? "?"))
            case .dueRestarted:
                let due = d.detail.flatMap { Int64($0) }
                lines.append(due.map { fill(X.dueRestarted, node(d.node), time($0), time(d.at)) } ?? fill(X.dueRestartedNoDue, node(d.node), time(d.at)))
            }
        }
        return lines
    }

    /// The columns a store indexes for a deal, read from its snapshot.
    public static func summary(_ machine: PreparedMachine, _ s: DealSnapshot) -> DealSummary {
        let m = machine.machine
        return DealSummary(
            dealID: s.dealID, templateHash: s.machineHash, status: s.status, isOpen: s.isOpen, pool: s.pool, owner: s.owner,
            customerKey: CustomerKey.key(m, fields: s.fields), nextTimerAt: nextTimer(machine, s),
            activeNodes: s.openNodes.filter { m.nodes.indices.contains($0) }.map { m.nodes[$0].id },
            blockedNodes: s.nodes.indices.filter { s.nodes[$0].status == .blocked && m.nodes.indices.contains($0) }.map { m.nodes[$0].id },
            probability: s.probability)
    }
}

/// What views and stores need of a deal at a glance.
public struct DealSummary: Codable, Sendable, Hashable {
    public var dealID: String
    public var templateHash: String
    public var status: DealStatus
    public var isOpen: Bool
    public var pool: PoolPlacement
    public var owner: String?
    public var customerKey: String?
    public var nextTimerAt: Int64?
    /// Active and blocked nodes, in node order.
    public var activeNodes: [String]
    public var blockedNodes: [String]
    public var probability: Int?
}
