// `flowc-bench runtime`: the runner core's throughput in memory and the memory an idle deal takes,
// each beside a floor measured in the same run.
//
// - events/s: `Runner.step` applying `set_fields` events (a text field, not a status change) to
//   deals held in memory, round-robin; the events are built before the clock starts. Floor: the
//   same loop doing only what any step must do at least — copy the deal's snapshot out of the
//   array, change it, and store it back. Median of `--rounds` rounds, floor and runner interleaved.
//   Measured twice: with the value API (`step(machine, snapshot, event)` → a new snapshot, stored
//   back), and with the in-place API (`step(machine, &snapshots[i], event)`), same events.
// - memory per idle deal: resident-set growth while creating N deals (snapshots kept in an
//   array), divided by N; and the average size of a snapshot as stored (canonical JSON).
import FlowCheck
import FlowExpr
import FlowIR
import FlowRuntime
import Foundation

enum RuntimeBench {
    static func residentBytes() -> Int {
        guard let s = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = s.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// A value of the field's type, for required fields at creation.
    static func sample(_ f: FieldDef, _ i: Int) -> ExprValue? {
        switch f.type {
        case "text": return .text("\(f.id) \(i)")
        case "integer": return .integer(Int64(i % 1000))
        case "boolean": return .boolean(false)
        case "enum": return f.values?.first.map { .enumValue($0) }
        case "money": return Optional(ExprDecimal(Int64(100_000 + i % 1000))).map { .money(amount: $0, currency: f.currency ?? "CNY") }
        case "decimal": return ExprDecimal("0.5").map { .decimal($0) }
        default: return nil
        }
    }

    static func run(_ args: Args) {
        let template = args.positional.first ?? "templates/standard-sale.flow.yaml"
        let dealCount = args.int("--deals", 10_000)
        let eventCount = args.int("--events", 1_000_000)
        let rounds = args.int("--rounds", 5)
        let machine = PreparedMachine(compiledTemplate(template, bench: "runtime"))
        let m = machine.machine
        let identity = Set(m.customer.identity)
        guard let textSlot = m.fields.indices.first(where: { m.fields[$0].type == "text" && m.fields[$0].compute == nil && !identity.contains($0) && !m.fields[$0].required }) else {
            FileHandle.standardError.write(Data("flowc-bench: the template has no free text field\n".utf8))
            exit(1)
        }
        let textField = m.fields[textSlot].id
        let t0: Int64 = 1_780_000_000
        let context = StepContext(now: t0 + 10_000_000)

        // Create the deals.
        var snapshots: [DealSnapshot] = []
        snapshots.reserveCapacity(dealCount)
        let before = residentBytes()
        var jsonBytes = 0
        for i in 0..<dealCount {
            var fields: [FieldAssignment] = []
            for f in m.fields where (f.required || m.customer.identity.contains(where: { m.fields[$0].id == f.id })) && f.compute == nil {
                if let v = sample(f, i) { fields.append(FieldAssignment(f.id, v)) }
            }
            let event = DealEvent(id: "c\(i)", at: t0, actor: "owner\(i % 50)", .create(dealID: "D\(i)", owner: "owner\(i % 50)", fields: fields, members: []))
            switch Runner.step(machine, nil, event, context: context) {
            case .success(let out):
                snapshots.append(out.snapshot)
                if i < 1000 { jsonBytes += out.snapshot.encoded().count }
            case .failure(let refusal):
                FileHandle.standardError.write(Data("flowc-bench: create refused: \(refusal.code) \(refusal.message)\n".utf8))
                exit(1)
            }
        }
        let after = residentBytes()
        let perDeal = Double(after - before) / Double(dealCount)
        let jsonPerDeal = Double(jsonBytes) / Double(min(dealCount, 1000))

        // The events, built before timing: the runner's throughput is measured, not the making of
        // the events (a host decodes them from its input).
        func events(_ prefix: String, from first: Int) -> [DealEvent] {
            (0..<eventCount).map { e in
                DealEvent(id: "\(prefix)\(e)", at: t0 + 1 + Int64((first + e) / dealCount), actor: nil,
                          .setFields([FieldAssignment(textField, .text("\(prefix)\(e & 1023)"))]))
            }
        }
        var floorSnapshots = snapshots
        var refused = 0
        var floorRates: [Double] = [], stepRates: [Double] = [], inPlaceRates: [Double] = []
        func rate(_ body: () -> Void) -> Double {
            let start = ProcessInfo.processInfo.systemUptime
            body()
            return Double(eventCount) / max(ProcessInfo.processInfo.systemUptime - start, 1e-9)
        }
        // Rounds interleave the floor and both APIs, so that load from others hits all three.
        for round in 0..<rounds {
            // Each round's events come later than the last round's (a step back in time is refused).
            let valueEvents = events("v\(round)-", from: 2 * round * eventCount)
            let inPlaceEvents = events("p\(round)-", from: (2 * round + 1) * eventCount)
            // Floor: copy out, change, store back.
            floorRates.append(rate {
                for e in 0..<eventCount {
                    let i = e % dealCount
                    var s = floorSnapshots[i]
                    s.sequence &+= 1
                    s.lastEventAt = t0 + Int64(e)
                    floorSnapshots[i] = s
                }
            })
            // Runner.step with set_fields events, the value API.
            stepRates.append(rate {
                for e in 0..<eventCount {
                    let i = e % dealCount
                    switch Runner.step(machine, snapshots[i], valueEvents[e], context: context) {
                    case .success(let out): snapshots[i] = out.snapshot
                    case .failure: refused += 1
                    }
                }
            })
            // The same through the in-place API: the array slot holds the only reference.
            inPlaceRates.append(rate {
                for e in 0..<eventCount {
                    let i = e % dealCount
                    switch Runner.step(machine, &snapshots[i], inPlaceEvents[e], context: context) {
                    case .success: break
                    case .failure: refused += 1
                    }
                }
            })
        }
        if refused > 0 {
            FileHandle.standardError.write(Data("flowc-bench runtime: \(refused) events were refused; the figures would be wrong\n".utf8))
            exit(1)
        }
        func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
        let floorRate = median(floorRates), stepRate = median(stepRates), inPlaceRate = median(inPlaceRates)
        func range(_ v: [Double]) -> String { String(format: "%.0f–%.0f", v.min() ?? 0, v.max() ?? 0) }
        print("""
            runtime bench: \(template) (\(m.nodes.count) nodes, \(m.fields.count) fields), \(dealCount) deals, \(eventCount) set_fields events on `\(textField)`
            | measure | value | floor | ratio |
            |---|---:|---:|---:|
            | events/s in memory (one core), median of \(rounds) rounds | \(Int(stepRate)) (\(range(stepRates))) | \(Int(floorRate)) (copy-change-store) | \(String(format: "%.1f", floorRate / stepRate))× slower |
            | events/s in memory, in place (one core), median of \(rounds) rounds | \(Int(inPlaceRate)) (\(range(inPlaceRates))) | \(Int(floorRate)) (copy-change-store) | \(String(format: "%.1f", floorRate / inPlaceRate))× slower |
            | memory per idle deal (RSS growth / deals) | \(Int(perDeal)) B | \(Int(jsonPerDeal)) B (the snapshot as stored: canonical JSON, mean of the first 1000) | \(String(format: "%.1f", perDeal / max(jsonPerDeal, 1)))× larger |
            refused: \(refused)
            """)
        if floorSnapshots.count == -1 { print(floorSnapshots[0].sequence) }
    }
}
