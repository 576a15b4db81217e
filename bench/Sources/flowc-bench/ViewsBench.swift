// `flowc-bench views`: deal views and the report over a large store (issue 4, point 5: "with
// 1,000,000 deals in the SQLite store: a filtered, grouped view and the funnel each measured beside
// a hand-written SQL query returning the same answer over the same tables in the same run (goal:
// within 2× of it), and the report built within a few seconds").
//
// Builds (or reuses) an SQLite store of N deals: a few hundred real deals are run through the host
// from the bundled example records (their ids, customers, amounts, industries and close dates
// varied), then their snapshots and view columns are cloned under new ids until there are N (each
// clone has a one-event log: it is not replayable, which no view needs). Then, in one run, each
// measured as the median of --repeat runs after one warm-up:
//
// - view: `flowc deals --template standard_sale --where 'status == "open" and amount >= 100000 CNY'
//   --group-by industry --columns amount` through `DealViewEngine`, beside the hand-written SQL;
// - funnel: open deals and amounts per node through the store's group query (as the report runs
//   it), beside a hand-written SQL with `json_each` over the open nodes;
// - report: `ReportBuilder.build` (everything `flowc report` computes before rendering).
//
// The answers of each pair are compared (counts equal, sums equal to the cent); a mismatch fails.
import FlowCheck
import FlowExpr
import FlowHost
import FlowIR
import FlowRuntime
import FlowStore
import FlowViews
import Foundation

enum ViewsBench {
    static func fail(_ message: String) -> Never { benchFailure("views", message) }

    static let now: Int64 = 1_720_000_000  // 2024-07-03

    static func run(_ args: Args) {
        let template = args.positional.first ?? "templates/standard-sale.flow.yaml"
        let examples = args.options["--records"] ?? "examples/standard-sale.deals.jsonl"
        let dealCount = args.int("--deals", 1_000_000)
        let seeds = args.int("--seeds", 100)
        let reps = args.int("--repeat", 3)
        let path = args.options["--db"] ?? "bench/out/views-\(dealCount).sqlite"

        let verified = compiledTemplate(template, bench: "views")
        let reuse = FileManager.default.fileExists(atPath: path)
        let store: SQLiteStore
        do { store = try SQLiteStore(path: path, durability: .processCrash) } catch { fail("cannot open \(path): \(error)") }
        let machines = MachineRegistry(archive: DirectoryMachineArchive(besideDatabase: path))
        do { _ = try machines.register(verified) } catch { fail("cannot register the machine: \(error)") }
        var fillRate: Double?
        if !reuse {
            let start = Date()
            let stored = fill(store, verified, examples: examples, seeds: seeds, total: dealCount)
            fillRate = Double(stored) / Date().timeIntervalSince(start)
        }

        // 1. The filtered, grouped view.
        let schema = DealViewSchema(machine: verified)
        let spec = DealViewSpec(filter: "status == \"open\" and amount >= 100000 CNY", groupBy: "industry", columns: ["amount"])
        let clock = ExprClock(now: now)
        let view: CompiledDealView
        switch CompiledDealView.compile(spec, schema: schema, defaultColumns: [], clock: clock, locator: .options(spec)) {
        case .success(let v): view = v
        case .failure(let p): fail("the view does not check: \(p.diagnostics.map(\.message.text))")
        }
        let viewSQL = """
            SELECT json_extract(fields, '$.industry'), count(*), total(amount)
            FROM deals
            WHERE template_id = 'standard_sale' AND status = 'open' AND amount >= 100000
            GROUP BY 1 ORDER BY 1
            """
        let (viewTime, viewAnswer) = timed(reps) { () -> [String] in
            guard case .groups(_, _, _, let rows, _)? = try? DealViewEngine.run(view, store: store, templateID: "standard_sale") else {
                fail("the view failed")
            }
            return rows.map { "\($0.key ?? "-")|\($0.count)|\(cents($0.sums.first ?? 0))" }
        }
        let (viewSQLTime, viewSQLAnswer) = timed(reps) { () -> [String] in
            guard let rows = try? store.benchmarkRawQuery(viewSQL) else { fail("the hand-written view SQL failed") }
            return rows.map { "\($0[0].text ?? "-")|\($0[1].text ?? "")|\(cents($0[2].number ?? 0))" }
        }
        guard viewAnswer == viewSQLAnswer else { fail("the view and its SQL disagree:\n\(viewAnswer)\n\(viewSQLAnswer)") }

        // 2. The funnel.
        let funnelQuery = DealGroupQuery(
            filter: .and([.compare(.column(.templateID), .equal, .value(.text("standard_sale"))),
                          .compare(.column(.status), .equal, .value(.text("open")))]),
            groupBy: [.openNode], measures: [.sumOf(.amount)])
        // Two hand-written references: per node in SQL alone (json_each over the open nodes), and
        // per combination of open nodes (what the covering index gives) split per node in Swift.
        let funnelSQL = """
            SELECT json_extract(n.value, '$.node'), count(*), total(d.amount)
            FROM deals AS d, json_each(d.open_nodes) AS n
            WHERE d.template_id = 'standard_sale' AND d.status = 'open'
            GROUP BY 1 ORDER BY 1
            """
        let funnelByNodesSQL = """
            SELECT current_nodes, count(*), total(amount) FROM deals
            WHERE template_id = 'standard_sale' AND status = 'open'
            GROUP BY current_nodes
            """
        let (funnelTime, funnelAnswer) = timed(reps) { () -> [String] in
            guard let rows = try? store.viewGroups(funnelQuery) else { fail("the funnel failed") }
            return rows.filter { $0.keys[0] != .text("") }.map { "\($0.keys[0].text ?? "-")|\($0.count)|\(cents($0.sums[0]))" }
        }
        let (funnelSQLTime, funnelSQLAnswer) = timed(reps) { () -> [String] in
            guard let rows = try? store.benchmarkRawQuery(funnelSQL) else { fail("the hand-written funnel SQL failed") }
            return rows.map { "\($0[0].text ?? "-")|\($0[1].text ?? "")|\(cents($0[2].number ?? 0))" }
        }
        guard funnelAnswer == funnelSQLAnswer else { fail("the funnel and its SQL disagree:\n\(funnelAnswer)\n\(funnelSQLAnswer)") }
        let (funnelSplitTime, funnelSplitAnswer) = timed(reps) { () -> [String] in
            guard let rows = try? store.benchmarkRawQuery(funnelByNodesSQL) else { fail("the hand-written funnel SQL failed") }
            var perNode: [String: (Int, Double)] = [:]
            for row in rows {
                guard case .text(let nodes) = row[0], case .integer(let n) = row[1] else { continue }
                for node in Set(nodes.split(separator: ",").map(String.init)) {
                    perNode[node] = ((perNode[node]?.0 ?? 0) + Int(n), (perNode[node]?.1 ?? 0) + (row[2].number ?? 0))
                }
            }
            return perNode.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { "\($0)|\(perNode[$0]!.0)|\(cents(perNode[$0]!.1))" }
        }
        guard funnelAnswer == funnelSplitAnswer else { fail("the funnel and its split SQL disagree:\n\(funnelAnswer)\n\(funnelSplitAnswer)") }

        // 3. The whole report.
        let builder = ReportBuilder(store: store, machines: machines)
        let (reportTime, report) = timed(reps) { () -> ReportModel in
            do { return try builder.build(templateID: nil, returningWithinDays: 7, now: now, utcOffset: 8 * 3600) } catch {
                fail("the report failed: \(error)")
            }
        }

        func ms(_ s: Double) -> String { String(format: "%.0f ms", s * 1000) }
        func ratio(_ a: Double, _ b: Double) -> String { String(format: "%.2f×", a / max(b, 1e-9)) }
        print("""
            views bench: \(dealCount) deals in \(path)\(reuse ? " (reused)" : ""); medians of \(reps) runs after a warm-up
            \(fillRate.map { "filling the store: \(Int($0)) deals/s (seed deals through the host, then cloned through the append API)" } ?? "")
            | measure | flowc | hand-written SQL | ratio | answer |
            |---|---:|---:|---:|---|
            | view: open, amount ≥ 100000 CNY, grouped by industry | \(ms(viewTime)) | \(ms(viewSQLTime)) | \(ratio(viewTime, viewSQLTime)) | \(viewAnswer.count) groups, equal |
            | funnel: open deals and amounts per node (reference: json_each over the open nodes) | \(ms(funnelTime)) | \(ms(funnelSQLTime)) | \(ratio(funnelTime, funnelSQLTime)) | \(funnelAnswer.count) nodes, equal |
            | funnel (reference: grouped by open-node set, split per node in Swift) | \(ms(funnelTime)) | \(ms(funnelSplitTime)) | \(ratio(funnelTime, funnelSplitTime)) | equal |
            | report: `ReportBuilder.build` (all sections) | \(ms(reportTime)) | | | \(report.totals.open) open, \(report.funnel.count) funnel rows, \(report.publicPool.count) pool rows, \(report.returning.count) returning |
            """)
    }

    /// Median wall time of `reps` runs after one warm-up, and the last answer.
    static func timed<T>(_ reps: Int, _ body: () -> T) -> (Double, T) {
        var answer = body()
        var times: [Double] = []
        for _ in 0..<reps {
            let start = Date()
            answer = body()
            times.append(Date().timeIntervalSince(start))
        }
        return (times.sorted()[times.count / 2], answer)
    }

    static func cents(_ v: Double) -> String { String(format: "%.2f", v) }

    /// Runs `seeds` × the example records through the host (varied), then clones them to `total`.
    static func fill(_ store: SQLiteStore, _ verified: VerifiedMachine, examples: String, seeds: Int, total: Int) -> Int {
        let jsonl = seedRecords(examples: examples, seeds: seeds, fail: fail)
        let seedStore = InMemoryStore()
        let seedMachines = MachineRegistry(archive: InMemoryMachineArchive())
        let machine: PreparedMachine
        do { machine = try seedMachines.register(verified) } catch { fail("cannot register: \(error)") }
        let service = DealService(store: seedStore, machines: seedMachines, clock: { now }, batchSize: 1000)
        let bulk = BulkRun(service: service, machine: machine)
        switch bulk.runDeals(Array(jsonl.utf8), format: .jsonLines) {
        case .failure(let problem): fail("the seed records failed: \(problem)")
        case .success(let rejected): if !rejected.isEmpty { fail("\(rejected.count) seed records were rejected, the first: \(rejected[0])") }
        }
        let seedDeals: [StoredDeal]
        do { seedDeals = try seedStore.viewRows(DealRowQuery()) } catch { fail("cannot read the seed deals: \(error)") }
        var seedsWithSnapshots: [(StoredDeal, String, Data)] = []
        for deal in seedDeals {
            guard let snapshot = try? seedStore.snapshot(of: deal.dealID),
                  let first = try? seedStore.events(of: deal.dealID, after: 0, limit: 1).first else { fail("seed \(deal.dealID) unreadable") }
            seedsWithSnapshots.append((deal, String(decoding: snapshot.payload, as: UTF8.self), first.payload))
        }
        FileHandle.standardError.write(Data("  \(seedDeals.count) seed deals run through the host; cloning to \(total)\n".utf8))
        let records = (0..<total).lazy.map { n -> AppendRecord in
            let (deal, snapshot, event) = seedsWithSnapshots[n % seedsWithSnapshots.count]
            let id = String(format: "B%07d", n)
            let text = snapshot.replacingOccurrences(of: "\"dealID\":\"\(deal.dealID)\"", with: "\"dealID\":\"\(id)\"")
            return AppendRecord(dealID: id, eventID: "create", afterSequence: 0, event: event, snapshot: Data(text.utf8), index: deal.index)
        }
        do { return try store.benchmarkBulkAppend(records) } catch { fail("the store failed: \(error)") }
    }
}

/// `seeds` copies of the example deal records (JSON Lines), each copy with its own deal ids,
/// customers, tax ids, owners (at most 20 open deals each: the template's quota), amounts,
/// industries and close dates: a few hundred varied, real deals for the runner benches.
func seedRecords(examples: String, seeds: Int, fail: (String) -> Never) -> String {
    guard let data = FileManager.default.contents(atPath: examples) else { fail("cannot read \(examples)") }
    let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init).filter { $0.hasPrefix("{") }
    let industries = ["manufacturing", "retail", "finance", "internet", "healthcare", "education", "energy", "public_sector", "other"]
    let amount = try! NSRegularExpression(pattern: "\"([0-9]+)000 CNY\"")
    let industry = try! NSRegularExpression(pattern: "\"industry\": \"[a-z_]+\"")
    let close = try! NSRegularExpression(pattern: "\"expected_close_date\": \"2024-([0-9]{2})-([0-9]{2})")
    var jsonl = ""
    for k in 0..<seeds {
        for line in lines {
            var l = line.replacingOccurrences(of: "\"id\": \"D-", with: "\"id\": \"S\(k)-")
            l = l.replacingOccurrences(of: "\"customer_name\": \"", with: "\"customer_name\": \"客户\(k)·")
            l = l.replacingOccurrences(of: "\"tax_id\": \"", with: "\"tax_id\": \"\(k)")
            // Sales people own at most 20 open deals (the quota): spread the seeds over more of them.
            for person in ["zhang.san", "li.si", "wang.wu"] { l = l.replacingOccurrences(of: "\"\(person)\"", with: "\"\(person).\(k / 5)\"") }
            let range = NSRange(l.startIndex..., in: l)
            l = amount.stringByReplacingMatches(in: l, range: range, withTemplate: "\"$1\(String(format: "%03d", k % 1000)) CNY\"")
            let r2 = NSRange(l.startIndex..., in: l)
            l = industry.stringByReplacingMatches(in: l, range: r2, withTemplate: "\"industry\": \"\(industries[k % industries.count])\"")
            let r3 = NSRange(l.startIndex..., in: l)
            l = close.stringByReplacingMatches(in: l, range: r3, withTemplate: "\"expected_close_date\": \"2024-\(String(format: "%02d", 1 + k % 12))-1\(k % 9)")
            jsonl += l + "\n"
        }
    }
    return jsonl
}
