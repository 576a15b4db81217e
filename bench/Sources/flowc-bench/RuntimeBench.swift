// `flowc-bench runtime`: the runner core's throughput in memory and the memory an idle deal takes,
// each beside a floor measured in the same run.
//
// - events/s: `Runner.step` applying `set_fields` events (a text field, not a status change) to
//   deals held in memory, round-robin. Floor: the same loop doing only what any step must do at
//   least — copy the deal's snapshot out of the array, change it, and store it back.
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

        // Floor: copy out, change, store back.
        var floorSnapshots = snapshots
        let f0 = ProcessInfo.processInfo.systemUptime
        for e in 0..<eventCount {
            let i = e % dealCount
            var s = floorSnapshots[i]
            s.sequence &+= 1
            s.lastEventAt = t0 + Int64(e)
            floorSnapshots[i] = s
        }
        let floorSeconds = ProcessInfo.processInfo.systemUptime - f0

        // Runner.step with set_fields events.
        var refused = 0
        let s0 = ProcessInfo.processInfo.systemUptime
        for e in 0..<eventCount {
            let i = e % dealCount
            let event = DealEvent(id: "e\(e)", at: t0 + 1 + Int64(e / dealCount), actor: nil, .setFields([FieldAssignment(textField, .text("n\(e & 1023)"))]))
            switch Runner.step(machine, snapshots[i], event, context: context) {
            case .success(let out): snapshots[i] = out.snapshot
            case .failure: refused += 1
            }
        }
        let stepSeconds = ProcessInfo.processInfo.systemUptime - s0

        // The same through the in-place API: the array slot holds the only reference.
        let p0 = ProcessInfo.processInfo.systemUptime
        for e in 0..<eventCount {
            let i = e % dealCount
            let event = DealEvent(id: "p\(e)", at: t0 + 1 + Int64((eventCount + e) / dealCount), actor: nil,
                                  .setFields([FieldAssignment(textField, .text("p\(e & 1023)"))]))
            switch Runner.step(machine, &snapshots[i], event, context: context) {
            case .success: break
            case .failure: refused += 1
            }
        }
        let inPlaceSeconds = ProcessInfo.processInfo.systemUptime - p0
        let inPlaceRate = Double(eventCount) / inPlaceSeconds
        let stepRate = Double(eventCount) / stepSeconds
        let floorRate = Double(eventCount) / max(floorSeconds, 1e-9)
        print("""
            runtime bench: \(template) (\(m.nodes.count) nodes, \(m.fields.count) fields), \(dealCount) deals, \(eventCount) set_fields events on `\(textField)`
            | measure | value | floor | ratio |
            |---|---:|---:|---:|
            | events/s in memory (one core) | \(Int(stepRate)) | \(Int(floorRate)) (copy-change-store) | \(String(format: "%.1f", floorRate / stepRate))× slower |
            | events/s in memory, in place (one core) | \(Int(inPlaceRate)) | \(Int(floorRate)) (copy-change-store) | \(String(format: "%.1f", floorRate / inPlaceRate))× slower |
            | memory per idle deal (RSS growth / deals) | \(Int(perDeal)) B | \(Int(jsonPerDeal)) B (the snapshot as stored: canonical JSON, mean of the first 1000) | \(String(format: "%.1f", perDeal / max(jsonPerDeal, 1)))× larger |
            refused: \(refused)
            """)
        if floorSnapshots.count == -1 { print(floorSnapshots[0].sequence) }
    }
}
