public import FlowExpr
import FlowIR
public import FlowRuntime
public import FlowStore

/// The view columns of a deal (``FlowStore/DealProjection``), computed from its snapshot when a
/// session writes it (once per deal and batch, for the deal's last record in the batch) and by
/// the backfill of stores created before schema version 2.
extension DealService {
    /// The projection of a snapshot: plain JSON values of the fields, the open nodes with their
    /// owning person and due time, how the deal got into the public pool, and when the idle timer
    /// would return it there.
    ///
    /// - Parameter unchangedFields: the projection of the deal before the step, when the step did
    ///   not change its fields: its JSON, amount and close date are reused (encoding the fields
    ///   is the costly part, and most events change none).
    public static func projection(_ machine: PreparedMachine, _ s: DealSnapshot, unchangedFields: DealProjection? = nil) -> DealProjection {
        let m = machine.machine
        var fields = "{"
        if let unchangedFields {
            fields = unchangedFields.fields
        } else {
            var first = true
            for (slot, def) in m.fields.enumerated() where slot < s.fields.count {
                guard let value = s.fields[slot], let json = plainJSON(value) else { continue }
                if !first { fields += "," }
                first = false
                fields += StoreJSON.quoted(def.id) + ":" + json
            }
            fields += "}"
        }

        var nodes = "["
        var earliestDue: Int64?
        for (n, index) in s.openNodes.enumerated() where m.nodes.indices.contains(index) {
            let def = m.nodes[index]
            let state = s.nodes[index]
            if n > 0 { nodes += "," }
            nodes += "{\"node\":" + StoreJSON.quoted(def.id) + ",\"status\":" + StoreJSON.quoted(state.status.rawValue)
            nodes += ",\"owner\":" + (nodeOwner(m, s, def).map(StoreJSON.quoted) ?? "null")
            if let due = state.dueAt {
                nodes += ",\"due_at\":" + String(storeTime(due).millisecondsSinceEpoch)
                earliestDue = min(earliestDue ?? due, due)
            } else {
                nodes += ",\"due_at\":null"
            }
            nodes += "}"
        }
        nodes += "]"

        var returnsAt: StoreTime?
        if s.isOpen, s.pool == .private, let idle = m.pool.idleAfter, !machine.isLosing(s), !machine.idleStopped(s) {
            returnsAt = storeTime(s.lastStatusChangeAt &+ idle)
        }
        let (since, arrival) = poolArrival(s)
        var amount: Double? = unchangedFields?.amount
        var closeDate: String? = unchangedFields?.closeDate
        if unchangedFields == nil, let f = ViewFields.amount(m), let slot = m.fields.firstIndex(where: { $0.id == f }), slot < s.fields.count,
           case .money(let value, _)? = s.fields[slot] {
            amount = Double(value.description)
        }
        if unchangedFields == nil, let f = ViewFields.closeDate(m), let slot = m.fields.firstIndex(where: { $0.id == f }), slot < s.fields.count,
           case .date? = s.fields[slot] {
            closeDate = s.fields[slot]?.description
        }
        return DealProjection(
            templateID: s.templateID, fields: fields, probability: s.probability, createdAt: storeTime(s.createdAt),
            closedAt: s.closedAt.map(storeTime), statusChangedAt: storeTime(s.lastStatusChangeAt), openNodes: nodes,
            dueAt: earliestDue.map(storeTime), poolSince: since.map(storeTime), poolArrival: arrival, returnsAt: returnsAt,
            lastRecordAt: lastRecordTime(s).map(storeTime), amount: amount, closeDate: closeDate)
    }

    /// The time of the deal's newest node record (seconds), or nil when it has none.
    public static func lastRecordTime(_ s: DealSnapshot) -> Int64? {
        s.records.map(\.at).max()
    }

    /// The person who owns an open node: the deal's owner for the owner role, else the first
    /// member of the node's owner role.
    static func nodeOwner(_ m: Machine, _ s: DealSnapshot, _ node: NodeDef) -> String? {
        guard let role = node.owner, m.roles.indices.contains(role) else { return nil }
        if m.roles[role].owner { return s.owner }
        return s.roleMembers.indices.contains(role) ? s.roleMembers[role].first : nil
    }

    /// When and how a public-pool deal got there: lost (with its reason), idle (the idle timer
    /// took it from its owner), released (its owner let it go) or created without an owner.
    public static func poolArrival(_ s: DealSnapshot) -> (Int64?, PoolArrival?) {
        guard s.pool == .public else { return (nil, nil) }
        if s.status == .lost {
            let lostAt = s.closedAt ?? s.lastStatusChangeAt
            // Kept in its owner's pool when lost (`lost_to_public: false`) and released later: it
            // came to the public pool at its release (QA round 32, R2: the loss time was given).
            if let released = s.releasedAt, released > lostAt {
                return (released, PoolArrival(how: "released", reason: s.loseReason, previousOwner: s.previousOwner))
            }
            return (lostAt, PoolArrival(how: "lost", reason: s.loseReason, previousOwner: s.previousOwner))
        }
        if let previous = s.previousOwner {
            let idle = s.decisions.last { $0.kind == .idleReturn }
            let since = s.releasedAt ?? idle?.at ?? s.lastStatusChangeAt
            let how = idle.map { $0.at >= since } == true ? "idle" : "released"
            return (since, PoolArrival(how: how, previousOwner: previous))
        }
        return (s.createdAt, PoolArrival(how: "created"))
    }

    /// A field value as plain JSON: numbers for money and decimals, `YYYY-MM-DD` for dates,
    /// ISO-8601 UTC for datetimes, seconds for durations; nil for null.
    public static func plainJSON(_ value: ExprValue) -> String? {
        switch value {
        case .null: return nil
        case .boolean(let b): return b ? "true" : "false"
        case .integer(let i): return String(i)
        case .decimal(let d): return d.description
        case .money(let amount, _): return amount.description
        case .text(let t): return StoreJSON.quoted(t)
        case .enumValue(let e): return StoreJSON.quoted(e)
        case .date, .datetime: return StoreJSON.quoted(value.description)
        case .duration(let seconds): return String(seconds)
        case .list(let items): return "[" + items.map { plainJSON($0) ?? "null" }.joined(separator: ",") + "]"
        }
    }

    /// Writes the view columns of every deal that has none (a store created before schema
    /// version 2), from its snapshot, in batches. Deals whose snapshot or machine cannot be read
    /// are left as they are and counted.
    /// - Returns: how many deals were backfilled and how many could not be.
    @discardableResult
    public func backfillProjections(batch: Int = 500) throws(HostError) -> (written: Int, skipped: Int) {
        guard let store = store as? any DealViewStore else { return (0, 0) }
        var written = 0
        var skipped: Set<String> = []
        while true {
            let page: [StoredSnapshot]
            do { page = try store.unprojectedSnapshots(limit: batch + skipped.count) } catch { throw HostError(error) }
            var out: [(dealID: String, projection: DealProjection)] = []
            for stored in page where !skipped.contains(stored.dealID) {
                guard let snapshot = try? DealSnapshot.decode(Array(stored.payload)),
                      let machine = try? machines.machine(hash: snapshot.machineHash, for: stored.dealID)
                else {
                    skipped.insert(stored.dealID)
                    continue
                }
                out.append((stored.dealID, Self.projection(machine, snapshot)))
            }
            if out.isEmpty { return (written, skipped.count) }
            do { try store.setProjections(out) } catch { throw HostError(error) }
            written += out.count
        }
    }
}
