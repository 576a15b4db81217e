import Foundation
import Testing
import FlowStore

/// Throughput measurements, run only with `FLOWSTORE_BENCH=1` (they take seconds and their
/// numbers depend on the disk). They print; they assert only that the work was done.
@Suite("Store benchmarks", .serialized, .enabled(if: ProcessInfo.processInfo.environment["FLOWSTORE_BENCH"] == "1"))
struct StoreBenchmarkTests {
    @Test(arguments: [SQLiteStore.Durability.powerLoss, .processCrash])
    func appendThroughputAgainstRawInsertCeiling(_ durability: SQLiteStore.Durability) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let events = Int(ProcessInfo.processInfo.environment["FLOWSTORE_BENCH_EVENTS"] ?? "") ?? 200_000
        let deals = 10_000
        let batchSize = 1_000
        let raw = try SQLiteStore.benchmarkRawInsert(
            path: directory.appendingPathComponent("raw.sqlite").path, rows: events, batchSize: batchSize,
            durability: durability)

        let store = try SQLiteStore(path: directory.appendingPathComponent("deals.sqlite").path, durability: durability)
        var host = ToyHost()
        var batches: [[AppendRecord]] = []
        var batch: [AppendRecord] = []
        for n in 0..<events {
            let deal = n % deals
            let index = DealIndex(
                templateHash: "t", status: n % 7 == 0 ? "waiting" : "open", isOpen: true, pool: "private",
                owner: "owner-\(deal % 50)", customerKey: "customer-\(deal)",
                nextTimerAt: StoreTime(millisecondsSinceEpoch: Int64(n)), currentNodes: "node-\(n % 5)")
            batch.append(host.next("deal-\(deal)", event: "ev-\(n)", amount: n % 10, index: index,
                                   effects: n % 4 == 0 ? ["fx-\(n)"] : []))
            if batch.count == batchSize { batches.append(batch); batch = [] }
        }
        if !batch.isEmpty { batches.append(batch) }
        let start = Date()
        for batch in batches { _ = try store.append(batch) }
        let seconds = Date().timeIntervalSince(start)
        let rate = Double(events) / seconds
        print(
            "flowstore-bench durability=\(durability) events=\(events) appended/s=\(Int(rate)) raw/s=\(Int(raw)) ratio=\(String(format: "%.1f", 100 * rate / raw))%"
        )
        #expect(try store.deal("deal-0")?.lastSequence == Int64(events / deals))
    }

    /// Issue 3, point 9: the timer sweep over 1,000,000 deals of which 1 % are due, through the
    /// index (goal: under one second).
    @Test func dueDealsSweepOverAMillionDeals() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let deals = Int(ProcessInfo.processInfo.environment["FLOWSTORE_BENCH_DEALS"] ?? "") ?? 1_000_000
        let store = try SQLiteStore(path: directory.appendingPathComponent("deals.sqlite").path, durability: .processCrash)
        let snapshot = Data(String(repeating: "s", count: 300).utf8)
        let event = Data(#"{"kind":"create"}"#.utf8)
        let fill = Date()
        var batch: [AppendRecord] = []
        for n in 0..<deals {
            // 1 % due at or before t = 1000; the rest later; a tenth without a timer.
            let timer: Int64? = n % 100 == 0 ? Int64(n % 1000) : (n % 10 == 1 ? nil : 10_000 + Int64(n))
            batch.append(AppendRecord(
                dealID: "deal-\(n)", eventID: "created", afterSequence: 0, event: event, snapshot: snapshot,
                index: DealIndex(
                    templateHash: "t", status: "open", isOpen: true, pool: n % 3 == 0 ? "public" : "private",
                    owner: n % 3 == 0 ? nil : "owner-\(n % 500)", customerKey: "customer-\(n)",
                    nextTimerAt: timer.map { StoreTime(millisecondsSinceEpoch: $0) }, currentNodes: "lead")))
            if batch.count == 5_000 { _ = try store.append(batch); batch = [] }
        }
        if !batch.isEmpty { _ = try store.append(batch) }
        let filled = Date().timeIntervalSince(fill)
        let start = Date()
        let due = try store.dueDeals(asOf: StoreTime(millisecondsSinceEpoch: 1000), limit: deals)
        let seconds = Date().timeIntervalSince(start)
        let quotaStart = Date()
        let quota = try store.openDealCount(ownedBy: "owner-7", template: "t")
        let quotaSeconds = Date().timeIntervalSince(quotaStart)
        print(
            "flowstore-bench sweep deals=\(deals) due=\(due.count) sweep=\(String(format: "%.3f", seconds))s "
                + "quota-count=\(quota) in \(String(format: "%.4f", quotaSeconds))s (fill \(Int(Double(deals) / filled)) deals/s)")
        #expect(due.count == deals / 100)
    }
}
