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

    public init(now: Int64, utcOffset: Int64 = 0, ownedOpenDeals: Int = 0, actorCanAssign: Bool = false) {
        self.now = now
        self.utcOffset = utcOffset
        self.ownedOpenDeals = ownedOpenDeals
        self.actorCanAssign = actorCanAssign
    }

    /// A context whose clock is the event's own time.
    public static func at(_ event: DealEvent) -> StepContext { StepContext(now: event.at) }
}

/// The bounds on what one event can make the runner do. Each has a test.
public struct RunnerLimits: Codable, Sendable, Hashable {
    /// Automatic steps after one event: nodes passed through or entered, forks, joins, branches,
    /// timers fired. Past it the event is refused (FC1160).
    public var maxEventlessSteps: Int
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

    public init(maxEventlessSteps: Int = 1_000, fuel: Int = ExprEvaluator.defaultFuel, maxTextBytes: Int = 65_536,
                maxListElements: Int = 1_000, maxIDLength: Int = 256, maxFieldsPerEvent: Int = 1_000,
                maxMembersPerRole: Int = 1_000, maxDecisions: Int = 1_000, maxRecords: Int = 500, maxRecordCharacters: Int = 4_000) {
        self.maxEventlessSteps = maxEventlessSteps
        self.fuel = fuel
        self.maxTextBytes = maxTextBytes
        self.maxListElements = maxListElements
        self.maxIDLength = maxIDLength
        self.maxFieldsPerEvent = maxFieldsPerEvent
        self.maxMembersPerRole = maxMembersPerRole
        self.maxDecisions = maxDecisions
        self.maxRecords = maxRecords
        self.maxRecordCharacters = maxRecordCharacters
    }

    /// The standard limits.
    public static let `default` = RunnerLimits()
}

/// The result of an accepted event: the new snapshot and the effects for the outbox, in order.
public struct StepOutcome: Codable, Sendable, Hashable {
    public var snapshot: DealSnapshot
    public var effects: [Effect]
}
