import FlowExpr
import FlowRuntime

/// A direct JSON writer for what the host stores with every event — the snapshot, the logged
/// event and the effects — producing the same bytes as the runtime's `encoded()` (Foundation's
/// `JSONEncoder` with sorted keys: no whitespace, `nil` properties omitted).
///
/// Why it exists: a bulk run stores one snapshot, one event and its effects per event, and
/// `JSONEncoder` spent 60–70% of a run's time on them (about 0.3 ms per snapshot of the standard
/// template). This writer walks the public properties instead.
///
/// - Important: It must stay byte-identical to `JSONEncoder`. `SnapshotJSONTests` compares the
///   two over every snapshot, event and effect of the example runs (and strings with every
///   escape), so a property added to these types, or a change of their encoding, fails that test
///   rather than reaching a store. A new event action fails to compile here.
enum SnapshotJSON {
    static func encode(_ s: DealSnapshot) -> [UInt8] {
        var w = Writer()
        w.bytes.reserveCapacity(4096)
        w.object { o in
            o.key("closedAt") { $0.optionalInt(s.closedAt) }
            o.key("createdAt") { $0.int(s.createdAt) }
            o.key("dealID") { $0.string(s.dealID) }
            o.key("decisions") { w in w.array(s.decisions) { w, d in w.decision(d) } }
            o.key("decisionsDropped") { $0.int(Int64(s.decisionsDropped)) }
            o.key("fields") { w in w.array(s.fields) { w, v in if let v { w.value(v) } else { w.null() } } }
            o.key("groupChats") { w in w.array(s.groupChats) { w, c in w.chat(c) } }
            o.key("idleWarned") { $0.bool(s.idleWarned) }
            o.key("lastEventAt") { $0.int(s.lastEventAt) }
            o.key("lastEventID") { $0.string(s.lastEventID) }
            o.key("lastStatusChangeAt") { $0.int(s.lastStatusChangeAt) }
            o.key("loseReason") { $0.optionalString(s.loseReason) }
            o.key("machineHash") { $0.string(s.machineHash) }
            o.key("nodes") { w in w.array(s.nodes) { w, n in w.node(n) } }
            o.key("owner") { $0.optionalString(s.owner) }
            o.key("pool") { $0.string(s.pool.rawValue) }
            o.key("previousOwner") { $0.optionalString(s.previousOwner) }
            o.key("probability") { $0.optionalInt(s.probability.map(Int64.init)) }
            o.key("records") { w in w.array(s.records) { w, r in w.record(r) } }
            o.key("recordsDropped") { $0.int(Int64(s.recordsDropped)) }
            o.key("releasedAt") { $0.optionalInt(s.releasedAt) }
            o.key("roleMembers") { w in w.array(s.roleMembers) { w, people in w.array(people) { w, p in w.string(p) } } }
            o.key("schemaVersion") { $0.int(Int64(s.schemaVersion)) }
            o.key("sequence") { $0.int(s.sequence) }
            o.key("status") { $0.string(s.status.rawValue) }
            o.key("templateID") { $0.string(s.templateID) }
            o.key("templateVersion") { $0.string(s.templateVersion) }
        }
        return w.bytes
    }

    static func encode(_ e: LoggedEvent) -> [UInt8] {
        var w = Writer()
        w.bytes.reserveCapacity(512)
        w.object { o in
            o.key("context") { $0.context(e.context) }
            o.key("event") { $0.event(e.event) }
            o.key("schemaVersion") { $0.int(Int64(e.schemaVersion)) }
        }
        return w.bytes
    }

    static func encode(_ e: Effect) -> [UInt8] {
        var w = Writer()
        w.bytes.reserveCapacity(512)
        w.effect(e)
        return w.bytes
    }

    /// Writes JSON into a byte buffer. `nil` written through the `optional…` methods drops its key.
    struct Writer {
        var bytes: [UInt8] = []

        mutating func raw(_ s: StaticString) {
            s.withUTF8Buffer { bytes.append(contentsOf: $0) }
        }

        mutating func null() { raw("null") }
        mutating func bool(_ b: Bool) { b ? raw("true") : raw("false") }
        /// Decimal digits written straight into the buffer (no `String` per number).
        mutating func int(_ i: Int64) {
            if i == 0 { bytes.append(UInt8(ascii: "0")); return }
            if i == .min { bytes.append(contentsOf: String(i).utf8); return }
            if i < 0 { bytes.append(UInt8(ascii: "-")) }
            var v = i.magnitude
            var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, enough for 19 digits
            let count = withUnsafeMutableBytes(of: &digits) { scratch -> Int in
                var n = 0
                while v > 0 {
                    scratch[n] = UInt8(ascii: "0") + UInt8(v % 10)
                    v /= 10
                    n += 1
                }
                return n
            }
            withUnsafeBytes(of: &digits) { scratch in
                for k in stride(from: count - 1, through: 0, by: -1) { bytes.append(scratch[k]) }
            }
        }

        /// A string as Foundation's JSON writer escapes it (`"`, `\`, and control characters;
        /// `/` kept as is).
        mutating func string(_ s: String) {
            bytes.append(0x22)
            // Most text needs no escape: copied in one go.
            if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
                bytes.append(contentsOf: s.utf8)
                bytes.append(0x22)
                return
            }
            for b in s.utf8 {
                switch b {
                case 0x22: bytes.append(0x5C); bytes.append(0x22)
                case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
                case 0x0A: bytes.append(0x5C); bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(0x5C); bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(0x5C); bytes.append(UInt8(ascii: "t"))
                case 0x08: bytes.append(0x5C); bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(0x5C); bytes.append(UInt8(ascii: "f"))
                case 0x00..<0x20:
                    raw("\\u00")
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    bytes.append(hex[Int(b >> 4)])
                    bytes.append(hex[Int(b & 0x0F)])
                default: bytes.append(b)
                }
            }
            bytes.append(0x22)
        }

        // Optional properties: the object writer drops the key when these write nothing.
        mutating func optionalInt(_ i: Int64?) { if let i { int(i) } }
        mutating func optionalString(_ s: String?) { if let s { string(s) } }

        mutating func array<T>(_ items: [T], _ element: (inout Writer, T) -> Void) {
            bytes.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                element(&self, item)
            }
            bytes.append(UInt8(ascii: "]"))
        }

        mutating func object(_ body: (inout ObjectWriter) -> Void) {
            var o = ObjectWriter(writer: self)
            bytes = []
            o.writer.bytes.append(UInt8(ascii: "{"))
            body(&o)
            o.writer.bytes.append(UInt8(ascii: "}"))
            self = o.writer
        }

        mutating func value(_ v: ExprValue) {
            object { o in
                switch v {
                case .null:
                    o.key("type") { $0.string("null") }
                case .boolean(let b):
                    o.key("type") { $0.string("boolean") }
                    o.key("value") { $0.bool(b) }
                case .integer(let i):
                    o.key("type") { $0.string("integer") }
                    o.key("value") { $0.int(i) }
                case .decimal(let d):
                    o.key("type") { $0.string("decimal") }
                    o.key("value") { $0.string(d.description) }
                case .money(let amount, let currency):
                    o.key("amount") { $0.string(amount.description) }
                    o.key("currency") { $0.string(currency) }
                    o.key("type") { $0.string("money") }
                case .text(let s):
                    o.key("type") { $0.string("text") }
                    o.key("value") { $0.string(s) }
                case .date(let days):
                    o.key("days") { $0.int(days) }
                    o.key("type") { $0.string("date") }
                case .datetime(let seconds):
                    o.key("seconds") { $0.int(seconds) }
                    o.key("type") { $0.string("datetime") }
                case .duration(let seconds):
                    o.key("seconds") { $0.int(seconds) }
                    o.key("type") { $0.string("duration") }
                case .enumValue(let e):
                    o.key("type") { $0.string("enum") }
                    o.key("value") { $0.string(e) }
                case .list(let elements):
                    o.key("elements") { w in w.array(elements) { w, e in w.value(e) } }
                    o.key("type") { $0.string("list") }
                }
            }
        }

        mutating func node(_ n: NodeState) {
            object { o in
                o.key("activatedAt") { $0.optionalInt(n.activatedAt) }
                o.key("arrivals") { $0.int(Int64(n.arrivals)) }
                o.key("blockedAt") { $0.optionalInt(n.blockedAt) }
                o.key("deliverables") { w in w.array(n.deliverables) { w, b in w.bool(b) } }
                o.key("dueAt") { $0.optionalInt(n.dueAt) }
                o.key("entries") { $0.int(Int64(n.entries)) }
                o.key("escalatedAt") { $0.optionalInt(n.escalatedAt) }
                o.key("finishedAt") { $0.optionalInt(n.finishedAt) }
                o.key("inPlan") { $0.bool(n.inPlan) }
                o.key("outcome") { $0.optionalInt(n.outcome.map(Int64.init)) }
                o.key("status") { $0.string(n.status.rawValue) }
            }
        }

        mutating func decision(_ d: Decision) {
            object { o in
                o.key("at") { $0.int(d.at) }
                o.key("detail") { $0.optionalString(d.detail) }
                o.key("expression") { $0.optionalInt(d.expression.map(Int64.init)) }
                o.key("kind") { $0.string(d.kind.rawValue) }
                o.key("node") { $0.optionalInt(d.node.map(Int64.init)) }
                o.key("reads") { w in
                    w.array(d.reads) { w, r in
                        w.object { o in
                            o.key("slot") { $0.int(Int64(r.slot)) }
                            o.key("value") { w in if let v = r.value { w.value(v) } }
                        }
                    }
                }
                o.key("result") { w in if let v = d.result { w.value(v) } }
                o.key("sequence") { $0.int(d.sequence) }
                o.key("target") { $0.optionalInt(d.target.map(Int64.init)) }
            }
        }

        mutating func context(_ c: StepContext) {
            object { o in
                o.key("actorCanAssign") { $0.bool(c.actorCanAssign) }
                o.key("now") { $0.int(c.now) }
                o.key("ownedOpenDeals") { $0.int(Int64(c.ownedOpenDeals)) }
                o.key("utcOffset") { $0.int(c.utcOffset) }
            }
        }

        /// `DealEvent`'s own flat form (its `encode(to:)`), keys sorted.
        mutating func event(_ e: DealEvent) {
            object { o in
                o.key("actor") { $0.optionalString(e.actor) }
                o.key("at") { $0.int(e.at) }
                func fields(_ list: [FieldAssignment]) -> (inout Writer) -> Void {
                    { w in
                        w.array(list) { w, f in
                            w.object { o in
                                o.key("field") { $0.string(f.field) }
                                o.key("value") { $0.value(f.value) }
                            }
                        }
                    }
                }
                switch e.action {
                case .create(let deal, let owner, let fieldList, let members):
                    o.key("deal") { $0.string(deal) }
                    o.key("fields", fields(fieldList))
                    o.key("id") { $0.string(e.id) }
                    o.key("members") { w in
                        w.array(members) { w, m in
                            w.object { o in
                                o.key("person") { $0.string(m.person) }
                                o.key("role") { $0.string(m.role) }
                            }
                        }
                    }
                    o.key("owner") { $0.optionalString(owner) }
                case .setFields(let list):
                    o.key("fields", fields(list))
                    o.key("id") { $0.string(e.id) }
                case .tickDeliverable(let node, let deliverable, let done):
                    o.key("deliverable") { $0.string(deliverable) }
                    o.key("done") { $0.bool(done) }
                    o.key("id") { $0.string(e.id) }
                    o.key("node") { $0.string(node) }
                case .complete(let node, let outcome):
                    o.key("id") { $0.string(e.id) }
                    o.key("node") { $0.string(node) }
                    o.key("outcome") { $0.optionalString(outcome) }
                case .rework(let node, let target, let reason):
                    o.key("id") { $0.string(e.id) }
                    o.key("node") { $0.string(node) }
                    o.key("reason") { $0.string(reason) }
                    o.key("target") { $0.string(target) }
                case .addRoleMember(let role, let person), .removeRoleMember(let role, let person):
                    o.key("id") { $0.string(e.id) }
                    o.key("person") { $0.string(person) }
                    o.key("role") { $0.string(role) }
                case .lose(let reason):
                    o.key("id") { $0.string(e.id) }
                    o.key("reason") { $0.optionalString(reason) }
                case .win(let node):
                    o.key("id") { $0.string(e.id) }
                    o.key("node") { $0.optionalString(node) }
                case .claim, .release, .tick:
                    o.key("id") { $0.string(e.id) }
                case .assign(let to):
                    o.key("id") { $0.string(e.id) }
                    o.key("to") { $0.string(to) }
                case .migrate(let from, let to, let map):
                    o.key("from") { $0.string(from) }
                    o.key("id") { $0.string(e.id) }
                    o.key("map") { w in
                        w.array(map) { w, entry in
                            w.object { o in
                                o.key("new") { $0.string(entry.new) }
                                o.key("old") { $0.string(entry.old) }
                            }
                        }
                    }
                    o.key("to") { $0.string(to) }
                case .note(let node, let text):
                    o.key("id") { $0.string(e.id) }
                    o.key("node") { $0.string(node) }
                    o.key("text") { $0.string(text) }
                case .link(let node, _, let title):
                    o.key("id") { $0.string(e.id) }
                    o.key("node") { $0.string(node) }
                    o.key("title") { $0.optionalString(title) }
                }
                o.key("type") { $0.string(e.action.name) }
                // `url` sorts after `type`.
                if case .link(_, let url, _) = e.action { o.key("url") { $0.string(url) } }
            }
        }

        mutating func effect(_ e: Effect) {
            object { o in
                o.key("at") { $0.int(e.at) }
                o.key("chatID") { $0.optionalString(e.chatID) }
                o.key("dealID") { $0.string(e.dealID) }
                o.key("definition") { $0.optionalInt(e.definition.map(Int64.init)) }
                o.key("detail") { $0.optionalString(e.detail) }
                o.key("event") { $0.optionalString(e.event) }
                o.key("eventID") { $0.string(e.eventID) }
                o.key("fields") { w in
                    w.array(e.fields) { w, f in
                        w.object { o in
                            o.key("field") { $0.string(f.field) }
                            o.key("text") { $0.string(f.text) }
                            o.key("value") { w in if let v = f.value { w.value(v) } }
                        }
                    }
                }
                o.key("id") { $0.string(e.id) }
                o.key("index") { $0.int(Int64(e.index)) }
                o.key("kind") { $0.string(e.kind.rawValue) }
                o.key("node") { $0.optionalString(e.node) }
                o.key("people") { w in w.array(e.people) { w, p in w.string(p) } }
                o.key("person") { $0.optionalString(e.person) }
                o.key("team") { $0.optionalString(e.team) }
                o.key("templateID") { $0.optionalString(e.templateID) }
                o.key("templateVersion") { $0.optionalString(e.templateVersion) }
                o.key("text") { w in
                    w.bytes.append(UInt8(ascii: "{"))
                    for (i, key) in e.text.keys.sorted().enumerated() {
                        if i > 0 { w.bytes.append(UInt8(ascii: ",")) }
                        w.string(key)
                        w.bytes.append(UInt8(ascii: ":"))
                        w.string(e.text[key] ?? "")
                    }
                    w.bytes.append(UInt8(ascii: "}"))
                }
                o.key("to") { w in
                    w.array(e.to) { w, r in
                        w.object { o in
                            o.key("people") { w in w.array(r.people) { w, p in w.string(p) } }
                            o.key("recipient") { $0.string(r.recipient) }
                            o.key("role") { $0.optionalInt(r.role.map(Int64.init)) }
                        }
                    }
                }
                o.key("trigger") { $0.string(e.trigger) }
                o.key("url") { $0.optionalString(e.url) }
            }
        }

        mutating func record(_ r: NodeRecord) {
            object { o in
                o.key("at") { $0.int(r.at) }
                o.key("author") { $0.optionalString(r.author) }
                o.key("kind") { $0.string(r.kind.rawValue) }
                o.key("node") { $0.int(Int64(r.node)) }
                o.key("sequence") { $0.int(r.sequence) }
                o.key("text") { $0.string(r.text) }
                o.key("url") { $0.optionalString(r.url) }
            }
        }

        mutating func chat(_ c: GroupChatState) {
            object { o in
                o.key("chatID") { $0.string(c.chatID) }
                o.key("effect") { $0.int(Int64(c.effect)) }
                o.key("members") { w in w.array(c.members) { w, p in w.string(p) } }
                o.key("roles") { w in w.array(c.roles) { w, r in w.int(Int64(r)) } }
            }
        }
    }

    /// Writes the members of an object in the order given (callers give them sorted); a member
    /// whose value writes nothing is dropped with its key.
    struct ObjectWriter {
        var writer: Writer
        var count = 0

        mutating func key(_ name: StaticString, _ value: (inout Writer) -> Void) {
            let mark = writer.bytes.count
            if count > 0 { writer.bytes.append(UInt8(ascii: ",")) }
            writer.bytes.append(0x22)
            name.withUTF8Buffer { writer.bytes.append(contentsOf: $0) }
            writer.bytes.append(0x22)
            writer.bytes.append(UInt8(ascii: ":"))
            let before = writer.bytes.count
            value(&writer)
            if writer.bytes.count == before {
                writer.bytes.removeSubrange(mark...)
            } else {
                count += 1
            }
        }
    }
}
