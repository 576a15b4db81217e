internal import Foundation
internal import GRDB

extension SQLiteStore {
    /// Runs a hand-written SQL query and returns its rows: the reference the views benchmark
    /// (`flowc-bench views`) times the store's own view queries against, over the same tables in
    /// the same run. Not used by flowc itself: views never take SQL text.
    public func benchmarkRawQuery(_ sql: String, arguments: [ViewValue] = []) throws -> [[ViewValue]] {
        var values: [(any DatabaseValueConvertible)?] = []
        for a in arguments {
            switch a {
            case .null: values.append(nil)
            case .integer(let i): values.append(i)
            case .real(let r): values.append(r)
            case .text(let t): values.append(t)
            case .decimal(let d): values.append(d.description)
            }
        }
        return try read { db in
            var out: [[ViewValue]] = []
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(values))
            while let row = try cursor.next() {
                out.append((0..<row.count).map { Self.viewValue(row[$0] as DatabaseValue) })
            }
            return out
        }
    }

    /// Writes many records in batches of `batchSize` (one transaction each) with the given
    /// durability: how the views benchmark fills a store of a million deals quickly, and how the
    /// durable benchmark times its appends. Inlinable, so that the caller's sequence is iterated
    /// by specialised code rather than through value witnesses (a tenth of the durable bench's
    /// time was going into that generic copying).
    @inlinable
    public func benchmarkBulkAppend(_ records: some Sequence<AppendRecord>, batchSize: Int = 5_000) throws -> Int {
        var batch: [AppendRecord] = []
        var stored = 0
        for record in records {
            batch.append(record)
            if batch.count >= batchSize {
                stored += try append(batch).filter(\.isStored).count
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { stored += try append(batch).filter(\.isStored).count }
        return stored
    }
}
