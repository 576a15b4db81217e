// `flowc-bench codec`: what the timer sweep spends per due deal on its codecs, in isolation.
//
// The sample is the sweep's own due deal: a standard-sale deal created through the host 40 days
// before the sweep (in memory), then ticked, so that its idle timer returns it to the public pool.
// The tick's snapshot and effects are then, each `--repeat` times:
//
// - `snapshot-encode`: `DealService.encode(snapshot)` (the host's canonical JSON writer);
// - `snapshot-decode`: `DealSnapshot.decode` of those bytes (the direct reader's fast path);
// - `effect-encode`: `DealService.encode(effect)` for each of the tick's effects;
// - `stable-id`: `Effect.stableID` for the tick's effect ids;
// - `quoted`: `StoreJSON.quoted` of the snapshot's texts (what the view columns quote).
//
// Prints ns per op (median of `--rounds` rounds) and bytes per op. `--only NAME` runs one of them,
// for `valgrind --tool=callgrind --toggle-collect='*CodecBench*loop*'`: instructions per op are
// the collected total divided by the ops the bench prints.
import FlowHost
import FlowIR
import FlowRuntime
import FlowStore
import Foundation

enum CodecBench {
    static func fail(_ message: String) -> Never { benchFailure("codec", message) }

    /// The tick of one due deal, as the sweep steps it.
    static func sample(_ template: String) -> StepOutcome {
        let day: Int64 = 86_400
        let now: Int64 = 1_800_000_000
        let service = DealService(store: InMemoryStore(), machines: MachineRegistry(archive: InMemoryMachineArchive()), clock: { now })
        let machine: PreparedMachine
        do { machine = try service.machines.register(compiledTemplate(template, bench: "codec")) } catch { fail("cannot register: \(error)") }
        let created = now - 40 * day
        let create = NewDealInput(dealID: "D100", at: .absolute(created), owner: "owner5",
                                  fields: [WrittenValue("customer_name", .string("客户 100")), WrittenValue("industry", .string("retail"))])
        if case .failure(let f) = service.create(create, machine: machine) { fail("create refused: \(f)") }
        let report = service.tick(at: now)
        if let failure = report.failure { fail("tick failed: \(failure)") }
        var snapshot: DealSnapshot?
        var last: StepOutcome?
        do {
            let view = try service.view("D100")
            for entry in try service.log(of: "D100") {
                guard case .success(let outcome) = Runner.step(view.machine, snapshot, entry.event, context: entry.context) else {
                    fail("replay refused")
                }
                snapshot = outcome.snapshot
                last = outcome
            }
        } catch { fail("cannot read the deal back: \(error)") }
        guard let last, !last.effects.isEmpty else { fail("the tick had no effects") }
        return last
    }

    @inline(never) static func loopSnapshotEncode(_ s: DealSnapshot, _ n: Int) -> Int {
        var total = 0
        for _ in 0..<n { total &+= DealService.encode(s).count }
        return total
    }

    @inline(never) static func loopSnapshotDecode(_ bytes: [UInt8], _ n: Int) -> Int {
        var total = 0
        for _ in 0..<n {
            guard let s = try? DealSnapshot.decode(bytes) else { fail("decode failed") }
            total &+= s.nodes.count
        }
        return total
    }

    @inline(never) static func loopEffectEncode(_ effects: [Effect], _ n: Int) -> Int {
        var total = 0
        for _ in 0..<n {
            // By index: `for e in effects` would copy each effect out of the array first.
            for k in effects.indices { total &+= DealService.encode(effects[k]).count }
        }
        return total
    }

    @inline(never) static func loopStableID(_ effects: [Effect], _ n: Int) -> Int {
        var total = 0
        for _ in 0..<n {
            for k in effects.indices {
                total &+= Effect.stableID(dealID: effects[k].dealID, eventID: effects[k].eventID, index: effects[k].index).utf8.count
            }
        }
        return total
    }

    @inline(never) static func loopQuoted(_ texts: [String], _ n: Int) -> Int {
        var total = 0
        for _ in 0..<n {
            for t in texts { total &+= StoreJSON.quoted(t).utf8.count }
        }
        return total
    }

    static func run(_ args: Args) {
        let template = args.positional.first ?? "templates/standard-sale.flow.yaml"
        let n = args.int("--repeat", 20_000)
        let rounds = args.int("--rounds", 5)
        let only = args.options["--only"]
        let outcome = sample(template)
        let snapshot = outcome.snapshot
        let effects = outcome.effects
        let bytes = DealService.encode(snapshot)
        guard (try? DealSnapshot.decode(bytes)) == snapshot else { fail("the snapshot does not read back") }
        for e in effects where Effect.stableID(dealID: e.dealID, eventID: e.eventID, index: e.index) != e.id {
            fail("effect \(e.index): the stable id is not the effect's id")
        }
        // The texts a projection quotes: ids, node ids and statuses, owners, field texts.
        var texts = [snapshot.dealID, snapshot.templateID, snapshot.status.rawValue] + snapshot.nodes.map(\.status.rawValue)
        texts += [snapshot.owner, snapshot.previousOwner].compactMap { $0 }
        texts += snapshot.fields.compactMap { v -> String? in if case .text(let t)? = v { return t } else { return nil } }

        let effectBytes = effects.map { DealService.encode($0).count }.reduce(0, +)
        let quotedBytes = texts.map { $0.utf8.count }.reduce(0, +)
        let cases: [(name: String, opsPerRound: Int, bytesPerOp: Double, body: () -> Int)] = [
            ("snapshot-encode", n, Double(bytes.count), { loopSnapshotEncode(snapshot, n) }),
            ("snapshot-decode", n, Double(bytes.count), { loopSnapshotDecode(bytes, n) }),
            ("effect-encode", n * effects.count, Double(effectBytes) / Double(effects.count), { loopEffectEncode(effects, n) }),
            ("stable-id", n * effects.count, 0, { loopStableID(effects, n) }),
            ("quoted", n * texts.count, Double(quotedBytes) / Double(texts.count), { loopQuoted(texts, n) }),
        ]
        print("codec bench: \(template), one due deal's tick: snapshot \(bytes.count) bytes, \(effects.count) effects (\(effectBytes) bytes), "
              + "\(texts.count) texts to quote; \(n) repetitions, median of \(rounds) rounds")
        print("| op | ops per round | bytes per op | ns per op | ns per byte |")
        print("|---|---:|---:|---:|---:|")
        for c in cases where only == nil || only == c.name {
            var times: [Double] = []
            var sink = 0
            for _ in 0..<rounds {
                let (r, s) = Clock.measure { c.body() }
                sink &+= r
                times.append(s.cpu)
            }
            let ns = times.median * 1e9 / Double(c.opsPerRound)
            let perByte = c.bytesPerOp > 0 ? String(format: "%.2f", ns / c.bytesPerOp) : "-"
            print("| \(c.name) | \(c.opsPerRound) | \(String(format: "%.0f", c.bytesPerOp)) | \(String(format: "%.0f", ns)) | \(perByte) |"
                  + (sink == 42 ? " " : ""))
        }
    }
}
