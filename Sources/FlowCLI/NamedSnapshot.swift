import FlowHost
import FlowIR
import FlowRuntime

/// `flowc deal show --json`: the deal's snapshot with its template's names where the stored
/// snapshot has the places of its compiled template (QA round 11: `fields[0]` was `amount` only
/// because the IR in the store's archive said so). The stored form is `--snapshot`.
///
/// - `fields`: field id → value (the tagged form of every output), `null` when unset;
/// - `nodes`: node id → its state, with `deliverables` as deliverable id → done and an
///   approval's `outcome` by name;
/// - `roles` (for `roleMembers`): role id → people;
/// - `groupChats[].roles`, `decisions[].node`/`target`, `records[].node`: ids; a decision's
///   `expression` is its `condition`, the source text, and each of its `reads` names its `field`;
/// - `nextTimerAt`: when the deal's next timer fires (`null` when none).
/// Every other key is the stored snapshot's.
enum NamedSnapshot {
    static func json(_ machine: PreparedMachine, _ snapshot: DealSnapshot) -> String {
        let m = machine.machine
        guard case .success(.object(let entries)) = JSONValue.parse(Array(snapshot.encoded())) else {
            return String(decoding: snapshot.encoded(), as: UTF8.self)
        }
        func nodeID(_ v: JSONValue) -> JSONValue {
            if case .number(let n) = v, let i = Int(n), m.nodes.indices.contains(i) { return .string(m.nodes[i].id) }
            return v
        }
        func fieldID(_ slot: Int) -> String { m.fields.indices.contains(slot) ? m.fields[slot].id : String(slot) }
        var out: [(key: String, value: JSONValue)] = []
        for (key, value) in entries {
            switch (key, value) {
            case ("fields", .array(let values)):
                out.append((key, .object(values.enumerated().map { (fieldID($0.offset), $0.element) })))
            case ("nodes", .array(let nodes)):
                out.append((key, .object(nodes.enumerated().map { i, node in
                    let def = m.nodes.indices.contains(i) ? m.nodes[i] : nil
                    guard case .object(let fields) = node else { return (def?.id ?? String(i), node) }
                    let named = fields.map { (k, v) -> (key: String, value: JSONValue) in
                        guard let def else { return (k, v) }
                        if k == "deliverables", case .array(let done) = v {
                            return (k, .object(done.enumerated().map {
                                (def.deliverables.indices.contains($0.offset) ? def.deliverables[$0.offset] : String($0.offset), $0.element)
                            }))
                        }
                        if k == "outcome", case .number(let n) = v, let o = Int(n), case .outcomes(let outcomes) = def.transition,
                           outcomes.indices.contains(o) {
                            return (k, .string(outcomes[o].name))
                        }
                        return (k, v)
                    }
                    return (def?.id ?? String(i), .object(named))
                })))
            case ("roleMembers", .array(let people)):
                out.append(("roles", .object(people.enumerated().map {
                    (m.roles.indices.contains($0.offset) ? m.roles[$0.offset].id : String($0.offset), $0.element)
                })))
            case ("groupChats", .array(let chats)):
                out.append((key, .array(chats.map { rename($0) { k, v in
                    guard k == "roles", case .array(let roles) = v else { return (k, v) }
                    return (k, .array(roles.map { r in
                        if case .number(let n) = r, let i = Int(n), m.roles.indices.contains(i) { return .string(m.roles[i].id) }
                        return r
                    }))
                } })))
            case ("decisions", .array(let decisions)):
                out.append((key, .array(decisions.map { rename($0) { k, v in
                    switch k {
                    case "node", "target": return (k, nodeID(v))
                    case "expression":
                        if case .number(let n) = v, let i = Int(n), m.expressions.indices.contains(i) { return ("condition", .string(m.expressions[i].source)) }
                        return (k, v)
                    case "reads":
                        guard case .array(let reads) = v else { return (k, v) }
                        return (k, .array(reads.map { rename($0) { rk, rv in
                            if rk == "slot", case .number(let n) = rv, let slot = Int(n) { return ("field", .string(fieldID(slot))) }
                            return (rk, rv)
                        } }))
                    default: return (k, v)
                    }
                } })))
            case ("records", .array(let records)):
                out.append((key, .array(records.map { rename($0) { k, v in k == "node" ? (k, nodeID(v)) : (k, v) } })))
            default:
                out.append((key, value))
            }
        }
        let next = Runner.nextTimer(machine, snapshot).map { JSONValue.number(String($0)) } ?? .null
        out.append(("nextTimerAt", next))
        out.sort { $0.key < $1.key }
        return JSONValue.object(out).serialized
    }

    /// An object with each member passed through `change` (anything else as it is).
    private static func rename(_ value: JSONValue, _ change: (String, JSONValue) -> (String, JSONValue)) -> JSONValue {
        guard case .object(let members) = value else { return value }
        return .object(members.map { change($0.key, $0.value) }.map { (key: $0.0, value: $0.1) })
    }
}
