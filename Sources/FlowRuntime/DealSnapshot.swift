public import FlowExpr

/// The state of one deal: everything the runner needs to apply the next event. A value type,
/// persisted as JSON with a schema version (see `DealSnapshot+Schema.swift` for the upgrade
/// policy). A snapshot always equals the fold of its deal's event log (``Runner/replay(_:events:contexts:limits:)``).
///
/// Everything is indexed densely by the machine's slots: `fields[slot]`, `nodes[nodeIndex]`,
/// `roleMembers[roleIndex]`. Names are resolved only at the edges (events in, explanations out).
public struct DealSnapshot: Codable, Sendable, Hashable {
    /// The schema version this runner writes and reads (3: `withheld`; 2: node records and the
    /// `migration` decision; see `DealSnapshot+Schema.swift` for the upgrades).
    public static let currentSchemaVersion = 4

    public var schemaVersion: Int
    public var dealID: String
    public var templateID: String
    public var templateVersion: String
    /// `Machine.template.hash` of the machine the deal was created with; steps with another
    /// machine are refused (FC1103).
    public var machineHash: String
    public var createdAt: Int64
    /// How many events have been applied (the create event is 1).
    public var sequence: Int64
    /// The id and time of the last event applied (duplicates and out-of-order events are refused).
    public var lastEventID: String
    public var lastEventAt: Int64

    /// Field values by slot; nil is unset (`null`). Computed fields are kept up to date.
    public var fields: [ExprValue?]
    /// Node states by node index.
    public var nodes: [NodeState]
    public var status: DealStatus
    public var pool: PoolPlacement
    /// The person whose private pool holds the deal (the member of the owner role); nil in the
    /// public pool.
    public var owner: String?
    /// Who owned the deal before it last left a private pool, and when it left (the cooldown).
    public var previousOwner: String?
    public var releasedAt: Int64?
    /// People in each role, by role index, in the order they were added.
    public var roleMembers: [[String]]
    /// The last status change (a node activated, completed or skipped, a rework, a lose, an
    /// owner change): the idle timer counts from here. Field edits do not move it.
    public var lastStatusChangeAt: Int64
    /// Whether the idle warning of the current idle period has fired.
    public var idleWarned: Bool
    /// The reason code of the last lose event (nil when the deal was not lost by an event).
    public var loseReason: String?
    /// When the deal was won or lost (nil while open).
    public var closedAt: Int64?
    /// The stage probability for forecasting (won 100, lost 0).
    public var probability: Int?
    /// Group chats created for the deal, with the people added so far.
    public var groupChats: [GroupChatState]
    /// Why the deal is where it is: branch and tailoring decisions, outcomes, reworks, timers
    /// (the newest `RunnerLimits.maxDecisions`; `decisionsDropped` counts older ones dropped).
    public var decisions: [Decision]
    public var decisionsDropped: Int
    /// Notes and document links attached to nodes (S9), oldest first (the newest
    /// `RunnerLimits.maxRecords`; `recordsDropped` counts older ones dropped).
    public var records: [NodeRecord]
    public var recordsDropped: Int
    /// The former owners the deal is withheld from while their claim cooldown runs, each with its
    /// end: every release, return to the public pool and reassignment adds the owner who lost the
    /// deal, and ended cooldowns are dropped at each event. (`previousOwner` keeps only the last
    /// one: a deal passed through a second person was free again for the first.)
    public var withheld: [Withheld]

    /// Whether the deal is still open (neither won nor lost).
    public var isOpen: Bool { status == .open }

    /// Indices of the active and blocked nodes, in node order.
    public var openNodes: [Int] { nodes.indices.filter { nodes[$0].status.isOpen } }
}

/// A former owner who may not claim the deal back before `until` (the pool's claim cooldown).
public struct Withheld: Codable, Sendable, Hashable {
    public var person: String
    public var until: Int64

    public init(person: String, until: Int64) {
        self.person = person
        self.until = until
    }
}

/// Whether a deal is still being worked.
public enum DealStatus: String, Codable, Sendable, Hashable, CaseIterable {
    case open, won, lost
}

/// Which pool holds the deal.
public enum PoolPlacement: String, Codable, Sendable, Hashable, CaseIterable {
    /// The owner's private pool (私海).
    case `private`
    /// The public pool (公海): nobody owns the deal; it can be claimed.
    case `public`
}

/// Where a node stands.
public enum NodeStatus: String, Codable, Sendable, Hashable, CaseIterable {
    /// Not reached (or reset by a rework).
    case pending
    /// Open: its owner works on it.
    case active
    /// Open and past its due date.
    case blocked
    /// A join that some, but not all, branches of its fork have reached.
    case waiting
    /// Completed (forks and joins complete as soon as they are entered and released).
    case done
    /// Reached while its `when` was false: passed through.
    case skipped
    /// Was open when the deal was lost (or closed by reaching an end); closed without completing.
    case closed

    /// Active or blocked.
    public var isOpen: Bool { self == .active || self == .blocked }
}

/// The state of one node of a deal.
///
/// Stored compactly (80 bytes instead of 136: a deal keeps one per node): the optional instants
/// and the outcome are plain integers with a presence bit each, behind the same public
/// properties. An absent value is stored as 0, so equality and hashing see exactly the public
/// values. The JSON form is the one the properties would have synthesised.
public struct NodeState: Codable, Sendable, Hashable {
    public var status: NodeStatus
    /// The projected flow: false while the deal has not reached this node and its `when` is
    /// currently false (the node would be skipped). Recomputed whenever a field changes.
    public var inPlan: Bool
    /// Which of the optional values are present (`Present`).
    private var present: UInt8
    private var activatedAtValue: Int64
    private var dueAtValue: Int64
    private var blockedAtValue: Int64
    private var escalatedAtValue: Int64
    private var finishedAtValue: Int64
    private var outcomeValue: Int
    /// Ticked deliverables, indexed like `NodeDef.deliverables`.
    public var deliverables: [Bool]
    /// Joins: how many branches of the fork have arrived.
    public var arrivals: Int
    /// How many times the node became active.
    public var entries: Int

    private enum Present {
        static let activatedAt: UInt8 = 1, dueAt: UInt8 = 2, blockedAt: UInt8 = 4, escalatedAt: UInt8 = 8
        static let finishedAt: UInt8 = 16, outcome: UInt8 = 32
    }

    @inline(__always) private func get<T>(_ bit: UInt8, _ value: T) -> T? { present & bit != 0 ? value : nil }
    @inline(__always) private static func set<T: BinaryInteger>(_ bit: UInt8, _ present: inout UInt8, _ slot: inout T, _ value: T?) {
        if let value { slot = value; present |= bit } else { slot = 0; present &= ~bit }
    }

    /// When the node last became active; due dates count from here.
    public var activatedAt: Int64? {
        get { get(Present.activatedAt, activatedAtValue) }
        set { NodeState.set(Present.activatedAt, &present, &activatedAtValue, newValue) }
    }
    /// When it becomes blocked if still open (`due` after activation).
    public var dueAt: Int64? {
        get { get(Present.dueAt, dueAtValue) }
        set { NodeState.set(Present.dueAt, &present, &dueAtValue, newValue) }
    }
    public var blockedAt: Int64? {
        get { get(Present.blockedAt, blockedAtValue) }
        set { NodeState.set(Present.blockedAt, &present, &blockedAtValue, newValue) }
    }
    public var escalatedAt: Int64? {
        get { get(Present.escalatedAt, escalatedAtValue) }
        set { NodeState.set(Present.escalatedAt, &present, &escalatedAtValue, newValue) }
    }
    /// When it was completed, skipped or closed.
    public var finishedAt: Int64? {
        get { get(Present.finishedAt, finishedAtValue) }
        set { NodeState.set(Present.finishedAt, &present, &finishedAtValue, newValue) }
    }
    /// The outcome chosen (index into the approval's outcomes).
    public var outcome: Int? {
        get { get(Present.outcome, outcomeValue) }
        set { NodeState.set(Present.outcome, &present, &outcomeValue, newValue) }
    }

    /// A fresh, pending node with `deliverables` unticked.
    public init(deliverables: Int) {
        self.status = .pending
        self.inPlan = true
        self.present = 0
        self.activatedAtValue = 0
        self.dueAtValue = 0
        self.blockedAtValue = 0
        self.escalatedAtValue = 0
        self.finishedAtValue = 0
        self.outcomeValue = 0
        self.deliverables = Array(repeating: false, count: deliverables)
        self.arrivals = 0
        self.entries = 0
    }

    // The coding keys and calls of the synthesised conformance of the original declaration
    // (`status`, the five instants, `deliverables`, `outcome`, `arrivals`, `entries`, `inPlan`).
    private enum CodingKeys: String, CodingKey {
        case status, activatedAt, dueAt, blockedAt, escalatedAt, finishedAt, deliverables, outcome, arrivals, entries, inPlan
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(deliverables: 0)
        status = try c.decode(NodeStatus.self, forKey: .status)
        activatedAt = try c.decodeIfPresent(Int64.self, forKey: .activatedAt)
        dueAt = try c.decodeIfPresent(Int64.self, forKey: .dueAt)
        blockedAt = try c.decodeIfPresent(Int64.self, forKey: .blockedAt)
        escalatedAt = try c.decodeIfPresent(Int64.self, forKey: .escalatedAt)
        finishedAt = try c.decodeIfPresent(Int64.self, forKey: .finishedAt)
        deliverables = try c.decode([Bool].self, forKey: .deliverables)
        outcome = try c.decodeIfPresent(Int.self, forKey: .outcome)
        arrivals = try c.decode(Int.self, forKey: .arrivals)
        entries = try c.decode(Int.self, forKey: .entries)
        inPlan = try c.decode(Bool.self, forKey: .inPlan)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(activatedAt, forKey: .activatedAt)
        try c.encodeIfPresent(dueAt, forKey: .dueAt)
        try c.encodeIfPresent(blockedAt, forKey: .blockedAt)
        try c.encodeIfPresent(escalatedAt, forKey: .escalatedAt)
        try c.encodeIfPresent(finishedAt, forKey: .finishedAt)
        try c.encode(deliverables, forKey: .deliverables)
        try c.encodeIfPresent(outcome, forKey: .outcome)
        try c.encode(arrivals, forKey: .arrivals)
        try c.encode(entries, forKey: .entries)
        try c.encode(inPlan, forKey: .inPlan)
    }
}

/// A group chat created by a `group_chat` effect, whose membership follows its roles.
public struct GroupChatState: Codable, Sendable, Hashable {
    /// Index of the `group_chat` effect in `Machine.effects` (one chat per effect per deal).
    public var effect: Int
    /// The id of the effect that created the chat; later add-member effects name it.
    public var chatID: String
    /// The roles the chat follows.
    public var roles: [Int]
    /// Everyone the runner has put in the chat, in order.
    public var members: [String]
}

/// A field read by a decision, and the value it had.
public struct FieldRead: Codable, Sendable, Hashable {
    public var slot: Int
    public var value: ExprValue?
}

/// One recorded reason: why the deal went where it went (`Runner.explain` renders these).
public struct Decision: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable {
        /// A conditional `next` branch whose condition held (`target` taken).
        case branch
        /// No condition of a conditional `next` held: the default `target` was taken.
        case branchDefault = "branch_default"
        /// A node with `when` was reached: entered (`result` true) or skipped.
        case tailoring
        /// A field change moved a node that the deal has not reached into or out of the flow ahead.
        case projection
        /// An approval outcome was chosen (`detail`), leading to `target`.
        case outcome
        /// The deal was sent back from `node` to `target` (`detail` is the reason).
        case rework
        /// The deal was lost (`detail` is the reason code) and goes to `target`.
        case lose
        /// `node` passed its due date.
        case blocked
        /// `node` was escalated (`detail` is the role id).
        case escalated
        case idleWarning = "idle_warning"
        case idleReturn = "idle_return"
        /// An expression failed to evaluate (`detail` is the error); it counted as false / null.
        case evaluationFailed = "evaluation_failed"
        /// The deal moved to another version of its template (`detail`: `old hash → new hash`).
        case migration
        /// The deal left the public pool (a claim, or an assignment from there) and `node`'s due
        /// clock started again (`detail`: its new due time in seconds, or none); a node blocked in
        /// the pool became active again. New in schema version 4.
        case dueRestarted = "due_restarted"
    }

    /// The event (sequence number) during which the decision was taken.
    public var sequence: Int64
    public var at: Int64
    public var kind: Kind
    public var node: Int?
    /// Index into `Machine.expressions`.
    public var expression: Int?
    /// The fields the expression read, with their values.
    public var reads: [FieldRead]
    /// The expression's value (conditions: true, false or null).
    public var result: ExprValue?
    /// The node a branch, outcome, rework or loss led to; for a `projection` a migration
    /// recorded (runner rules 9), the node itself: a node the new version adds ahead of the deal.
    public var target: Int?
    public var detail: String?

    public init(sequence: Int64, at: Int64, kind: Kind, node: Int? = nil, expression: Int? = nil, reads: [FieldRead] = [],
                result: ExprValue? = nil, target: Int? = nil, detail: String? = nil) {
        self.sequence = sequence
        self.at = at
        self.kind = kind
        self.node = node
        self.expression = expression
        self.reads = reads
        self.result = result
        self.target = target
        self.detail = detail
    }
}

/// A communication note or a document link attached to a node of a deal (S9), by a `note` or
/// `link` event. Records never change a node's status and do not reset the idle timer.
public struct NodeRecord: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable {
        case note, link
    }

    /// The node's index in the deal's machine.
    public var node: Int
    public var kind: Kind
    /// The note's text, or the link's title (the URL when the event gave no title).
    public var text: String
    /// The link's address (nil for a note).
    public var url: String?
    /// Who attached it (the event's actor).
    public var author: String?
    /// When it was attached (the event's time).
    public var at: Int64
    /// The event (sequence number) that attached it.
    public var sequence: Int64

    public init(node: Int, kind: Kind, text: String, url: String? = nil, author: String? = nil, at: Int64, sequence: Int64) {
        self.node = node
        self.kind = kind
        self.text = text
        self.url = url
        self.author = author
        self.at = at
        self.sequence = sequence
    }
}
