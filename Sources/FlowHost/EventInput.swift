public import FlowRuntime

/// A field value as written in a record or on the command line, typed later by the deal's machine
/// (the machine is known only once the deal is found: a deal runs on the machine it started on).
public struct WrittenValue: Sendable, Hashable {
    public var field: String
    public var value: JSONValue

    public init(_ field: String, _ value: JSONValue) {
        self.field = field
        self.value = value
    }
}

/// When an event happens, as written.
public enum EventTime: Sendable, Hashable {
    /// The host's clock when the event is applied.
    case now
    /// The time of the previous event of the same record (for the first event of a record, the
    /// deal's last event).
    case same
    /// Seconds since the epoch.
    case absolute(Int64)
    /// This many seconds after the previous event (`+3d`).
    case after(Int64)
}

/// What an event does, as written: the scenario-step actions of docs/runtime.md §16, with field
/// values not yet typed.
public enum HostAction: Sendable, Hashable {
    case set([WrittenValue])
    /// One `tick_deliverable` event per item (ids `ID.1`, `ID.2`, … when there are several).
    case deliverables(node: String, done: [String], undo: Bool)
    case complete(node: String, outcome: String?)
    case rework(node: String, target: String, reason: String)
    case addMember(role: String, person: String)
    case removeMember(role: String, person: String)
    case lose(reason: String?)
    case win(node: String?)
    case claim
    case release
    case assign(to: String)
    case tick
    /// A communication note on a node the deal has reached (S9): `{"add_note": {"node": …, "text": …}}`.
    case note(node: String, text: String)
    /// A document link on a node the deal has reached: `{"add_link": {"node": …, "url": …, "title": …}}`.
    case link(node: String, url: String, title: String?)

    /// The action's key in records (`set`, `complete`, …).
    public var name: String {
        switch self {
        case .set: "set"
        case .deliverables: "deliverables"
        case .complete: "complete"
        case .rework: "rework"
        case .addMember: "add_member"
        case .removeMember: "remove_member"
        case .lose: "lose"
        case .win: "win"
        case .claim: "claim"
        case .release: "release"
        case .assign: "assign"
        case .tick: "tick"
        case .note: "add_note"
        case .link: "add_link"
        }
    }

    /// Every action key, in the order messages list them.
    public static let names = ["set", "deliverables", "complete", "rework", "add_member", "remove_member", "lose", "win", "claim", "release", "assign", "tick",
                               "add_note", "add_link"]
}

/// One event to apply to an existing deal, before its id and time are resolved.
public struct EventInput: Sendable, Hashable {
    /// The event id; nil lets the host choose (see ``DealService``).
    public var id: String?
    public var at: EventTime
    /// The person acting (required for claim, release, assign).
    public var actor: String?
    public var action: HostAction
    /// The host vouches that the actor is in the template's `pool.assign_by` role.
    public var canAssign: Bool

    public init(id: String? = nil, at: EventTime = .now, actor: String? = nil, _ action: HostAction, canAssign: Bool = false) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.canAssign = canAssign
    }
}

/// A deal to create.
public struct NewDealInput: Sendable, Hashable {
    public var dealID: String
    /// The id of the creating event (`create` unless the record says otherwise).
    public var eventID: String
    public var at: EventTime
    /// The owner; nil creates the deal in the public pool.
    public var owner: String?
    /// Who creates it (defaults to the owner).
    public var actor: String?
    public var fields: [WrittenValue]
    public var members: [RoleAssignment]

    public init(dealID: String, eventID: String = "create", at: EventTime = .now, owner: String?, actor: String? = nil,
                fields: [WrittenValue] = [], members: [RoleAssignment] = []) {
        self.dealID = dealID
        self.eventID = eventID
        self.at = at
        self.owner = owner
        self.actor = actor
        self.fields = fields
        self.members = members
    }
}
