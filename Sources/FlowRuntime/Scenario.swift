import FlowExpr

/// A runtime scenario: a template, an initial deal, and events each with what should hold after
/// it. Written as JSON under `testdata/run/` (format in docs/runtime.md, "Scenario files") and run
/// by ``ScenarioRunner``.
///
/// Field values stay as written (``JSONValue``) until the runner knows the machine, which gives
/// them their types (`"80000 CNY"` or `80000` for money, `"2024-05-01"` for a date).
public struct Scenario: Sendable, Hashable {
    /// What the scenario shows.
    public var name: String
    /// The template, relative to the scenario file.
    public var template: String
    /// The instant of the `create` event (seconds since the epoch).
    public var start: Int64
    /// Zone offset for `today()`, seconds east of UTC.
    public var utcOffset: Int64
    public var deal: Deal
    public var steps: [Step]

    public struct Deal: Sendable, Hashable {
        public var id: String
        public var owner: String?
        public var by: String?
        public var fields: [(field: String, value: JSONValue)]
        public var members: [RoleAssignment]
        public var owned: Int
        public var expect: Expectation?

        public static func == (a: Deal, b: Deal) -> Bool {
            a.id == b.id && a.owner == b.owner && a.by == b.by && a.fields.map(\.field) == b.fields.map(\.field)
                && a.fields.map(\.value) == b.fields.map(\.value) && a.members == b.members && a.owned == b.owned && a.expect == b.expect
        }

        public func hash(into hasher: inout Hasher) { hasher.combine(id) }
    }

    /// One step: usually one event; `deliverables` ticks several in a row.
    public struct Step: Sendable, Hashable {
        /// Position in `steps` (1-based, for messages).
        public var number: Int
        public var at: Time
        public var id: String?
        public var by: String?
        public var action: Action
        /// `StepContext.ownedOpenDeals` for this event.
        public var owned: Int
        /// `StepContext.actorCanAssign` for this event.
        public var canAssign: Bool
        public var note: String?
        public var expect: Expectation?
    }

    /// When a step happens.
    public enum Time: Sendable, Hashable {
        /// At the same instant as the previous step.
        case same
        case absolute(Int64)
        /// This many seconds after the previous step (`"+3d"`).
        case after(Int64)
    }

    public enum Action: Sendable, Hashable {
        case set([FieldValue])
        case deliverables(node: String, done: [String], undo: Bool)
        case complete(node: String, outcome: String?)
        case rework(node: String, target: String, reason: String)
        case addMember(role: String, person: String)
        case removeMember(role: String, person: String)
        case lose(reason: String?)
        case win(node: String?)
        case claim
        case release
        case assign(to: String)
        case tick
        /// `add_note: {node, text}` (a node record, S9).
        case note(node: String, text: String)
        /// `add_link: {node, url, title?}`.
        case link(node: String, url: String, title: String?)

        /// A field value as written.
        public struct FieldValue: Sendable, Hashable {
            public var field: String
            public var value: JSONValue
        }
    }

    /// What must hold after a step. Every key is optional; only what is given is checked.
    public struct Expectation: Sendable, Hashable {
        /// A refusal code: the event must be refused with it (and change nothing).
        public var refused: String?
        /// Exactly these nodes are open (active or blocked).
        public var active: [String]?
        /// Exactly these nodes are blocked.
        public var blocked: [String]?
        /// These nodes have these statuses.
        public var nodes: [String: String]?
        /// These pending nodes are out of the projected flow (their `when` is false now).
        public var tailoredOut: [String]?
        /// These pending nodes are in the projected flow.
        public var inPlan: [String]?
        public var status: String?
        public var pool: String?
        /// The owner; `.null` for nobody.
        public var owner: JSONValue?
        /// Exactly these effect kinds, in order.
        public var effects: [String]?
        /// Each of these must match an effect of the step of its own (two patterns, two effects).
        public var effectsInclude: [EffectMatch]?
        /// Field values (`null` for unset).
        public var fields: [String: JSONValue]?
        /// The next timer; `.null` for none.
        public var nextTimer: JSONValue?
        public var probability: Int?
        /// Members of roles.
        public var members: [String: [String]]?
    }

    /// A pattern for one effect: every given key must match.
    public struct EffectMatch: Sendable, Hashable, CustomStringConvertible {
        public var kind: String?
        /// Exactly these people (in any order).
        public var people: [String]?
        /// Text that must appear in the effect's text (any language).
        public var text: String?
        public var node: String?
        public var person: String?
        public var trigger: String?

        public var description: String {
            var parts: [String] = []
            if let kind { parts.append("kind \(kind)") }
            if let people { parts.append("people [\(people.joined(separator: ", "))]") }
            if let text { parts.append("text containing \"\(text)\"") }
            if let node { parts.append("node \(node)") }
            if let person { parts.append("person \(person)") }
            if let trigger { parts.append("trigger \(trigger)") }
            return "{" + parts.joined(separator: ", ") + "}"
        }
    }
}

/// A scenario file that does not follow the format: where (a path such as
/// `steps[3].expect.active`) and what.
public struct ScenarioFormatError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

extension Scenario {
    /// Reads a scenario file (JSON).
    public static func parse(json bytes: [UInt8]) -> Result<Scenario, ScenarioFormatError> {
        switch JSONValue.parse(bytes) {
        case .failure(let e): return .failure(ScenarioFormatError(path: "", message: "not JSON: \(e)"))
        case .success(let value): return parse(value)
        }
    }

    /// Reads a scenario from a JSON-shaped tree.
    public static func parse(_ root: JSONValue) -> Result<Scenario, ScenarioFormatError> {
        do {
            return .success(try Reader().scenario(root))
        } catch {
            return .failure(error)
        }
    }

    /// Reads a time: an ISO-8601 datetime with zone, or an integer of seconds since the epoch.
    public static func instant(_ value: JSONValue) -> Int64? {
        switch value {
        case .number(let n): return Int64(n)
        case .string(let s): return CivilTime.datetime(s)
        default: return nil
        }
    }

    /// The largest `utc_offset`, in seconds either side of UTC: 14 hours (the zones in use run
    /// from UTC-12 to UTC+14).
    public static let maxUTCOffset: Int64 = 14 * 3_600

    /// The keys of a step that belong to one action (`to` and `reason` to a `rework`), in the order
    /// they are checked.
    public static let actionKeys: [(key: String, action: String)] = [
        ("outcome", "complete"), ("to", "rework"), ("reason", "rework"), ("undo", "deliverables"),
    ]

    /// The first key of `step` that belongs to another action than `action` (it would be ignored
    /// without a word: `to` on a `complete`), with the action it goes with.
    public static func misplacedKey(in step: JSONValue, action: String) -> (key: String, action: String)? {
        actionKeys.first { step[$0.key] != nil && $0.action != action }
    }

    /// Reads a duration `1d12h` (units `w d h m s`); nil for anything else.
    public static func duration(_ text: String) -> Int64? {
        var total: Int64 = 0
        var number: Int64?
        for c in text {
            if let d = c.wholeNumberValue, c.isASCII {
                let (times, o1) = (number ?? 0).multipliedReportingOverflow(by: 10)
                let (plus, o2) = times.addingReportingOverflow(Int64(d))
                guard !o1, !o2 else { return nil }
                number = plus
                continue
            }
            let unit: Int64
            switch c {
            case "w": unit = 604_800
            case "d": unit = 86_400
            case "h": unit = 3_600
            case "m": unit = 60
            case "s": unit = 1
            default: return nil
            }
            guard let n = number else { return nil }
            let (product, o1) = n.multipliedReportingOverflow(by: unit)
            let (sum, o2) = total.addingReportingOverflow(product)
            guard !o1, !o2 else { return nil }
            total = sum
            number = nil
        }
        return number == nil && !text.isEmpty ? total : nil
    }
}

enum CivilTime {
    static func datetime(_ text: String) -> Int64? {
        if case .datetime(let seconds)? = ExprValue.datetime(parsing: text) { return seconds }
        return nil
    }
}

/// Reads the JSON tree, keeping the path for messages.
private struct Reader {
    typealias Entries = [(key: String, value: JSONValue)]

    func fail(_ path: String, _ message: String) -> ScenarioFormatError { ScenarioFormatError(path: path, message: message) }

    func object(_ v: JSONValue, _ path: String, allowed: [String]) throws(ScenarioFormatError) -> Entries {
        guard case .object(let entries) = v else { throw fail(path, "expected an object") }
        for (key, _) in entries where !allowed.contains(key) {
            throw fail(path, "unknown key `\(key)`" + Names.didYouMean(key, among: allowed) + " (keys: \(allowed.joined(separator: ", ")))")
        }
        return entries
    }

    func string(_ v: JSONValue, _ path: String) throws(ScenarioFormatError) -> String {
        guard case .string(let s) = v else { throw fail(path, "expected a string") }
        return s
    }

    func optionalString(_ v: JSONValue?, _ path: String) throws(ScenarioFormatError) -> String? {
        guard let v else { return nil }
        if v == .null { return nil }
        return try string(v, path)
    }

    func strings(_ v: JSONValue, _ path: String) throws(ScenarioFormatError) -> [String] {
        guard case .array(let items) = v else { throw fail(path, "expected a list of strings") }
        var out: [String] = []
        for (i, item) in items.enumerated() { out.append(try string(item, "\(path)[\(i)]")) }
        return out
    }

    func integer(_ v: JSONValue, _ path: String) throws(ScenarioFormatError) -> Int {
        guard case .number(let n) = v, let i = Int(n) else { throw fail(path, "expected an integer") }
        return i
    }

    /// A count of deals (`owned`): an integer of 0 or more.
    func count(_ v: JSONValue, _ path: String) throws(ScenarioFormatError) -> Int {
        let n = try integer(v, path)
        guard n >= 0 else { throw fail(path, "expected an integer of 0 or more, got \(n)") }
        return n
    }

    func bool(_ v: JSONValue, _ path: String) throws(ScenarioFormatError) -> Bool {
        guard case .bool(let b) = v else { throw fail(path, "expected true or false") }
        return b
    }

    func scenario(_ root: JSONValue) throws(ScenarioFormatError) -> Scenario {
        let keys = ["scenario", "description", "template", "start", "utc_offset", "deal", "steps"]
        _ = try object(root, "", allowed: keys)
        guard let name = root["scenario"] else { throw fail("", "missing `scenario` (its name)") }
        guard let template = root["template"] else { throw fail("", "missing `template` (a path relative to this file)") }
        guard let startValue = root["start"] else { throw fail("", "missing `start` (an ISO-8601 datetime with zone)") }
        guard let start = Scenario.instant(startValue) else { throw fail("start", "expected an ISO-8601 datetime with zone, or epoch seconds") }
        var offset: Int64 = 0
        if let o = root["utc_offset"] {
            let written: String
            if case .string(let s) = o {
                let negative = s.hasPrefix("-")
                guard let d = Scenario.duration(negative || s.hasPrefix("+") ? String(s.dropFirst()) : s) else { throw fail("utc_offset", "expected a duration such as `8h`") }
                offset = negative ? -d : d
                written = s
            } else {
                offset = Int64(try integer(o, "utc_offset"))
                written = String(offset)
            }
            // The zones in use run from UTC-12 to UTC+14; anything beyond is a typo, not a zone.
            guard abs(offset) <= Scenario.maxUTCOffset else {
                throw fail("utc_offset", "`\(written)` is out of range: a UTC offset is from -14h to +14h (-\(Scenario.maxUTCOffset) to \(Scenario.maxUTCOffset) seconds)")
            }
        }
        guard let dealValue = root["deal"] else { throw fail("", "missing `deal`") }
        let deal = try self.deal(dealValue)
        var steps: [Scenario.Step] = []
        if let s = root["steps"] {
            guard case .array(let items) = s else { throw fail("steps", "expected a list of steps") }
            for (i, item) in items.enumerated() { steps.append(try step(item, i)) }
        }
        return Scenario(name: try string(name, "scenario"), template: try string(template, "template"), start: start, utcOffset: offset,
                        deal: deal, steps: steps)
    }

    func deal(_ v: JSONValue) throws(ScenarioFormatError) -> Scenario.Deal {
        _ = try object(v, "deal", allowed: ["id", "owner", "by", "fields", "roles", "owned", "expect"])
        let id = try optionalString(v["id"], "deal.id") ?? "deal-1"
        var fields: [(field: String, value: JSONValue)] = []
        if let f = v["fields"] {
            guard case .object(let entries) = f else { throw fail("deal.fields", "expected an object of field values") }
            fields = entries.map { ($0.key, $0.value) }
        }
        var members: [RoleAssignment] = []
        if let r = v["roles"] {
            guard case .object(let entries) = r else { throw fail("deal.roles", "expected an object: role id → list of people") }
            for (role, people) in entries {
                for person in try strings(people, "deal.roles.\(role)") { members.append(RoleAssignment(role, person)) }
            }
        }
        return Scenario.Deal(id: id, owner: try optionalString(v["owner"], "deal.owner"), by: try optionalString(v["by"], "deal.by"),
                             fields: fields, members: members, owned: try v["owned"].map { (x) throws(ScenarioFormatError) in try count(x, "deal.owned") } ?? 0,
                             expect: try v["expect"].map { (x) throws(ScenarioFormatError) in try expectation(x, "deal.expect") })
    }

    static let actions = ["set", "deliverables", "complete", "rework", "add_member", "remove_member", "lose", "win", "claim", "release", "assign", "tick",
                          "add_note", "add_link"]

    func step(_ v: JSONValue, _ i: Int) throws(ScenarioFormatError) -> Scenario.Step {
        let path = "steps[\(i)]"
        let entries = try object(v, path, allowed: Reader.actions + ["at", "id", "by", "owned", "can_assign", "note", "expect", "outcome", "to", "reason", "undo"])
        let present = entries.map(\.key).filter { Reader.actions.contains($0) }
        guard present.count == 1, let key = present.first, let value = v[key] else {
            throw fail(path, "a step has exactly one action (\(Reader.actions.joined(separator: ", "))); found \(present.isEmpty ? "none" : present.joined(separator: ", "))")
        }
        // A key of another action (`to` on a `complete`) would be silently ignored.
        if let (extra, owner) = Scenario.misplacedKey(in: v, action: key) {
            throw fail("\(path).\(extra)", "`\(extra)` goes with `\(owner)`, not with `\(key)`")
        }
        let at: Scenario.Time
        switch v["at"] {
        case nil: at = .same
        case .string(let s)? where s.hasPrefix("+"):
            guard let d = Scenario.duration(String(s.dropFirst())) else { throw fail("\(path).at", "expected `+` and a duration such as `+3d`") }
            at = .after(d)
        case let x?:
            guard let t = Scenario.instant(x) else { throw fail("\(path).at", "expected `+3d`, an ISO-8601 datetime with zone, or epoch seconds") }
            at = .absolute(t)
        }
        let action: Scenario.Action
        let p = "\(path).\(key)"
        switch key {
        case "set":
            guard case .object(let fields) = value else { throw fail(p, "expected an object of field values") }
            action = .set(fields.map { Scenario.Action.FieldValue(field: $0.key, value: $0.value) })
        case "deliverables":
            _ = try object(value, p, allowed: ["node", "done"])
            guard let node = value["node"], let done = value["done"] else { throw fail(p, "expected `node` and `done` (a list of deliverable ids)") }
            action = .deliverables(node: try string(node, "\(p).node"), done: try strings(done, "\(p).done"),
                                   undo: try v["undo"].map { (x) throws(ScenarioFormatError) in try bool(x, "\(path).undo") } ?? false)
        case "complete":
            action = .complete(node: try string(value, p), outcome: try optionalString(v["outcome"], "\(path).outcome"))
        case "rework":
            // The reason may be left out (the runner's FC1131 is what a scenario tests then); the
            // target may not: without it the event names no node at all.
            guard let to = v["to"] else { throw fail(path, "missing `to` (the node `rework` goes back to)") }
            action = .rework(node: try string(value, p), target: try string(to, "\(path).to"),
                             reason: try optionalString(v["reason"], "\(path).reason") ?? "")
        case "add_member", "remove_member":
            _ = try object(value, p, allowed: ["role", "person"])
            guard let role = value["role"], let person = value["person"] else { throw fail(p, "expected `role` and `person`") }
            let r = try string(role, "\(p).role"), who = try string(person, "\(p).person")
            action = key == "add_member" ? .addMember(role: r, person: who) : .removeMember(role: r, person: who)
        case "lose", "win":
            // `true` is the action without its argument; `false` or null would read as the same
            // action, so they are not accepted.
            let argument: String?
            switch value {
            case .bool(true): argument = nil
            case .string(let s): argument = s
            default: throw fail(p, key == "win" ? "expected `true` or a node id" : "expected `true` or a lose reason")
            }
            action = key == "win" ? .win(node: argument) : .lose(reason: argument)
        case "claim", "release", "tick":
            // A flag: `claim: false` must not claim.
            guard value == .bool(true) else { throw fail(p, "expected `true`") }
            action = key == "claim" ? .claim : key == "release" ? .release : .tick
        case "assign": action = .assign(to: try string(value, p))
        case "add_note":
            _ = try object(value, p, allowed: ["node", "text"])
            guard let node = value["node"], let text = value["text"] else { throw fail(p, "expected `node` and `text`") }
            action = .note(node: try string(node, "\(p).node"), text: try string(text, "\(p).text"))
        case "add_link":
            _ = try object(value, p, allowed: ["node", "url", "title"])
            guard let node = value["node"], let url = value["url"] else { throw fail(p, "expected `node` and `url` (and an optional `title`)") }
            action = .link(node: try string(node, "\(p).node"), url: try string(url, "\(p).url"), title: try optionalString(value["title"], "\(p).title"))
        default: throw fail(p, "unknown action")
        }
        return Scenario.Step(
            number: i + 1, at: at, id: try optionalString(v["id"], "\(path).id"), by: try optionalString(v["by"], "\(path).by"), action: action,
            owned: try v["owned"].map { (x) throws(ScenarioFormatError) in try count(x, "\(path).owned") } ?? 0,
            canAssign: try v["can_assign"].map { (x) throws(ScenarioFormatError) in try bool(x, "\(path).can_assign") } ?? false,
            note: try optionalString(v["note"], "\(path).note"),
            expect: try v["expect"].map { (x) throws(ScenarioFormatError) in try expectation(x, "\(path).expect") })
    }

    func expectation(_ v: JSONValue, _ path: String) throws(ScenarioFormatError) -> Scenario.Expectation {
        let keys = ["refused", "active", "blocked", "nodes", "tailored_out", "in_plan", "status", "pool", "owner", "effects",
                    "effects_include", "fields", "next_timer", "probability", "members"]
        _ = try object(v, path, allowed: keys)
        var e = Scenario.Expectation()
        e.refused = try optionalString(v["refused"], "\(path).refused")
        if let x = v["active"] { e.active = try strings(x, "\(path).active") }
        if let x = v["blocked"] { e.blocked = try strings(x, "\(path).blocked") }
        if let x = v["nodes"] {
            guard case .object(let entries) = x else { throw fail("\(path).nodes", "expected an object: node id → status") }
            var map: [String: String] = [:]
            for (node, status) in entries {
                let s = try string(status, "\(path).nodes.\(node)")
                guard NodeStatus(rawValue: s) != nil else {
                    throw fail("\(path).nodes.\(node)", "unknown status `\(s)` (\(NodeStatus.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                map[node] = s
            }
            e.nodes = map
        }
        if let x = v["tailored_out"] { e.tailoredOut = try strings(x, "\(path).tailored_out") }
        if let x = v["in_plan"] { e.inPlan = try strings(x, "\(path).in_plan") }
        e.status = try optionalString(v["status"], "\(path).status")
        if let s = e.status, DealStatus(rawValue: s) == nil { throw fail("\(path).status", "expected open, won or lost") }
        e.pool = try optionalString(v["pool"], "\(path).pool")
        if let s = e.pool, PoolPlacement(rawValue: s) == nil { throw fail("\(path).pool", "expected private or public") }
        if let x = v["owner"] {
            guard x == .null || { if case .string = x { return true } else { return false } }() else { throw fail("\(path).owner", "expected a person or null") }
            e.owner = x
        }
        if let x = v["effects"] {
            let kinds = try strings(x, "\(path).effects")
            for (i, k) in kinds.enumerated() where EffectKind(rawValue: k) == nil {
                throw fail("\(path).effects[\(i)]", "unknown effect kind `\(k)`" + Names.didYouMean(k, among: EffectKind.allCases.map(\.rawValue)))
            }
            e.effects = kinds
        }
        if let x = v["effects_include"] {
            guard case .array(let items) = x else { throw fail("\(path).effects_include", "expected a list of effect patterns") }
            var matches: [Scenario.EffectMatch] = []
            for (i, item) in items.enumerated() {
                let p = "\(path).effects_include[\(i)]"
                if case .string(let kind) = item {
                    guard EffectKind(rawValue: kind) != nil else { throw fail(p, "unknown effect kind `\(kind)`") }
                    matches.append(Scenario.EffectMatch(kind: kind))
                    continue
                }
                _ = try object(item, p, allowed: ["kind", "people", "text", "node", "person", "trigger"])
                var m = Scenario.EffectMatch()
                m.kind = try optionalString(item["kind"], "\(p).kind")
                if let k = m.kind, EffectKind(rawValue: k) == nil { throw fail("\(p).kind", "unknown effect kind `\(k)`") }
                if let people = item["people"] { m.people = try strings(people, "\(p).people") }
                m.text = try optionalString(item["text"], "\(p).text")
                m.node = try optionalString(item["node"], "\(p).node")
                m.person = try optionalString(item["person"], "\(p).person")
                m.trigger = try optionalString(item["trigger"], "\(p).trigger")
                matches.append(m)
            }
            e.effectsInclude = matches
        }
        if let x = v["fields"] {
            guard case .object(let entries) = x else { throw fail("\(path).fields", "expected an object of field values") }
            var map: [String: JSONValue] = [:]
            for (k, value) in entries { map[k] = value }
            e.fields = map
        }
        if let x = v["next_timer"] {
            guard x == .null || Scenario.instant(x) != nil || { if case .string(let s) = x { return s.hasPrefix("+") } else { return false } }() else {
                throw fail("\(path).next_timer", "expected a datetime, `+duration` from this step, or null")
            }
            e.nextTimer = x
        }
        if let x = v["probability"] { e.probability = try integer(x, "\(path).probability") }
        if let x = v["members"] {
            guard case .object(let entries) = x else { throw fail("\(path).members", "expected an object: role id → list of people") }
            var map: [String: [String]] = [:]
            for (role, people) in entries { map[role] = try strings(people, "\(path).members.\(role)") }
            e.members = map
        }
        return e
    }
}
