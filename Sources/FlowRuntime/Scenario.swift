import FlowDiagnostics
import FlowExpr
import FlowSyntax

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

    /// What a step does: the format event records share (``StepFormat``).
    public typealias Action = StepAction

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
        /// Members of roles: exactly these people, in any order.
        public var members: [String: [String]]?

        /// The keys given besides `refused`, as written in a file: what there is to check of a
        /// deal after the step.
        public var keysBesideRefused: [String] {
            let given: [(String, Bool)] = [
                ("active", active != nil), ("blocked", blocked != nil), ("nodes", nodes != nil), ("tailored_out", tailoredOut != nil),
                ("in_plan", inPlan != nil), ("status", status != nil), ("pool", pool != nil), ("owner", owner != nil),
                ("effects", effects != nil), ("effects_include", effectsInclude != nil), ("fields", fields != nil),
                ("next_timer", nextTimer != nil), ("probability", probability != nil), ("members", members != nil),
            ]
            return given.filter(\.1).map(\.0)
        }
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
    /// The file's other problems, each in another step or expectation key, so that one run
    /// shows them all (the first is this one).
    public var others: [ScenarioFormatError] = []
    /// Whether the problem is the key at `path` being written at all, rather than its value: the
    /// key is the place to point at.
    public var atKey = false
    /// What to do about it, when the message alone does not say.
    public var help: String?
    /// The same for a scenario written in JSON, when it differs (QA round 44, R7: the YAML dash
    /// was offered for a `.scenario.json`).
    public var jsonHelp: String?
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// This problem and the others, in the file's order of reading.
    public var all: [ScenarioFormatError] {
        var first = self
        first.others = []
        return [first] + others
    }
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
        let reader = Reader()
        do {
            let scenario = try reader.scenario(root)
            if var first = reader.collected.first {
                first.others = Array(reader.collected.dropFirst())
                return .failure(first)
            }
            return .success(scenario)
        } catch {
            var first = error
            first.others = reader.collected.filter { $0 != error }
            return .failure(first)
        }
    }

    /// Reads a time: an ISO-8601 datetime with zone, or an integer of seconds since the epoch.
    public static func instant(_ value: JSONValue) -> Int64? {
        switch value {
        case .number(let n): return Int64(n)
        case .string(let s):
            if case .success(.datetime(let seconds)) = FieldText.read(s, as: .datetime) { return seconds }
            return nil
        default: return nil
        }
    }

    /// Why `value`, written as an ISO-8601 datetime, is no instant (`that month has 28 days`,
    /// a fraction of a second, a zone no zone uses); nil when it is one, or not shaped as one.
    public static func instantProblem(_ value: JSONValue) -> String? {
        guard case .string(let s) = value, case .failure(let problem) = FieldText.read(s, as: .datetime),
              problem != .calendar(.datetimeForm) else { return nil }
        return problem.note.text
    }

    /// The largest `utc_offset`, in seconds either side of UTC: 14 hours (the zones in use run
    /// from UTC-12 to UTC+14).
    public static let maxUTCOffset: Int64 = 14 * 3_600

    /// Every zone in use is a whole number of quarter hours from UTC (UTC+05:45, UTC-09:30): an
    /// offset that is not was meant otherwise (`-5` seconds for hours).
    public static let utcOffsetStep: Int64 = 900

    /// Reads a UTC offset as text, in seconds east of UTC: a signed duration (`8h`, `-5h30m`) or
    /// hours and minutes as an ISO-8601 time ends (`+08:00`, `-05:00`); nil for anything else.
    /// The bound (``maxUTCOffset``) is the caller's, which names the value as written.
    public static func utcOffset(_ text: String) -> Int64? {
        let negative = text.hasPrefix("-")
        let body = negative || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        let parts = body.split(separator: ":", omittingEmptySubsequences: false)
        let seconds: Int64?
        if parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let hours = Int64(parts[0]), let minutes = Int64(parts[1]), minutes < 60
        {
            seconds = hours * 3_600 + minutes * 60
        } else {
            seconds = duration(String(body))
        }
        return seconds.map { negative ? -$0 : $0 }
    }

    /// Reads a duration `1d12h` (units `w d h m s`, largest first, each once: as a template
    /// writes one, QA round 43, T9: `1h1h` and `1d1w` were taken); nil for anything else, a sign
    /// included.
    public static func duration(_ text: String) -> Int64? {
        var total: Int64 = 0
        var number: Int64?
        var last = Int64.max
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
            guard let n = number, unit < last else { return nil }
            last = unit
            let (product, o1) = n.multipliedReportingOverflow(by: unit)
            let (sum, o2) = total.addingReportingOverflow(product)
            guard !o1, !o2 else { return nil }
            total = sum
            number = nil
        }
        return number == nil && !text.isEmpty ? total : nil
    }

    /// What to write instead of `+` and `text`, which is no duration, as a template is told
    /// (``FlowSyntax/Duration/advice(_:)``), behind its `+`: `+30d` for `+1M`, `+2d1h` for
    /// `+1h2d` (QA round 43, T5: `+1M` was told to write `+1m`, a minute).
    public static func durationAdvice(_ text: some StringProtocol) -> String {
        if text.hasPrefix("-") { return "`+` counts forward from the time before, by a duration that is not negative" }
        let advice = Duration.advice(String(text))
        return Message(advice.format, advice.replacement.map { ["+" + $0] } ?? []).text
    }
}

// MARK: Limits of a scenario's values

extension Scenario {
    /// The instants a scenario may name: the years 1 to 9999, those the ISO form can write. The
    /// same range as `--now` and the host's event records (`RecordReader.instants`), so that a
    /// scenario's clock never runs where the commands' cannot.
    public static let instants: ClosedRange<Int64> = -62_135_596_800...253_402_300_799

    /// The most digits one number of a duration may have: the language's limit
    /// (`FlowSyntax.Duration.maxDigits`, docs/language.md), so that `+3d` means the same in a
    /// scenario as in a template.
    public static let maxDurationDigits = FlowSyntax.Duration.maxDigits

    /// Whether a run of digits in `text` is longer than ``maxDurationDigits``.
    static func hasLongNumber(_ text: String) -> Bool {
        var run = 0
        for c in text {
            run = c.isASCII && c.isNumber ? run + 1 : 0
            if run > maxDurationDigits { return true }
        }
        return false
    }

    /// The codes that `expect.refused` may name: the runner's refusals, but those a scenario's deal
    /// never meets. An expectation naming any other code could never pass.
    public static let refusalCodes: [String] = RuntimeMessages.refusals.map(\.code).filter { !refusalsNeverMet.contains($0) }

    /// Refusals that cannot happen in a scenario, whose runner creates the deal first (no step
    /// follows a refused creation), dates each event at its own clock, gives a step without an id
    /// a fresh one (`flowc test` refuses a repeated written id before the run, so FC1109 needs a
    /// repeat it never sees) and has neither a stored snapshot nor a migration (not a step).
    static let refusalsNeverMet: Set<String> = {
        typealias R = RuntimeMessages
        let specs = [
            R.noDeal, R.dealExists, R.machineMismatch, R.snapshotUnusable, R.eventFromFuture, R.duplicateEvent,
            R.migrateNeedsMachines, R.migrateTargetMismatch, R.alreadyOnTarget, R.migrateClosed, R.nodeRemoved, R.mappingUnknownNode,
            R.mappingDuplicate, R.nodeKindIncompatible, R.fieldIncompatible, R.unknownRules, R.forkBranchNotEntered, R.forkNotEntered,
            R.openAfterOpen,
        ]
        return Set(specs.map(\.code))
    }()

    /// The code an author most likely meant by `written`, an `expect.refused` that is not in
    /// ``refusalCodes``; nil when no single code stands out.
    ///
    /// The rule (docs/testing.md §8), in order: the same code written another way (`fc1115`,
    /// `1115`, `FC 1115`); else the one code reached by swapping two neighbouring digits (`FC1511`
    /// → FC1151); else the one code that differs in a single digit (`FC1193` → none: FC1113 to
    /// FC1173 all do). Codes are dense, so a one-digit change that fits several is not guessed at.
    static func suggestedRefusal(for written: String) -> String? {
        let known = Set(refusalCodes)
        var compact = written.uppercased().filter { !$0.isWhitespace && $0 != "-" && $0 != "_" }
        if !compact.hasPrefix("FC") { compact = "FC" + compact }
        if known.contains(compact) { return compact }
        let digits = Array(compact.dropFirst(2))
        guard digits.count == 4, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        func code(_ d: [Character]) -> String { "FC" + String(d) }
        var swapped: Set<String> = []
        for i in 0..<3 where digits[i] != digits[i + 1] {
            var d = digits
            d.swapAt(i, i + 1)
            if known.contains(code(d)) { swapped.insert(code(d)) }
        }
        if swapped.count == 1 { return swapped.first }
        let oneDigit = known.filter { candidate in
            zip(Array(candidate.dropFirst(2)), digits).filter { $0 != $1 }.count == 1
        }
        return oneDigit.count == 1 ? oneDigit.first : nil
    }
}

/// Reads the JSON tree, keeping the path for messages. A problem in one step, or in one key
/// of an expectation, is kept and the reading goes on with the next, so that a file with
/// several mistakes shows them all in one run.
private final class Reader {
    /// The problems kept so far, in the order they were found.
    var collected: [ScenarioFormatError] = []

    /// Runs `body`, keeping its problem instead of stopping at it.
    func attempt(_ body: () throws(ScenarioFormatError) -> Void) {
        do { try body() } catch { collected.append(error) }
    }

    typealias S = RuntimeMessages.Scenario

    func fail(_ path: String, _ message: String) -> ScenarioFormatError { ScenarioFormatError(path: path, message: message) }

    /// `: ` and the rule a datetime-shaped text breaks (QA round 43, T11: "expected an ISO-8601
    /// datetime" for `2016-12-31T23:59:60Z`), or nothing.
    static func because(_ value: JSONValue) -> String { Scenario.instantProblem(value).map { ": " + $0 } ?? "" }

    /// An effect kind the runner does not emit, with the nearest kind (the template's word
    /// `group_chat` is the start of two) and every kind there is.
    static func unknownKind(_ k: String) -> String {
        let kinds = EffectKind.allCases.map(\.rawValue)
        var near = Names.didYouMean(k, among: kinds)
        if near.isEmpty, let first = kinds.first(where: { $0.hasPrefix(k + "_") }) { near = " (did you mean `\(first)`?)" }
        // `notification`, `webhooks`: another word for a kind, sharing its first five letters (QA round 22).
        if near.isEmpty, k.count >= 5, let first = kinds.first(where: { $0.hasPrefix(k.prefix(5)) }) { near = " (did you mean `\(first)`?)" }
        return RuntimeMessages.fill(S.unknownEffectKind, [k, near, kinds.joined(separator: ", ")])
    }

    func fill(_ format: String, _ arguments: String...) -> String { RuntimeMessages.fill(format, arguments) }

    /// An instant within ``Scenario/instants`` (the range `--now` accepts).
    func inRange(_ t: Int64, _ written: JSONValue, _ path: String) throws(ScenarioFormatError) {
        guard Scenario.instants.contains(t) else { throw fail(path, fill(S.instantOutOfRange, Self.shown(written))) }
    }

    /// `+duration` whose numbers have at most ``Scenario/maxDurationDigits`` digits, as in a
    /// template; checked before the duration is read, so that the message says what is wrong.
    func durationDigits(_ written: String, _ path: String) throws(ScenarioFormatError) {
        guard !Scenario.hasLongNumber(written) else {
            throw fail(path, fill(S.durationDigits, written, String(Scenario.maxDurationDigits)))
        }
    }

    /// A value as written, for messages.
    static func shown(_ v: JSONValue) -> String {
        switch v {
        case .string(let s), .number(let s): s
        default: "\(v)"
        }
    }

    /// `expect.refused` names a code a scenario's deal can be refused with (an expectation that
    /// can never pass is a typo to point at, not a failure to report at every run).
    func refusal(_ code: String, _ path: String) throws(ScenarioFormatError) {
        guard !Scenario.refusalCodes.contains(code) else { return }
        if let spec = RuntimeMessages.refusal(code: code) {
            throw fail(path, fill(S.refusalNeverMet, code, spec.name))
        }
        if code.count == 6, code.hasPrefix("FC12"), code.dropFirst(2).allSatisfy({ $0.isASCII && $0.isNumber }) {
            throw fail(path, fill(S.hostRefusal, code))
        }
        let guess = Scenario.suggestedRefusal(for: code).map { fill(RuntimeMessages.Phrase.didYouMean, $0) } ?? ""
        throw fail(path, fill(S.notARefusal, code, guess))
    }

    /// The scenario's clock stays within ``Scenario/instants``: every step's time (a `+duration`
    /// adds to the previous one) and every `next_timer: +duration` counted from its step.
    /// `written` is each step's `at` as written, for messages.
    func checkClock(start: Int64, deal: Scenario.Deal, steps: [Scenario.Step], written: [String]) throws(ScenarioFormatError) {
        func nextTimer(_ e: Scenario.Expectation?, at time: Int64, _ path: String) throws(ScenarioFormatError) {
            guard case .string(let s)? = e?.nextTimer, s.hasPrefix("+"), let d = Scenario.duration(String(s.dropFirst())) else { return }
            let (t, overflow) = time.addingReportingOverflow(d)
            guard !overflow, Scenario.instants.contains(t) else { throw fail(path, fill(S.timeAfterOutOfRange, s, Stepper.time(time))) }
        }
        try nextTimer(deal.expect, at: start, "deal.expect.next_timer")
        var time = start
        for step in steps {
            let path = "steps[\(step.number - 1)]"
            switch step.at {
            case .same: break
            case .absolute(let t): time = t
            case .after(let d):
                let (t, overflow) = time.addingReportingOverflow(d)
                guard !overflow, Scenario.instants.contains(t) else {
                    throw fail("\(path).at", fill(S.timeAfterOutOfRange, written[step.number - 1], Stepper.time(time)))
                }
                time = t
            }
            try nextTimer(step.expect, at: time, "\(path).expect.next_timer")
        }
    }

    /// Keeps a problem for each key of the object `v` not among `allowed`.
    func unknownKeys(_ v: JSONValue, _ path: String, allowed: [String]) {
        guard case .object(let entries) = v else { return }
        for (key, _) in entries where !allowed.contains(key) {
            collected.append(fail(path, "unknown key `\(key)`" + Names.didYouMean(key, among: allowed) + " (keys: \(allowed.joined(separator: ", ")))"))
        }
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

    /// The text of an expectation's key, nil when the key is not written. A key written with no
    /// value (`status:`) is null, which these keys do not take: it would check nothing, so it is a
    /// mistake at the key; `what` is what the key takes.
    func expected(_ v: JSONValue?, _ path: String, _ what: String) throws(ScenarioFormatError) -> String? {
        guard let v else { return nil }
        guard v != .null else {
            var error = fail(path, fill(S.blankExpectation, what))
            error.atKey = true
            error.help = S.blankHelp
            throw error
        }
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
        guard case .object(let entries) = root else { throw fail("", "expected an object") }
        // A mistake at the top of the file does not hide those of the deal and the steps: each
        // is kept, and the rest read still (QA round 35, A3). A key written misspelt is not said
        // missing as well.
        var misspelt = Set<String>()
        for (key, _) in entries where !keys.contains(key) {
            let hint = Names.didYouMean(key, among: keys)
            collected.append(fail("", "unknown key `\(key)`" + hint + " (keys: \(keys.joined(separator: ", ")))"))
            misspelt.formUnion(keys.filter { hint.contains("`\($0)`") })
        }
        func missing(_ key: String, _ message: String) {
            if !misspelt.contains(key) { collected.append(fail("", message)) }
        }
        let name = root["scenario"]
        if name == nil { missing("scenario", "missing `scenario` (its name)") }
        // A blank name reads as no test at all in a report (QA round 30, N11: `PASS ` and a
        // JUnit testcase named "").
        if case .string(let text)? = name, text.allSatisfy({ $0.isWhitespace }) {
            collected.append(fail("scenario", "the name is blank: give the scenario a name"))
        }
        let template = root["template"]
        if template == nil { missing("template", "missing `template` (a path relative to this file)") }
        // Each text key of the wrong kind, beside the steps' mistakes (QA round 36, C6: said only
        // once the steps were right; `description` was not read at all).
        for key in ["scenario", "template", "description"] {
            // An empty `description:` is no description.
            if let v = root[key], !(key == "description" && v == .null) { attempt { () throws(ScenarioFormatError) in _ = try string(v, key) } }
        }
        var start: Int64?
        if let startValue = root["start"] {
            if let t = Scenario.instant(startValue) {
                attempt { () throws(ScenarioFormatError) in
                    try inRange(t, startValue, "start")
                    start = t
                }
            } else {
                collected.append(fail("start", "expected an ISO-8601 datetime with zone, or epoch seconds" + Self.because(startValue)))
            }
        } else {
            missing("start", "missing `start` (an ISO-8601 datetime with zone)")
        }
        var offset: Int64 = 0
        attempt { () throws(ScenarioFormatError) in offset = try utcOffset(root["utc_offset"]) }
        let dealValue = root["deal"]
        if dealValue == nil { missing("deal", "missing `deal`") }
        // A mistake in the deal does not hide the steps': it is kept, and they are read still.
        var deal = Scenario.Deal(id: "deal-1", owner: nil, by: nil, fields: [], members: [], owned: 0, expect: nil)
        if let dealValue, let read = self.deal(dealValue) { deal = read }
        var steps: [Scenario.Step] = []
        var written: [String] = []
        if let s = root["steps"] {
            var items: [JSONValue] = []
            if case .array(let list) = s { items = list } else { collected.append(fail("steps", "expected a list of steps")) }
            for (i, item) in items.enumerated() {
                if let step = step(item, i) {
                    steps.append(step)
                    written.append(item["at"].map(Self.shown) ?? "")
                }
            }
        }
        // No deal is created to check the other keys against: each is a mistake at its key.
        if let code = deal.expect?.refused, case .object(let entries)? = dealValue?["expect"] {
            for (key, _) in entries where key != "refused" && Reader.expectationKeys.contains(key) {
                var error = fail("deal.expect.\(key)", fill(S.keyBesideRefusedCreation, code, key))
                error.atKey = true
                collected.append(error)
            }
        }
        // The clock is checked on whole steps only: with a step missing, its times mean little.
        if let first = collected.first { throw first }
        guard let name, let template, let start else { throw fail("", "missing `scenario`, `template` or `start`") }
        if let code = deal.expect?.refused, !steps.isEmpty {
            throw fail("steps[0]", fill(S.stepsAfterRefusedCreation, code))
        }
        try checkClock(start: start, deal: deal, steps: steps, written: written)
        return Scenario(name: try string(name, "scenario"), template: try string(template, "template"), start: start, utcOffset: offset,
                        deal: deal, steps: steps)
    }

    /// `utc_offset`, when written: a duration (`8h`, `-5h30m`), `±HH:MM`, or seconds; 0 when not.
    func utcOffset(_ o: JSONValue?) throws(ScenarioFormatError) -> Int64 {
        guard let o else { return 0 }
        let offset: Int64
        let written: String
        if case .string(let s) = o {
            guard let d = Scenario.utcOffset(s) else { throw fail("utc_offset", "expected a duration such as `8h`, or `+08:00`") }
            offset = d
            written = s
        } else {
            offset = Int64(try integer(o, "utc_offset"))
            written = String(offset)
        }
        // The zones in use run from UTC-12 to UTC+14; anything beyond is a typo, not a zone.
        guard abs(offset) <= Scenario.maxUTCOffset else {
            throw fail("utc_offset", "`\(written)` is out of range: a UTC offset is from -14h to +14h (-\(Scenario.maxUTCOffset) to \(Scenario.maxUTCOffset) seconds)")
        }
        guard offset % Scenario.utcOffsetStep == 0 else {
            throw fail("utc_offset", "`\(written)` is no whole number of quarter hours from UTC, as every zone is: write `8h`, `-5h30m` or `\"-05:00\"`")
        }
        return offset
    }

    /// The deal as far as it can be read, each of its mistakes kept, as a step's
    /// (``step(_:_:)``); nil when it is not an object.
    func deal(_ v: JSONValue) -> Scenario.Deal? {
        guard case .object = v else {
            collected.append(fail("deal", "expected an object"))
            return nil
        }
        unknownKeys(v, "deal", allowed: ["id", "owner", "by", "fields", "roles", "owned", "expect"])
        var id = "deal-1", owner: String?, by: String?, owned = 0
        var fields: [(field: String, value: JSONValue)] = []
        var members: [RoleAssignment] = []
        var expect: Scenario.Expectation?
        attempt { () throws(ScenarioFormatError) in id = try optionalString(v["id"], "deal.id") ?? "deal-1" }
        attempt { () throws(ScenarioFormatError) in
            guard let f = v["fields"] else { return }
            guard case .object(let entries) = f else { throw fail("deal.fields", "expected an object of field values") }
            fields = entries.map { ($0.key, $0.value) }
        }
        attempt { () throws(ScenarioFormatError) in
            guard let r = v["roles"] else { return }
            guard case .object(let entries) = r else { throw fail("deal.roles", "expected an object: role id → list of people") }
            for (role, people) in entries {
                attempt { () throws(ScenarioFormatError) in
                    for person in try strings(people, "deal.roles.\(role)") { members.append(RoleAssignment(role, person)) }
                }
            }
        }
        attempt { () throws(ScenarioFormatError) in owner = try optionalString(v["owner"], "deal.owner") }
        attempt { () throws(ScenarioFormatError) in by = try optionalString(v["by"], "deal.by") }
        attempt { () throws(ScenarioFormatError) in owned = try v["owned"].map { (x) throws(ScenarioFormatError) in try count(x, "deal.owned") } ?? 0 }
        attempt { () throws(ScenarioFormatError) in expect = try v["expect"].map { (x) throws(ScenarioFormatError) in try expectation(x, "deal.expect") } }
        // Read as far as it goes, mistakes and all: the keys beside an expected refusal are
        // checked against it still.
        return Scenario.Deal(id: id, owner: owner, by: by, fields: fields, members: members, owned: owned, expect: expect)
    }

    /// A step, or nil with each of its mistakes kept: a mistake in one of its keys does not hide
    /// another's, nor those of its `expect` (QA round 43, T2: `at: -1d` hid the expectation's two,
    /// found only a round later).
    func step(_ v: JSONValue, _ i: Int) -> Scenario.Step? {
        let path = "steps[\(i)]"
        let before = collected.count
        guard case .object = v else {
            collected.append(fail(path, "expected an object"))
            return nil
        }
        unknownKeys(v, path, allowed: StepAction.names + ["at", "id", "by", "owned", "can_assign", "note", "expect", "outcome", "to", "reason", "undo"])
        var action: Scenario.Action?
        do { action = try StepFormat.action(of: v, path: path, noun: "a step") } catch {
            var e = fail(error.path, error.message)
            var keys: [String] = []
            if case .object(let entries) = v { keys = entries.map(\.key) }
            if let second = keys.filter({ StepAction.names.contains($0) }).dropFirst().first, error.path == "\(path).\(second)",
               var start = keys.firstIndex(of: second) {
                // Two actions: usually the next step without its `- ` (QA round 43, F7: the step's
                // first line was shown, an `at` or `by`, and nothing said where the next began).
                // The next step begins at the `at`, `by` or `id` written just before its action,
                // after the first action, if any.
                let first = keys.firstIndex { StepAction.names.contains($0) } ?? 0
                // (`note`, `owned` and `can_assign` too, which a step may write first: QA round
                // 44, R6; not `expect`, which checks the step before.)
                while start - 1 > first, ["at", "by", "id", "note", "owned", "can_assign"].contains(keys[start - 1]) { start -= 1 }
                e.path = "\(path).\(keys[start])"
                e.atKey = true
                e.help = "if `\(keys[start])` begins the next step, write `- ` before it, in the column of the other steps' `- `"
                e.jsonHelp = "if `\(keys[start])` begins the next step, end this step's object before it and open the next: `}, {`"
            }
            collected.append(e)
        }
        var at = Scenario.Time.same
        attempt { () throws(ScenarioFormatError) in at = try stepTime(v["at"], "\(path).at") }
        var id: String?, by: String?, note: String?, owned = 0, canAssign = false
        var expect: Scenario.Expectation?
        attempt { () throws(ScenarioFormatError) in id = try optionalString(v["id"], "\(path).id") }
        attempt { () throws(ScenarioFormatError) in by = try optionalString(v["by"], "\(path).by") }
        attempt { () throws(ScenarioFormatError) in owned = try v["owned"].map { (x) throws(ScenarioFormatError) in try count(x, "\(path).owned") } ?? 0 }
        attempt { () throws(ScenarioFormatError) in canAssign = try v["can_assign"].map { (x) throws(ScenarioFormatError) in try bool(x, "\(path).can_assign") } ?? false }
        attempt { () throws(ScenarioFormatError) in note = try optionalString(v["note"], "\(path).note") }
        attempt { () throws(ScenarioFormatError) in expect = try v["expect"].map { (x) throws(ScenarioFormatError) in try expectation(x, "\(path).expect") } }
        guard collected.count == before, let action else { return nil }
        return Scenario.Step(number: i + 1, at: at, id: id, by: by, action: action, owned: owned, canAssign: canAssign, note: note, expect: expect)
    }

    /// A step's `at`: the step before's time when not written, `+3d` after it, or an instant.
    func stepTime(_ v: JSONValue?, _ path: String) throws(ScenarioFormatError) -> Scenario.Time {
        switch v {
        case nil: return .same
        case .string(let s)? where s.hasPrefix("+"):
            try durationDigits(s, path)
            guard let d = Scenario.duration(String(s.dropFirst())) else {
                // `+20days`, `+2 h`, `+1D` (QA round 22), `+1M`, `+1h2d`: what a template is told.
                throw fail(path, "expected `+` and a duration such as `+3d`: " + Scenario.durationAdvice(s.dropFirst()))
            }
            return .after(d)
        case let x?:
            guard let t = Scenario.instant(x) else {
                throw fail(path, "expected `+3d`, an ISO-8601 datetime with zone, or epoch seconds" + Self.because(x) + Self.delayHint(x))
            }
            try inRange(t, x, path)
            return .absolute(t)
        }
    }

    /// `; write `+2d`…` for a delay written without its `+` (`2d`, `2 days`), as a template's
    /// `14 days` is told to write `14d` (QA round 44, A11); "" otherwise.
    static func delayHint(_ x: JSONValue) -> String {
        guard case .string(let s) = x, s.contains(where: \.isLetter) else { return "" }
        let text = s.trimmingCharacters(in: .whitespaces)
        let form = Scenario.duration(text) != nil ? text : Duration.advice(text).replacement.flatMap { Scenario.duration($0) != nil ? $0 : nil }
        return form.map { "; a delay after the step before is written with `+`: write `+\($0)`" } ?? ""
    }

    /// The keys of an expectation.
    static let expectationKeys = ["refused", "active", "blocked", "nodes", "tailored_out", "in_plan", "status", "pool", "owner", "effects",
                                  "effects_include", "fields", "next_timer", "probability", "members"]

    func expectation(_ v: JSONValue, _ path: String) throws(ScenarioFormatError) -> Scenario.Expectation {
        let keys = Reader.expectationKeys
        guard case .object(let entries) = v else { throw fail(path, "expected an object") }
        // An unknown key is kept as a problem, and the known keys are read still.
        for (key, _) in entries where !keys.contains(key) {
            collected.append(fail(path, "unknown key `\(key)`" + Names.didYouMean(key, among: keys) + " (keys: \(keys.joined(separator: ", ")))"))
        }
        var e = Scenario.Expectation()
        // Each key on its own: a mistake in one does not hide a mistake in the next.
        attempt { () throws(ScenarioFormatError) in
            // A bare number (`1115`) is a code without its `FC`: the refusal check suggests the code.
            if case .number(let n)? = v["refused"] { try refusal(n, "\(path).refused") }
            e.refused = try expected(v["refused"], "\(path).refused", S.blankRefused)
            if let code = e.refused { try refusal(code, "\(path).refused") }
        }
        attempt { () throws(ScenarioFormatError) in if let x = v["active"] { e.active = try strings(x, "\(path).active") } }
        attempt { () throws(ScenarioFormatError) in if let x = v["blocked"] { e.blocked = try strings(x, "\(path).blocked") } }
        attempt { () throws(ScenarioFormatError) in
            guard let x = v["nodes"] else { return }
            guard case .object(let entries) = x else { throw fail("\(path).nodes", "expected an object: node id → status") }
            var map: [String: String] = [:]
            for (node, status) in entries {
                attempt { () throws(ScenarioFormatError) in
                    let s = try string(status, "\(path).nodes.\(node)")
                    guard NodeStatus(rawValue: s) != nil else {
                        throw fail("\(path).nodes.\(node)", "unknown status `\(s)` (\(NodeStatus.allCases.map(\.rawValue).joined(separator: ", ")))")
                    }
                    map[node] = s
                }
            }
            e.nodes = map
        }
        attempt { () throws(ScenarioFormatError) in if let x = v["tailored_out"] { e.tailoredOut = try strings(x, "\(path).tailored_out") } }
        attempt { () throws(ScenarioFormatError) in if let x = v["in_plan"] { e.inPlan = try strings(x, "\(path).in_plan") } }
        attempt { () throws(ScenarioFormatError) in
            e.status = try expected(v["status"], "\(path).status", S.blankStatus)
            if let s = e.status, DealStatus(rawValue: s) == nil { throw fail("\(path).status", "expected open, won or lost") }
        }
        attempt { () throws(ScenarioFormatError) in
            e.pool = try expected(v["pool"], "\(path).pool", S.blankPool)
            if let s = e.pool, PoolPlacement(rawValue: s) == nil { throw fail("\(path).pool", "expected private or public") }
        }
        attempt { () throws(ScenarioFormatError) in
            guard let x = v["owner"] else { return }
            guard x == .null || { if case .string = x { return true } else { return false } }() else { throw fail("\(path).owner", "expected a person or null") }
            e.owner = x
        }
        attempt { () throws(ScenarioFormatError) in
            guard let x = v["effects"] else { return }
            let kinds = try strings(x, "\(path).effects")
            for (i, k) in kinds.enumerated() where EffectKind(rawValue: k) == nil {
                collected.append(fail("\(path).effects[\(i)]", Reader.unknownKind(k)))
            }
            e.effects = kinds
        }
        effectPatterns(v, path, into: &e)
        restOfExpectation(v, path, into: &e)
        return e
    }

    /// `effects_include`: each pattern on its own, so that a mistake in one does not hide the next's.
    func effectPatterns(_ v: JSONValue, _ path: String, into e: inout Scenario.Expectation) {
        guard let x = v["effects_include"] else { return }
        guard case .array(let items) = x else {
            collected.append(fail("\(path).effects_include", "expected a list of effect patterns"))
            return
        }
        var matches: [Scenario.EffectMatch] = []
        for (i, item) in items.enumerated() {
            attempt { () throws(ScenarioFormatError) in
                let p = "\(path).effects_include[\(i)]"
                if case .string(let kind) = item {
                    guard EffectKind(rawValue: kind) != nil else { throw fail(p, Reader.unknownKind(kind)) }
                    matches.append(Scenario.EffectMatch(kind: kind))
                    return
                }
                guard case .object = item else { throw fail(p, "expected an object") }
                let before = collected.count
                unknownKeys(item, p, allowed: ["kind", "people", "text", "node", "person", "trigger"])
                var m = Scenario.EffectMatch()
                m.kind = try expected(item["kind"], "\(p).kind", S.blankKind)
                if let k = m.kind, EffectKind(rawValue: k) == nil { throw fail("\(p).kind", Reader.unknownKind(k)) }
                if let people = item["people"] { m.people = try strings(people, "\(p).people") }
                m.text = try expected(item["text"], "\(p).text", S.blankText)
                m.node = try expected(item["node"], "\(p).node", S.blankNode)
                m.person = try expected(item["person"], "\(p).person", S.blankPerson)
                m.trigger = try expected(item["trigger"], "\(p).trigger", S.blankTrigger)
                if collected.count == before { matches.append(m) }
            }
        }
        e.effectsInclude = matches
    }

    /// `fields`, `next_timer`, `probability` and `members`, each key on its own (and each role of
    /// `members`), as the keys before them: every mistake is shown in one run.
    func restOfExpectation(_ v: JSONValue, _ path: String, into e: inout Scenario.Expectation) {
        attempt { () throws(ScenarioFormatError) in
            guard let x = v["fields"] else { return }
            guard case .object(let entries) = x else { throw fail("\(path).fields", "expected an object of field values") }
            var map: [String: JSONValue] = [:]
            for (k, value) in entries { map[k] = value }
            e.fields = map
        }
        attempt { () throws(ScenarioFormatError) in try nextTimer(v, path, into: &e) }
        attempt { () throws(ScenarioFormatError) in
            if let x = v["probability"] { e.probability = try integer(x, "\(path).probability") }
        }
        attempt { () throws(ScenarioFormatError) in
            guard let x = v["members"] else { return }
            guard case .object(let entries) = x else { throw fail("\(path).members", "expected an object: role id → list of people") }
            var map: [String: [String]] = [:]
            for (role, people) in entries {
                attempt { () throws(ScenarioFormatError) in map[role] = try strings(people, "\(path).members.\(role)") }
            }
            e.members = map
        }
    }

    func nextTimer(_ v: JSONValue, _ path: String, into e: inout Scenario.Expectation) throws(ScenarioFormatError) {
        if let x = v["next_timer"] {
            guard x == .null || Scenario.instant(x) != nil || { if case .string(let s) = x { return s.hasPrefix("+") } else { return false } }() else {
                throw fail("\(path).next_timer", "expected a datetime, `+duration` from this step, or null" + Self.because(x))
            }
            if case .string(let s) = x, s.hasPrefix("+") {
                try durationDigits(s, "\(path).next_timer")
                guard Scenario.duration(String(s.dropFirst())) != nil else {
                    throw fail("\(path).next_timer", "expected a datetime, `+duration` from this step, or null: " + Scenario.durationAdvice(s.dropFirst()))
                }
            } else if let t = Scenario.instant(x) {
                try inRange(t, x, "\(path).next_timer")
            }
            e.nextTimer = x
        }
    }
}
