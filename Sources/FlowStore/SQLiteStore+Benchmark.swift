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
    public static func benchmarkRawInsert(
        path: String, rows: Int, batchSize: Int = 1000, payloadBytes: Int = 200, durability: Durability = .powerLoss
    ) throws -> Double {
        var configuration = Configuration()
        let synchronous = durability == .powerLoss ? "FULL" : "NORMAL"
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous)") }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.write { db in
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS raw (position INTEGER PRIMARY KEY, deal_id TEXT NOT NULL, payload TEXT NOT NULL)")
        }
        let payload = String(repeating: "x", count: payloadBytes)
        let start = Date()
        var written = 0
        while written < rows {
            let count = min(batchSize, rows - written)
            try pool.write { db in
                let insert = try db.cachedStatement(sql: "INSERT INTO raw (deal_id, payload) VALUES (?, ?)")
                for n in written..<(written + count) {
                    try insert.execute(arguments: ["deal-\(n % 10_000)", payload])
                }
            }
            written += count
        }
        let seconds = Date().timeIntervalSince(start)
        try pool.close()
        return Double(rows) / max(seconds, 1e-9)
    }
}
