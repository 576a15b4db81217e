import FlowExpr
import FlowIR
import FlowRuntime
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer entry point: the bytes are a machine file for `IRLoader.load`, which must return a
/// verified machine or an `IRLoadError` (FC1001–FC1006) with a message, never trap.
///
/// Nearly every mutation of a compiled machine changes its content and so stops at the hash
/// check (FC1004). A file that decodes but fails the hash is therefore also resealed (its hash
/// recomputed, as a buggy or foreign compiler would write it) and given to `IRLoader.verify`, so
/// that the checks behind the hash (indices, ids, ranges, expressions) are fuzzed too.
///
/// A machine that verifies is then run: a deal is created on it with the runner's pure step and
/// driven (completing its open nodes, time passing, a loss), so that a machine the loader calls
/// verified is known not to trap the runner. Refusals are fine; traps are not.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIR(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        let verified = try IRLoader.load(bytes)
        drive(verified)
    } catch {
        checkError(error)
        guard error.kind == .hashMismatch, var machine = try? JSONDecoder().decode(Machine.self, from: Data(bytes)) else { return 0 }
        machine.template.hash = IRCompiler.contentHash(machine)
        do { drive(try IRLoader.verify(machine)) } catch {
            checkError(error)
            if error.kind == .hashMismatch { violated("a resealed machine fails its hash: \(error)") }
        }
    }
    return 0
}

func checkError(_ error: IRLoadError) {
    if error.message.isEmpty { violated("\(error.code) without a message") }
    // The decoder's own words name Swift types; the loader's messages must not.
    for leak in ["Swift.", "DecodingError", "CodingKeys", "Optional("] where error.message.contains(leak) {
        violated("\(error.code) message shows `\(leak)`: \(error.message)")
    }
}

/// Creates a deal on the machine and moves it along with a few events; each must be applied or
/// refused.
func drive(_ verified: VerifiedMachine) {
    let machine = PreparedMachine(verified)
    let m = verified.machine
    let t0: Int64 = 1_735_603_200
    let owner = "ann"
    // Every role but the owner role (which follows the deal's owner) gets the owner, so that completing a node is not refused for want of a member;
    // every field that is not computed gets a value, so that creating is not refused for a
    // required one.
    let members = m.roles.filter { !$0.owner }.map { RoleAssignment($0.id, owner) }
    let fields = m.fields.indices.compactMap { i -> FieldAssignment? in
        guard m.fields[i].compute == nil, verified.fieldTypes.indices.contains(i),
              let value = sample(verified.fieldTypes[i], min: m.fields[i].min) else { return nil }
        return FieldAssignment(m.fields[i].id, value)
    }
    let create = DealEvent(id: "create", at: t0, actor: owner, .create(dealID: "D-1", owner: owner, fields: fields, members: members))
    guard case .success(let created) = Runner.step(machine, nil, create, context: StepContext(now: t0)) else { return }
    var snapshot = created.snapshot
    _ = Runner.nextTimer(machine, snapshot)
    _ = Runner.pendingTimers(machine, snapshot)
    var time = t0
    var events: [DealAction] = []
    for round in 0..<12 {
        time += 3600
        events = snapshot.openNodes.prefix(3).flatMap { i -> [DealAction] in
            let node = m.nodes[i]
            var actions: [DealAction] = node.deliverables.map { .tickDeliverable(node: node.id, deliverable: $0, done: true) }
            let outcomes = outcomeNames(node.transition)
            actions.append(.complete(node: node.id, outcome: outcomes.isEmpty ? nil : outcomes[round % outcomes.count]))
            return actions
        }
        if events.isEmpty { break }
        for (k, action) in events.enumerated() {
            let event = DealEvent(id: "e\(round)-\(k)", at: time, actor: owner, action)
            if case .success(let effects) = Runner.step(machine, &snapshot, event, context: StepContext(now: time)) {
                _ = effects.count
            }
        }
    }
    // A year later every timer is due; then the deal is lost (refused once it is closed).
    time += 366 * 86_400
    for (k, action) in [DealAction.tick, .release, .claim, .lose(reason: m.lose?.reasons.first), .win(node: nil)].enumerated() {
        let event = DealEvent(id: "late-\(k)", at: time + Int64(k), actor: owner, action)
        _ = Runner.step(machine, &snapshot, event, context: StepContext(now: time + Int64(k)))
    }
    _ = Runner.nextTimer(machine, snapshot)
}

/// A value of `type`, at least `min` when it is a number.
func sample(_ type: ExprType, min: Double?) -> ExprValue? {
    let number = min.map { $0 <= 1e15 ? String(Int64(max(1, $0.rounded(.up)))) : "1" } ?? "1"
    switch type {
    case .list(let element): return sample(element, min: min).map { .list([$0]) }
    case .enumeration(let values): return values.first.map { .enumValue($0) }
    case .money(let currency): return FieldValues.parse(number + " " + currency, as: type)
    case .integer, .decimal: return FieldValues.parse(number, as: type)
    case .text: return .text("x")
    case .boolean: return .boolean(true)
    case .date: return FieldValues.parse("2025-01-01", as: type)
    case .datetime: return FieldValues.parse("2025-01-01T09:00:00Z", as: type)
    case .duration: return FieldValues.parse("1d", as: type)
    case .null: return nil
    }
}

/// The outcome names of an approval's transition (none for other transitions).
func outcomeNames(_ t: Transition) -> [String] {
    if case .outcomes(let os) = t { return os.map(\.name) }
    return []
}

/// Stops the run with a message: libFuzzer records the input that broke an invariant.
func violated(_ what: String) -> Never {
    let line = Array("invariant violated: \(what)\n".utf8)
    _ = line.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count) }
    abort()
}
