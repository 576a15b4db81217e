public import Foundation
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
        var configuration = Configuration()
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
