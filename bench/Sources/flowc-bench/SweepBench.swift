// `flowc-bench sweep`: a timer sweep over a large store (issue 3, point 9: "`pool sweep` with
// 1,000,000 deals of which 1 % are due, under one second, through an index, not a scan").
//
// Builds (or reuses) an SQLite store of N standard-sale deals through the host, as `flowc run`
// would: a share of them (`--due-percent`) created long enough ago that their idle timer is due,
// the rest recently. Then, in one run:
//
// - floor: the bare SQL that finds the due deals through the timer index, and the same query with
//   the index ruled out (a scan of every deal), to show which one the sweep's cost follows;
// - the sweep: `DealService.tick(at:)` end to end (what `flowc pool sweep` / `flowc tick` run):
//   the due deals read through the index, each loaded, stepped with a tick, its events, snapshot,
//   columns and effects written durably in batches.
//
// Creating the store is itself a durable-throughput figure (deals created per second through the
// host, each one event with its snapshot, columns and effects).
import FlowCheck
import FlowHost
import FlowIR
import FlowRuntime
import FlowStore
import Foundation

enum SweepBench {
    static func fail(_ message: String) -> Never { benchFailure("sweep", message) }

    static func run(_ args: Args) {
        let template = args.positional.first ?? "templates/standard-sale.flow.yaml"
        let dealCount = args.int("--deals", 1_000_000)
        let duePercent = Double(args.options["--due-percent"] ?? "1") ?? 1
        let path = args.options["--db"] ?? "bench/out/sweep-\(dealCount).sqlite"
        let day: Int64 = 86_400
        let now: Int64 = 1_800_000_000
        let dueEvery = max(1, Int((100 / duePercent).rounded()))

        let verified = compiledTemplate(template, bench: "sweep")

        let reuse = FileManager.default.fileExists(atPath: path)
        let store: SQLiteStore
        do { store = try SQLiteStore(path: path) } catch { fail("cannot open \(path): \(error)") }
        let machines = MachineRegistry(archive: DirectoryMachineArchive(besideDatabase: path))
        // `--batch`: deals per page and per transaction; by default the service's own, which
        // `flowc pool sweep` and `flowc tick` use.
        let service = DealService(store: store, machines: machines, clock: { now })
        if let batch = args.options["--batch"].flatMap(Int.init) { service.batchSize = max(1, batch) }
        let machine: PreparedMachine
        do { machine = try machines.register(verified) } catch { fail("cannot register the machine: \(error)") }

        var createRate: Double? = nil
        if !reuse {
            let session = service.session()
            let start = Date()
            for i in 0..<dealCount {
                // Every `dueEvery`-th deal was created 40 days ago (its 30-day idle timer is due);
                // the others yesterday.
                let created = i % dueEvery == 0 ? now - 40 * day : now - day
                let create = NewDealInput(
                    dealID: "D\(i)", at: .absolute(created), owner: "owner\(i / 20)",
                    fields: [WrittenValue("customer_name", .string("客户 \(i)")), WrittenValue("industry", .string("retail"))])
                if case .failure(let f) = session.run(DealUnit(dealID: "D\(i)", create: create, machine: machine, repeated: .unchecked, now: created)) {
                    fail("deal D\(i) refused: \(f.error)")
                }
                if session.pendingCount >= 1000 {
                    do {
                        let failures = try session.flush()
                        if let first = failures.first { fail("store refused a record: \(first.1)") }
                    } catch { fail("store failed: \(error)") }
                }
                if i > 0 && i % 100_000 == 0 {
                    FileHandle.standardError.write(Data("  created \(i) deals\n".utf8))
                }
            }
            do { _ = try session.flush() } catch { fail("store failed: \(error)") }
            createRate = Double(dealCount) / Date().timeIntervalSince(start)
        }

        if args.flags.contains("--build-only") {
            print("built \(path): \(dealCount) deals\(createRate.map { ", \(Int($0)) deals/s" } ?? " (it existed)")")
            return
        }
        let at = StoreTime(millisecondsSinceEpoch: now * 1000)
        let indexed: (count: Int, seconds: Double, plan: String)
        let scan: (count: Int, seconds: Double, plan: String)
        do {
            // Warm the page cache the same way for both (the first query reads the index from disk).
            _ = try store.benchmarkDueQuery(asOf: at, indexed: true)
            indexed = try store.benchmarkDueQuery(asOf: at, indexed: true)
            // `--no-scan` leaves the scan out (for profiling the sweep alone).
            scan = args.flags.contains("--no-scan") ? (indexed.count, .nan, "(not run)") : try store.benchmarkDueQuery(asOf: at, indexed: false)
        } catch { fail("query failed: \(error)") }

        // The due deals' columns before the sweep, for the write floor (read apart from the
        // store's connections).
        let plan: SweepMirrorPlan
        do {
            plan = try store.benchmarkMirrorPlan(for: store.dueDeals(asOf: at, after: nil, limit: indexed.count + 1).map(\.dealID))
        } catch { fail("cannot read the due deals: \(error)") }

        Clock.settleDisk()
        let (report, tick) = Clock.measure { service.tick(at: now) }
        // The write-ahead log the sweep filled is copied into the database file before the
        // clock stops: the sweep's whole cost, not one deferred to the next writer or to close.
        let (_, checkpoint) = Clock.measure {
            do { try store.checkpoint() } catch { fail("checkpoint failed: \(error)") }
        }
        let sweep = tick + checkpoint
        let sweepSeconds = sweep.wall
        if let failure = report.failure { fail("sweep failed: \(failure)") }
        let after: (count: Int, seconds: Double, plan: String)
        do { after = try store.benchmarkDueQuery(asOf: at, indexed: true) } catch { fail("query failed: \(error)") }
        // The write floor: what the sweep wrote for each due deal, written again as plain SQL onto
        // the deal halfway to the next due one (created the day before, untouched so far). When
        // every deal is due there is no untouched deal to write onto, and no floor.
        let mirrors = dueEvery < 2 ? [] : report.ticked.map { id -> String in
            let number = Int(id.dropFirst()) ?? 0
            return "D\(number + dueEvery / 2)"
        }
        var writeFloor = Double.nan
        if dueEvery >= 2 {
            Clock.settleDisk()
            do { writeFloor = try store.benchmarkMirrorWrites(plan, of: report.ticked, onto: mirrors, batchSize: service.batchSize) } catch {
                fail("the write floor failed: \(error)")
            }
        }

        func ms(_ s: Double) -> String { String(format: "%.1f ms", s * 1000) }
        print("""
            sweep bench: \(template), \(dealCount) deals in \(path)\(reuse ? " (reused)" : ""), \(indexed.count) due (every \(dueEvery)th), pages of \(service.batchSize)
            \(createRate.map { "creating the store: \(Int($0)) deals/s through the host (one create event each, durable)" } ?? "")
            | measure | time | rows | plan |
            |---|---:|---:|---|
            | floor: due query through the index | \(ms(indexed.seconds)) | \(indexed.count) | \(indexed.plan) |
            | floor: due query, index ruled out (scan) | \(ms(scan.seconds)) | \(scan.count) | \(scan.plan) |
            | `DealService.tick` (= `flowc pool sweep`), end to end, with the checkpoint | \(ms(sweepSeconds)) (CPU \(ms(sweep.cpu))) | \(report.ticked.count) ticked, \(report.returnedToPool.count) to the public pool, \(report.effects) effects, \(report.refused.count) refused | |
            | of which the final checkpoint | \(ms(checkpoint.wall)) (CPU \(ms(checkpoint.cpu))) | | |
            | floor: the sweep's writes as plain SQL onto \(mirrors.count) other deals (the columns it changed, snapshots, events, effects; C API), with the checkpoint | \(dueEvery < 2 ? "none: every deal is due" : ms(writeFloor)) | | |
            sweep / indexed floor: \(String(format: "%.1f", sweepSeconds / max(indexed.seconds, 1e-9)))×; sweep / scan floor: \(String(format: "%.2f", sweepSeconds / max(scan.seconds, 1e-9)))×; sweep / write floor: \(String(format: "%.2f", sweepSeconds / max(writeFloor, 1e-9)))×
            due after the sweep: \(after.count)
            """)
    }
}
