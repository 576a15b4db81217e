public import Foundation
internal import GRDB

/// The embedded, default ``DealStore``: one SQLite file, created (with its parent directories) on
/// first use, in WAL mode, read through a pool of connections while one connection writes.
///
/// ## Durability
///
/// ``append(_:)`` returns only after its transaction has committed. What survives then depends on
/// ``Durability``:
///
/// - ``Durability/powerLoss`` (the default, `PRAGMA synchronous = FULL`): the WAL is fsync'ed at
///   every commit, so an acknowledged append survives a kill -9 of the process *and* a crash of the
///   operating system or a power loss. It costs one fsync per batch, which batching amortises.
/// - ``Durability/processCrash`` (`PRAGMA synchronous = NORMAL`): the commit is written to the WAL
///   (the OS page cache) without fsync. An acknowledged append survives a kill -9 or a crash of the
///   process, because the kernel still writes the page cache out, but the last commits may be lost
///   (never half-applied: the database stays consistent) if the machine loses power or the kernel
///   crashes. For bulk imports that can be re-run (re-delivery is idempotent).
///
/// The default is the safe one because an acknowledged claim or won deal is a business fact that
/// people act on at once, and because batching makes it cheap: in the append bench (1,000 events
/// per batch) FULL and NORMAL ran at the same rate on the development disk. Both modes are killed
/// with SIGKILL mid-transaction by `CrashTests` in `Tests/FlowStoreTests`.
///
/// ## Concurrency
///
/// Writes are serialised (one writer connection; across processes SQLite's lock, waited for up to
/// ``busyTimeout``). Reads run concurrently with the writer and see the last committed state.
public final class SQLiteStore: DealStore {
    /// How much of an acknowledged append survives; see the type's documentation.
    public enum Durability: Sendable {
        /// Survives a process crash or kill, not a power loss (`synchronous = NORMAL`).
        case processCrash
        /// Survives a process crash and a power loss (`synchronous = FULL`).
        case powerLoss
    }

    /// How long a write waits for another process's lock before failing.
    public static let busyTimeout: TimeInterval = 10

    /// The page cache of each connection, in KiB.
    static let cacheKibibytes = 64 * 1024

    /// The database file.
    public let path: String
    public let durability: Durability
    private let pool: DatabasePool

    /// Opens the store at `path`, creating the file, its directory and the schema if needed, and
    /// upgrading an older schema.
    /// - Throws: ``StoreError`` `.notAStore`, `.newerSchema`, or `.database` (cannot create or open).
    public init(path: String, durability: Durability = .powerLoss) throws {
        self.path = path
        self.durability = durability
        do {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.busyMode = .timeout(Self.busyTimeout)
            configuration.label = "flowc-store"
            let synchronous = durability == .powerLoss ? "FULL" : "NORMAL"
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
                // A batch touches pages all over the deals table and the log; SQLite's default
                // 2 MiB page cache made appends a third slower in the bench. Memory is taken
                // only as pages are touched.
                try db.execute(sql: "PRAGMA cache_size = -\(Self.cacheKibibytes)")
            }
            pool = try DatabasePool(path: path, configuration: configuration)
            try SQLiteSchema.migrate(pool)
        } catch {
            throw Self.storeError(error)
        }
    }

    /// The schema version of the open file (`PRAGMA user_version`).
    public func schemaVersion() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
    }

    /// The schema version this build writes.
    public static var currentSchemaVersion: Int { SQLiteSchema.currentVersion }

    /// Closes the connections; the store must not be used afterwards.
    public func close() throws {
        do { try pool.close() } catch { throw Self.storeError(error) }
    }

    // MARK: - Appending

    public func append(_ batch: [AppendRecord]) throws -> [AppendResult] {
        if batch.isEmpty { return [] }
        return try write { db in try Self.append(batch, db) }
    }

    /// A deal as the batch finds and leaves it. Its row is written once at the end of the batch
    /// (or inserted at its creating event), however many of its events the batch holds.
    private struct PendingDeal {
        var rowID: Int64
        var lastSequence: Int64
        /// The row's columns and `last_seq` as they are in the database now.
        var storedIndex: DealIndex
        var storedSequence: Int64
        /// The last record of the batch appended to this deal.
        var record: Int?
    }

    private static let selectDealSQL = """
        SELECT id, last_seq, template_hash, status, is_open, pool, owner, customer_key, next_timer_at,
            current_nodes, fields IS NOT NULL, template_id, probability, due_at, pool_since, returns_at, last_record_at,
            amount, close_date
        FROM deals WHERE deal_id = ?
        """

    private static func append(_ batch: [AppendRecord], _ db: Database) throws -> [AppendResult] {
        let selectDeal = try db.cachedStatement(sql: selectDealSQL)
        let insertDeal = try db.cachedStatement(
            sql: """
                INSERT INTO deals (deal_id, last_seq, template_hash, status, is_open, pool, owner, customer_key,
                    next_timer_at, current_nodes, \(projectionColumns), snapshot)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT))
                """)
        let selectEvent = try db.cachedStatement(sql: "SELECT seq FROM events WHERE deal = ? AND event_id = ?")
        let insertEvent = try db.cachedStatement(
            sql: """
                INSERT INTO events (deal, seq, event_id, payload) VALUES (?, ?, ?, CAST(? AS TEXT))
                ON CONFLICT (deal, event_id) DO NOTHING
                """)
        let insertEffect = try db.cachedStatement(
            sql: """
                INSERT INTO outbox (deal, effect_id, event_seq, payload) VALUES (?, ?, ?, CAST(? AS TEXT))
                ON CONFLICT (deal, effect_id) DO NOTHING
                """)

        var deals: [String: PendingDeal] = [:]
        var results: [AppendResult] = []
        results.reserveCapacity(batch.count)
        for (offset, record) in batch.enumerated() {
            if let error = record.validationError() {
                results.append(.rejected(error))
                continue
            }
            var deal: PendingDeal
            if let pending = deals[record.dealID] {
                deal = pending
            } else if let found = try fetchPendingDeal(selectDeal, record.dealID) {
                deal = found
            } else if record.afterSequence == 0 {
                // The creating event: insert the row now, to have the id the log refers to.
                try insertDeal.execute(
                    arguments: StatementArguments(
                        [record.dealID, 1] + columnValues(record.index) + projectionValues(record.index.projection)
                            + [record.snapshot]))
                deal = PendingDeal(
                    rowID: db.lastInsertedRowID, lastSequence: 0, storedIndex: record.index, storedSequence: 1)
            } else {
                results.append(.rejected(record.unknownDeal()))
                continue
            }
            guard record.afterSequence == deal.lastSequence else {
                // Either a re-delivery (the event id is in the log) or a step from a stale snapshot.
                if let sequence = try Int64.fetchOne(selectEvent, arguments: [deal.rowID, record.eventID]) {
                    results.append(.duplicate(sequence: sequence))
                } else {
                    results.append(.rejected(record.conflict(lastSequence: deal.lastSequence)))
                }
                continue
            }
            let sequence = deal.lastSequence + 1
            try insertEvent.execute(arguments: [deal.rowID, sequence, record.eventID, record.event])
            if db.changesCount == 0 {
                // The event id is already in the log, at an earlier position.
                let stored = try Int64.fetchOne(selectEvent, arguments: [deal.rowID, record.eventID]) ?? 0
                results.append(.duplicate(sequence: stored))
                continue
            }
            for effect in record.effects {
                try insertEffect.execute(arguments: [deal.rowID, effect.effectID, sequence, effect.payload])
            }
            deal.lastSequence = sequence
            deal.record = offset
            deals[record.dealID] = deal
            results.append(.appended(sequence: sequence))
        }
        for deal in deals.values where deal.lastSequence != deal.storedSequence {
            guard let offset = deal.record else { continue }
            try updateDeal(deal, with: batch[offset], db)
        }
        return results
    }

    /// Reads a deal's row through a cursor: the row is decoded in place, not copied (a copied
    /// `Row` costs an allocation and its column names on this hot path).
    private static func fetchPendingDeal(_ statement: Statement, _ dealID: String) throws -> PendingDeal? {
        let rows = try Row.fetchCursor(statement, arguments: [dealID])
        guard let row = try rows.next() else { return nil }
        let sequence: Int64 = row[1]
        var deal = PendingDeal(
            rowID: row[0], lastSequence: sequence, storedIndex: dealIndex(row, from: 2), storedSequence: sequence)
        deal.storedIndex.projection = storedIndexedViewColumns(row, from: 10)
        // deal_id is unique: this finishes the statement, so no read is left open in the transaction.
        _ = try rows.next()
        return deal
    }

    /// Writes the deal's new `last_seq` and snapshot and those indexed columns that changed: an
    /// index none of whose columns is set is not touched by SQLite.
    private static func updateDeal(_ deal: PendingDeal, with record: AppendRecord, _ db: Database) throws {
        var assignments = "last_seq = ?, snapshot = CAST(? AS TEXT)"
        var arguments: [(any DatabaseValueConvertible)?] = [deal.lastSequence, record.snapshot]
        let old = deal.storedIndex
        let new = record.index
        func set(_ column: String, _ changed: Bool, _ value: (any DatabaseValueConvertible)?) {
            guard changed else { return }
            assignments += ", \(column) = ?"
            arguments.append(value)
        }
        set("template_hash", old.templateHash != new.templateHash, new.templateHash)
        set("status", old.status != new.status, new.status)
        set("is_open", old.isOpen != new.isOpen, new.isOpen)
        set("pool", old.pool != new.pool, new.pool)
        set("owner", old.owner != new.owner, new.owner)
        set("customer_key", old.customerKey != new.customerKey, new.customerKey)
        set("next_timer_at", old.nextTimerAt != new.nextTimerAt, new.nextTimerAt?.millisecondsSinceEpoch)
        set("current_nodes", old.currentNodes != new.currentNodes, new.currentNodes)
        if let p = new.projection {
            // The JSON view columns are written whenever the host supplies them (reading them
            // back would cost more than writing); the indexed ones only when they changed, so that
            // their indexes are not rewritten (their old values were read with the row).
            assignments += Self.projectionAssignments
            arguments += [p.fields, p.createdAt?.millisecondsSinceEpoch, p.closedAt?.millisecondsSinceEpoch,
                          p.statusChangedAt?.millisecondsSinceEpoch, p.openNodes, p.poolArrival?.json]
            let o = old.projection
            let known = o != nil
            set("template_id", !known || o?.templateID != p.templateID, p.templateID)
            set("probability", !known || o?.probability != p.probability, p.probability)
            set("due_at", !known || o?.dueAt != p.dueAt, p.dueAt?.millisecondsSinceEpoch)
            set("pool_since", !known || o?.poolSince != p.poolSince, p.poolSince?.millisecondsSinceEpoch)
            set("returns_at", !known || o?.returnsAt != p.returnsAt, p.returnsAt?.millisecondsSinceEpoch)
            set("last_record_at", !known || o?.lastRecordAt != p.lastRecordAt, p.lastRecordAt?.millisecondsSinceEpoch)
            set("amount", !known || o?.amount != p.amount, p.amount)
            set("close_date", !known || o?.closeDate != p.closeDate, p.closeDate)
        }
        arguments.append(deal.rowID)
        try db.cachedStatement(sql: "UPDATE deals SET \(assignments) WHERE id = ?")
            .execute(arguments: StatementArguments(arguments))
    }

    /// The view columns no index covers (always written with a projection).
    private static let projectionAssignments =
        ", fields = ?, created_at = ?, closed_at = ?, status_changed_at = ?, open_nodes = ?, pool_arrival = ?"

    /// The indexed view columns of a row as the append path reads them (the others are left at
    /// their defaults: they are not compared); nil when the row has no view columns yet.
    private static func storedIndexedViewColumns(_ row: Row, from s: Int) -> DealProjection? {
        guard row[s] as Bool else { return nil }
        func time(_ i: Int) -> StoreTime? { (row[s + i] as Int64?).map(StoreTime.init) }
        return DealProjection(
            templateID: row[s + 1] ?? "", probability: row[s + 2], dueAt: time(3), poolSince: time(4), returnsAt: time(5),
            lastRecordAt: time(6), amount: row[s + 7], closeDate: row[s + 8])
    }

    private static func columnValues(_ index: DealIndex) -> [(any DatabaseValueConvertible)?] {
        [
            index.templateHash, index.status, index.isOpen, index.pool, index.owner, index.customerKey,
            index.nextTimerAt?.millisecondsSinceEpoch, index.currentNodes,
        ]
    }

    // MARK: - Queries

    /// The deal's columns, the view columns (schema version 2) included, so that a deal reads
    /// back with the ``DealIndex`` it was appended with.
    private static let dealColumns =
        "deal_id, last_seq, template_hash, status, is_open, pool, owner, customer_key, next_timer_at, current_nodes, "
        + projectionColumns

    /// How many columns ``dealColumns`` names (the deal row's 10, then the projection's).
    private static let dealColumnCount = 10 + projectionColumns.split(separator: ",").count

    /// The indexed columns of a row, read from `template_hash` at column `start` on.
    private static func dealIndex(_ row: Row, from start: Int) -> DealIndex {
        DealIndex(
            templateHash: row[start], status: row[start + 1], isOpen: row[start + 2], pool: row[start + 3],
            owner: row[start + 4], customerKey: row[start + 5],
            nextTimerAt: (row[start + 6] as Int64?).map(StoreTime.init), currentNodes: row[start + 7])
    }

    private static func storedDeal(_ row: Row) -> StoredDeal {
        var deal = StoredDeal(dealID: row[0], lastSequence: row[1], index: dealIndex(row, from: 2))
        deal.index.projection = projection(row, from: 10)
        return deal
    }

    public func deal(_ dealID: String) throws -> StoredDeal? {
        try read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT \(Self.dealColumns) FROM deals WHERE deal_id = ?"),
                arguments: [dealID]
            ).map(Self.storedDeal)
        }
    }

    public func snapshot(of dealID: String) throws -> StoredSnapshot? {
        try read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT last_seq, snapshot FROM deals WHERE deal_id = ?"), arguments: [dealID]
            ).map { row in StoredSnapshot(dealID: dealID, sequence: row[0], payload: row[1]) }
        }
    }

    public func dealStates(_ dealIDs: [String]) throws -> [StoredDealState] {
        if dealIDs.isEmpty { return [] }
        return try read { db in
            let statement = try db.cachedStatement(sql: "SELECT \(Self.dealColumns), snapshot FROM deals WHERE deal_id = ?")
            let snapshotColumn = Self.dealColumnCount
            var seen = Set<String>()
            var out: [StoredDealState] = []
            out.reserveCapacity(dealIDs.count)
            for id in dealIDs where seen.insert(id).inserted {
                // A cursor decodes the row in place (no copied `Row`); deal_id is unique, so the
                // second `next()` finishes the statement.
                let rows = try Row.fetchCursor(statement, arguments: [id])
                guard let row = try rows.next() else { continue }
                out.append(StoredDealState(deal: Self.storedDeal(row), snapshot: row[snapshotColumn]))
                _ = try rows.next()
            }
            return out
        }
    }

    public func events(of dealID: String, after sequence: Int64, limit: Int) throws -> [StoredEvent] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT events.seq, events.event_id, events.payload
                        FROM deals JOIN events ON events.deal = deals.id
                        WHERE deals.deal_id = ? AND events.seq > ? ORDER BY events.seq LIMIT ?
                        """),
                arguments: [dealID, sequence, limit]
            ).map { row in StoredEvent(dealID: dealID, sequence: row[0], eventID: row[1], payload: row[2]) }
        }
    }

    public func dealIDs(after dealID: String?, limit: Int) throws -> [String] {
        try read { db in
            // Deal ids are never empty, so "" is before them all.
            try String.fetchAll(
                db.cachedStatement(sql: "SELECT deal_id FROM deals WHERE deal_id > ? ORDER BY deal_id LIMIT ?"),
                arguments: [dealID ?? "", limit])
        }
    }

    /// The SQL of ``dueDeals(asOf:limit:)``; kept apart so a test can check its query plan.
    static let dueDealsSQL = """
        SELECT deal_id, next_timer_at FROM deals WHERE next_timer_at <= ?
        ORDER BY next_timer_at, deal_id LIMIT ?
        """

    public func dueDeals(asOf time: StoreTime, limit: Int) throws -> [DueDeal] {
        try read { db in
            try Row.fetchAll(db.cachedStatement(sql: Self.dueDealsSQL), arguments: [time.millisecondsSinceEpoch, limit])
                .map { row in DueDeal(dealID: row[0], nextTimerAt: StoreTime(millisecondsSinceEpoch: row[1])) }
        }
    }

    /// The SQL of ``deals(inPool:owner:after:limit:)`` per owner filter (one statement each, so
    /// that SQLite plans each for the `(pool, owner, deal_id)` index).
    static func poolSQL(_ owner: OwnerFilter) -> String {
        let ownerTerm =
            switch owner {
            case .anyone: ""
            case .nobody: "AND owner IS NULL"
            case .person: "AND owner = ?"
            }
        return """
            SELECT \(dealColumns) FROM deals WHERE pool = ? \(ownerTerm) AND deal_id > ?
            ORDER BY deal_id LIMIT ?
            """
    }

    public func deals(inPool pool: String, owner: OwnerFilter, after dealID: String?, limit: Int) throws
        -> [StoredDeal]
    {
        try read { db in
            var arguments: [(any DatabaseValueConvertible)?] = [pool]
            if case .person(let person) = owner { arguments.append(person) }
            arguments += [dealID ?? "", limit]
            return try Row.fetchAll(
                db.cachedStatement(sql: Self.poolSQL(owner)), arguments: StatementArguments(arguments)
            ).map(Self.storedDeal)
        }
    }

    static let customerSQL = """
        SELECT \(dealColumns) FROM deals
        WHERE customer_key = ? AND customer_key IS NOT NULL AND is_open = 1 ORDER BY deal_id
        """

    public func openDeals(customerKey: String) throws -> [StoredDeal] {
        try read { db in
            try Row.fetchAll(db.cachedStatement(sql: Self.customerSQL), arguments: [customerKey]).map(Self.storedDeal)
        }
    }

    static let ownerCountSQL = "SELECT count(*) FROM deals WHERE owner = ? AND owner IS NOT NULL AND is_open = 1"

    public func openDealCount(ownedBy owner: String) throws -> Int {
        try read { db in try Int.fetchOne(db.cachedStatement(sql: Self.ownerCountSQL), arguments: [owner]) ?? 0 }
    }

    static let pendingSQL = """
        SELECT outbox.position, deals.deal_id, outbox.effect_id, outbox.event_seq, outbox.payload
        FROM outbox JOIN deals ON deals.id = outbox.deal
        WHERE outbox.delivered_at IS NULL ORDER BY outbox.position LIMIT ?
        """

    public func undeliveredEffects(limit: Int) throws -> [OutboxEntry] {
        try read { db in
            try Row.fetchAll(db.cachedStatement(sql: Self.pendingSQL), arguments: [limit]).map { row in
                OutboxEntry(
                    position: row[0], dealID: row[1], effectID: row[2], eventSequence: row[3], payload: row[4],
                    deliveredAt: nil)
            }
        }
    }

    @discardableResult
    public func markDelivered(_ positions: [Int64], at time: StoreTime) throws -> Int {
        if positions.isEmpty { return 0 }
        return try write { db in
            let update = try db.cachedStatement(
                sql: "UPDATE outbox SET delivered_at = ? WHERE position = ? AND delivered_at IS NULL")
            var changed = 0
            for position in Set(positions) {
                try update.execute(arguments: [time.millisecondsSinceEpoch, position])
                changed += db.changesCount
            }
            return changed
        }
    }

    // MARK: - Plumbing

    /// The plan SQLite chooses for `sql` (the `detail` column of `EXPLAIN QUERY PLAN`), for tests
    /// that check a query is answered through an index.
    func queryPlan(_ sql: String, arguments: [String?]) throws -> [String] {
        try read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: StatementArguments(arguments)).map {
                $0["detail"]
            }
        }
    }

    /// The first column of the first row of `sql`, as text (for tests).
    func scalar(_ sql: String) throws -> String? {
        try read { db in try String.fetchOne(db, sql: sql) }
    }

    /// Runs raw SQL in a write transaction (tests use it to forge old, foreign or newer files).
    func execute(sql: String) throws {
        try write { db in try db.execute(sql: sql) }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch { throw Self.storeError(error) }
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.write(body) } catch { throw Self.storeError(error) }
    }

    private static func storeError(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? DatabaseError {
            return StoreError(.database, "SQLite error \(error.resultCode.rawValue): \(error.message ?? "\(error)")")
        }
        return StoreError(.database, "\(error)")
    }
}
