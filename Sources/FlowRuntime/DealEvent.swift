public import FlowExpr

/// One event of a deal's log. The host supplies the id (unique within the deal; effect ids are
/// derived from it), the instant it happened (seconds since the epoch; the runner never reads a
/// clock) and the acting person.
///
/// Names (fields, nodes, roles, outcomes) are ids as written in the template, so that a log stays
/// readable and is resolved against the machine once per event.
///
/// JSON form: a flat object, `{"id": "e7", "at": 1714528800, "actor": "alice", "type":
/// "complete", "node": "negotiation_review", "outcome": "approve"}`.
public struct DealEvent: Codable, Sendable, Hashable {
    public var id: String
    public var at: Int64
    /// The person acting (claimant, assigning manager, releasing owner, …); optional for most events.
    public var actor: String?
    public var action: DealAction

    public init(id: String, at: Int64, actor: String? = nil, _ action: DealAction) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
    }

    private enum Key: String, CodingKey {
        case id, at, actor, type, deal, owner, fields, members, node, deliverable, done, outcome, target, reason, role, person, to
        case from, map, text, url, title, chat
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        id = try c.decode(String.self, forKey: .id)
        at = try c.decode(Int64.self, forKey: .at)
        actor = try c.decodeIfPresent(String.self, forKey: .actor)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "create":
            action = .create(dealID: try c.decode(String.self, forKey: .deal), owner: try c.decodeIfPresent(String.self, forKey: .owner),
                             fields: try c.decodeIfPresent([FieldAssignment].self, forKey: .fields) ?? [],
                             members: try c.decodeIfPresent([RoleAssignment].self, forKey: .members) ?? [])
        case "set_fields": action = .setFields(try c.decode([FieldAssignment].self, forKey: .fields))
        case "tick_deliverable":
            action = .tickDeliverable(node: try c.decode(String.self, forKey: .node), deliverable: try c.decode(String.self, forKey: .deliverable),
                                      done: try c.decodeIfPresent(Bool.self, forKey: .done) ?? true)
        case "complete": action = .complete(node: try c.decode(String.self, forKey: .node), outcome: try c.decodeIfPresent(String.self, forKey: .outcome))
        case "rework":
            action = .rework(node: try c.decode(String.self, forKey: .node), target: try c.decode(String.self, forKey: .target),
                             reason: try c.decodeIfPresent(String.self, forKey: .reason) ?? "")
        case "add_role_member": action = .addRoleMember(role: try c.decode(String.self, forKey: .role), person: try c.decode(String.self, forKey: .person))
        case "remove_role_member": action = .removeRoleMember(role: try c.decode(String.self, forKey: .role), person: try c.decode(String.self, forKey: .person))
        case "lose": action = .lose(reason: try c.decodeIfPresent(String.self, forKey: .reason))
        case "win": action = .win(node: try c.decodeIfPresent(String.self, forKey: .node))
        case "claim": action = .claim
        case "release": action = .release
        case "assign": action = .assign(to: try c.decode(String.self, forKey: .to))
        case "tick": action = .tick
        case "migrate":
            action = .migrate(from: try c.decode(String.self, forKey: .from), to: try c.decode(String.self, forKey: .to),
                              map: try c.decodeIfPresent([NodeMapping].self, forKey: .map) ?? [])
        case "note": action = .note(node: try c.decode(String.self, forKey: .node), text: try c.decode(String.self, forKey: .text))
        case "join_chat": action = .joinChat(person: try c.decode(String.self, forKey: .person), chat: try c.decodeIfPresent(String.self, forKey: .chat))
        case "link":
            action = .link(node: try c.decode(String.self, forKey: .node), url: try c.decode(String.self, forKey: .url),
                           title: try c.decodeIfPresent(String.self, forKey: .title))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown event type `\(type)`")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(id, forKey: .id)
        try c.encode(at, forKey: .at)
        try c.encodeIfPresent(actor, forKey: .actor)
        try c.encode(action.name, forKey: .type)
        switch action {
        case .create(let deal, let owner, let fields, let members):
            try c.encode(deal, forKey: .deal)
            try c.encodeIfPresent(owner, forKey: .owner)
            try c.encode(fields, forKey: .fields)
            try c.encode(members, forKey: .members)
        case .setFields(let fields): try c.encode(fields, forKey: .fields)
        case .tickDeliverable(let node, let deliverable, let done):
            try c.encode(node, forKey: .node); try c.encode(deliverable, forKey: .deliverable); try c.encode(done, forKey: .done)
        case .complete(let node, let outcome): try c.encode(node, forKey: .node); try c.encodeIfPresent(outcome, forKey: .outcome)
        case .rework(let node, let target, let reason):
            try c.encode(node, forKey: .node); try c.encode(target, forKey: .target); try c.encode(reason, forKey: .reason)
        case .addRoleMember(let role, let person), .removeRoleMember(let role, let person):
            try c.encode(role, forKey: .role); try c.encode(person, forKey: .person)
        case .lose(let reason): try c.encodeIfPresent(reason, forKey: .reason)
        case .win(let node): try c.encodeIfPresent(node, forKey: .node)
        case .claim, .release, .tick: break
        case .assign(let to): try c.encode(to, forKey: .to)
        case .migrate(let from, let to, let map):
            try c.encode(from, forKey: .from); try c.encode(to, forKey: .to); try c.encode(map, forKey: .map)
        case .note(let node, let text): try c.encode(node, forKey: .node); try c.encode(text, forKey: .text)
        case .link(let node, let url, let title):
            try c.encode(node, forKey: .node); try c.encode(url, forKey: .url); try c.encodeIfPresent(title, forKey: .title)
        case .joinChat(let person, let chat): try c.encode(person, forKey: .person); try c.encodeIfPresent(chat, forKey: .chat)
        }
    }
}

/// What an event does.
public enum DealAction: Sendable, Hashable {
    /// Creates the deal: its id, its owner (nil: the deal starts in the public pool), initial
    /// field values (defaults fill the rest) and role members. The deal enters its start node.
    case create(dealID: String, owner: String?, fields: [FieldAssignment], members: [RoleAssignment])
    /// Sets (or, with `.null`, unsets) fields. Not a status change.
    case setFields([FieldAssignment])
    /// Ticks (or unticks) a deliverable of an active node. Not a status change.
    case tickDeliverable(node: String, deliverable: String, done: Bool)
    /// Completes an active node; an approval names its outcome.
    case complete(node: String, outcome: String?)
    /// Sends the deal back from an active node to one of its `rework` targets, with a reason.
    case rework(node: String, target: String, reason: String)
    case addRoleMember(role: String, person: String)
    case removeRoleMember(role: String, person: String)
    /// Loses the deal (with one of `lose.reasons` when the template declares them).
    case lose(reason: String?)
    /// Completes the active node whose next step is a `won` end (optionally naming it).
    case win(node: String?)
    /// The actor claims the deal from the public pool.
    case claim
    /// The owner (or a manager) releases the deal to the public pool.
    case release
    /// A manager (the actor) gives the deal to a person, from either pool.
    case assign(to: String)
    /// Time passes: fires what is due (every event does this first).
    case tick
    /// Moves the deal from the machine with hash `from` to the machine with hash `to`, nodes
    /// matched by id unless `map` says otherwise (docs/runtime.md §18). Applied by
    /// ``Runner/migrate(from:to:_:_:context:limits:)``, which is given both machines.
    case migrate(from: String, to: String, map: [NodeMapping])
    /// Attaches a communication note to a node the deal has reached (S9). Not a status change.
    case note(node: String, text: String)
    /// Attaches a document link (http or https) to a node the deal has reached (S9). Not a status change.
    case link(node: String, url: String, title: String?)
    /// S10: a person joins the deal's group chat (`chat`, a chat id) or every chat of the deal
    /// they are not in (nil), whether or not they hold a role, and can read its history. Not a
    /// status change; allowed on closed deals too.
    case joinChat(person: String, chat: String?)

    /// The event type as written in JSON and messages (`set_fields`, `complete`, …).
    public var name: String {
        switch self {
        case .create: "create"
        case .setFields: "set_fields"
        case .tickDeliverable: "tick_deliverable"
        case .complete: "complete"
        case .rework: "rework"
        case .addRoleMember: "add_role_member"
        case .removeRoleMember: "remove_role_member"
        case .lose: "lose"
        case .win: "win"
        case .claim: "claim"
        case .release: "release"
        case .assign: "assign"
        case .tick: "tick"
        case .migrate: "migrate"
        case .note: "note"
        case .link: "link"
        case .joinChat: "join_chat"
        }
    }
}

/// One entry of a migration's node mapping: the deal's state at node `old` (of the machine the
/// deal leaves) goes to node `new` (of the machine it moves to). Several old nodes may map to one
/// new node (a merge). Kept as a list, not a dictionary, so that its JSON is written in one order.
public struct NodeMapping: Codable, Sendable, Hashable {
    public var old: String
    public var new: String

    public init(_ old: String, _ new: String) {
        self.old = old
        self.new = new
    }
}

/// A field value in an event; `.null` unsets the field.
public struct FieldAssignment: Codable, Sendable, Hashable {
    public var field: String
    public var value: ExprValue

    public init(_ field: String, _ value: ExprValue) {
        self.field = field
        self.value = value
    }
}

/// A person in a role, in a `create` event.
public struct RoleAssignment: Codable, Sendable, Hashable {
    public var role: String
    public var person: String

    public init(_ role: String, _ person: String) {
        self.role = role
        self.person = person
    }
}
