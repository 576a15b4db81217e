public import FlowRuntime

/// A line of a deals file: a deal to create and the events that follow its creation, applied
/// together (all or nothing).
public struct DealRecord: Sendable, Hashable {
    public var create: NewDealInput
    public var events: [EventInput]

    public init(create: NewDealInput, events: [EventInput] = []) {
        self.create = create
        self.events = events
    }
}

/// A line of an events file: one event for a deal that exists (in the store, or created earlier
/// in the same run).
public struct EventRecord: Sendable, Hashable {
    public var dealID: String
    public var event: EventInput
}

/// Bounds on what one record may hold (STYLE.md: every structure input controls has a limit).
public struct RecordLimits: Sendable, Hashable {
    /// Longest line of a record file, in bytes.
    public var maxLineBytes: Int
    /// Most events in one deal record.
    public var maxEventsPerRecord: Int

    public init(maxLineBytes: Int = 1 << 20, maxEventsPerRecord: Int = 10_000) {
        self.maxLineBytes = maxLineBytes
        self.maxEventsPerRecord = maxEventsPerRecord
    }

    public static let `default` = RecordLimits()
}

/// Reads records from JSON-shaped trees: deal records (deals files, `flowc deal create --record`)
/// and events (events files, the events of a deal record, `flowc deal event`).
///
/// The event format is the scenario step of docs/runtime.md §16 without `expect` and `owned`
/// (the host counts the owner's deals itself): exactly one action, and `at`, `by`, `id`,
/// `can_assign`, `note`. Errors are FC1220 and name the key at fault.
public enum RecordReader {
    typealias R = HostMessages.Record

    /// Keys of a deal record. `_error` is what a rejects file adds; it is ignored, so that a
    /// fixed rejects file can be run again.
    public static let dealKeys = ["id", "at", "owner", "by", "fields", "roles", "events", "note", "_error"]
    /// Keys of an event besides its action.
    public static let eventKeys = ["at", "id", "by", "can_assign", "note", "outcome", "to", "reason", "undo"]

    /// Reads a deal record. Events without `at` happen at the time of the event before them
    /// (the creation for the first); events without `id` get `e1`, `e2`, … by position.
    /// - Parameter zone: the host's zone, for the example of a time refused for having none.
    public static func dealRecord(_ v: JSONValue, limits: RecordLimits = .default, zone: Int64? = nil) -> Result<DealRecord, HostError> {
        do throws(HostError) {
            _ = try object(v, "", allowed: dealKeys)
            guard let idValue = v["id"] else { throw fail(R.missing, "", "id") }
            let id = Self.person(try string(idValue, "id"))
            do throws(HostError) {
                return .success(try dealRecord(v, id: id, limits: limits, zone: zone))
            } catch {
                // Said with its deal, once the id is read (QA round 12: a bad `at` named only the line).
                throw error.within(HostMessages.Phrase.inRecord, Names.shown(id, max: 256))
            }
        } catch {
            return .failure(error)
        }
    }

    /// The rest of a deal record once its id is read.
    static func dealRecord(_ v: JSONValue, id: String, limits: RecordLimits, zone: Int64?) throws(HostError) -> DealRecord {
        let at = try v["at"].map { (x) throws(HostError) in try time(x, "at", zone: zone) } ?? .now
        var fields: [WrittenValue] = []
        if let f = v["fields"] {
            guard case .object(let entries) = f else { throw fail(R.expectedObject, "fields") }
            fields = entries.map { WrittenValue($0.key, $0.value) }
        }
        var members: [RoleAssignment] = []
        if let r = v["roles"] {
            guard case .object(let entries) = r else { throw fail(R.expectedRoles, "roles") }
            for (role, people) in entries {
                if case .string(let person) = people {
                    members.append(RoleAssignment(role, person))
                } else {
                    for person in try strings(people, "roles.\(role)") { members.append(RoleAssignment(role, person)) }
                }
            }
        }
        var events: [EventInput] = []
        if let e = v["events"] {
            guard case .array(let items) = e else { throw fail(R.expectedList, "events") }
            guard items.count <= limits.maxEventsPerRecord else {
                throw HostError(HostMessages.recordTooLarge, HostMessages.fill(HostMessages.Phrase.events, [String(items.count)]),
                                String(limits.maxEventsPerRecord))
            }
            for (i, item) in items.enumerated() {
                var event = try self.event(item, path: "events[\(i)]", defaultTime: .same, zone: zone)
                if event.id == nil { event.id = "e\(i + 1)" }
                events.append(event)
            }
        }
        // People are trimmed where every unit is run (`DealUnit.withoutBlanksAroundNames`).
        let owner = try optionalString(v["owner"], "owner")
        let create = NewDealInput(dealID: id, at: at, owner: owner, actor: try optionalString(v["by"], "by") ?? owner,
                                  fields: fields, members: members)
        return DealRecord(create: create, events: events)
    }

    /// Reads a line of an events file: an event with a `deal` key. Without `at` the event happens
    /// at the host's clock; `+3d` is after the deal's last event.
    public static func eventRecord(_ v: JSONValue, zone: Int64? = nil) -> Result<EventRecord, HostError> {
        do throws(HostError) {
            guard case .object(let entries) = v else { throw fail(R.expectedObject, "") }
            guard let dealValue = v["deal"] else { throw fail(R.missing, "", "deal") }
            let deal = Self.person(try string(dealValue, "deal"))
            let rest = JSONValue.object(entries.filter { $0.key != "deal" && $0.key != "_error" })
            do throws(HostError) {
                return .success(EventRecord(dealID: deal, event: try event(rest, path: "", defaultTime: .now, zone: zone)))
            } catch {
                throw error.within(HostMessages.Phrase.inRecord, Names.shown(deal, max: 256))
            }
        } catch {
            return .failure(error)
        }
    }

    /// Reads one event (a scenario-style step without expectations).
    /// - Parameters:
    ///   - path: where the event is, for messages (`events[2]`).
    ///   - defaultTime: the time of an event without `at`.
    public static func event(_ v: JSONValue, path: String, defaultTime: EventTime, zone: Int64? = nil) throws(HostError) -> EventInput {
        _ = try object(v, path, allowed: HostAction.names + eventKeys)
        let action: HostAction
        do { action = try StepFormat.action(of: v, path: path, noun: "an event") } catch {
            throw HostError(HostMessages.malformedRecord, (error.path.isEmpty ? R.top : error.path) + ": " + error.message)
        }
        return EventInput(
            id: try optionalString(v["id"], join(path, "id")),
            at: try v["at"].map { (x) throws(HostError) in try time(x, join(path, "at"), zone: zone) } ?? defaultTime,
            actor: try optionalString(v["by"], join(path, "by")), action,
            canAssign: try v["can_assign"].map { (x) throws(HostError) in try bool(x, join(path, "can_assign")) } ?? false)
    }

    /// A person's id (or a deal's) as a record writes it, without the blanks around it
    /// (`"zhang "` from a spreadsheet cell is `zhang`, not another person: QA round 12).
    public static func person(_ written: String) -> String {
        // Most ids have no blank at either end: returned as they are, without a copy.
        guard let first = written.unicodeScalars.first, let last = written.unicodeScalars.last,
              first.properties.isWhitespace || last.properties.isWhitespace else { return written }
        return written.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The instants a record may name: the years 1 to 9999, those the ISO form can write (the
    /// same range as a scenario's times).
    public static let instants: ClosedRange<Int64> = Scenario.instants

    /// Reads a time: `+3d` (after the previous event; units `w d h m s`), an ISO-8601 datetime
    /// with zone, or epoch seconds (a number, or digits as text); an instant outside
    /// ``instants`` is refused.
    /// - Parameter zone: the host's zone, for the example of a time written without one.
    public static func time(_ v: JSONValue, _ path: String, zone: Int64? = nil) throws(HostError) -> EventTime {
        if case .string(let s) = v, s.hasPrefix("+") {
            guard let d = Scenario.duration(String(s.dropFirst())) else {
                // What a template is told (QA round 43, T5, T9).
                throw fail(R.badTimeHint, path, Names.inline(s), Scenario.durationAdvice(s.dropFirst()))
            }
            return .after(d)
        }
        var value = v
        if case .string(let s) = v, Int64(s) != nil { value = .number(s) }
        guard let t = Scenario.instant(value) else {
            // The rule an ISO-8601 datetime breaks: a fraction of a second, a zone none uses,
            // a day the month lacks (QA round 43, T3, T4).
            if let problem = Scenario.instantProblem(value) { throw fail(R.badTimeHint, path, Names.inline(Self.written(v)), problem) }
            // The form to write, for a time another system wrote (`06/28/2024 10:30 PM`, QA round 18).
            if case .string(let s) = v, let hint = FieldValueHints.hint(s, type: .datetime, zone: zone) {
                throw fail(R.badTimeHint, path, Names.inline(s), hint)
            }
            throw fail(R.badTime, path, Names.inline(Self.written(v)))
        }
        guard instants.contains(t) else { throw fail(R.timeOutOfRange, path) }
        return .absolute(t)
    }

    /// Reads a time written on the command line or in a CSV cell (`+3d`, ISO-8601, epoch seconds).
    public static func time(text: String) -> EventTime? {
        let value: JSONValue = Int64(text) != nil ? .number(text) : .string(text)
        return try? time(value, "")
    }

    // MARK: Pieces

    static func fail(_ format: String, _ path: String, _ arguments: String...) -> HostError {
        HostError(HostMessages.malformedRecord, HostMessages.fill(format, [path.isEmpty ? HostMessages.Record.top : path] + arguments))
    }

    /// A JSON value as the record wrote it, for a message.
    static func written(_ v: JSONValue) -> String {
        switch v {
        case .string(let s), .number(let s): s
        case .bool(let b): b ? "true" : "false"
        case .null: "null"
        case .array: "[…]"
        case .object: "{…}"
        }
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }

    static func object(_ v: JSONValue, _ path: String, allowed: [String]) throws(HostError) -> [(key: String, value: JSONValue)] {
        guard case .object(let entries) = v else { throw fail(R.expectedObject, path) }
        for (key, _) in entries where !allowed.contains(key) {
            throw fail(R.unknownKey, path, key, HostMessages.didYouMean(key, among: allowed))
        }
        return entries
    }

    static func string(_ v: JSONValue, _ path: String) throws(HostError) -> String {
        guard case .string(let s) = v else { throw fail(R.expectedString, path) }
        return s
    }

    static func optionalString(_ v: JSONValue?, _ path: String) throws(HostError) -> String? {
        guard let v, v != .null else { return nil }
        return try string(v, path)
    }

    static func strings(_ v: JSONValue, _ path: String) throws(HostError) -> [String] {
        guard case .array(let items) = v else { throw fail(R.expectedStrings, path) }
        var out: [String] = []
        for (i, item) in items.enumerated() { out.append(try string(item, "\(path)[\(i)]")) }
        return out
    }

    static func bool(_ v: JSONValue, _ path: String) throws(HostError) -> Bool {
        guard case .bool(let b) = v else { throw fail(R.expectedBool, path) }
        return b
    }
}
