import Foundation
import Testing
import FlowStore

/// The append benchmark of `StoreBenchmarkTests` with the view columns a real host writes on
/// every append (schema version 2): what the projection costs on the hot path. Run only with
/// `FLOWSTORE_BENCH=1`; it prints and asserts only that the work was done.
@Suite("Store benchmarks with view columns", .serialized, .enabled(if: ProcessInfo.processInfo.environment["FLOWSTORE_BENCH"] == "1"))
struct ProjectionBenchmarkTests {
    @Test(arguments: [SQLiteStore.Durability.powerLoss, .processCrash])
    func appendThroughputWithViewColumns(_ durability: SQLiteStore.Durability) throws {
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
            // About the size of a standard-sale deal's projection halfway through the flow.
            let fields = """
                {"customer_name":"星辰科技 \(deal)","industry":"manufacturing","region":"华东","amount":\(100_000 + n % 977),\
                "expected_close_date":"2024-0\(1 + n % 9)-15","products":["crm","bi"],"decision_maker":"王总",\
                "custom_development":false,"quote":\(90_000 + n % 313),"cost":80000,"margin":\(10_000 + n % 313)}
                """
            let projection = DealProjection(
                templateID: "standard-sale", fields: fields, probability: 10 * (n % 9),
                createdAt: StoreTime(millisecondsSinceEpoch: Int64(deal) * 1000),
                statusChangedAt: StoreTime(millisecondsSinceEpoch: Int64(n) * 1000),
                openNodes: #"[{"node":"node-\#(n % 5)","status":"active","owner":"owner-\#(deal % 50)","due_at":\#(n * 1000)}]"#,
                dueAt: StoreTime(millisecondsSinceEpoch: Int64(n) * 1000),
                returnsAt: StoreTime(millisecondsSinceEpoch: Int64(n) * 1000 + 2_592_000_000))
            let index = DealIndex(
                templateHash: "t", status: n % 7 == 0 ? "waiting" : "open", isOpen: true, pool: "private",
                owner: "owner-\(deal % 50)", customerKey: "customer-\(deal)",
                nextTimerAt: StoreTime(millisecondsSinceEpoch: Int64(n)), currentNodes: "node-\(n % 5)",
                projection: projection)
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
            "flowstore-bench+views durability=\(durability) events=\(events) appended/s=\(Int(rate)) raw/s=\(Int(raw)) ratio=\(String(format: "%.1f", 100 * rate / raw))%"
        )
        #expect(try store.deal("deal-0")?.lastSequence == Int64(events / deals))
    }
}
