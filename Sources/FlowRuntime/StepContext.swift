public import FlowExpr

/// What the host knows that the core cannot know alone, for one step. Logged with its event, so
/// that a replay sees exactly what the original step saw.
public struct StepContext: Codable, Sendable, Hashable {
    /// The host's clock when it applies the event (seconds since the epoch). The event's own `at`
    /// may not be later than this (FC1107). The step itself runs at `event.at`.
    public var now: Int64
    /// The zone offset (seconds east of UTC) for `today()` in expressions.
    public var utcOffset: Int64
    /// How many open deals of this template the person who would become the owner (the creator's
    /// owner, the claimant, the assignee) already owns; checked against `pool.claim.quota`.
    public var ownedOpenDeals: Int
    /// The host vouches that the actor belongs to the `pool.assign_by` role in the organisation
    /// (members of that role on the deal itself may assign without it).
    public var actorCanAssign: Bool
    /// The host takes in deals its owners already hold (an import of an existing book): the
    /// claim quota refuses nothing (FC1151 is not checked). Logged, so a replay steps the same.
    public var quotaWaived: Bool = false
    /// The version of the runner's rules the event is stepped under. A new event gets
    /// ``currentRules``; the log keeps it, and a replay steps each event under its own, so a
    /// deal's history folds to the same snapshot after flowc changes a rule
    /// (docs/runtime.md §12). A context logged without one is version 1.
    public var rules: Int

    /// The rules of this flowc:
    /// - 1: the rules up to 2026-11-29;
    /// - 2: a deal taken out of the public pool (claim, or assignment from there) gets fresh due
    ///   dates for its open nodes (under 1 they kept the dates they had when the deal left its
    ///   owner, long passed).
    /// - 3: a migration refuses a deal inside a fork whose new version gives the fork a branch
    ///   the deal never entered (FC1178); under 2 the deal moved and its join waited for ever.
    /// - 4: rework by decision (an approval outcome back to a node passed) makes its target
    ///   active as chosen, as a rework event does, its `when` not evaluated (under 3 a
    ///   tailored-out target was skipped); a node a rework sets back to pending starts from what the
    ///   decisions last said of its place in the flow ahead, so that a change is recorded as a
    ///   projection decision; claiming
    ///   or assigning a lost deal clears the field `lose.reason_field` names; a migration keeps a
    ///   group chat whose `group_chat` effect is in the same place (node, trigger, rank), not
    ///   only at the same index of the machine's effects, and its pending nodes keep their place
    ///   in the flow ahead, so that only a change is recorded as a projection decision (a node
    ///   new in the version has none at the migration).
    /// - 5: a node whose due date came before the deal's last event (a migration shortened its
    ///   `due`) is blocked since its due date, so that its escalation comes at the due date plus
    ///   `escalate.after`; under 4 it was blocked, and escalated from, the time the timer was
    ///   first run.
    /// - 6: an id (deal, event, actor, owner, person) with an invisible character (a format
    ///   character such as U+200B, or a space other than U+0020) is refused, FC1108: it looks like
    ///   another id. Under 5 it was taken. A migration refuses a deal whose open node the new
    ///   version puts inside a branch (or at the join) of a fork the deal has not entered
    ///   (FC1179); under 5 the deal moved and the join waited for ever. A deal on its lose path
    ///   is not released (FC1180); under 5 it went to the public pool open, at its loss review.
    ///   Only a member of `pool.assign_by` or a vouched actor changes who is in that role, the
    ///   owner adding one too (FC1181); under 5 anyone could add themselves and then assign the deal.
    /// - 7: expressions compare texts by their code points (`==`, `<`, `in`, `contains`,
    ///   `starts_with`, `ends_with`), as `len` counts and `flowc deals` compares; under 6 they
    ///   took canonically equivalent texts for equal. A date or datetime moved past the years 1
    ///   to 9999 overflows (FC0433); under 6 it was stored (``FlowExpr/ExprRevision``).
    /// - 8: a migration that merges several reached nodes into one checks the kind of the new
    ///   node against the state the merge keeps (the one with more of the deal's position), not
    ///   against each merged node's own: a waiting join merged with a blocked branch into a task
    ///   moves, the task blocked. Under 7 the join alone was checked, and the deal refused (FC1169).
    /// - 9: a migration records a projection decision for each node the new version adds ahead
    ///   of the deal whose place in the flow a `when` decides, in the flow ahead or not, with the
    ///   values read and the node as its `target` (a node the version adds), so that `why` says
    ///   what the new version put ahead. Under 8 such a node had none until its condition changed.
    /// - 10: a migration counts the arrivals of each join the deal is inside again on the new
    ///   version: a branch has arrived when none of its nodes is open. Under 9 a waiting join kept
    ///   its count (at most one short of its new branch count), so a done node moved into a
    ///   branch still under way kept its arrival, and the join released with that branch open.
    /// - 11: a deal on its lose path has a forecast probability of 0 (it can no longer be won);
    ///   under 10 it kept its last one until it reached its lost end. The deal's owner adds
    ///   someone to `pool.assign_by` only while the role has no member (FC1181); under 10 the
    ///   owner could add a colleague, who as a member removed the managers, or added the owner.
    /// - 12: going back to a node (a rework, a decision back) resets the nodes between along the
    ///   transitions that lead forward only (not through a loop elsewhere, such as a branch's
    ///   approval that can send the deal back before its fork); under 11 such a loop made the fork
    ///   and its other branches "between", reset them, and the join waited for ever. A migration
    ///   refuses a deal whose open nodes would come one after another along those transitions
    ///   (FC1182); under 11 it moved, and the later node was entered again when the deal left
    ///   the earlier.
    /// - 13: a deal none of whose open nodes leads to a `won` node is forecast at 0, as one on its
    ///   lose path is (a node an approval's outcome sends the deal to on its way to `lost`);
    ///   under 12 it kept that node's probability.
    /// - 14: a migration leaves alone a fork whose join none of the deal's open nodes leads to
    ///   (a deal lost from inside the fork): it does not count the fork's closed branches as
    ///   arrived, and does not refuse a version that gives the fork a branch (FC1178). Under 13
    ///   the join was set waiting, and such a version refused.
    /// - 15: a group chat's id comes from the event that creates it (and the effect), so that no
    ///   two chats a deal ever has share one; under 14 it came from the effect's index in the
    ///   machine alone, and after a migration a new chat could take the id of a chat the deal had,
    ///   or had dropped.
    /// - 16: a migration that gives a blocked node a later due date, passed too by the
    ///   migration's time, keeps it blocked since that new due date (its escalation, if it has
    ///   not come yet, follows from it); under 15 it stayed blocked since the old due date, before
    ///   its own.
    public static let currentRules = 16

    public init(now: Int64, utcOffset: Int64 = 0, ownedOpenDeals: Int = 0, actorCanAssign: Bool = false,
                rules: Int = StepContext.currentRules) {
        self.now = now
        self.utcOffset = utcOffset
        self.ownedOpenDeals = ownedOpenDeals
        self.actorCanAssign = actorCanAssign
        self.rules = rules
    }

    private enum CodingKeys: String, CodingKey { case now, utcOffset, ownedOpenDeals, actorCanAssign, quotaWaived, rules }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        now = try c.decode(Int64.self, forKey: .now)
        utcOffset = try c.decode(Int64.self, forKey: .utcOffset)
        ownedOpenDeals = try c.decode(Int.self, forKey: .ownedOpenDeals)
        actorCanAssign = try c.decode(Bool.self, forKey: .actorCanAssign)
        quotaWaived = try c.decodeIfPresent(Bool.self, forKey: .quotaWaived) ?? false
        rules = try c.decodeIfPresent(Int.self, forKey: .rules) ?? 1
    }

    /// Writes `rules` only when it is not 1 and `quotaWaived` only when true, so that a context
    /// logged before either existed encodes as it was written.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(now, forKey: .now)
        try c.encode(utcOffset, forKey: .utcOffset)
        try c.encode(ownedOpenDeals, forKey: .ownedOpenDeals)
        try c.encode(actorCanAssign, forKey: .actorCanAssign)
        if quotaWaived { try c.encode(true, forKey: .quotaWaived) }
        if rules != 1 { try c.encode(rules, forKey: .rules) }
    }

    /// A context whose clock is the event's own time.
    public static func at(_ event: DealEvent) -> StepContext { StepContext(now: event.at) }
}

/// The bounds on what one event can make the runner do. Each has a test.
public struct RunnerLimits: Codable, Sendable, Hashable {
    /// Automatic steps after one event: nodes passed through or entered, forks, joins, branches,
    /// timers fired. Past the budget the event is refused (FC1160). The budget is the larger of
    /// this and ``eventlessStepsPerNode`` times the machine's nodes (``eventlessStepBudget(nodes:)``).
    public var maxEventlessSteps: Int
    /// Automatic steps allowed per node of the machine, so that the budget grows with the flow:
    /// an event that loops through nothing arrives at each node about once (a join once per
    /// branch) and fires a few timers per node, so a fork of 2,000 branches runs under the
    /// default, while a loop of tailored-out nodes still meets the budget.
    public var eventlessStepsPerNode: Int
    /// Fuel of each expression evaluation (see `ExprEvaluator`).
    public var fuel: Int
    /// Longest text value, in UTF-8 bytes.
    public var maxTextBytes: Int
    /// Most elements in a list value.
    public var maxListElements: Int
    /// Longest host-supplied id (event, deal, person, reason), in characters.
    public var maxIDLength: Int
    /// Most field assignments in one event.
    public var maxFieldsPerEvent: Int
    /// Most people in one role of one deal.
    public var maxMembersPerRole: Int
    /// Decisions kept in a snapshot (older ones are dropped and counted).
    public var maxDecisions: Int
    /// Node records (notes, links) kept in a snapshot (older ones are dropped and counted).
    public var maxRecords: Int
    /// Longest note text, link title or link URL, in characters.
    public var maxRecordCharacters: Int
    /// Most people a `join_chat` may bring a group chat to (members by role count; they are
    /// bounded by the roles' own limit).
    public var maxMembersPerChat: Int

    public init(maxEventlessSteps: Int = 1_000, eventlessStepsPerNode: Int = 4, fuel: Int = ExprEvaluator.defaultFuel, maxTextBytes: Int = 65_536,
                maxListElements: Int = 1_000, maxIDLength: Int = 256, maxFieldsPerEvent: Int = 1_000,
                maxMembersPerRole: Int = 1_000, maxDecisions: Int = 1_000, maxRecords: Int = 500, maxRecordCharacters: Int = 4_000,
                maxMembersPerChat: Int = 5_000) {
        self.maxEventlessSteps = maxEventlessSteps
        self.eventlessStepsPerNode = eventlessStepsPerNode
        self.fuel = fuel
        self.maxTextBytes = maxTextBytes
        self.maxListElements = maxListElements
        self.maxIDLength = maxIDLength
        self.maxFieldsPerEvent = maxFieldsPerEvent
        self.maxMembersPerRole = maxMembersPerRole
        self.maxDecisions = maxDecisions
        self.maxRecords = maxRecords
        self.maxRecordCharacters = maxRecordCharacters
        self.maxMembersPerChat = maxMembersPerChat
    }

    /// The eventless steps one event may take on a machine of `nodes` nodes.
    public func eventlessStepBudget(nodes: Int) -> Int {
        let (scaled, overflow) = eventlessStepsPerNode.multipliedReportingOverflow(by: nodes)
        return overflow ? Int.max : max(maxEventlessSteps, scaled)
    }

    /// The standard limits.
    public static let `default` = RunnerLimits()
}

/// The result of an accepted event: the new snapshot and the effects for the outbox, in order.
public struct StepOutcome: Codable, Sendable, Hashable {
    public var snapshot: DealSnapshot
    public var effects: [Effect]
}
