/// The columns of a deal that views and reports read, extracted by the host from its snapshot
/// (schema version 2).
///
/// Why copies of the snapshot: a view over a million deals cannot decode a million JSON
/// snapshots; these small columns let SQLite filter, group and sum in place. The host computes
/// them on every append, like ``DealIndex``, so they always describe the latest snapshot. JSON
/// columns hold plain values: numbers for money and decimals, `YYYY-MM-DD` for dates,
/// `YYYY-MM-DDTHH:MM:SSZ` for datetimes, seconds for durations.
public struct DealProjection: Hashable, Sendable {
    /// The template id (`template.id`): views select deals by it.
    public var templateID: String
    /// A JSON object: field id → plain JSON value (unset fields are left out).
    public var fields: String
    /// The stage probability (percent) for the forecast.
    public var probability: Int?
    public var createdAt: StoreTime?
    public var closedAt: StoreTime?
    /// The last status change (what the idle timer counts from).
    public var statusChangedAt: StoreTime?
    /// A JSON array of the open nodes, in node order:
    /// `[{"node": ID, "status": "active"|"blocked", "owner": PERSON?, "due_at": MS?}]`.
    public var openNodes: String
    /// The earliest `due_at` of the open nodes (blocked and overdue nodes are found through it).
    public var dueAt: StoreTime?
    /// When the deal entered the public pool, and how (`PoolArrival`), while it is there.
    public var poolSince: StoreTime?
    public var poolArrival: PoolArrival?
    /// When the idle timer would return this private open deal to the public pool.
    public var returnsAt: StoreTime?
    /// The time of the newest node record (notes and links).
    public var lastRecordAt: StoreTime?
    /// The deal's amount and expected close date (`YYYY-MM-DD`), from the fields the host's rule
    /// picks for the template: what the report sums, as plain columns so that it reads them from
    /// an index instead of parsing `fields`.
    public var amount: Double?
    public var closeDate: String?

    public init(
        templateID: String, fields: String = "{}", probability: Int? = nil, createdAt: StoreTime? = nil,
        closedAt: StoreTime? = nil, statusChangedAt: StoreTime? = nil, openNodes: String = "[]", dueAt: StoreTime? = nil,
        poolSince: StoreTime? = nil, poolArrival: PoolArrival? = nil, returnsAt: StoreTime? = nil,
        lastRecordAt: StoreTime? = nil, amount: Double? = nil, closeDate: String? = nil
    ) {
        self.amount = amount
        self.closeDate = closeDate
        self.templateID = templateID
        self.fields = fields
        self.probability = probability
        self.createdAt = createdAt
        self.closedAt = closedAt
        self.statusChangedAt = statusChangedAt
        self.openNodes = openNodes
        self.dueAt = dueAt
        self.poolSince = poolSince
        self.poolArrival = poolArrival
        self.returnsAt = returnsAt
        self.lastRecordAt = lastRecordAt
    }
}

extension DealProjection {
    /// The open nodes the runner marked blocked (open past their due time), comma-separated in
    /// the order of ``openNodes``; the empty text when none. What SQLite reads from the
    /// `open_nodes` column for ``ViewColumn/blockedNodes``, computed the same way here for the
    /// stores that answer views in Swift.
    public var blockedNodes: String {
        guard case .array(let items)? = StoreJSON.parse(openNodes) else { return "" }
        var blocked: [String] = []
        for item in items {
            if case .object(let node) = item, node["status"] == .text("blocked"), case .text(let id)? = node["node"] { blocked.append(id) }
        }
        return blocked.joined(separator: ",")
    }
}

/// How a deal got into the public pool, as the `pool_arrival` column keeps it
/// (`{"how": "idle", "reason": null, "previous_owner": "bob"}`).
public struct PoolArrival: Hashable, Sendable {
    /// `lost`, `idle`, `released` or `created`.
    public var how: String
    /// The lose reason of a lost deal.
    public var reason: String?
    public var previousOwner: String?

    public init(how: String, reason: String? = nil, previousOwner: String? = nil) {
        self.how = how
        self.reason = reason
        self.previousOwner = previousOwner
    }

    /// The column's JSON text.
    public var json: String {
        "{\"how\":\(StoreJSON.quoted(how)),\"reason\":\(reason.map(StoreJSON.quoted) ?? "null"),"
            + "\"previous_owner\":\(previousOwner.map(StoreJSON.quoted) ?? "null")}"
    }

    /// Reads the column's JSON text; nil when it is not an arrival.
    public init?(json: String) {
        guard case .object(let members)? = StoreJSON.parse(json), case .text(let how)? = members["how"] else { return nil }
        self.how = how
        if case .text(let r)? = members["reason"] { reason = r } else { reason = nil }
        if case .text(let p)? = members["previous_owner"] { previousOwner = p } else { previousOwner = nil }
    }
}
