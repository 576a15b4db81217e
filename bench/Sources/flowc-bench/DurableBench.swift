// `flowc-bench durable`: events per second made durable in the SQLite store (issue 3, point 9:
// "events per second durable in SQLite, goal at least 25 % of a raw batched SQLite insert ceiling
// on the same disk"), each figure beside that ceiling measured in the same run.
//
// The events are real: the bundled example deals (`--seeds` varied copies, as `flowc-bench views`
// makes them) are run through the host over a store that records every append, which gives the
// exact records `flowc run` appends: each event with the deal's snapshot after it, its indexed and
// view columns, and its effects. They are then cloned under new deal ids (and customer keys) until
// there are about `--events` of them, and appended to a fresh SQLite store in batches of `--batch`
// in two orders:
//
// - bulk: in the host's order, a deal's events one after the other, as `flowc run` appends them
//   (a batch holds whole deals: the store writes each deal's row once per batch);
// - interleaved: round-robin over the deals, one event of each in turn (a batch holds one event of
//   each of `--batch` deals, as timer sweeps and live traffic append them): every event rewrites
//   its deal's row.
//
// Floor: `SQLiteStore.benchmarkRawInsert`, the same number of rows, with the mean event payload
// size, in batches of the same size, into a table with no index but its rowid, with the same
// durability, bound and stepped through SQLite's C API as the store's append path is (the same
// insert through GRDB is shown beside it). Both use `PRAGMA synchronous = FULL` (an acknowledged append survives a power loss)
// unless `--durability process-crash`.
//
// Also, end to end: `BulkRun` over the seed records into a fresh SQLite store (parse, step, encode,
// append), events per second with the host's own work included.
import FlowHost
import FlowIR
import FlowRuntime
import FlowStore
import Foundation

enum DurableBench {
    static func fail(_ message: String) -> Never { benchFailure("durable", message) }

    static func run(_ args: Args) {
        let template = args.positional.first ?? "templates/standard-sale.flow.yaml"
        let examples = args.options["--records"] ?? "examples/standard-sale.deals.jsonl"
        let seeds = args.int("--seeds", 50)
        let target = args.int("--events", 200_000)
        let batchSize = args.int("--batch", 1_000)
        let directory = args.options["--dir"] ?? "bench/out/durable"
        let durability: SQLiteStore.Durability
        switch args.options["--durability"] ?? "power-loss" {
        case "power-loss": durability = .powerLoss
        case "process-crash": durability = .processCrash
        default: fail("--durability is power-loss or process-crash")
        }

        let verified = compiledTemplate(template, bench: "durable")
        let jsonl = Array(seedRecords(examples: examples, seeds: seeds, fail: fail).utf8)
        let recorded = recordedAppends(verified, jsonl)
        let copies = max(1, (target + recorded.count - 1) / recorded.count)
        let bulk = clone(recorded, copies: copies)
        let interleaved = roundRobin(bulk)
        let eventBytes = bulk.reduce(0) { $0 + $1.event.count } / bulk.count
        let snapshotBytes = bulk.reduce(0) { $0 + $1.snapshot.count } / bulk.count
        let deals = Set(recorded.map(\.dealID)).count * copies
        let effects = bulk.reduce(0) { $0 + $1.effects.count }
        let effectBytes = bulk.reduce(0) { $0 + $1.effects.reduce(0) { $0 + $1.payload.count } } / max(effects, 1)
        print("durable bench: \(template), \(bulk.count) events of \(deals) deals (\(recorded.count) recorded from \(seeds) × the examples, cloned \(copies)×)")
        print("mean event \(eventBytes) B, mean snapshot \(snapshotBytes) B, \(String(format: "%.2f", Double(effects) / Double(bulk.count))) effects per event of \(effectBytes) B, batches of \(batchSize), durability \(args.options["--durability"] ?? "power-loss")\n")

        try? FileManager.default.removeItem(atPath: directory)
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            fail("cannot create \(directory): \(error)")
        }
        // `--keep` leaves the last round's stores in the directory (to look into them with `dbstat`).
        let keep = args.flags.contains("--keep")
        defer { if !keep { try? FileManager.default.removeItem(atPath: directory) } }

        // `--only bulk|interleaved|host` runs one measure (with the floor), for profiling.
        let only = args.options["--only"]
        func wanted(_ name: String) -> Bool { only == nil || only == name }
        // Rounds interleave the floor and the measures (floor, bulk, interleaved, host, floor, …),
        // each on fresh files, so that a burst of load from someone else on the shared machine
        // hits all of them; the report gives medians over the rounds.
        let rounds = args.int("--rounds", 5)
        var raws: [Double] = [], grdbRaws: [Double] = [], bulks: [Double] = [], interleaveds: [Double] = [], hosts: [Double] = []
        var ratios: (bulk: [Double], interleaved: [Double], host: [Double]) = ([], [], [])
        var hostEvents = 0
        for round in 1...rounds {
            let dir = directory + "/round-\(round)"
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                fail("cannot create \(dir): \(error)")
            }
            let raw: Double
            do {
                Clock.settleDisk()
                raw = try SQLiteStore.benchmarkRawInsert(
                    path: dir + "/raw.sqlite", rows: bulk.count, batchSize: batchSize, payloadBytes: eventBytes, durability: durability,
                    throughCAPI: true)
                Clock.settleDisk()
                grdbRaws.append(try SQLiteStore.benchmarkRawInsert(
                    path: dir + "/raw-grdb.sqlite", rows: bulk.count, batchSize: batchSize, payloadBytes: eventBytes, durability: durability))
            } catch { fail("raw insert failed: \(error)") }
            raws.append(raw)
            if wanted("bulk") {
                Clock.settleDisk()
                let r = appendRate(bulk, path: dir + "/bulk.sqlite", batchSize: batchSize, durability: durability)
                bulks.append(r)
                ratios.bulk.append(r / raw)
            }
            if wanted("interleaved") {
                Clock.settleDisk()
                let r = appendRate(interleaved, path: dir + "/interleaved.sqlite", batchSize: batchSize, durability: durability)
                interleaveds.append(r)
                ratios.interleaved.append(r / raw)
            }
            if wanted("host") {
                Clock.settleDisk()
                let (r, n) = hostRate(verified, jsonl, path: dir + "/host.sqlite", durability: durability)
                hosts.append(r)
                ratios.host.append(r / raw)
                hostEvents = n
            }
            if !keep || round < rounds { try? FileManager.default.removeItem(atPath: dir) }
        }

        func median(_ v: [Double]) -> Double { v.isEmpty ? 0 : v.sorted()[v.count / 2] }
        func rate(_ v: [Double]) -> String { v.isEmpty ? "—" : String(format: "%.0f", median(v)) }
        func percent(_ v: [Double]) -> String {
            v.isEmpty ? "—" : String(format: "%.1f %% (%.1f–%.1f)", 100 * median(v), 100 * (v.min() ?? 0), 100 * (v.max() ?? 0))
        }
        print("medians of \(rounds) interleaved rounds; the ratio is the median of each round's ratio (range in brackets)\n")
        print("| measure | events/s | of the raw insert ceiling, same round |")
        print("|---|---:|---:|")
        print("| floor: raw batched insert, \(eventBytes)-byte rows, same batches, through SQLite's C API | \(rate(raws)) rows/s | 100 % |")
        print("| (the same insert through GRDB's `execute(arguments:)`, for comparison) | \(rate(grdbRaws)) rows/s | |")
        print("| store, bulk order (a deal's events together, as `flowc run`) | \(rate(bulks)) | \(percent(ratios.bulk)) |")
        print("| store, interleaved (one event per deal per batch) | \(rate(interleaveds)) | \(percent(ratios.interleaved)) |")
        print("| end to end: `BulkRun` of \(hostEvents) events (host work included) | \(rate(hosts)) | \(percent(ratios.host)) |")
    }

    /// The records the host appends for the seed deals, in order.
    static func recordedAppends(_ verified: VerifiedMachine, _ jsonl: [UInt8]) -> [AppendRecord] {
        let store = RecordingStore()
        let machines = MachineRegistry(archive: InMemoryMachineArchive())
        let machine: PreparedMachine
        do { machine = try machines.register(verified) } catch { fail("cannot register: \(error)") }
        let service = DealService(store: store, machines: machines, clock: { ViewsBench.now }, batchSize: 1000)
        switch BulkRun(service: service, machine: machine).runDeals(jsonl, format: .jsonLines) {
        case .failure(let problem): fail("the seed records failed: \(problem)")
        case .success(let rejected): if !rejected.isEmpty { fail("\(rejected.count) seed records were rejected, the first: \(rejected[0])") }
        }
        return store.recorded
    }

    /// `copies` copies of the records, copy `c` under deal ids (and customer keys) suffixed `~c`.
    static func clone(_ records: [AppendRecord], copies: Int) -> [AppendRecord] {
        var out: [AppendRecord] = []
        out.reserveCapacity(records.count * copies)
        for c in 0..<copies {
            for var r in records {
                r.dealID += "~\(c)"
                // Each of the deal's keys made its own, as another customer's would be.
                r.index.customerKey = r.index.customerKey.map {
                    $0.split(separator: DealIndex.customerKeySeparator).map { $0 + "~\(c)" }.joined(separator: String(DealIndex.customerKeySeparator))
                }
                out.append(r)
            }
        }
        return out
    }

    /// The same records, one event of each deal in turn (each deal's events stay in order).
    static func roundRobin(_ records: [AppendRecord]) -> [AppendRecord] {
        var queues: [[AppendRecord]] = []
        var slot: [String: Int] = [:]
        for r in records {
            if let i = slot[r.dealID] { queues[i].append(r) } else {
                slot[r.dealID] = queues.count
                queues.append([r])
            }
        }
        var out: [AppendRecord] = []
        out.reserveCapacity(records.count)
        var depth = 0
        while out.count < records.count {
            for q in queues where depth < q.count { out.append(q[depth]) }
            depth += 1
        }
        return out
    }

    /// Appends the records to a fresh store in batches; events per second (wall time). Every
    /// record must be appended.
    static func appendRate(_ records: [AppendRecord], path: String, batchSize: Int, durability: SQLiteStore.Durability) -> Double {
        let store: SQLiteStore
        do { store = try SQLiteStore(path: path, durability: durability) } catch { fail("cannot open \(path): \(error)") }
        let (appended, time) = Clock.measure {
            do { return try store.benchmarkBulkAppend(records, batchSize: batchSize) } catch { fail("the store failed: \(error)") }
        }
        guard appended == records.count else { fail("\(records.count - appended) of \(records.count) records were not appended to \(path)") }
        try? store.close()
        return Double(records.count) / max(time.wall, 1e-9)
    }

    /// `BulkRun` over the records into a fresh SQLite store: events per second, and how many.
    static func hostRate(_ verified: VerifiedMachine, _ jsonl: [UInt8], path: String, durability: SQLiteStore.Durability) -> (Double, Int) {
        let store: SQLiteStore
        do { store = try SQLiteStore(path: path, durability: durability) } catch { fail("cannot open \(path): \(error)") }
        let machines = MachineRegistry(archive: DirectoryMachineArchive(besideDatabase: path))
        let machine: PreparedMachine
        do { machine = try machines.register(verified) } catch { fail("cannot register: \(error)") }
        let service = DealService(store: store, machines: machines, clock: { ViewsBench.now }, batchSize: 1000)
        let run = BulkRun(service: service, machine: machine)
        let (result, time) = Clock.measure { run.runDeals(jsonl, format: .jsonLines) }
        if case .failure(let problem) = result { fail("the host run failed: \(problem)") }
        return (Double(run.report.events) / max(time.wall, 1e-9), run.report.events)
    }
}

/// An in-memory store that keeps every record appended to it, in order.
final class RecordingStore: ForwardingDealStore, @unchecked Sendable {
    let base: any DealStore = InMemoryStore()
    private let lock = NSLock()
    private var records: [AppendRecord] = []

    var recorded: [AppendRecord] { lock.withLock { records } }

    func append(_ batch: [AppendRecord]) throws -> [AppendResult] {
        let results = try base.append(batch)
        lock.withLock { records += zip(batch, results).filter { $0.1.isStored }.map(\.0) }
        return results
    }
}
