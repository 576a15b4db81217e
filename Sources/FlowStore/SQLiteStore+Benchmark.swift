internal import Foundation
internal import GRDB

extension SQLiteStore {
    /// The ceiling that append throughput is measured against: plain batched inserts of
    /// `(deal_id, payload)` rows into a one-index table, in a fresh file at `path`, with the same
    /// journal mode and durability as the store, one transaction per batch, one prepared statement.
    ///
    /// Not used by the runner; the bench and the goal "appends at ≥ 25 % of a raw batched SQLite
    /// insert on the same disk" (issue 3, point 9) use it.
    /// - Returns: Rows per second.
    /// - Parameter throughCAPI: bind and step through SQLite's C API, as the store's append path
    ///   does, with the row's texts made before the clock starts (the stricter ceiling); otherwise
    ///   through GRDB's `execute(arguments:)`, making each row's id as it goes.
    public static func benchmarkRawInsert(
        path: String, rows: Int, batchSize: Int = 1000, payloadBytes: Int = 200, durability: Durability = .powerLoss,
        throughCAPI: Bool = false
    ) throws -> Double {
        var configuration = tunedConfiguration()
        let synchronous = durability == .powerLoss ? "FULL" : "NORMAL"
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous)") }
        let pool = try DatabasePool(path: path, configuration: configuration)
        // As in the store: GRDB's WAL set-up leaves the writer at NORMAL.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous)") }
        try pool.write { db in
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS raw (position INTEGER PRIMARY KEY, deal_id TEXT NOT NULL, payload TEXT NOT NULL)")
        }
        let payload = String(repeating: "x", count: payloadBytes)
        let payloadData = Data(payload.utf8)
        let ids = throughCAPI ? (0..<10_000).map { "deal-\($0)" } : []
        let start = Date()
        var written = 0
        while written < rows {
            let count = min(batchSize, rows - written)
            try pool.write { db in
                let insert = try db.cachedStatement(sql: "INSERT INTO raw (deal_id, payload) VALUES (?, ?)")
                if throughCAPI {
                    let raw = try RawStatement(cached: insert, db)
                    for n in written..<(written + count) {
                        raw.reset()
                        raw.bind(1, ids[n % 10_000])
                        try raw.run(bindingText: payloadData, at: 2)
                    }
                } else {
                    for n in written..<(written + count) {
                        try insert.execute(arguments: ["deal-\(n % 10_000)", payload])
                    }
                }
            }
            written += count
        }
        let seconds = Date().timeIntervalSince(start)
        try pool.close()
        return Double(rows) / max(seconds, 1e-9)
    }
}

extension SQLiteStore {
    /// The floor a timer sweep is measured against: the bare SQL that finds the deals whose next
    /// timer is due at or before `time`, counted without reading a row of `deals` beyond the index
    /// (`indexed`), or with the index ruled out (`NOT INDEXED`: a scan of every deal), for the
    /// comparison that shows the sweep goes through the index.
    ///
    /// Not used by the runner; `flowc-bench sweep` uses it.
    /// - Returns: the number of due deals, the seconds the query took, and SQLite's query plan.
    public func benchmarkDueQuery(asOf time: StoreTime, indexed: Bool) throws -> (count: Int, seconds: Double, plan: String) {
        let table = indexed ? "deals" : "deals NOT INDEXED"
        let sql = "SELECT deal_id FROM \(table) WHERE next_timer_at IS NOT NULL AND next_timer_at <= ?"
        return try read { db in
            let plan = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: [time.millisecondsSinceEpoch])
                .map { $0["detail"] as String? ?? "" }.joined(separator: "; ")
            let start = Date()
            var count = 0
            let cursor = try String.fetchCursor(db, sql: sql, arguments: [time.millisecondsSinceEpoch])
            while try cursor.next() != nil { count += 1 }
            return (count, Date().timeIntervalSince(start), plan)
        }
    }
}

/// The swept deals' columns as they were before a sweep, for ``SQLiteStore/benchmarkMirrorWrites(_:of:onto:batchSize:)``.
public struct SweepMirrorPlan: Sendable {
    fileprivate let before: [String: [DatabaseValue]]
}

extension SQLiteStore {
    /// The deal columns the write floor compares (all the append path writes but `deal_id`).
    private static let mirroredColumns = DealColumns.all.map(\.name).filter { $0 != "deal_id" }

    /// Reads the columns of `dealIDs` before a sweep changes them, through a connection of its
    /// own (closed again), so that the store's connections start the sweep with the caches they
    /// would have had.
    public func benchmarkMirrorPlan(for dealIDs: [String]) throws -> SweepMirrorPlan {
        var configuration = Self.tunedConfiguration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        let list = Self.mirroredColumns.joined(separator: ", ")
        let before = try queue.read { db in
            var before: [String: [DatabaseValue]] = [:]
            for id in dealIDs {
                guard let row = try Row.fetchOne(db, sql: "SELECT \(list) FROM deals WHERE deal_id = ?", arguments: [id]) else { continue }
                before[id] = Array(row.databaseValues)
            }
            return before
        }
        try queue.close()
        return SweepMirrorPlan(before: before)
    }

    /// The floor a timer sweep's writes are measured against: what a sweep changed in the deals
    /// `swept`, written again as plain SQL onto the deals `mirrors` (one each, untouched by the
    /// sweep), in transactions of `batchSize` deals with the store's durability, then copied into
    /// the database file (`wal_checkpoint(TRUNCATE)`), as the sweep bench counts its own.
    ///
    /// Per mirror deal: one UPDATE of its row setting `last_seq`, the snapshot and the columns
    /// the sweep changed in its swept deal (`plan` has them as they were), with the swept deal's
    /// new values; one INSERT of the swept deal's last event; one INSERT per effect that event put
    /// in the outbox. All bound and stepped through SQLite's C API, everything read before the
    /// clock starts; nothing is decoded, stepped or encoded: what is left is SQLite's and the
    /// disk's share of the sweep.
    ///
    /// It is a lower bound: `next_timer_at` and `returns_at` are not moved. The sweep takes its
    /// deals' entries from the front of those indexes, where due deals cluster (a few pages for
    /// all of them); a mirror's entries lie anywhere, and moving them would cost the floor a
    /// random page each that the sweep did not pay.
    ///
    /// Not used by the runner; `flowc-bench sweep` uses it.
    /// - Returns: the seconds the writes and the checkpoint took.
    public func benchmarkMirrorWrites(_ plan: SweepMirrorPlan, of swept: [String], onto mirrors: [String], batchSize: Int = 1000) throws -> Double {
        struct Write {
            var rowID: Int64
            var sequence: Int64
            var values: [DatabaseValue]
            var updateSQL: String
            var snapshot: Data
            var eventID: String
            var event: Data
            var effects: [(id: String, payload: Data)]
        }
        let names = Self.mirroredColumns
        let list = names.joined(separator: ", ")
        let moved: Set<String> = ["next_timer_at", "returns_at"]
        let writes: [Write] = try read { db in
            try zip(swept, mirrors).map { source, target in
                guard let before = plan.before[source],
                    let after = try Row.fetchOne(db, sql: "SELECT id, last_seq, snapshot, \(list) FROM deals WHERE deal_id = ?", arguments: [source]),
                    let mirror = try Row.fetchOne(db, sql: "SELECT id, last_seq FROM deals WHERE deal_id = ?", arguments: [target]),
                    let event = try Row.fetchOne(
                        db, sql: "SELECT seq, event_id, payload FROM events WHERE deal = ? ORDER BY seq DESC LIMIT 1", arguments: [after[0] as Int64])
                else { throw StoreError(.unknownDeal, "no deal \(source) or \(target) to mirror") }
                let effects = try Row.fetchAll(
                    db, sql: "SELECT effect_id, payload FROM outbox WHERE deal = ? AND event_seq = ? ORDER BY position",
                    arguments: [after[0] as Int64, event[0] as Int64])
                let changed = names.indices.filter { !moved.contains(names[$0]) && before[$0] != after[3 + $0] as DatabaseValue }
                let sets = changed.enumerated().map { ", \(names[$0.element]) = ?\($0.offset + 4)" }.joined()
                return Write(
                    rowID: mirror[0], sequence: (mirror[1] as Int64) + 1, values: changed.map { after[3 + $0] as DatabaseValue },
                    updateSQL: "UPDATE deals SET last_seq = ?2, snapshot = ?3\(sets) WHERE id = ?1",
                    snapshot: after[2], eventID: "mirror-" + (event[1] as String), event: event[2],
                    effects: effects.map { ("mirror-" + ($0[0] as String), $0[1] as Data) })
            }
        }
        let start = Date()
        var done = 0
        while done < writes.count {
            let batch = writes[done..<min(done + batchSize, writes.count)]
            try write { db in
                let insertEvent = try RawStatement(
                    cached: db.cachedStatement(sql: "INSERT INTO events (deal, seq, event_id, payload) VALUES (?1, ?2, ?3, ?4)"), db)
                let insertEffect = try RawStatement(
                    cached: db.cachedStatement(sql: "INSERT INTO outbox (deal, effect_id, event_seq, payload) VALUES (?1, ?2, ?3, ?4)"), db)
                for write in batch {
                    let update = try RawStatement(cached: db.cachedStatement(sql: write.updateSQL), db)
                    update.reset()
                    update.bind(1, write.rowID)
                    update.bind(2, write.sequence)
                    for (offset, value) in write.values.enumerated() {
                        update.bind(Int32(offset + 4), value)
                    }
                    try update.run(bindingText: write.snapshot, at: 3)
                    insertEvent.reset()
                    insertEvent.bind(1, write.rowID)
                    insertEvent.bind(2, write.sequence)
                    insertEvent.bind(3, write.eventID)
                    try insertEvent.run(bindingText: write.event, at: 4)
                    for effect in write.effects {
                        insertEffect.reset()
                        insertEffect.bind(1, write.rowID)
                        insertEffect.bind(2, effect.id)
                        insertEffect.bind(3, write.sequence)
                        try insertEffect.run(bindingText: effect.payload, at: 4)
                    }
                }
            }
            done += batch.count
        }
        try checkpoint()
        return Date().timeIntervalSince(start)
    }
}

extension RawStatement {
    /// Binds a value as GRDB read it (the mirror-writes floor copies columns of any type).
    func bind(_ index: Int32, _ value: DatabaseValue) {
        switch value.storage {
        case .null: bind(index, nil as Int64?)
        case .int64(let v): bind(index, v)
        case .double(let v): bind(index, v)
        case .string(let v): bind(index, v)
        case .blob(let v): bind(index, String(decoding: v, as: UTF8.self))
        }
    }
}
