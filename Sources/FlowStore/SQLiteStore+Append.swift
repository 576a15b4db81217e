internal import Foundation
internal import GRDB

/// The append path of ``SQLiteStore``: one write transaction per batch, its statements (cached
/// by the connection) stepped through SQLite's C API (``RawStatement``).
///
/// A batch writes each event to the log (and its effects to the outbox) as it comes, and each
/// deal's row once, at the end, with the snapshot and columns of its last appended event:
///
/// - a deal created in the batch gets its row id up front (the largest id + 1, as SQLite would
///   give it; the batch holds the only write transaction) and its row is inserted once, at the
///   end, instead of being inserted at its creating event and rewritten at the end;
/// - a stored deal's row is updated once, setting only the indexed columns whose value changed,
///   so that SQLite leaves the other indexes alone.
extension SQLiteStore {
    /// A deal as the batch finds and leaves it.
    struct PendingDeal {
        var rowID: Int64
        var lastSequence: Int64
        /// The row's columns as they are in the database; nil for a deal created in this batch
        /// (no row yet).
        var storedIndex: DealIndex?
        var storedSequence: Int64
        /// The last record of the batch appended to this deal.
        var record: Int?
    }

    /// The statements of one batch, prepared on the writer's connection.
    final class AppendStatements {
        let db: Database
        let selectDeal: RawStatement
        let selectEvent: RawStatement
        let insertEvent: RawStatement
        let insertEffect: RawStatement
        let customerKeys: CustomerKeyStatements
        private var insertDeal: RawStatement?
        private var maxID: RawStatement?
        /// UPDATE statements by the set of columns they write (``DealColumns``).
        private var updates: [UInt32: RawStatement] = [:]
        private var nextRowID: Int64?

        init(_ db: Database) throws {
            self.db = db
            customerKeys = CustomerKeyStatements(db)
            selectDeal = try Self.statement(db, SQLiteStore.selectDealSQL)
            selectEvent = try Self.statement(db, "SELECT seq FROM events WHERE deal = ?1 AND event_id = ?2")
            insertEvent = try Self.statement(
                db, "INSERT INTO events (deal, seq, event_id, payload) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (deal, event_id) DO NOTHING")
            insertEffect = try Self.statement(
                db,
                "INSERT INTO outbox (deal, effect_id, event_seq, payload) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (deal, effect_id) DO NOTHING")
        }

        /// The connection's cached statement for `sql` (prepared once per connection, not per
        /// batch: a single command appends batches of one).
        private static func statement(_ db: Database, _ sql: String) throws -> RawStatement {
            try RawStatement(cached: db.cachedStatement(sql: sql), db)
        }

        /// A row id for a deal created in this batch.
        func newRowID() throws -> Int64 {
            if nextRowID == nil {
                let statement = try maxID ?? Self.statement(db, "SELECT coalesce(max(id), 0) FROM deals")
                maxID = statement
                statement.reset()
                nextRowID = try statement.step() ? statement.int64(0) + 1 : 1
                statement.reset()
            }
            let id = nextRowID ?? 1
            nextRowID = id + 1
            return id
        }

        func insert() throws -> RawStatement {
            if let insertDeal { return insertDeal }
            let names = DealColumns.all.map(\.name).joined(separator: ", ")
            let values = DealColumns.all.map { "?\($0.parameter)" }.joined(separator: ", ")
            let statement = try Self.statement(
                db, "INSERT INTO deals (id, last_seq, snapshot, \(names)) VALUES (?1, ?2, ?3, \(values))")
            insertDeal = statement
            return statement
        }

        func update(_ columns: UInt32) throws -> RawStatement {
            if let statement = updates[columns] { return statement }
            var sql = "UPDATE deals SET last_seq = ?2, snapshot = ?3"
            for column in DealColumns.all where columns & column.bit != 0 {
                sql += ", \(column.name) = ?\(column.parameter)"
            }
            sql += " WHERE id = ?1"
            let statement = try Self.statement(db, sql)
            updates[columns] = statement
            return statement
        }
    }

    static let selectDealSQL = """
        SELECT id, last_seq, template_hash, status, is_open, pool, owner, customer_key, next_timer_at,
            current_nodes, fields IS NOT NULL, template_id, probability, due_at, pool_since, returns_at, last_record_at,
            amount, close_date
        FROM deals WHERE deal_id = ?1
        """

    static func append(_ batch: [AppendRecord], _ db: Database) throws -> [AppendResult] {
        let statements = try AppendStatements(db)
        // The deals the batch touched, but the one of the last record: `flowc run` appends a
        // deal's events one after another, so the current deal is kept out of the dictionary
        // until another deal's record comes (two hash lookups of its id less per event).
        var deals: [String: PendingDeal] = [:]
        var current: (id: String, deal: PendingDeal)?
        var results: [AppendResult] = []
        results.reserveCapacity(batch.count)
        // Records are read in place: copying one retains each of its strings and buffers.
        try batch.withUnsafeBufferPointer { buffer in
            guard let first = buffer.baseAddress else { return }
            for offset in buffer.indices {
                let record = first + offset
                if let error = AppendRecord.validationError(
                    dealID: record.pointee.dealID, eventID: record.pointee.eventID,
                    afterSequence: record.pointee.afterSequence, effects: record.pointee.effects)
                {
                    results.append(.rejected(error))
                    continue
                }
                let dealID = record.pointee.dealID
                if let held = current, held.id != dealID {
                    deals[held.id] = held.deal
                    current = nil
                }
                var deal: PendingDeal
                if let held = current {
                    deal = held.deal
                } else if let pending = deals.removeValue(forKey: dealID) {
                    deal = pending
                } else if let found = try fetchPendingDeal(statements.selectDeal, dealID) {
                    deal = found
                } else if record.pointee.afterSequence == 0 {
                    // The creating event: the row is inserted at the end of the batch, under this id.
                    deal = PendingDeal(rowID: try statements.newRowID(), lastSequence: 0, storedIndex: nil, storedSequence: 0)
                } else {
                    results.append(.rejected(record.pointee.unknownDeal()))
                    continue
                }
                results.append(try appendEvent(record, at: offset, to: &deal, statements))
                // Appended or not, the deal is the current one from here on.
                current = (dealID, deal)
            }
        }
        if let held = current { deals[held.id] = held.deal }
        for deal in deals.values where deal.lastSequence != deal.storedSequence {
            guard let offset = deal.record else { continue }
            try writeDeal(deal, with: batch[offset], statements)
        }
        return results
    }

    /// Writes one record's event to the log and its effects to the outbox, and advances `deal`;
    /// or tells why it is a duplicate or rejected.
    private static func appendEvent(
        _ pointer: UnsafePointer<AppendRecord>, at offset: Int, to deal: inout PendingDeal, _ statements: AppendStatements
    ) throws -> AppendResult {
        // Fields are read through the pointer: binding the record to a constant would copy it.
        guard pointer.pointee.afterSequence == deal.lastSequence else {
            // Either a re-delivery (the event id is in the log) or a step from a stale snapshot.
            if let sequence = try loggedSequence(statements.selectEvent, deal.rowID, pointer.pointee.eventID) {
                return .duplicate(sequence: sequence)
            }
            return .rejected(pointer.pointee.conflict(lastSequence: deal.lastSequence))
        }
        // A damaged store's position is not counted on from (it would overflow).
        guard deal.lastSequence >= 0, deal.lastSequence < Int64.max else {
            throw StoreError(.invalidRecord, "deal `\(pointer.pointee.dealID)`: its log position \(deal.lastSequence) is out of range (a damaged store)")
        }
        let sequence = deal.lastSequence + 1
        let insertEvent = statements.insertEvent
        insertEvent.reset()
        insertEvent.bind(1, deal.rowID)
        insertEvent.bind(2, sequence)
        insertEvent.bind(3, pointer.pointee.eventID)
        try insertEvent.run(bindingText: pointer.pointee.event, at: 4)
        if insertEvent.changes == 0 {
            // The event id is already in the log, at an earlier position.
            let stored = try loggedSequence(statements.selectEvent, deal.rowID, pointer.pointee.eventID) ?? 0
            return .duplicate(sequence: stored)
        }
        let insertEffect = statements.insertEffect
        for effect in pointer.pointee.effects {
            insertEffect.reset()
            insertEffect.bind(1, deal.rowID)
            insertEffect.bind(2, effect.effectID)
            insertEffect.bind(3, sequence)
            try insertEffect.run(bindingText: effect.payload, at: 4)
        }
        deal.lastSequence = sequence
        deal.record = offset
        return .appended(sequence: sequence)
    }

    /// The log position of an event id in a deal's log, if it is there.
    private static func loggedSequence(_ statement: RawStatement, _ rowID: Int64, _ eventID: String) throws -> Int64? {
        statement.reset()
        statement.bind(1, rowID)
        statement.bind(2, eventID)
        let sequence = try statement.step() ? statement.int64(0) : nil
        statement.reset()
        return sequence
    }

    /// Reads a deal's row: its id, log length and the columns an update compares with.
    private static func fetchPendingDeal(_ statement: RawStatement, _ dealID: String) throws -> PendingDeal? {
        statement.reset()
        statement.bind(1, dealID)
        guard try statement.step() else { return nil }
        var index = dealIndex(statement, from: 2)
        if statement.int64(10) != 0 {
            // The indexed view columns (the others are not compared: they are always written).
            index.projection = DealProjection(
                templateID: statement.text(11) ?? "", probability: statement.optionalInt(12), dueAt: statement.optionalTime(13),
                poolSince: statement.optionalTime(14), returnsAt: statement.optionalTime(15),
                lastRecordAt: statement.optionalTime(16), amount: statement.optionalDouble(17), closeDate: statement.text(18))
        }
        let sequence = statement.int64(1)
        let deal = PendingDeal(rowID: statement.int64(0), lastSequence: sequence, storedIndex: index, storedSequence: sequence)
        // deal_id is unique: finish the statement so that no read stays open.
        statement.reset()
        return deal
    }

    /// Inserts the row of a deal created in the batch, or updates a stored deal's row with its
    /// new `last_seq`, snapshot, and those indexed columns that changed.
    private static func writeDeal(_ deal: PendingDeal, with record: AppendRecord, _ statements: AppendStatements) throws {
        // Made here when deferred: only the record whose row is written needs it.
        let (snapshot, new) = record.row
        let statement: RawStatement
        let columns: UInt32
        if let old = deal.storedIndex {
            columns = DealColumns.changed(from: old, to: new)
            statement = try statements.update(columns)
        } else {
            columns = DealColumns.everything
            statement = try statements.insert()
        }
        statement.reset()
        statement.bind(1, deal.rowID)
        statement.bind(2, deal.lastSequence)
        DealColumns.bind(new, columns, to: statement, dealID: record.dealID)
        try statement.run(bindingText: snapshot, at: 3)
        if deal.storedIndex == nil || columns & (DealColumns.customerKey | DealColumns.isOpen) != 0 {
            try indexCustomerKeys(statements.customerKeys, deal: deal.rowID, from: deal.storedIndex, to: new)
        }
    }
}

/// The columns of a deal row an append writes besides `id`, `last_seq` and `snapshot`, each with
/// its bit in a column set and its fixed SQL parameter number (the same in the INSERT and in
/// every UPDATE).
enum DealColumns {
    struct Column {
        let name: String
        let parameter: Int
        var bit: UInt32 { 1 << UInt32(parameter - 4) }
    }

    /// Parameters 1–3 are the row id, `last_seq` and the snapshot.
    static let all: [Column] = [
        "deal_id", "template_hash", "status", "is_open", "pool", "owner", "customer_key", "next_timer_at", "current_nodes",
        "template_id", "fields", "probability", "created_at", "closed_at", "status_changed_at", "open_nodes", "due_at",
        "pool_since", "pool_arrival", "returns_at", "last_record_at", "amount", "close_date",
    ].enumerated().map { Column(name: $0.element, parameter: $0.offset + 4) }

    static func bit(_ name: String) -> UInt32 { all.first { $0.name == name }?.bit ?? 0 }

    // The bits an update compares, looked up once (not by name on every deal's update).
    static let templateHash = bit("template_hash"), status = bit("status"), isOpen = bit("is_open"), pool = bit("pool")
    static let owner = bit("owner"), customerKey = bit("customer_key"), nextTimerAt = bit("next_timer_at")
    static let currentNodes = bit("current_nodes"), templateID = bit("template_id"), probability = bit("probability")
    static let dueAt = bit("due_at"), poolSince = bit("pool_since"), returnsAt = bit("returns_at")
    static let lastRecordAt = bit("last_record_at"), amount = bit("amount"), closeDate = bit("close_date")

    static let everything: UInt32 = all.reduce(0) { $0 | $1.bit }

    /// The view columns no index covers: written whenever the host supplies a projection
    /// (reading them back to compare would cost more than writing them).
    static let unindexedView: UInt32 = ["fields", "created_at", "closed_at", "status_changed_at", "open_nodes", "pool_arrival"]
        .reduce(0) { $0 | bit($1) }

    /// The columns an update must write: the indexed ones whose value changed and, with a
    /// projection, the unindexed view columns. Without a projection the view columns are left
    /// as they are.
    static func changed(from old: DealIndex, to new: DealIndex) -> UInt32 {
        var set: UInt32 = 0
        func mark(_ bit: UInt32, _ changed: Bool) { if changed { set |= bit } }
        mark(templateHash, old.templateHash != new.templateHash)
        mark(status, old.status != new.status)
        mark(isOpen, old.isOpen != new.isOpen)
        mark(pool, old.pool != new.pool)
        mark(owner, old.owner != new.owner)
        mark(customerKey, old.customerKey != new.customerKey)
        mark(nextTimerAt, old.nextTimerAt != new.nextTimerAt)
        mark(currentNodes, old.currentNodes != new.currentNodes)
        if let p = new.projection {
            set |= unindexedView
            let o = old.projection
            let known = o != nil
            mark(templateID, !known || o?.templateID != p.templateID)
            mark(probability, !known || o?.probability != p.probability)
            mark(dueAt, !known || o?.dueAt != p.dueAt)
            mark(poolSince, !known || o?.poolSince != p.poolSince)
            mark(returnsAt, !known || o?.returnsAt != p.returnsAt)
            mark(lastRecordAt, !known || o?.lastRecordAt != p.lastRecordAt)
            mark(amount, !known || o?.amount != p.amount)
            mark(closeDate, !known || o?.closeDate != p.closeDate)
        }
        return set
    }

    /// Binds the columns in `set` from `index` (a missing projection binds its columns as NULL).
    static func bind(_ index: DealIndex, _ set: UInt32, to statement: RawStatement, dealID: String) {
        func wants(_ parameter: Int32) -> Bool { set & (1 << UInt32(parameter - 4)) != 0 }
        if wants(4) { statement.bind(4, dealID) }
        if wants(5) { statement.bind(5, index.templateHash) }
        if wants(6) { statement.bind(6, index.status) }
        if wants(7) { statement.bind(7, index.isOpen) }
        if wants(8) { statement.bind(8, index.pool) }
        if wants(9) { statement.bind(9, index.owner) }
        if wants(10) { statement.bind(10, index.customerKey) }
        if wants(11) { statement.bind(11, index.nextTimerAt) }
        if wants(12) { statement.bind(12, index.currentNodes) }
        guard let p = index.projection else { return }
        if wants(13) { statement.bind(13, p.templateID) }
        if wants(14) { statement.bind(14, p.fields) }
        if wants(15) { statement.bind(15, p.probability) }
        if wants(16) { statement.bind(16, p.createdAt) }
        if wants(17) { statement.bind(17, p.closedAt) }
        if wants(18) { statement.bind(18, p.statusChangedAt) }
        if wants(19) { statement.bind(19, p.openNodes) }
        if wants(20) { statement.bind(20, p.dueAt) }
        if wants(21) { statement.bind(21, p.poolSince) }
        if wants(22) { statement.bind(22, p.poolArrival?.json) }
        if wants(23) { statement.bind(23, p.returnsAt) }
        if wants(24) { statement.bind(24, p.lastRecordAt) }
        if wants(25) { statement.bind(25, p.amount) }
        if wants(26) { statement.bind(26, p.closeDate) }
    }
}
