public import FlowRuntime

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

/// What an event does, as written: the step actions shared with scenario files.
public typealias HostAction = StepAction

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
    /// The owner; nil creates the deal in the public pool. An empty text is refused (FC1108), not
    /// read as none.
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
